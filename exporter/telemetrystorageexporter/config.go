package telemetrystorageexporter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
)

// Compression values.
const (
	CompressionLZ4  = "lz4"
	CompressionZSTD = "zstd"
	CompressionNone = "none"
)

// Config of the telemetry_storage exporter.
type Config struct {
	exporterhelper.TimeoutConfig `mapstructure:",squash"`
	// QueueConfig is exporterhelper's sending_queue; enabled with batching by
	// default because ClickHouse wants few large inserts.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	// BackOffConfig is exporterhelper's retry_on_failure. Default: enabled.
	BackOffConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`

	// Endpoint is the ClickHouse DSN: clickhouse://host:9000, tcp://host:9000
	// (native protocol) or http(s)://host:8123 (HTTP interface). Required.
	// DSN query parameters (e.g. dial_timeout) are honoured.
	Endpoint string `mapstructure:"endpoint"`
	// Database holding the telemetry tables. Default "telemetry".
	Database string `mapstructure:"database"`
	// Username for ClickHouse; overrides a user in the DSN. Default: none.
	Username string `mapstructure:"username"`
	// Password for ClickHouse; overrides a password in the DSN. Default: none.
	Password configopaque.String `mapstructure:"password"`
	// TLS settings; any set field (or an https endpoint, or secure=true in
	// the DSN) enables TLS. Default: plaintext.
	TLS configtls.ClientConfig `mapstructure:"tls"`

	// Retention of events, logs, metrics and spans, in days (30) or as a
	// duration (720h); applied as TTL, also to existing tables at start.
	// 0 keeps data forever. Default 30 days.
	Retention Retention `mapstructure:"retention"`
	// ConsentRetention of consent records (current state since last update
	// and history). 0 keeps them forever. Default 0.
	ConsentRetention Retention `mapstructure:"consent_retention"`
	// AuditRetention of the audit trail. 0 keeps it forever. Default 365 days.
	AuditRetention Retention `mapstructure:"audit_retention"`

	// CreateSchema runs migrations (database, tables, TTL) at start.
	// Disable when the schema is managed out of band. Default true.
	CreateSchema bool `mapstructure:"create_schema"`
	// ClusterName switches to cluster DDL: ON CLUSTER, Replicated engines and
	// Distributed tables. Default: single server.
	ClusterName string `mapstructure:"cluster_name"`
	// AsyncInsert lets ClickHouse buffer small inserts server-side; the
	// exporter still waits for the flush, so an acknowledged batch is stored.
	// Default false.
	AsyncInsert bool `mapstructure:"async_insert"`
	// Compression of insert blocks: lz4, zstd or none. Default lz4.
	Compression string `mapstructure:"compression"`
	// MaxRowsPerInsert splits a batch into INSERTs of at most this many rows, so one huge request
	// or batch never becomes one huge INSERT (memory here and in ClickHouse). 0: no limit.
	// Default 100000.
	MaxRowsPerInsert int `mapstructure:"max_rows_per_insert"`
	// MaxBytesPerInsert splits a batch into INSERTs of at most this many bytes of row text
	// (strings, attribute keys and values, 8 bytes per other cell; a larger single row is its own
	// INSERT). 0: no limit. Default 33554432 (32 MiB).
	MaxBytesPerInsert int `mapstructure:"max_bytes_per_insert"`

	// Sampling decides traces in ClickHouse (tail sampling): spans are written to a staging table and a
	// periodic job copies the kept traces into telemetry_spans. Default: off, every span stored.
	Sampling SamplingConfig `mapstructure:"sampling"`

	// Residency maps tenants to regions, each its own ClickHouse endpoint or database (see
	// internal/residency). Default: none, every tenant in this exporter's store.
	Residency residency.Config `mapstructure:"residency"`
}

func createDefaultConfig() *Config {
	queue := exporterhelper.NewDefaultQueueConfig()
	queue.Batch = configoptional.Some(exporterhelper.BatchConfig{
		FlushTimeout: time.Second,
		Sizer:        exporterhelper.RequestSizerTypeItems,
		MinSize:      10_000,
	})
	return &Config{
		TimeoutConfig:  exporterhelper.NewDefaultTimeoutConfig(),
		QueueConfig:    configoptional.Some(queue),
		BackOffConfig:  configretry.NewDefaultBackOffConfig(),
		Database:       chschema.DefaultDatabase,
		Retention:      Retention(30 * day),
		AuditRetention: Retention(365 * day),
		CreateSchema:   true,
		Compression:    CompressionLZ4,
		Sampling:       defaultSamplingConfig(),

		MaxRowsPerInsert:  100_000,
		MaxBytesPerInsert: 32 << 20,
	}
}

// Validate checks every field independently and reports all problems.
func (c *Config) Validate() error {
	var errs []error
	if c.Endpoint == "" {
		errs = append(errs, errors.New("endpoint must be set (clickhouse://, tcp://, http:// or https:// DSN)"))
	} else if err := chschema.CheckEndpoint(c.Endpoint); err != nil {
		errs = append(errs, fmt.Errorf("endpoint %w", err))
	}
	if !slices.Contains([]string{CompressionLZ4, CompressionZSTD, CompressionNone}, c.Compression) {
		errs = append(errs, fmt.Errorf("compression %q is not supported, use lz4, zstd or none", c.Compression))
	}
	if err := c.schemaOptions().Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.MaxRowsPerInsert < 0 {
		errs = append(errs, fmt.Errorf("max_rows_per_insert must not be negative, got %d", c.MaxRowsPerInsert))
	}
	if c.MaxBytesPerInsert < 0 {
		errs = append(errs, fmt.Errorf("max_bytes_per_insert must not be negative, got %d", c.MaxBytesPerInsert))
	}
	if c.Database == "" {
		errs = append(errs, errors.New("database must not be empty"))
	}
	errs = append(errs, c.Sampling.validate())
	// A retention whose expiry of today's rows already passes 2106 would make the exporter refuse
	// every row (see ttl_limit.go): say so at start instead.
	if limit := ttlRowLimit(c.Retention.Duration()); limit != noTTL && int64(limit) < time.Now().Unix() {
		errs = append(errs, fmt.Errorf("retention %s reaches past 2106-02-07, the last date of ClickHouse's DateTime TTL; use at most %d days, or 0 to keep data forever",
			c.Retention.Duration(), (maxDateTimeSec-time.Now().Unix())/86400))
	}
	return errors.Join(errs...)
}

func (c *Config) schemaOptions() chschema.Options {
	return chschema.Options{
		Database:         c.Database,
		Cluster:          c.ClusterName,
		Retention:        c.Retention.Duration(),
		ConsentRetention: c.ConsentRetention.Duration(),
		AuditRetention:   c.AuditRetention.Duration(),
	}
}

// clickhouseOptions turns the DSN plus explicit fields into driver options.
// Explicit fields win over the DSN so secrets can stay out of the endpoint.
func (c *Config) clickhouseOptions(ctx context.Context) (*clickhouse.Options, error) {
	opt, err := chschema.ClientOptions(c.Endpoint, c.Username, c.Password)
	if err != nil {
		return nil, fmt.Errorf("endpoint %w", err)
	}

	switch c.Compression {
	case CompressionLZ4:
		opt.Compression = &clickhouse.Compression{Method: clickhouse.CompressionLZ4}
	case CompressionZSTD:
		opt.Compression = &clickhouse.Compression{Method: clickhouse.CompressionZSTD}
	case CompressionNone:
		opt.Compression = nil
	}

	if tlsConfigured(c.TLS) {
		tlsCfg, err := c.TLS.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		opt.TLS = tlsCfg
	}
	if opt.Settings == nil {
		opt.Settings = clickhouse.Settings{}
	}
	if c.AsyncInsert {
		opt.Settings["async_insert"] = 1
		// Waiting keeps the at-least-once contract: a batch is acknowledged
		// (and removed from the persistent queue) only once it is stored.
		opt.Settings["wait_for_async_insert"] = 1
		// Buffered inserts honour insert_deduplication_token only with this.
		opt.Settings["async_insert_deduplicate"] = 1
	}
	return opt, nil
}

// tlsConfigured reports whether the tls block asks for TLS; an https
// endpoint or secure=true in the DSN enable TLS with system roots anyway.
func tlsConfigured(t configtls.ClientConfig) bool {
	return t.CAFile != "" || t.CAPem != "" || t.CertFile != "" || t.CertPem != "" ||
		t.KeyFile != "" || t.KeyPem != "" || t.ServerName != "" || t.InsecureSkipVerify
}
