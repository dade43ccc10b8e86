// Package residency is the tenant → region map of data residency: which ClickHouse store holds a
// tenant's data. The telemetry_storage exporter writes by it; components that read or delete a
// tenant's data (query, export, deletion) take the same block so they go to the same store.
package residency // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"

import (
	"errors"
	"fmt"
	"sort"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// Config is the `residency` block:
//
//	residency:
//	  regions:
//	    eu: {endpoint: https://ch-eu.internal:8443, database: telemetry}
//	    us: {endpoint: https://ch-us.internal:8443, database: telemetry}
//	  tenants: {acme-gmbh: eu, acme-inc: us}
//
// Tenants not listed stay in the component's own store (its endpoint and database), unless
// Unlisted names a region.
type Config struct {
	// Regions by name: where each region's data lives. Default: none (residency off).
	Regions map[string]Region `mapstructure:"regions"`
	// Tenants maps a tenant id to a region name. Default: none.
	Tenants map[string]string `mapstructure:"tenants"`
	// Unlisted is the region of tenants not in Tenants; empty keeps them in the component's own
	// store. Default: empty.
	Unlisted string `mapstructure:"unlisted"`
}

// Region is one region's store. Empty fields take the component's own value (credentials, database),
// so a region that differs only by endpoint needs one line.
type Region struct {
	// Endpoint is the region's ClickHouse DSN. Required.
	Endpoint string `mapstructure:"endpoint"`
	// Database in that store. Default: the component's database.
	Database string `mapstructure:"database"`
	// Username for that store. Default: the component's username.
	Username string `mapstructure:"username"`
	// Password for that store. Default: the component's password.
	Password configopaque.String `mapstructure:"password"`
}

// Enabled reports whether any region is configured.
func (c *Config) Enabled() bool { return len(c.Regions) > 0 }

// Validate checks every region and mapping, naming the YAML keys under `residency::`.
func (c *Config) Validate() error {
	var errs []error
	for _, name := range c.RegionNames() {
		r := c.Regions[name]
		if name == "" {
			errs = append(errs, errors.New("residency::regions: a region name must not be empty"))
		}
		if r.Endpoint == "" {
			errs = append(errs, fmt.Errorf("residency::regions::%s::endpoint must be set", name))
		} else if err := chschema.CheckEndpoint(r.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("residency::regions::%s::endpoint %w", name, err))
		}
		if r.Database != "" {
			if _, err := chschema.New(chschema.Options{Database: r.Database}); err != nil {
				errs = append(errs, fmt.Errorf("residency::regions::%s::%w", name, err))
			}
		}
	}
	tenants := make([]string, 0, len(c.Tenants))
	for t := range c.Tenants {
		tenants = append(tenants, t)
	}
	sort.Strings(tenants)
	for _, t := range tenants {
		if _, ok := c.Regions[c.Tenants[t]]; !ok {
			errs = append(errs, fmt.Errorf("residency::tenants::%s: region %q is not under residency::regions (have %v)", t, c.Tenants[t], c.RegionNames()))
		}
	}
	if c.Unlisted != "" {
		if _, ok := c.Regions[c.Unlisted]; !ok {
			errs = append(errs, fmt.Errorf("residency::unlisted: region %q is not under residency::regions (have %v)", c.Unlisted, c.RegionNames()))
		}
	}
	if len(c.Regions) == 0 && (len(c.Tenants) > 0 || c.Unlisted != "") {
		errs = append(errs, errors.New("residency::tenants and residency::unlisted need residency::regions"))
	}
	return errors.Join(errs...)
}

// RegionNames lists the regions in order.
func (c *Config) RegionNames() []string {
	names := make([]string, 0, len(c.Regions))
	for n := range c.Regions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RegionOf is the region of tenant's data; "" is the component's own store.
func (c *Config) RegionOf(tenant string) string {
	if r, ok := c.Tenants[tenant]; ok {
		return r
	}
	return c.Unlisted
}

// Storage is the storage settings of region name, filled in from base (the component's own).
func (c *Config) Storage(name string, base chschema.StorageConfig) chschema.StorageConfig {
	r, ok := c.Regions[name]
	if !ok {
		return base
	}
	out := base
	out.Endpoint = r.Endpoint
	if r.Database != "" {
		out.Database = r.Database
	}
	if r.Username != "" {
		out.Username = r.Username
	}
	if r.Password != "" {
		out.Password = r.Password
	}
	return out
}
