package telemetrystorageexporter

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// orderedObject renders a kvMap as a JSON object keeping insertion order,
// which is the order ClickHouse stores Map entries in.
type orderedObject struct{ keys, vals []string }

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(o.keys[i])
		v, _ := json.Marshal(o.vals[i])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func jsonable(v reflect.Value) any {
	switch x := v.Interface().(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case *kvMap:
		keys := make([]string, len(x.keys))
		for i, k := range x.keys {
			keys[i] = k.(string)
		}
		return orderedObject{keys, x.vals}
	case *float64:
		if x == nil {
			return nil
		}
		return *x
	}
	if v.Kind() == reflect.Slice {
		out := make([]any, v.Len())
		for i := range out {
			out[i] = jsonable(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

// dumpBlock renders a block as JSON lines, one row per line, columns in
// insert order: the golden representation of a conversion.
func dumpBlock(t *testing.T, table *chschema.Table, b block) []byte {
	t.Helper()
	cols := b.columns()
	var buf bytes.Buffer
	for row := 0; row < b.rows(); row++ {
		buf.WriteString("{")
		for i, c := range table.InsertColumns {
			col := reflect.ValueOf(cols[c])
			require.Equal(t, b.rows(), col.Len(), "column %s has %d values for %d rows", c, col.Len(), b.rows())
			val, err := json.Marshal(jsonable(col.Index(row)))
			require.NoError(t, err)
			if i > 0 {
				buf.WriteString(", ")
			}
			buf.WriteString(`"` + c + `": `)
			buf.Write(val)
		}
		buf.WriteString("}\n")
	}
	return buf.Bytes()
}

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o600))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), string(got))
}

func testSchema(t *testing.T) *chschema.Schema {
	s, err := chschema.New(chschema.Options{})
	require.NoError(t, err)
	return s
}

func TestConvertLogsGolden(t *testing.T) {
	s := testSchema(t)
	events, logs := &logBlock{events: true}, &logBlock{}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := appendLogs(sampleLogs(), events, logs, now, noTTL)
	assert.Equal(t, int64(1), d[dropTimestampOutOfRange])
	assert.Equal(t, 2, events.rows())
	assert.Equal(t, 2, logs.rows())
	assertGolden(t, "events.jsonl", dumpBlock(t, s.Table(chschema.Events), events))
	assertGolden(t, "logs.jsonl", dumpBlock(t, s.Table(chschema.Logs), logs))
}

func TestConvertSpansGolden(t *testing.T) {
	s := testSchema(t)
	b := &spanBlock{}
	d := appendSpans(sampleTraces(), b, t0, noTTL)
	assert.Equal(t, drops{}, d)
	assert.Equal(t, 3, b.rows())
	assertGolden(t, "spans.jsonl", dumpBlock(t, s.Table(chschema.Spans), b))
}

func TestConvertMetricsGolden(t *testing.T) {
	s := testSchema(t)
	b := &metricBlock{}
	d := appendMetrics(sampleMetrics(), b, t0, noTTL)
	assert.Equal(t, int64(1), d[dropEmptyMetric])
	assert.Equal(t, 5, b.rows())
	assertGolden(t, "metrics.jsonl", dumpBlock(t, s.Table(chschema.Metrics), b))
}

// A reset block converts the next batch exactly like a fresh one: pooled
// blocks must not leak rows or arena windows between batches.
func TestBlockReuse(t *testing.T) {
	s := testSchema(t)
	fresh := &spanBlock{}
	appendSpans(sampleTraces(), fresh, t0, noTTL)
	want := dumpBlock(t, s.Table(chschema.Spans), fresh)

	reused := &spanBlock{}
	appendSpans(sampleTraces(), reused, t0, noTTL)
	appendSpans(sampleTraces(), reused, t0, noTTL)
	reused.reset()
	appendSpans(sampleTraces(), reused, t0, noTTL)
	assert.Equal(t, string(want), string(dumpBlock(t, s.Table(chschema.Spans), reused)))

	m := &metricBlock{}
	appendMetrics(sampleMetrics(), m, t0, noTTL)
	wantM := dumpBlock(t, s.Table(chschema.Metrics), m)
	m.reset()
	appendMetrics(sampleMetrics(), m, t0, noTTL)
	assert.Equal(t, string(wantM), string(dumpBlock(t, s.Table(chschema.Metrics), m)))
}

func TestIdentityColumns(t *testing.T) {
	f := func(resAttrs, attrs map[string]any, wantTenant, wantUser, wantSession string) {
		t.Helper()
		res, rec := pcommon.NewMap(), pcommon.NewMap()
		require.NoError(t, res.FromRaw(resAttrs))
		require.NoError(t, rec.FromRaw(attrs))
		assert.Equal(t, wantTenant, tenantOf(res))
		assert.Equal(t, wantUser, userOf(rec, res))
		assert.Equal(t, wantSession, sessionOf(rec, res))
	}
	f(nil, nil, "default", "", "")
	f(map[string]any{"tenant.id": ""}, nil, "default", "", "")
	f(map[string]any{"tenant.id": "t1", "user.id": "ru"}, map[string]any{"enduser.id": "eu"}, "t1", "eu", "")
	f(nil, map[string]any{"user.id": "u", "enduser.id": "eu", "session.id": "s"}, "default", "u", "s")
	f(map[string]any{"enduser.id": "ru", "session.id": "rs"}, map[string]any{"user.id": ""}, "default", "ru", "rs")
	f(map[string]any{"tenant.id": int64(7)}, map[string]any{"user.id": int64(42)}, "7", "42", "")
}

func TestOutOfRangeEnums(t *testing.T) {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetKind(ptrace.SpanKind(42))
	sp.Status().SetCode(ptrace.StatusCode(-1))
	sp.SetStartTimestamp(10)
	sp.SetEndTimestamp(5) // end before start: duration 0, not a wrapped uint64
	b := &spanBlock{}
	appendSpans(td, b, t0, noTTL)
	assert.Equal(t, []int8{0}, b.kind)
	assert.Equal(t, []int8{0}, b.status)
	assert.Equal(t, []uint64{0}, b.duration)

	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetSeverityNumber(plog.SeverityNumber(math.MaxInt32))
	ev, lg := &logBlock{events: true}, &logBlock{}
	appendLogs(ld, ev, lg, t0, noTTL)
	assert.Equal(t, []uint8{0}, lg.severityNumber)
	assert.Equal(t, []time.Time{t0}, lg.timestamp, "no timestamps: receipt time")
}
