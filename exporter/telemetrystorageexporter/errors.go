package telemetrystorageexporter

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// badDataCodes are ClickHouse errors caused by the rows themselves: sending
// the same rows again fails the same way, so retrying only blocks the queue.
// Everything else (network, timeouts, TOO_MANY_PARTS, memory, missing table
// while another collector migrates, auth) is retried by exporterhelper.
var badDataCodes = map[int32]string{
	6:   "CANNOT_PARSE_TEXT",
	26:  "CANNOT_PARSE_QUOTED_STRING",
	27:  "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
	38:  "CANNOT_PARSE_DATE",
	41:  "CANNOT_PARSE_DATETIME",
	53:  "TYPE_MISMATCH",
	69:  "ARGUMENT_OUT_OF_BOUND",
	70:  "CANNOT_CONVERT_TYPE",
	72:  "CANNOT_PARSE_NUMBER",
	117: "INCORRECT_DATA",
	128: "TOO_LARGE_ARRAY_SIZE",
	131: "TOO_LARGE_STRING_SIZE",
	190: "SIZES_OF_ARRAYS_DONT_MATCH",
	691: "UNKNOWN_ELEMENT_OF_ENUM",
}

// classifyServerError marks bad-data server errors permanent.
func classifyServerError(err error) error {
	if err == nil {
		return nil
	}
	if code, ok := chschema.ErrorCode(err); ok {
		if _, bad := badDataCodes[code]; bad {
			return consumererror.NewPermanent(err)
		}
	}
	return err
}

// joinInsertErrors combines the results of the inserts of one request. The
// result is permanent only if every failure is: a retryable failure must
// stay retryable even next to a permanent one, or exporterhelper would drop
// rows that a retry could store (rows of tables that succeeded may then be
// stored twice; the pipeline is at-least-once).
func joinInsertErrors(errs ...error) error {
	var failed []error
	allPermanent := true
	for _, err := range errs {
		if err == nil {
			continue
		}
		failed = append(failed, err)
		allPermanent = allPermanent && consumererror.IsPermanent(err)
	}
	switch {
	case len(failed) == 0:
		return nil
	case allPermanent:
		return errors.Join(failed...)
	}
	msg := ""
	for i, err := range failed {
		if i > 0 {
			msg += "; "
		}
		msg += err.Error()
	}
	return fmt.Errorf("%s", msg)
}
