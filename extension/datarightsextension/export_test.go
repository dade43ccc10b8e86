package datarightsextension

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// countingWriter is an http.ResponseWriter that keeps nothing: only bytes and lines are counted.
type countingWriter struct {
	header http.Header
	status int
	bytes  atomic.Int64
	lines  atomic.Int64
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(s int)   { w.status = s }
func (w *countingWriter) Write(p []byte) (int, error) {
	w.bytes.Add(int64(len(p)))
	for _, b := range p {
		if b == '\n' {
			w.lines.Add(1)
		}
	}
	return len(p), nil
}

// TestIntegrationExportStreams: an export of a user with many rows is written while it is read:
// the heap stays bounded while the output grows beyond it. EXPORT_ROWS (default 100000; the issue's
// figure, 1000000, is measured on demand: see the README) sets the user's rows in telemetry_events;
// EXPORT_TRACE=1 logs the heap as the export runs.
func TestIntegrationExportStreams(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_export_")
	rows := 100_000
	if v := os.Getenv("EXPORT_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		rows = n
	}
	ctx := context.Background()
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+schema.Table(chschema.Events).Qualified+
		" (tenant_id, timestamp, observed_timestamp, event_name, user_id, body, attributes)"+
		" SELECT 'default', now64(9) - toIntervalMillisecond(number), now64(9), 'page_view', 'big-user',"+
		" concat('event body number ', toString(number)), map('n', toString(number)) FROM numbers("+strconv.Itoa(rows)+")"))

	x := rightsOver(t, endpoint, conn, database, testList(t))

	// A low GC target so the heap in use tracks what the export holds, not garbage awaiting a cycle.
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	var samples atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	w := &countingWriter{header: http.Header{}}
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		samples.Add(1)
		if os.Getenv("EXPORT_TRACE") != "" {
			t.Logf("lines %d heap %.1f MB", w.lines.Load(), float64(m.HeapInuse)/1e6)
		}
		for {
			p := peak.Load()
			if m.HeapInuse <= p || peak.CompareAndSwap(p, m.HeapInuse) {
				return
			}
		}
	}
	// Sampled at the start, every 20 ms while the export runs, and once more after it: a fast export
	// is measured too (a peak of 0 would pass both memory assertions unmeasured).
	sample()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			sample()
		}
	}()
	r := httptest.NewRequest(http.MethodGet, "/data/big-user/export", nil)
	r = r.WithContext(telemetryapi.WithTenant(ctx, "default"))
	start := time.Now()
	x.handleExport(w, r, "big-user")
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	sample()

	require.Equal(t, http.StatusOK, w.status)
	require.GreaterOrEqual(t, samples.Load(), int64(3), "the heap was sampled while exporting")
	require.Greater(t, peak.Load(), base.HeapInuse/2, "the peak is a measured heap size")
	assert.Equal(t, int64(rows+2), w.lines.Load(), "header, one line per row, trailer")
	grown := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("exported %d rows, %.1f MB in %s; heap in use grew by at most %.1f MB", rows, float64(w.bytes.Load())/1e6, elapsed, float64(grown)/1e6)
	assert.Less(t, grown, int64(48<<20), "the export is streamed, not built in memory")
	assert.Greater(t, w.bytes.Load(), grown, "the output is larger than the memory it took")

	// Unknown user: every section, empty.
	w2 := &countingWriter{header: http.Header{}}
	x.handleExport(w2, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(telemetryapi.WithTenant(ctx, "default")), "nobody")
	assert.Equal(t, int64(2), w2.lines.Load())
}
