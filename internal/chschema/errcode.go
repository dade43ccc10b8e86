package chschema

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ClickHouse error codes this module reacts to.
const (
	CodeUnknownTable          = 60
	CodeTableAlreadyExists    = 57
	CodeUnknownDatabase       = 81
	CodeDatabaseAlreadyExists = 82
)

// NotCreatedYet reports ClickHouse's "unknown database" and "unknown table": what a reader that
// starts before the storage exporter's migration sees, expected for a while after start.
func NotCreatedYet(err error) bool {
	code, ok := ErrorCode(err)
	return ok && (code == CodeUnknownTable || code == CodeUnknownDatabase)
}

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
