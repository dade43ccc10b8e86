package eventsreceiver

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver/internal/metadata"
)

// sampleBatch is n events shaped like the spec's examples, alternating checkout and api_call.
func sampleBatch(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"events":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if i%2 == 0 {
			fmt.Fprintf(&b, `{"event_name":"user_action","properties":{"action":"checkout","value":%d.99,"currency":"USD","items":[{"sku":"A-%d","qty":2}]},"user_id":"user%d","timestamp":1714564800%03d}`, i, i, i, i%1000)
		} else {
			fmt.Fprintf(&b, `{"event_name":"api_call","properties":{"endpoint":"/api/users","method":"GET","duration_ms":%d},"user_id":"user%d","context":{"ip":"192.168.1.%d","user_agent":"Mozilla/5.0 (X11; Linux x86_64)","session_id":"sess%d"}}`, i%500, i, i%250, i)
		}
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func BenchmarkDecode(b *testing.B) {
	body := sampleBatch(100)
	ri := testInfo()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		d, rerr := decodeBatch(body, testLimits, ri)
		if rerr != nil || d.accepted != 100 {
			b.Fatal(rerr, d.errors)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkOTLPJSONUnmarshal decodes the same events as OTLP JSON logs, the OTLP/HTTP receiver's
// work for a JSON request: the in-process reference of bench/events-vs-otlp.
func BenchmarkOTLPJSONUnmarshal(b *testing.B) {
	d, rerr := decodeBatch(sampleBatch(100), testLimits, testInfo())
	require.Nil(b, rerr)
	body, err := (&plog.JSONMarshaler{}).MarshalLogs(d.logs)
	require.NoError(b, err)
	var u plog.JSONUnmarshaler
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		ld, err := u.UnmarshalLogs(body)
		if err != nil || ld.LogRecordCount() != 100 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkHandler is one batch request through the handler into a no-op consumer.
func BenchmarkHandler(b *testing.B) {
	cfg := createDefaultConfig().(*Config)
	r, err := newReceiver(cfg, receivertest.NewNopSettings(metadata.Type), consumertest.NewNop())
	require.NoError(b, err)
	body := sampleBatch(100)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/events/batch", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		r.batch.ServeHTTP(rec, req)
		if rec.Code != http.StatusAccepted {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "events/s")
}
