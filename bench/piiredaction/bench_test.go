// Package piiredaction compares, in one run on the same data, this project's pii_redaction processor
// in strict mode with contrib's redaction + transform processors configured to cover the same
// detectors (run.sh prints the ratio). Both chains are checked to leave no raw PII before timing.
package piiredaction

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/redactionprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"
)

const hashKey = "bench-hmac-key-0123456789abcdef0123456789"

// The regexes contrib's redaction processor needs to find what the pii_redaction detectors find.
var blockedValues = []any{
	`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,                                                  // email
	`\+?\d{1,3}[ .-]?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}`,                                               // phone
	`\b\d{3}-\d{2}-\d{4}\b`,                                                                           // US SSN
	`\b(?:\d[ -]?){13,19}\b`,                                                                          // payment card
	`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b`,                                     // IBAN
	`\b(?:\d{1,3}\.){3}\d{1,3}\b`,                                                                     // IPv4
	`\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b`,                                                    // IPv6 (full form)
	`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`,                                            // JWT
	`(?i)bearer\s+[A-Za-z0-9._~+/-]+=*`,                                                               // bearer token
	`\b(?:sk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b`, // API keys
	`[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`,                                                         // credentials in URLs
	`(?i)[?&](?:token|access_token|password|passwd|secret|api_key|apikey|email)=[^&\s]+`,              // query params
}

func newChain(b testing.TB, factories []processor.Factory, configs []map[string]any, sink consumer.Logs, tsink consumer.Traces) (consumer.Logs, consumer.Traces) {
	ctx := context.Background()
	var logs consumer.Logs = sink
	var traces consumer.Traces = tsink
	for i := len(factories) - 1; i >= 0; i-- {
		f := factories[i]
		cfg := f.CreateDefaultConfig()
		require.NoError(b, confmap.NewFromStringMap(configs[i]).Unmarshal(cfg))
		require.NoError(b, confmap.Validate(cfg))
		set := processortest.NewNopSettings(f.Type())
		lp, err := f.CreateLogs(ctx, set, cfg, logs)
		require.NoError(b, err)
		tp, err := f.CreateTraces(ctx, set, cfg, traces)
		require.NoError(b, err)
		require.NoError(b, lp.Start(ctx, componenttest.NewNopHost()))
		require.NoError(b, tp.Start(ctx, componenttest.NewNopHost()))
		b.Cleanup(func() { _ = lp.Shutdown(ctx); _ = tp.Shutdown(ctx) })
		logs, traces = lp, tp
	}
	return logs, traces
}

func ours(b testing.TB, ls consumer.Logs, ts consumer.Traces) (consumer.Logs, consumer.Traces) {
	return newChain(b, []processor.Factory{piiredactionprocessor.NewFactory()}, []map[string]any{{
		"mode":             "strict",
		"hash_identifiers": true,
		"hash_key":         hashKey,
		"anonymize_ips":    true,
	}}, ls, ts)
}

func contrib(b testing.TB, ls consumer.Logs, ts consumer.Traces) (consumer.Logs, consumer.Traces) {
	// transform: key-based rules (identifier hashing, address truncation, pii_fields removal) that the
	// redaction processor cannot express; redaction: value detectors with HMAC hashing.
	idRules := func(ctx string) []any {
		return []any{
			`set(` + ctx + `.attributes["user.id"], SHA256(Concat(["` + hashKey + `", ` + ctx + `.attributes["user.id"]], ""))) where ` + ctx + `.attributes["user.id"] != nil`,
			`replace_pattern(` + ctx + `.attributes["client.address"], "^(\\d+\\.\\d+\\.\\d+)\\.\\d+$", "$$1.0")`,
			`delete_matching_keys(` + ctx + `.attributes, "(?i)^(.*\\.)?(email|email_address|phone|phone_number|ssn|password|passwd|credit_card|card_number|cvv|date_of_birth)$")`,
			// Route templating (issue 19): ids in paths become {id}, as pii_redaction's route check does.
			`replace_pattern(` + ctx + `.attributes["url.path"], "/\\d+(/|$)", "/{id}$$1")`,
			`replace_pattern(` + ctx + `.attributes["http.route"], "/\\d+(/|$)", "/{id}$$1")`,
		}
	}
	return newChain(b,
		[]processor.Factory{transformprocessor.NewFactory(), redactionprocessor.NewFactory()},
		[]map[string]any{
			{
				"error_mode":       "ignore",
				"trace_statements": idRules("span"),
				"log_statements":   idRules("log"),
			},
			{
				"allow_all_keys": true,
				"blocked_values": blockedValues,
				"hash_function":  "hmac-sha256",
				"hmac_key":       hashKey,
				"summary":        "silent",
			},
		}, ls, ts)
}

type chainFunc func(testing.TB, consumer.Logs, consumer.Traces) (consumer.Logs, consumer.Traces)

// TestBothChainsRemovePII keeps the comparison honest: neither chain may leave raw PII behind.
func TestBothChainsRemovePII(t *testing.T) {
	for name, chain := range map[string]chainFunc{"pii_redaction": ours, "contrib": contrib} {
		t.Run(name, func(t *testing.T) {
			ls, ts := &consumertest.LogsSink{}, &consumertest.TracesSink{}
			l, tr := chain(t, ls, ts)
			require.NoError(t, l.ConsumeLogs(context.Background(), makeLogs()))
			require.NoError(t, tr.ConsumeTraces(context.Background(), makeTraces()))
			out := plogString(ls.AllLogs()[0]) + ptraceString(ts.AllTraces()[0])
			require.Empty(t, leaked(out), "raw PII left by %s", name)
			require.NotContains(t, out, "/api/v1/orders/100001", "ids in url.path are templated")
			require.Contains(t, out, "ORD-2026-000001", "look-alikes survive")
			require.Contains(t, out, "3f2c7a9e-8d41-4b6f-a2c5-0e9b7d1f4a38", "UUIDs survive")
		})
	}
}

func benchLogs(b *testing.B, chain chainFunc) {
	l, _ := chain(b, consumertest.NewNop(), consumertest.NewNop())
	src := makeLogs()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ld := plog.NewLogs()
		src.CopyTo(ld)
		b.StartTimer()
		if err := l.ConsumeLogs(context.Background(), ld); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*recordsPerBatch), "ns/record")
}

func benchTraces(b *testing.B, chain chainFunc) {
	_, tr := chain(b, consumertest.NewNop(), consumertest.NewNop())
	src := makeTraces()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		b.StartTimer()
		if err := tr.ConsumeTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*recordsPerBatch), "ns/record")
}

func BenchmarkLogs_PIIRedaction(b *testing.B)   { benchLogs(b, ours) }
func BenchmarkLogs_Contrib(b *testing.B)        { benchLogs(b, contrib) }
func BenchmarkTraces_PIIRedaction(b *testing.B) { benchTraces(b, ours) }
func BenchmarkTraces_Contrib(b *testing.B)      { benchTraces(b, contrib) }

func plogString(ld plog.Logs) string {
	var s []byte
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				s = append(s, lr.Body().AsString()...)
				s = append(s, mapString(lr.Attributes().AsRaw())...)
			}
		}
	}
	return string(s)
}

func ptraceString(td ptrace.Traces) string {
	var s []byte
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				s = append(s, mapString(spans.At(k).Attributes().AsRaw())...)
			}
		}
	}
	return string(s)
}
