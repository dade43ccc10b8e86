package telemetrystorageexporter

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/filterprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
)

// The two ways to keep each tenant's data in its region, compared on the routing itself (the
// inserts are the same either way):
//   - Router: this exporter's residency block, one pass over the resources of a batch, a copy
//     only of a batch that mixes regions;
//   - FanOutFilter: stock collector, one pipeline per region fed by the same receiver (the
//     receiver's fan-out clones the data for every pipeline) with a filter processor dropping the
//     resources of other regions' tenants, in its cheapest form (resource conditions).
// The fan-out also runs every processor of the pipeline once per region (tenant, consent,
// pii_redaction), which this benchmark leaves out: its figure is a lower bound.

const benchTenants = 8 // tenants t0..t7; even ones live in eu, odd ones in us (and so on)

func benchResidency(regions int) residency.Config {
	c := residency.Config{Regions: map[string]residency.Region{}, Tenants: map[string]string{}}
	for r := 0; r < regions; r++ {
		c.Regions[fmt.Sprintf("r%d", r)] = residency.Region{Endpoint: "http://127.0.0.1:8123"}
	}
	for tn := 0; tn < benchTenants; tn++ {
		c.Tenants[fmt.Sprintf("t%d", tn)] = fmt.Sprintf("r%d", tn%regions)
	}
	return c
}

// benchBatch is one exporter batch: resources resources (tenants round-robin, or all t0 when
// mixed is false) of spans spans each, with realistic attributes.
func benchBatch(resources, spans int, mixed bool) ptrace.Traces {
	td := ptrace.NewTraces()
	for r := 0; r < resources; r++ {
		rs := td.ResourceSpans().AppendEmpty()
		tenant := "t0"
		if mixed {
			tenant = fmt.Sprintf("t%d", r%benchTenants)
		}
		rs.Resource().Attributes().PutStr("tenant.id", tenant)
		rs.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc-%d", r))
		rs.Resource().Attributes().PutStr("host.name", "node-1.example.internal")
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("io.opentelemetry.http")
		for i := 0; i < spans; i++ {
			sp := ss.Spans().AppendEmpty()
			sp.SetName("GET /api/orders/{id}")
			sp.SetTraceID([16]byte{byte(r), byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
			sp.SetSpanID([8]byte{byte(r), byte(i), 1, 2, 3, 4, 5, 6})
			sp.Attributes().PutStr("http.request.method", "GET")
			sp.Attributes().PutStr("url.path", "/api/orders/123")
			sp.Attributes().PutInt("http.response.status_code", 200)
			sp.Attributes().PutStr("server.address", "orders.internal")
		}
	}
	return td
}

// fanOut is the stock alternative: per region, clone then filter, into a sink.
func fanOut(b *testing.B, cfg residency.Config) func(ptrace.Traces) {
	var heads []consumer.Traces
	var sinks []*consumertest.TracesSink
	for _, region := range cfg.RegionNames() {
		var keep []string
		for tn, r := range cfg.Tenants {
			if r == region {
				keep = append(keep, fmt.Sprintf(`resource.attributes["tenant.id"] != %q`, tn))
			}
		}
		f := filterprocessor.NewFactory()
		pcfg := f.CreateDefaultConfig()
		require.NoError(b, confmap.NewFromStringMap(map[string]any{
			"error_mode": "ignore",
			"traces":     map[string]any{"resource": []any{strings.Join(keep, " and ")}},
		}).Unmarshal(pcfg))
		sink := &consumertest.TracesSink{}
		p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), pcfg, sink)
		require.NoError(b, err)
		heads = append(heads, p)
		sinks = append(sinks, sink)
	}
	push := func(td ptrace.Traces) {
		for _, h := range heads {
			clone := ptrace.NewTraces()
			td.CopyTo(clone)
			if err := h.ConsumeTraces(context.Background(), clone); err != nil {
				b.Fatal(err)
			}
		}
		for _, s := range sinks {
			s.Reset()
		}
	}
	return push
}

func BenchmarkResidency(b *testing.B) {
	for _, regions := range []int{2, 4} {
		for _, mixed := range []bool{false, true} {
			cfg := benchResidency(regions)
			td := benchBatch(16, 64, mixed) // 1024 spans: one exporter batch
			n := td.SpanCount()
			name := fmt.Sprintf("regions=%d/mixed=%v", regions, mixed)

			b.Run("Router/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					parts := splitTraces(td, cfg.RegionOf)
					total := 0
					for _, p := range parts {
						total += p.SpanCount()
					}
					if total != n {
						b.Fatalf("routed %d of %d spans", total, n)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/span")
			})
			b.Run("FanOutFilter/"+name, func(b *testing.B) {
				push := fanOut(b, cfg)
				b.ReportAllocs()
				for b.Loop() {
					push(td)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/span")
			})
		}
	}
}

// TestFanOutFilterRoutesLikeRouter: both ways deliver every span exactly once to its region, so
// the benchmark compares equal work.
func TestFanOutFilterRoutesLikeRouter(t *testing.T) {
	cfg := benchResidency(2)
	td := benchBatch(16, 4, true)
	parts := splitTraces(td, cfg.RegionOf)
	require.Len(t, parts, 2)
	f := filterprocessor.NewFactory()
	for region, part := range parts {
		var drop []string
		for tn, r := range cfg.Tenants {
			if r == region {
				drop = append(drop, fmt.Sprintf(`resource.attributes["tenant.id"] != %q`, tn))
			}
		}
		pcfg := f.CreateDefaultConfig()
		require.NoError(t, confmap.NewFromStringMap(map[string]any{
			"traces": map[string]any{"resource": []any{strings.Join(drop, " and ")}},
		}).Unmarshal(pcfg))
		sink := &consumertest.TracesSink{}
		p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), pcfg, sink)
		require.NoError(t, err)
		clone := ptrace.NewTraces()
		td.CopyTo(clone)
		require.NoError(t, p.ConsumeTraces(context.Background(), clone))
		require.Equal(t, part.SpanCount(), sink.SpanCount(), "region %s", region)
		for _, rs := range sink.AllTraces()[0].ResourceSpans().All() {
			require.Equal(t, region, cfg.RegionOf(tenantOf(rs.Resource().Attributes())))
		}
	}
}
