package consentextension

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// fakeBackend is an in-memory telemetry_consents: every version in insertion order, read the way
// ClickHouse would (FINAL = newest per key; incremental = every version at or after a time).
type fakeBackend struct {
	mu       sync.Mutex
	rows     []row
	history  []historyRow
	writeErr error
	loadErr  error
	noTable  bool
	loads    []bool // full flag of each load
}

func (f *fakeBackend) load(_ context.Context, full bool, since int64, fn func(row)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads = append(f.loads, full)
	if f.loadErr != nil {
		return f.loadErr
	}
	if f.noTable {
		return errNoTable
	}
	if !full {
		for _, r := range f.rows {
			if r.updated >= since {
				fn(r)
			}
		}
		return nil
	}
	type key struct{ t, u, p string }
	latest := map[key]row{}
	var order []key
	for _, r := range f.rows {
		k := key{r.tenant, r.user, r.purpose}
		old, ok := latest[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || r.updated >= old.updated {
			latest[k] = r
		}
	}
	for _, k := range order {
		fn(latest[k])
	}
	return nil
}

func (f *fakeBackend) write(_ context.Context, changes []historyRow) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.writeErr != nil {
		return f.writeErr
	}
	for _, c := range changes {
		f.history = append(f.history, c)
		f.rows = append(f.rows, c.row)
	}
	return nil
}

func (f *fakeBackend) close() error { return nil }

func (f *fakeBackend) put(rows ...row) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows = append(f.rows, rows...)
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testStore returns a loaded store (no refresh loop) over b with a manual clock.
func testStore(t *testing.T, b backend, mutate ...func(*Config)) (*Store, *clock) {
	t.Helper()
	cfg := createDefaultConfig()
	for _, m := range mutate {
		m(cfg)
	}
	require.NoError(t, cfg.Validate())
	tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings(), func() int64 { return 0 })
	require.NoError(t, err)
	s := newStore(cfg, b, zap.NewNop(), tel)
	clk := &clock{t: t0}
	s.now = clk.now
	require.NoError(t, s.reload(context.Background()))
	return s, clk
}

func ms(t time.Time) int64 { return t.UnixMilli() }

var errBoom = errors.New("boom")

func zapNop() *zap.Logger { return zap.NewNop() }

func nopTel(t *testing.T) *metadata.TelemetryBuilder {
	t.Helper()
	tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings(), func() int64 { return 0 })
	require.NoError(t, err)
	return tel
}
