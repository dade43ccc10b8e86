package telemetrystorageexporter

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"
)

// samplerSpan is one staged span: its trace (by the randomness byte its id ends in), name,
// tracestate and whether it is an error.
type samplerSpan struct {
	trace      byte // 0x00: randomness 0 (dropped at any rate < 1); 0xff: kept by chance at any rate > 0
	traceNo    byte
	name       string
	traceState string
	err        bool
}

func samplerTraces(spans ...samplerSpan) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("tenant.id", "acme")
	rs.Resource().Attributes().PutStr("service.name", "shop")
	ss := rs.ScopeSpans().AppendEmpty()
	now := time.Now()
	for _, s := range spans {
		sp := ss.Spans().AppendEmpty()
		var tid pcommon.TraceID
		tid[0] = s.traceNo
		for b := 9; b < 16; b++ {
			tid[b] = s.trace
		}
		sp.SetTraceID(tid)
		h := fnv.New64a()
		_, _ = h.Write([]byte(s.name))
		var sid pcommon.SpanID
		binary.BigEndian.PutUint64(sid[:], h.Sum64())
		sp.SetSpanID(sid)
		sp.SetName(s.name)
		sp.TraceState().FromRaw(s.traceState)
		if s.err {
			sp.Status().SetCode(ptrace.StatusCodeError)
		}
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
	}
	return td
}

// TestIntegrationSamplerExactlyOnce drives the in-ClickHouse sampler run by run: the decisions
// (error, by chance, dropped), the stored rate and tracestate threshold, a span staged twice, a run
// cut short after its decisions were recorded (a crash: the next start copies them), a restart after
// a complete run (nothing copied again), and a late span following its trace's decision.
func TestIntegrationSamplerExactlyOnce(t *testing.T) {
	db := testDatabase(t)
	cfg := itConfig(t, db)
	cfg.Sampling = SamplingConfig{Enabled: true, Rate: 0.25, KeepErrors: true, SlowThresholdMs: 1000,
		DecisionWait: time.Millisecond, LateSpans: time.Hour, Interval: time.Minute, Instance: "it"}
	cfg.Compression = CompressionNone // readable server errors
	require.NoError(t, cfg.Validate())
	s := startAll(t, cfg)
	ctx := context.Background()
	conn := queryConn(t)
	st := mustStorage(t, cfg)

	headSampled := "ot=rv:00000000000000;th:8" // an SDK kept this trace at 0.5
	require.NoError(t, s.traces.ConsumeTraces(ctx, samplerTraces(
		samplerSpan{trace: 0x00, traceNo: 1, name: "err-root"},
		samplerSpan{trace: 0x00, traceNo: 1, name: "err-child", err: true, traceState: "vendor=x"},
		samplerSpan{trace: 0xff, traceNo: 2, name: "chance-root"},
		samplerSpan{trace: 0xff, traceNo: 2, name: "chance-child", traceState: "ot=rv:ffffffffffffff,vendor=y"},
		samplerSpan{trace: 0x00, traceNo: 3, name: "dropped-root"},
		samplerSpan{trace: 0x00, traceNo: 4, name: "head-root", err: true, traceState: headSampled},
	)))
	// The chance trace's child again: an at-least-once retry staged it twice.
	require.NoError(t, s.traces.ConsumeTraces(ctx, samplerTraces(
		samplerSpan{trace: 0xff, traceNo: 2, name: "chance-child", traceState: "ot=rv:ffffffffffffff,vendor=y"})))
	time.Sleep(samplerSettle + 200*time.Millisecond)

	stored := func() []string {
		return queryStrings(t, conn, "SELECT concat(span_name, '|', toString(sample_rate), '|', trace_state, '|', toString(c)) FROM "+
			"(SELECT span_name, sample_rate, trace_state, count() AS c FROM `"+db+"`.telemetry_spans GROUP BY ALL) ORDER BY span_name")
	}
	want := []string{
		"chance-child|0.25|ot=rv:ffffffffffffff;th:c,vendor=y|1",
		"chance-root|0.25|ot=th:c|1",
		"err-child|1|ot=th:0,vendor=x|1",
		"err-root|1|ot=th:0|1",
		"head-root|0.5|" + headSampled + "|1",
	}

	// A run that recorded its decisions and died before copying: the next start copies them.
	first, err := newSampler(st)
	require.NoError(t, err)
	var now int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT toUnixTimestamp64Milli(now64(3))").Scan(&now))
	now -= samplerSettle.Milliseconds()
	c, _ := st.connection()
	kept, err := first.decide(ctx, c, now-time.Hour.Milliseconds(), now, now, now-time.Hour.Milliseconds())
	require.NoError(t, err)
	assert.Equal(t, 3, kept, "error, chance and head-sampled error traces kept")
	assert.Empty(t, stored(), "nothing copied yet")

	restarted, err := newSampler(st)
	require.NoError(t, err)
	require.NoError(t, restarted.run(ctx, false))
	assert.Equal(t, want, stored(), "after the restart's first run")
	assert.Equal(t, []string{"dropped|1", "error|2", "rate|1"}, queryStrings(t, conn,
		"SELECT concat(reason, '|', toString(count())) FROM `"+db+"`.telemetry_sampling_decisions GROUP BY reason ORDER BY reason"),
		"each trace decided once")

	// Further runs, and another restart after a complete run, copy nothing again.
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, restarted.run(ctx, false))
	again, err := newSampler(st)
	require.NoError(t, err)
	require.NoError(t, again.run(ctx, false))
	assert.Equal(t, want, stored())

	// A late span of the kept trace follows its decision; one of the dropped trace does not.
	require.NoError(t, s.traces.ConsumeTraces(ctx, samplerTraces(
		samplerSpan{trace: 0xff, traceNo: 2, name: "chance-late"},
		samplerSpan{trace: 0x00, traceNo: 3, name: "dropped-late", err: true})))
	time.Sleep(samplerSettle + 200*time.Millisecond)
	require.NoError(t, again.run(ctx, false))
	require.NoError(t, again.run(ctx, false))
	assert.ElementsMatch(t, append([]string{"chance-late|0.25|ot=th:c|1"}, want...), stored())
	assert.Equal(t, "4", fmt.Sprint(queryStrings(t, conn, "SELECT toString(count()) FROM `"+db+"`.telemetry_sampling_decisions")[0]),
		"a late span does not decide its trace again")
}

// mustStorage is the started storage the exporters of cfg share.
func mustStorage(t *testing.T, cfg *Config) *storage {
	t.Helper()
	storages.Lock()
	defer storages.Unlock()
	s, ok := storages.m[cfg]
	require.True(t, ok)
	return s.st
}

// TestIntegrationSamplerDecidesAtShutdown: a graceful stop decides the traces still waiting (a
// gateway scaled down leaves nothing undecided), here with an hour's decision wait.
func TestIntegrationSamplerDecidesAtShutdown(t *testing.T) {
	db := testDatabase(t)
	cfg := itConfig(t, db)
	cfg.Sampling = SamplingConfig{Enabled: true, Rate: 1, KeepErrors: true, DecisionWait: time.Hour,
		LateSpans: time.Hour, Interval: 100 * time.Millisecond, Instance: "it"}
	f := NewFactory()
	ctx := context.Background()
	exp, err := f.CreateTraces(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, exp.ConsumeTraces(ctx, samplerTraces(
		samplerSpan{trace: 0x00, traceNo: 1, name: "root"}, samplerSpan{trace: 0x00, traceNo: 1, name: "child"})))
	time.Sleep(500 * time.Millisecond) // a few runs: the trace is not due for an hour
	conn := queryConn(t)
	count := func() string {
		return queryStrings(t, conn, "SELECT toString(count()) FROM `"+db+"`.telemetry_spans")[0]
	}
	assert.Equal(t, "0", count())
	require.NoError(t, exp.Shutdown(ctx))
	assert.Equal(t, "2", count(), "decided and stored at shutdown")
}

// TestIntegrationSamplerDerivedColumns: staged rows leave service_name, user_id and session_id to
// the copy (spans_block.go, derivedColumns); the kept spans must get exactly what the exporter
// stores without sampling, whichever of the span's attributes or its resource carries them.
func TestIntegrationSamplerDerivedColumns(t *testing.T) {
	traces := func() ptrace.Traces {
		td := samplerTraces(
			samplerSpan{trace: 0xff, traceNo: 1, name: "span-user"},
			samplerSpan{trace: 0xff, traceNo: 1, name: "span-enduser"},
			samplerSpan{trace: 0xff, traceNo: 1, name: "span-empty-user"},
			samplerSpan{trace: 0xff, traceNo: 1, name: "span-none"},
			samplerSpan{trace: 0xff, traceNo: 1, name: "span-int"})
		rs := td.ResourceSpans().At(0)
		rs.Resource().Attributes().PutStr("enduser.id", "res-enduser")
		rs.Resource().Attributes().PutStr("session.id", "res-session")
		spans := rs.ScopeSpans().At(0).Spans()
		spans.At(0).Attributes().PutStr("user.id", "u-1")
		spans.At(0).Attributes().PutStr("enduser.id", "e-1")
		spans.At(0).Attributes().PutStr("session.id", "s-1")
		spans.At(1).Attributes().PutStr("enduser.id", "e-2")
		spans.At(2).Attributes().PutStr("user.id", "") // empty: the next key, then the resource
		spans.At(2).Attributes().PutStr("session.id", "")
		spans.At(4).Attributes().PutInt("user.id", 42)
		// A second resource without service.name or any id.
		rs2 := td.ResourceSpans().AppendEmpty()
		rs2.Resource().Attributes().PutStr("tenant.id", "acme")
		sp := rs2.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		sp.SetSpanID(pcommon.SpanID{9})
		sp.SetName("span-bare-resource")
		sp.SetStartTimestamp(spans.At(0).StartTimestamp())
		sp.SetEndTimestamp(spans.At(0).EndTimestamp())
		return td
	}
	ctx := context.Background()
	conn := queryConn(t)
	rows := func(db string) []string {
		return queryStrings(t, conn, "SELECT concat(span_name, '|', service_name, '|', user_id, '|', session_id) FROM `"+
			db+"`.telemetry_spans ORDER BY span_name")
	}

	storedDB := testDatabase(t)
	s := startAll(t, itConfig(t, storedDB))
	require.NoError(t, s.traces.ConsumeTraces(ctx, traces()))
	want := rows(storedDB)
	require.Len(t, want, 6)
	assert.Equal(t, "span-user|shop|u-1|s-1", want[len(want)-1], "the span's own ids first")

	stagedDB := testDatabase(t)
	cfg := itConfig(t, stagedDB)
	cfg.Sampling = SamplingConfig{Enabled: true, Rate: 1, KeepErrors: true, DecisionWait: time.Millisecond,
		LateSpans: time.Hour, Interval: time.Minute, Instance: "it"}
	require.NoError(t, cfg.Validate())
	s = startAll(t, cfg)
	require.NoError(t, s.traces.ConsumeTraces(ctx, traces()))
	assert.Equal(t, []string{"0|0|0"}, queryStrings(t, conn, "SELECT concat(toString(countIf(service_name != '')), '|', "+
		"toString(countIf(user_id != '')), '|', toString(countIf(session_id != ''))) FROM `"+stagedDB+"`.telemetry_spans_staging"),
		"staged rows leave the derived columns to the copy")
	smp, err := newSampler(mustStorage(t, cfg))
	require.NoError(t, err)
	require.NoError(t, smp.run(ctx, true))
	assert.Equal(t, want, rows(stagedDB))
}

// TestIntegrationSamplerIdleSkipsRuns: once every staged trace is decided and copied, the sampler
// stops querying the engine (no run every interval), and a span staged later wakes it: its trace
// is decided and stored as usual.
func TestIntegrationSamplerIdleSkipsRuns(t *testing.T) {
	db := testDatabase(t)
	cfg := itConfig(t, db)
	cfg.Sampling = SamplingConfig{Enabled: true, Rate: 0.5, KeepErrors: true, DecisionWait: 100 * time.Millisecond,
		LateSpans: time.Minute, Interval: 100 * time.Millisecond, Instance: "it"}
	require.NoError(t, cfg.Validate())
	s := startAll(t, cfg)
	ctx := context.Background()
	conn := queryConn(t)
	st := mustStorage(t, cfg)
	st.mu.Lock()
	smp := st.sampler
	st.mu.Unlock()
	require.NotNil(t, smp)
	stored := func() string {
		return queryStrings(t, conn, "SELECT toString(count()) FROM `"+db+"`.telemetry_spans")[0]
	}
	// idleWithin waits until no run happens for a second (the idle bound: decision wait, overlap,
	// margin and settle after the last staging insert).
	idleWithin := func(d time.Duration) {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			before := smp.runs.Load()
			time.Sleep(time.Second)
			if smp.runs.Load() == before {
				return
			}
			require.True(t, time.Now().Before(deadline), "the sampler still runs every interval")
		}
	}

	require.NoError(t, s.traces.ConsumeTraces(ctx, samplerTraces(
		samplerSpan{trace: 0xff, traceNo: 1, name: "root"}, samplerSpan{trace: 0xff, traceNo: 1, name: "child"})))
	require.Eventually(t, func() bool { return stored() == "2" }, 10*time.Second, 100*time.Millisecond)
	idleWithin(10 * time.Second)
	runs := smp.runs.Load()
	time.Sleep(time.Second)
	assert.Equal(t, runs, smp.runs.Load(), "no run while idle (10 intervals)")

	require.NoError(t, s.traces.ConsumeTraces(ctx, samplerTraces(samplerSpan{trace: 0xff, traceNo: 2, name: "woken"})))
	require.Eventually(t, func() bool { return stored() == "3" }, 10*time.Second, 100*time.Millisecond, "a new trace wakes the sampler")
	assert.Greater(t, smp.runs.Load(), runs)
}

// TestIntegrationStagingCompressedWithLZ4: migration 60 leaves no staging column on ZSTD (the
// staging table is written for every span and dropped within a day; sql/staging_lz4.sql).
func TestIntegrationStagingCompressedWithLZ4(t *testing.T) {
	db := testDatabase(t)
	cfg := itConfig(t, db)
	cfg.Sampling = SamplingConfig{Enabled: true, Rate: 0.5, KeepErrors: true, DecisionWait: time.Second,
		LateSpans: time.Minute, Interval: time.Second, Instance: "it"}
	startAll(t, cfg)
	conn := queryConn(t)
	codecs := queryStrings(t, conn, "SELECT concat(name, ' ', compression_codec) FROM system.columns WHERE database = '"+db+
		"' AND table = 'telemetry_spans_staging' AND compression_codec != '' ORDER BY name")
	require.Len(t, codecs, 24, "every compressed column: %v", codecs)
	for _, c := range codecs {
		assert.Contains(t, c, "LZ4", c)
		assert.NotContains(t, c, "ZSTD", c)
	}
}
