package chschema

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ClickHouse error codes this module reacts to.
const (
	CodeTableAlreadyExists    = 57
	CodeDatabaseAlreadyExists = 82
)

// HTTP responses carry the exception only as text ("Code: 60. DB::Exception: ...").
var httpExceptionCode = regexp.MustCompile(`Code: (\d+)\.`)

// ErrorCode extracts the ClickHouse exception code from err, for both the
// native protocol (typed exception) and HTTP (message text).
func ErrorCode(err error) (int32, bool) {
	if err == nil {
		return 0, false
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code, true
	}
	m := httpExceptionCode.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false
	}
	code, convErr := strconv.ParseInt(m[1], 10, 32)
	if convErr != nil {
		return 0, false
	}
	return int32(code), true
}
