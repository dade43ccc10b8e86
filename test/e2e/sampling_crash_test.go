package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// crashEnv is a collector's whole environment with fixed ports, database and queue directory, so a
// restart after a SIGKILL is the same collector (and the same sampler instance: the host name).
func crashEnv(t *testing.T, rate string) map[string]string {
	return map[string]string{
		"TELEMETRY_CLICKHOUSE_DATABASE":   "e2e_" + randomSuffix(),
		"TELEMETRY_OTLP_GRPC_ENDPOINT":    freeAddr(),
		"TELEMETRY_OTLP_HTTP_ENDPOINT":    freeAddr(),
		"TELEMETRY_API_ENDPOINT":          freeAddr(),
		"TELEMETRY_HEALTH_ENDPOINT":       freeAddr(),
		"TELEMETRY_PROMETHEUS_ENDPOINT":   freeAddr(),
		"TELEMETRY_SELF_METRICS_ENDPOINT": freeAddr(),
		"TELEMETRY_QUEUE_DIRECTORY":       t.TempDir(),
		"TELEMETRY_SAMPLE_RATE":           rate,
		// Twice the shipped default (10 s): every trace is still waiting for its decision when the
		// kill comes, also on a loaded machine where sending the 500 traces takes several seconds.
		"TELEMETRY_SAMPLE_DECISION_WAIT": "20",
	}
}

// markTraces sets every span of every trace of td to the error status when errs is set.
func markErrors(td ptrace.Traces) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				if sp.ParentSpanID().IsEmpty() {
					continue
				}
				sp.Status().SetCode(ptrace.StatusCodeError)
			}
		}
	}
}

// keptByChance is the decision the sampler must take for an unremarkable trace at rate: the
// trace id's randomness (its last 56 bits) against the rate's threshold (OTel consistent sampling).
func keptByChance(t *testing.T, traceHex string, rate float64) bool {
	t.Helper()
	var tid pcommon.TraceID
	_, err := hex.Decode(tid[:], []byte(traceHex))
	require.NoError(t, err)
	th, err := sampling.ProbabilityToThreshold(rate)
	require.NoError(t, err)
	return th.ShouldSample(sampling.TraceIDToRandomness(tid))
}

// TestSamplingCrashLosesNothingAcknowledged: the collector is SIGKILLed 2 s after acknowledging the
// last of its traces, while every one of them still waits for its decision (20 s), and restarted on
// the same queue directory and database. Every span of every kept trace is stored exactly once, with
// the decision the sampler takes without a crash: at rate 1.0, all 500 traces; at rate 0.1, the 50
// error traces whole with sample_rate 1, and of 200 unremarkable traces exactly those whose trace id
// passes the rate's threshold, with sample_rate 0.1.
func TestSamplingCrashLosesNothingAcknowledged(t *testing.T) {
	type sent struct {
		spans []fleetSpan
		kind  map[string]traceKind
	}
	send := func(t *testing.T, c *collector, prefix string, traces int, kind traceKind) sent {
		t.Helper()
		out := sent{kind: map[string]traceKind{}}
		const perRequest = 25
		for r := 0; r < traces/perRequest; r++ {
			td, spans := tracesRequest("crash", fmt.Sprintf("%s%d", prefix, r), perRequest, 4, "")
			if kind == errorTrace {
				markErrors(td)
			}
			require.NoError(t, postTraces(c.otlpHTTP, td), "request %d", r)
			out.spans = append(out.spans, spans...)
			for _, s := range spans {
				out.kind[s.trace] = kind
			}
		}
		return out
	}
	// crashAndRestart kills c 2 s after the last acknowledgement and starts it again.
	crashAndRestart := func(t *testing.T, c *collector, env map[string]string) *collector {
		t.Helper()
		time.Sleep(2 * time.Second)
		var staged uint64
		require.NoError(t, c.db().QueryRow(context.Background(), "SELECT count() FROM telemetry_spans").Scan(&staged))
		require.Zero(t, staged, "nothing is decided before the kill (decision wait 20 s)")
		c.kill()
		return startCollector(t, collectorOptions{env: env})
	}
	// check waits for want spans, then requires every kept span exactly once and nothing else.
	check := func(t *testing.T, c *collector, all []fleetSpan, keep func(trace string) (bool, float64)) {
		t.Helper()
		var want []fleetSpan
		for _, s := range all {
			if ok, _ := keep(s.trace); ok {
				want = append(want, s)
			}
		}
		conn := c.db()
		// Decision wait 20 s after the first span, plus a run: the restart comes ~3 s in.
		eventuallyCount(t, conn, uint64(len(want)), "SELECT count() FROM telemetry_spans WHERE service_name = 'crash'")
		time.Sleep(3 * time.Second) // a span copied twice would arrive by now
		rows, err := conn.Query(context.Background(), `SELECT attributes['marker'], trace_id, count(), min(sample_rate), max(sample_rate)
			FROM telemetry_spans WHERE service_name = 'crash' GROUP BY attributes['marker'], trace_id`)
		require.NoError(t, err)
		defer rows.Close()
		type row struct {
			trace      string
			n          uint64
			minR, maxR float64
		}
		got := map[string]row{}
		for rows.Next() {
			var m string
			var r row
			require.NoError(t, rows.Scan(&m, &r.trace, &r.n, &r.minR, &r.maxR))
			got[m] = r
		}
		require.NoError(t, rows.Err())
		require.Len(t, got, len(want), "stored spans: exactly those of the kept traces")
		for _, s := range want {
			r, ok := got[s.marker]
			if !assert.True(t, ok, "span %s of kept trace %s lost", s.marker, s.trace) {
				continue
			}
			_, rate := keep(s.trace)
			assert.Equal(t, uint64(1), r.n, "span %s stored %d times", s.marker, r.n)
			assert.Equal(t, s.trace, r.trace)
			assert.InDelta(t, rate, r.minR, 1e-9, "span %s sample_rate", s.marker)
			assert.InDelta(t, rate, r.maxR, 1e-9, "span %s sample_rate", s.marker)
		}
		var decided uint64
		require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_sampling_decisions").Scan(&decided))
		traces := map[string]bool{}
		for _, s := range all {
			traces[s.trace] = true
		}
		assert.Equal(t, uint64(len(traces)), decided, "every trace decided exactly once")
	}

	t.Run("rate_1", func(t *testing.T) {
		env := crashEnv(t, "1.0")
		c := startCollector(t, collectorOptions{env: env})
		s := send(t, c, "all", 500, normalTrace)
		require.Len(t, s.kind, 500)
		c = crashAndRestart(t, c, env)
		check(t, c, s.spans, func(string) (bool, float64) { return true, 1 })
	})

	t.Run("errors_at_rate_0.1", func(t *testing.T) {
		env := crashEnv(t, "0.1")
		c := startCollector(t, collectorOptions{env: env})
		s := send(t, c, "err", 50, errorTrace)
		n := send(t, c, "norm", 200, normalTrace)
		for tr, k := range n.kind {
			s.kind[tr] = k
		}
		s.spans = append(s.spans, n.spans...)
		c = crashAndRestart(t, c, env)
		byChance := 0
		keep := func(trace string) (bool, float64) {
			if s.kind[trace] == errorTrace {
				return true, 1
			}
			return keptByChance(t, trace, 0.1), 0.1
		}
		for tr, k := range s.kind {
			if ok, _ := keep(tr); ok && k == normalTrace {
				byChance++
			}
		}
		t.Logf("expected: 50 error traces and %d of 200 unremarkable ones", byChance)
		check(t, c, s.spans, keep)
	})
}
