package requestlimitsextension

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits bound the work one OTLP request can cause once decoded (see Config).
type Limits struct {
	MaxRecords            int
	MaxAttributesPerList  int
	MaxAttributesPerBatch int
	MaxDepth              int
	MaxKeyBytes           int
	MaxValueBytes         int
}

// maxFields is more than any OTLP message has (Span: 16).
const maxFields = 20

// Limit names as in the configuration: the answer to a refused request names the one it broke.
const (
	limitRecords       = "max_records_per_request"
	limitAttrsPerRec   = "max_attributes_per_record"
	limitAttrsPerReq   = "max_attributes_per_request"
	limitDepth         = "max_attribute_depth"
	limitKeyBytes      = "max_key_bytes"
	limitValueBytes    = "max_value_bytes"
	limitBodyBytes     = "max_request_body_size"
	reasonInvalidField = "invalid_field"
	reasonMalformed    = "malformed"
)

// refusal is why a request is refused: a limit (413 / RESOURCE_EXHAUSTED) or a field the
// receiver could not take (400 / INVALID_ARGUMENT).
type refusal struct {
	status int
	// reason is the limit's configuration key, or invalid_field / malformed; the metrics label.
	reason string
	msg    string
}

func (r *refusal) Error() string { return r.msg }

// seg is one step of the path to the field being checked: a field name, or an element index.
type seg struct {
	name string
	idx  int
}

// checker walks one request and counts what it would decode into, without decoding it.
type checker struct {
	lim     *Limits
	records int
	values  int
	path    []seg
	err     *refusal
}

func (c *checker) push(name string) { c.path = append(c.path, seg{name: name, idx: -1}) }
func (c *checker) pop()             { c.path = c.path[:len(c.path)-1] }
func (c *checker) at(i int)         { c.path[len(c.path)-1].idx = i }

// where renders the path for a message: resourceLogs[0].scopeLogs[0].logRecords[3].timeUnixNano.
func (c *checker) where() string {
	var b strings.Builder
	for i, s := range c.path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.name)
		if s.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.idx))
			b.WriteByte(']')
		}
	}
	return b.String()
}

func (c *checker) overLimit(limit string, format string, args ...any) {
	if c.err == nil {
		c.err = &refusal{status: http.StatusRequestEntityTooLarge, reason: limit,
			msg: fmt.Sprintf(format, args...) + " (limit " + limit + " of the request_limits extension)"}
	}
}

func (c *checker) invalid(format string, args ...any) {
	if c.err == nil {
		c.err = &refusal{status: http.StatusBadRequest, reason: reasonInvalidField,
			msg: "field " + c.where() + " " + fmt.Sprintf(format, args...)}
	}
}

func (c *checker) malformed(what string) {
	if c.err == nil {
		where := ""
		if len(c.path) > 0 {
			where = " at " + c.where()
		}
		c.err = &refusal{status: http.StatusBadRequest, reason: reasonMalformed, msg: "malformed " + what + where}
	}
}

// record counts one element of a repeated record field.
func (c *checker) record() bool {
	c.records++
	if c.records > c.lim.MaxRecords {
		c.overLimit(limitRecords, "the request holds more than %d records (resources, scopes, log records, spans, span events and links, metrics, data points and exemplars together; over it at %s)",
			c.lim.MaxRecords, c.where())
		return false
	}
	return true
}

// value counts one attribute or array element; n is its index in its list (-1: not in an attribute list).
func (c *checker) value(n int) bool {
	c.values++
	if n >= c.lim.MaxAttributesPerList {
		list := c.where()
		if i := strings.LastIndexByte(list, '['); i > 0 {
			list = list[:i]
		}
		c.overLimit(limitAttrsPerRec, "%s has more than %d attributes", list, c.lim.MaxAttributesPerList)
		return false
	}
	if c.values > c.lim.MaxAttributesPerBatch {
		c.overLimit(limitAttrsPerReq, "the request holds more than %d attributes and array elements (over it at %s)", c.lim.MaxAttributesPerBatch, c.where())
		return false
	}
	return true
}

func (c *checker) nest(depth int) bool {
	if depth > c.lim.MaxDepth {
		c.overLimit(limitDepth, "%s nests arrays and maps deeper than %d levels", c.where(), c.lim.MaxDepth)
		return false
	}
	return true
}

// size checks the length of a key or a value.
func (c *checker) size(k kind, n int) bool {
	switch {
	case k == kKey && n > c.lim.MaxKeyBytes:
		c.overLimit(limitKeyBytes, "%s is a key of %d bytes, more than %d", c.where(), n, c.lim.MaxKeyBytes)
		return false
	case k != kKey && n > c.lim.MaxValueBytes:
		c.overLimit(limitValueBytes, "%s has %d bytes, more than %d", c.where(), n, c.lim.MaxValueBytes)
		return false
	}
	return true
}

// quote shows a client's value in a message: short and valid UTF-8 (an error message that is not
// valid UTF-8 cannot be encoded as an OTLP status).
func quote(s string) string {
	const max = 40
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strconv.Quote(strings.ToValidUTF8(s, string(utf8.RuneError)))
}
