package queryextension

import (
	"errors"
	"fmt"
)

// regionQueriers are the queriers of the residency regions: a tenant mapped to a region reads that
// region's store, as the telemetry_storage exporter wrote it there.
type regionQueriers struct {
	regionOf func(tenant string) string
	byRegion map[string]*querier
}

// newRegionQueriers opens one querier per configured region; nil when residency is off.
func newRegionQueriers(cfg *Config) (*regionQueriers, error) {
	if !cfg.Residency.Enabled() {
		return nil, nil
	}
	rq := &regionQueriers{regionOf: cfg.Residency.RegionOf, byRegion: map[string]*querier{}}
	for _, name := range cfg.Residency.RegionNames() {
		c := *cfg
		c.Storage = cfg.Residency.Storage(name, cfg.Storage)
		q, err := newQuerier(&c)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("residency::regions::%s: %w", name, err), rq.close())
		}
		rq.byRegion[name] = q
	}
	return rq, nil
}

func (rq *regionQueriers) close() error {
	if rq == nil {
		return nil
	}
	var errs []error
	for _, q := range rq.byRegion {
		errs = append(errs, q.close())
	}
	return errors.Join(errs...)
}

// forTenant is h reading tenant's region (h itself for tenants in the extension's own store).
func (h *handlers) forTenant(tenant string) *handlers {
	if h.regions == nil {
		return h
	}
	q, ok := h.regions.byRegion[h.regions.regionOf(tenant)]
	if !ok {
		return h
	}
	c := *h
	c.q = q
	return &c
}
