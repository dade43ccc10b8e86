package chschema

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameLen bounds user-supplied names; ClickHouse itself rejects names
// longer than the file system allows, with a far less readable message.
const maxNameLen = 200

var identEscaper = strings.NewReplacer("\\", "\\\\", "`", "\\`")

// QuoteIdent renders name as a back-quoted ClickHouse identifier, so that any
// database, table or cluster name (reserved word, dash, quote) is safe in DDL.
func QuoteIdent(name string) string {
	return "`" + identEscaper.Replace(name) + "`"
}

var stringEscaper = strings.NewReplacer("\\", "\\\\", "'", "\\'")

// QuoteString renders s as a single-quoted ClickHouse string literal.
func QuoteString(s string) string {
	return "'" + stringEscaper.Replace(s) + "'"
}

// validateName rejects names that escaping cannot make meaningful: empty,
// over-long, invalid UTF-8 or containing control characters (a newline in a
// database name is always a configuration mistake).
func validateName(key, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s must not be empty", key)
	case len(name) > maxNameLen:
		return fmt.Errorf("%s must be at most %d bytes, got %d", key, maxNameLen, len(name))
	case !utf8.ValidString(name):
		return fmt.Errorf("%s must be valid UTF-8", key)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fmt.Errorf("%s %q must not contain control characters", key, name)
	}
	return nil
}

var errNegativeRetention = errors.New("must not be negative")
