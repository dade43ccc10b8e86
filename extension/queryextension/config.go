package queryextension

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
)

// Config of the query extension.
type Config struct {
	// APIExtension is the telemetry API extension the routes are added to. Default telemetry_api.
	APIExtension component.ID `mapstructure:"api_extension"`
	// Storage is the ClickHouse the telemetry_storage exporter writes. Endpoint is required.
	Storage chschema.StorageConfig `mapstructure:"storage"`
	// Residency is the telemetry_storage exporter's tenant → region map: a tenant's queries read its
	// region's store (internal/residency). Default: none, every tenant reads Storage.
	Residency residency.Config `mapstructure:"residency"`
	// MaxExecutionTime is ClickHouse's max_execution_time for every query but exports. Default 30s.
	MaxExecutionTime time.Duration `mapstructure:"max_execution_time"`
	// MaxResultRows is ClickHouse's max_result_rows for every query. Default 1000000.
	MaxResultRows int `mapstructure:"max_result_rows"`
	// MaxRange is the longest end_time - start_time of a request. Default 9600h (400 days).
	MaxRange time.Duration `mapstructure:"max_range"`
	// MaxPointsPerSeries bounds the buckets of one aggregate series. Default 11000 (as Prometheus).
	MaxPointsPerSeries int `mapstructure:"max_points_per_series"`
	// MaxGroups is the highest `limit` of groups of an aggregate. Default 100.
	MaxGroups int `mapstructure:"max_groups"`
	// MaxPageSize is the highest `limit` of points of one /metrics page. Default 10000.
	MaxPageSize int `mapstructure:"max_page_size"`
	// GroupKeys, when not empty, is the allow-list of attribute keys group_by accepts (service and
	// event_name are always allowed). Default: empty, any key that is an identifier.
	GroupKeys []string `mapstructure:"group_keys"`
	// Export bounds /metrics/export.
	Export ExportConfig `mapstructure:"export"`
	// Grafana configures POST /admin/grafana, a tenant's read-only database for Grafana / HyperDX.
	Grafana GrafanaConfig `mapstructure:"grafana"`
}

// GrafanaConfig configures the tenant reader databases (docs/grafana.md).
type GrafanaConfig struct {
	// ReaderUsers also creates, per tenant database, a ClickHouse user granted SELECT on it only.
	// Needs a real server (the embedded engine has no users) of ClickHouse 24.4+ (SQL SECURITY
	// DEFINER views). Default false: the answer names the database, the operator grants access.
	ReaderUsers bool `mapstructure:"reader_users"`
	// PasswordKey derives each reader user's password (HMAC-SHA256 of the tenant), so a repeated
	// call answers the same password. Required with reader_users, at least 32 bytes. Default: none.
	PasswordKey configopaque.String `mapstructure:"password_key"`
	// ClusterName, when the telemetry_storage exporter runs with cluster_name, must be the same:
	// the database, views and user are then created ON CLUSTER. Default "".
	ClusterName string `mapstructure:"cluster_name"`
	// Endpoint is the ClickHouse address Grafana and HyperDX connect to, given in the answer, e.g.
	// https://clickhouse.example.com:8443. Default: storage::endpoint without its credentials.
	Endpoint string `mapstructure:"endpoint"`
}

// ExportConfig bounds exports.
type ExportConfig struct {
	// MaxRows is the row cap of one export (a larger selection is truncated and says so).
	// Default 1000000.
	MaxRows int `mapstructure:"max_rows"`
	// MaxExecutionTime is ClickHouse's max_execution_time of each export query. Default 5m.
	MaxExecutionTime time.Duration `mapstructure:"max_execution_time"`
	// ChunkRows is the rows one export query reads; an export is as many queries as it needs, so
	// the collector holds at most about one chunk. Default 20000.
	ChunkRows int `mapstructure:"chunk_rows"`
}

func createDefaultConfig() *Config {
	return &Config{
		APIExtension:       component.MustNewID("telemetry_api"),
		Storage:            chschema.DefaultStorageConfig(),
		MaxExecutionTime:   30 * time.Second,
		MaxResultRows:      1_000_000,
		MaxRange:           400 * 24 * time.Hour,
		MaxPointsPerSeries: 11_000,
		MaxGroups:          100,
		MaxPageSize:        10_000,
		Export:             ExportConfig{MaxRows: 1_000_000, MaxExecutionTime: 5 * time.Minute, ChunkRows: 20_000},
	}
}

// Validate reports every problem at once, naming the YAML key.
func (c *Config) Validate() error {
	errs := []error{c.Storage.Validate()}
	if c.Storage.Endpoint == "" {
		errs = append(errs, errors.New("storage::endpoint is required: the query extension reads ClickHouse"))
	}
	positive := func(key string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s must be positive", key))
		}
	}
	positive("max_execution_time", c.MaxExecutionTime > 0)
	positive("max_result_rows", c.MaxResultRows > 0)
	positive("max_range", c.MaxRange > 0)
	positive("max_points_per_series", c.MaxPointsPerSeries > 0)
	positive("max_groups", c.MaxGroups > 0)
	positive("max_page_size", c.MaxPageSize > 0)
	positive("export::max_rows", c.Export.MaxRows > 0)
	positive("export::max_execution_time", c.Export.MaxExecutionTime > 0)
	positive("export::chunk_rows", c.Export.ChunkRows > 0)
	if c.MaxPageSize >= c.MaxResultRows {
		errs = append(errs, fmt.Errorf("max_page_size (%d) must be below max_result_rows (%d)", c.MaxPageSize, c.MaxResultRows))
	}
	if c.Grafana.ReaderUsers && len(c.Grafana.PasswordKey) < 32 {
		errs = append(errs, errors.New("grafana::password_key must be at least 32 bytes when grafana::reader_users is true"))
	}
	if c.Grafana.Endpoint != "" {
		if err := chschema.CheckEndpoint(c.Grafana.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("grafana::endpoint %w", err))
		}
	}
	if _, err := chschema.New(chschema.Options{Database: c.Storage.Database, Cluster: c.Grafana.ClusterName}); c.Grafana.ClusterName != "" && err != nil {
		errs = append(errs, fmt.Errorf("grafana::%w", err))
	}
	for i, k := range c.GroupKeys {
		if !validKey(k) {
			errs = append(errs, fmt.Errorf("group_keys[%d] %q must be 1-128 of A-Z a-z 0-9 _ . - / : starting with a letter or _", i, k))
		}
	}
	return errors.Join(errs...)
}
