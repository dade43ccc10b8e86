package requestlimitsextension

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// FuzzCheck: no input makes the checks panic, and a refusal always says why. Run longer with
// go test -fuzz FuzzCheck ./extension/requestlimitsextension/.
func FuzzCheck(f *testing.F) {
	req := plogotlp.NewExportRequestFromLogs(logsWith(nothing, nestedBody(3), func(lr plog.LogRecord) {
		lr.Attributes().PutStr("k", "v")
	}))
	pb, _ := req.MarshalProto()
	js, _ := req.MarshalJSON()
	f.Add(pb)
	f.Add(js)
	f.Add([]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":-1}]}]}]}`))
	f.Add([]byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"kvlistValue":{"values":[{"key":"a","value":{"arrayValue":{}}}]}}}]}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range []*message{logsRequest, tracesRequest, metricsRequest} {
			for _, ref := range []*refusal{checkProto(b, m, small), checkJSON(b, m, small)} {
				if ref != nil && (ref.msg == "" || ref.reason == "" || ref.status == 0) {
					t.Fatalf("refusal without a reason: %+v", ref)
				}
			}
		}
	})
}
