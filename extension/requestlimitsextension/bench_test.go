package requestlimitsextension

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// typicalLogs is an SDK-like batch: 1000 records with a body and 8 attributes each.
func typicalLogs() plogotlp.ExportRequest {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "checkout")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range 1000 {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + i))
		lr.Body().SetStr(fmt.Sprintf("request %d handled in 12ms", i))
		for a := range 8 {
			lr.Attributes().PutStr(fmt.Sprintf("attr.%d", a), "some value of moderate length")
		}
	}
	return plogotlp.NewExportRequestFromLogs(ld)
}

// The check's cost next to what it protects: decoding the same request into pdata.
func BenchmarkCheck(b *testing.B) {
	req := typicalLogs()
	pb, _ := req.MarshalProto()
	js, _ := req.MarshalJSON()
	lim := createDefaultConfig().limits()
	b.Run("proto", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(pb)))
		for b.Loop() {
			if ref := checkProto(pb, logsRequest, lim); ref != nil {
				b.Fatal(ref)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(js)))
		for b.Loop() {
			if ref := checkJSON(js, logsRequest, lim); ref != nil {
				b.Fatal(ref)
			}
		}
	})
	b.Run("decode-proto-for-comparison", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(pb)))
		for b.Loop() {
			r := plogotlp.NewExportRequest()
			if err := r.UnmarshalProto(pb); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-json-for-comparison", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(js)))
		for b.Loop() {
			r := plogotlp.NewExportRequest()
			if err := r.UnmarshalJSON(js); err != nil {
				b.Fatal(err)
			}
		}
	})
}
