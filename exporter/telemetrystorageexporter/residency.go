package telemetrystorageexporter

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// router sends each resource's records to the store of its tenant's region (residency block):
// one storage per region, the exporter's own for tenants without one. A resource is never split:
// all its records carry one tenant.
type router struct {
	regionOf func(tenant string) string
	// by region name; "" is the exporter's own store.
	exporters map[string]*signalExporter
}

// regionConfigs caches each region's derived *Config per exporter configuration, so the signals
// of one component share the region's storage as they share the exporter's own (acquireStorage
// keys on the pointer).
var regionConfigs = struct {
	sync.Mutex
	m map[*Config]map[string]*Config
}{m: map[*Config]map[string]*Config{}}

// regionConfig is cfg with the region's endpoint, database and credentials.
func regionConfig(cfg *Config, name string) *Config {
	regionConfigs.Lock()
	defer regionConfigs.Unlock()
	if regionConfigs.m[cfg] == nil {
		regionConfigs.m[cfg] = map[string]*Config{}
	}
	if c, ok := regionConfigs.m[cfg][name]; ok {
		return c
	}
	c := *cfg
	c.Residency = Config{}.Residency
	sc := cfg.Residency.Storage(name, chschema.StorageConfig{Endpoint: cfg.Endpoint, Database: cfg.Database, Username: cfg.Username, Password: cfg.Password})
	c.Endpoint, c.Database, c.Username, c.Password = sc.Endpoint, sc.Database, sc.Username, sc.Password
	regionConfigs.m[cfg][name] = &c
	return &c
}

// withResidency gives own a router when the configuration maps tenants to regions; the returned
// release undoes every region's storage acquisition.
func withResidency(set exporter.Settings, cfg *Config, own *signalExporter) (func(), error) {
	if !cfg.Residency.Enabled() {
		return func() {}, nil
	}
	r := &router{regionOf: cfg.Residency.RegionOf, exporters: map[string]*signalExporter{"": {st: own.st}}}
	var releases []func()
	release := func() {
		for _, f := range releases {
			f()
		}
	}
	for _, name := range cfg.Residency.RegionNames() {
		st, rel, err := acquireStorage(set, regionConfig(cfg, name))
		if err != nil {
			release()
			return nil, fmt.Errorf("residency::regions::%s: %w", name, err)
		}
		releases = append(releases, rel)
		r.exporters[name] = &signalExporter{st: st}
	}
	own.route = r
	return release, nil
}

// start opens every region's store; the exporter's own is started by its signalExporter.
func (r *router) start(ctx context.Context, host component.Host) error {
	for name, e := range r.exporters {
		if name == "" {
			continue
		}
		if err := e.start(ctx, host); err != nil {
			return fmt.Errorf("residency region %s: %w", name, err)
		}
	}
	return nil
}

func (r *router) shutdown(ctx context.Context) error {
	var errs []error
	for name, e := range r.exporters {
		if name != "" {
			errs = append(errs, e.shutdown(ctx))
		}
	}
	return errors.Join(errs...)
}

// partialError keeps what failed for a retry of that part only (exporterhelper's retry takes the
// data of a consumererror.Traces/Metrics/Logs): a region that stored its part is not written twice.
func partialError[T any](failed []error, total int, part func() T, wrap func(error, T) error) error {
	if len(failed) == 0 {
		return nil
	}
	err := errors.Join(failed...)
	if len(failed) == total {
		return err
	}
	return wrap(err, part())
}

func (r *router) pushTraces(ctx context.Context, td ptrace.Traces) error {
	parts := splitTraces(td, r.regionOf)
	if len(parts) == 1 {
		for region, p := range parts {
			return r.exporters[region].pushTraces(ctx, p)
		}
	}
	var failed []error
	retry := ptrace.NewTraces()
	for region, p := range parts {
		if err := r.exporters[region].pushTraces(ctx, p); err != nil {
			failed = append(failed, fmt.Errorf("region %q: %w", region, err))
			p.ResourceSpans().MoveAndAppendTo(retry.ResourceSpans())
		}
	}
	return partialError(failed, len(parts), func() ptrace.Traces { return retry },
		func(err error, d ptrace.Traces) error { return consumererror.NewTraces(err, d) })
}

func (r *router) pushMetrics(ctx context.Context, md pmetric.Metrics) error {
	parts := splitMetrics(md, r.regionOf)
	if len(parts) == 1 {
		for region, p := range parts {
			return r.exporters[region].pushMetrics(ctx, p)
		}
	}
	var failed []error
	retry := pmetric.NewMetrics()
	for region, p := range parts {
		if err := r.exporters[region].pushMetrics(ctx, p); err != nil {
			failed = append(failed, fmt.Errorf("region %q: %w", region, err))
			p.ResourceMetrics().MoveAndAppendTo(retry.ResourceMetrics())
		}
	}
	return partialError(failed, len(parts), func() pmetric.Metrics { return retry },
		func(err error, d pmetric.Metrics) error { return consumererror.NewMetrics(err, d) })
}

func (r *router) pushLogs(ctx context.Context, ld plog.Logs) error {
	parts := splitLogs(ld, r.regionOf)
	if len(parts) == 1 {
		for region, p := range parts {
			return r.exporters[region].pushLogs(ctx, p)
		}
	}
	var failed []error
	retry := plog.NewLogs()
	for region, p := range parts {
		if err := r.exporters[region].pushLogs(ctx, p); err != nil {
			failed = append(failed, fmt.Errorf("region %q: %w", region, err))
			p.ResourceLogs().MoveAndAppendTo(retry.ResourceLogs())
		}
	}
	return partialError(failed, len(parts), func() plog.Logs { return retry },
		func(err error, d plog.Logs) error { return consumererror.NewLogs(err, d) })
}

// withRegions is withResidency for the factory: on success release also releases the regions;
// on failure the exporter's own storage is released too.
func withRegions(set exporter.Settings, cfg *Config, e *signalExporter, release func()) (func(), error) {
	relRegions, err := withResidency(set, cfg, e)
	if err != nil {
		release()
		return nil, err
	}
	return func() { relRegions(); release() }, nil
}

// splitTraces groups td's resources by region; td itself when all share one (no copy).
func splitTraces(td ptrace.Traces, regionOf func(string) string) map[string]ptrace.Traces {
	rss := td.ResourceSpans()
	if rss.Len() == 0 {
		return nil
	}
	first := regionOf(tenantOf(rss.At(0).Resource().Attributes()))
	same := true
	for i := 1; i < rss.Len() && same; i++ {
		same = regionOf(tenantOf(rss.At(i).Resource().Attributes())) == first
	}
	if same {
		return map[string]ptrace.Traces{first: td}
	}
	parts := map[string]ptrace.Traces{}
	for _, rs := range rss.All() {
		region := regionOf(tenantOf(rs.Resource().Attributes()))
		p, ok := parts[region]
		if !ok {
			p = ptrace.NewTraces()
			parts[region] = p
		}
		rs.CopyTo(p.ResourceSpans().AppendEmpty())
	}
	return parts
}

// splitMetrics groups md's resources by region; md itself when all share one (no copy).
func splitMetrics(md pmetric.Metrics, regionOf func(string) string) map[string]pmetric.Metrics {
	rms := md.ResourceMetrics()
	if rms.Len() == 0 {
		return nil
	}
	first := regionOf(tenantOf(rms.At(0).Resource().Attributes()))
	same := true
	for i := 1; i < rms.Len() && same; i++ {
		same = regionOf(tenantOf(rms.At(i).Resource().Attributes())) == first
	}
	if same {
		return map[string]pmetric.Metrics{first: md}
	}
	parts := map[string]pmetric.Metrics{}
	for _, rm := range rms.All() {
		region := regionOf(tenantOf(rm.Resource().Attributes()))
		p, ok := parts[region]
		if !ok {
			p = pmetric.NewMetrics()
			parts[region] = p
		}
		rm.CopyTo(p.ResourceMetrics().AppendEmpty())
	}
	return parts
}

// splitLogs groups ld's resources by region; ld itself when all share one (no copy).
func splitLogs(ld plog.Logs, regionOf func(string) string) map[string]plog.Logs {
	rls := ld.ResourceLogs()
	if rls.Len() == 0 {
		return nil
	}
	first := regionOf(tenantOf(rls.At(0).Resource().Attributes()))
	same := true
	for i := 1; i < rls.Len() && same; i++ {
		same = regionOf(tenantOf(rls.At(i).Resource().Attributes())) == first
	}
	if same {
		return map[string]plog.Logs{first: ld}
	}
	parts := map[string]plog.Logs{}
	for _, rl := range rls.All() {
		region := regionOf(tenantOf(rl.Resource().Attributes()))
		p, ok := parts[region]
		if !ok {
			p = plog.NewLogs()
			parts[region] = p
		}
		rl.CopyTo(p.ResourceLogs().AppendEmpty())
	}
	return parts
}
