package datarightsextension

import (
	"errors"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// openRegions opens one store per residency region, with the statements of its database. Only the
// data tables (kindData) are read and deleted there: consents, audit, requests and suppressions
// stay in the extension's own store, where the consent extension and the API write them.
func openRegions(cfg *Config) (map[string]*chStore, error) {
	if !cfg.Residency.Enabled() {
		return nil, nil
	}
	out := map[string]*chStore{}
	for _, name := range cfg.Residency.RegionNames() {
		sc := cfg.Residency.Storage(name, cfg.Storage)
		sqls, err := newStatements(sc.Database, cfg.ClusterName)
		if err == nil {
			var opt *clickhouse.Options
			if opt, err = sc.ClientOptions(); err == nil {
				var hx *httpExporter
				if hx, err = newHTTPExporter(sc); err == nil {
					var conn clickhouse.Conn
					keepConnections(opt)
					if conn, err = clickhouse.Open(opt); err == nil {
						out[name] = &chStore{conn: conn, sql: sqls, timeout: sc.Timeout, mutation: cfg.MutationTimeout, threads: cfg.MaxThreads,
							cluster: cfg.ClusterName != "", hx: hx}
						continue
					}
				}
			}
		}
		return nil, errors.Join(fmt.Errorf("residency::regions::%s: %w", name, err), closeRegions(out))
	}
	return out, nil
}

func closeRegions(regions map[string]*chStore) error {
	var errs []error
	for _, st := range regions {
		errs = append(errs, st.conn.Close())
	}
	return errors.Join(errs...)
}

// targetFor is the store and target of table i for tenant: its region's for the data tables of a
// tenant mapped to a region, the extension's own otherwise.
func (x *dataRights) targetFor(tenant string, i int) (*chStore, *target) {
	if x.store.sql.targets[i].kind == kindData && x.regions != nil {
		if st, ok := x.regions[x.cfg.Residency.RegionOf(tenant)]; ok {
			return st, &st.sql.targets[i]
		}
	}
	return x.store, &x.store.sql.targets[i]
}

// eventTargetFor is the store and telemetry_events target of single-event erasure for tenant.
func (x *dataRights) eventTargetFor(tenant string) (*chStore, *target) {
	if x.regions != nil {
		if st, ok := x.regions[x.cfg.Residency.RegionOf(tenant)]; ok {
			return st, &st.sql.event
		}
	}
	return x.store, &x.store.sql.event
}

// bound is a target with the store it is erased in.
type bound struct {
	st *chStore
	t  *target
}

// tablesOf are the tables a batch erases, in order: one event's table, a time range's data tables,
// or every table.
func (x *dataRights) tablesOf(first *request) []bound {
	if first.event() {
		st, t := x.eventTargetFor(first.Tenant)
		return []bound{{st, t}}
	}
	n := len(x.store.sql.targets)
	if first.ranged() {
		n = len(dataTargets(x.store.sql.targets))
	}
	out := make([]bound, n)
	for i := range out {
		out[i].st, out[i].t = x.targetFor(first.Tenant, i)
	}
	return out
}
