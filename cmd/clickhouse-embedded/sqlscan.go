package main

import (
	"strings"
	"unsafe"
)

// word is a bare keyword/identifier found outside quotes, comments and parentheses.
type word struct {
	text       string
	start, end int
}

// topLevelWords lists the bare words of a SQL statement that are not nested
// in parentheses, quotes or comments. It is deliberately not a parser: the
// front only needs to spot INSERT, FORMAT, SETTINGS and VALUES to decide
// where inline data starts, the way ClickHouse's own parser does.
// stop, if not nil, ends the scan after the word it returns true for, so
// that large inline data is not scanned.
func topLevelWords(sql string, stop func(w word) bool) []word {
	var words []word
	depth := 0
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '-' && strings.HasPrefix(sql[i:], "--"), c == '#' && strings.HasPrefix(sql[i:], "#!"):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				return words
			}
			i += j + 1
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return words
			}
			i += j + 4
		case c == '\'' || c == '"' || c == '`':
			i = skipQuoted(sql, i)
		case c == '(' || c == '[':
			depth++
			i++
		case c == ')' || c == ']':
			depth--
			i++
		case isWordByte(c):
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			if depth == 0 {
				w := word{text: sql[i:j], start: i, end: j}
				words = append(words, w)
				if stop != nil && stop(w) {
					return words
				}
			}
			i = j
		default:
			i++
		}
	}
	return words
}

// skipQuoted returns the index after the quoted token starting at i; quotes
// are escaped by backslash or by doubling, as in ClickHouse.
func skipQuoted(s string, i int) int {
	q := s[i]
	i++
	for i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
			continue
		case q:
			if i+1 < len(s) && s[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(s)
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// outputFormat returns the FORMAT clause of a non-INSERT statement, or "".
func outputFormat(sql string) string {
	words := topLevelWords(sql, nil)
	if len(words) == 0 || strings.EqualFold(words[0].text, "INSERT") {
		return ""
	}
	for i := len(words) - 2; i >= 0; i-- {
		if strings.EqualFold(words[i].text, "FORMAT") {
			return words[i+1].text
		}
	}
	return ""
}

// insertWithData describes an `INSERT ... FORMAT <fmt>` statement whose data
// follows the statement text.
type insertWithData struct {
	head   string // statement up to (not including) SETTINGS/FORMAT
	tail   string // SETTINGS clause, if any, up to FORMAT
	format string
	data   []byte
}

// splitInsert recognises `INSERT INTO ... [SETTINGS ...] FORMAT <fmt><data>`.
// It returns ok=false for every other statement, including INSERT ... VALUES
// and INSERT ... SELECT, which chDB runs fine as plain text. Data starts where
// ClickHouse's ParserInsertQuery starts it: after blanks and one line break.
func splitInsert(text []byte) (insertWithData, bool) {
	// Only the statement part is scanned: stop at the word after FORMAT.
	if len(text) == 0 {
		return insertWithData{}, false
	}
	var n int
	var sawFormat bool
	// No copy of what may be a large data body; text is never mutated and
	// the strings taken from it are only used while it is alive.
	s := unsafe.String(&text[0], len(text))
	words := topLevelWords(s, func(w word) bool {
		n++
		switch {
		case sawFormat:
			return true
		case n == 1:
			return !strings.EqualFold(w.text, "INSERT")
		}
		switch strings.ToUpper(w.text) {
		case "SELECT", "WITH", "VALUES", "INFILE":
			return true
		}
		sawFormat = strings.EqualFold(w.text, "FORMAT")
		return false
	})
	if len(words) < 2 || !strings.EqualFold(words[0].text, "INSERT") {
		return insertWithData{}, false
	}
	var settingsAt, formatIdx = -1, -1
	for i, w := range words {
		switch strings.ToUpper(w.text) {
		case "SELECT", "WITH", "VALUES", "INFILE":
			return insertWithData{}, false
		case "SETTINGS":
			if settingsAt < 0 {
				settingsAt = w.start
			}
		case "FORMAT":
			formatIdx = i
		}
	}
	if formatIdx < 0 || formatIdx+1 >= len(words) {
		return insertWithData{}, false
	}
	fw, nw := words[formatIdx], words[formatIdx+1]
	ins := insertWithData{format: nw.text}
	if settingsAt >= 0 {
		ins.head, ins.tail = s[:settingsAt], s[settingsAt:fw.start]
	} else {
		ins.head = s[:fw.start]
	}
	p := nw.end
	for p < len(text) && (text[p] == ' ' || text[p] == '\t' || text[p] == '\f') {
		p++
	}
	if p < len(text) && text[p] == '\r' {
		p++
	}
	if p < len(text) && text[p] == '\n' {
		p++
	}
	ins.data = text[p:]
	return ins, true
}

// fromInfile rewrites the INSERT to read its data from a server-side file;
// chDB cannot read Native data placed inline after the statement.
func (ins insertWithData) fromInfile(path string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(ins.head))
	b.WriteString(" FROM INFILE ")
	b.WriteString(quoteString(path))
	if t := strings.TrimSpace(ins.tail); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	b.WriteString(" FORMAT ")
	b.WriteString(ins.format)
	return b.String()
}

// quoteString renders s as a ClickHouse string literal.
func quoteString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// quoteIdent renders s as a ClickHouse identifier.
func quoteIdent(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "`", "\\`")
	return "`" + r.Replace(s) + "`"
}

// setAssignments returns the assignments of a `SET name = value, ...`
// statement. ClickHouse applies such a SET, sent over HTTP without a
// session, to its own request only; the front runs it as a SETTINGS clause
// so that it is validated but does not stay in the shared chDB session.
// SET ROLE / SET DEFAULT ROLE / SET TRANSACTION are not settings.
func setAssignments(sql string) (string, bool) {
	words := topLevelWords(sql, func(w word) bool { return !strings.EqualFold(w.text, "SET") })
	if len(words) < 2 || !strings.EqualFold(words[0].text, "SET") {
		return "", false
	}
	switch strings.ToUpper(words[1].text) {
	case "ROLE", "DEFAULT", "TRANSACTION":
		return "", false
	}
	rest := strings.TrimSpace(sql[words[0].end:])
	return strings.TrimSpace(strings.TrimSuffix(rest, ";")), true
}
