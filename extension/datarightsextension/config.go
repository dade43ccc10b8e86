package datarightsextension

import (
	"errors"
	"fmt"
	"os"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
)

// minKeyLen is the minimum length of hash_key and receipt_key (HMAC-SHA256).
const minKeyLen = 32

// Config of the data-rights extension.
type Config struct {
	// APIExtension is the telemetry API extension the routes are added to. Default telemetry_api.
	APIExtension component.ID `mapstructure:"api_extension"`
	// HashKey is pii_redaction's hash_key: the extension recomputes the token pii_redaction stores
	// for a user id, and derives the subject pseudonym from it. Required, at least 32 bytes; set it
	// from ${env:TELEMETRY_HASH_KEY}.
	HashKey configopaque.String `mapstructure:"hash_key"`
	// ReceiptKey signs receipts (HMAC-SHA256). Required, at least 32 bytes.
	ReceiptKey configopaque.String `mapstructure:"receipt_key"`
	// Storage is the ClickHouse holding the Telemetry Module tables (same keys as the consent
	// extension). Required: requests must be durable.
	Storage chschema.StorageConfig `mapstructure:"storage"`
	// Residency is the telemetry_storage exporter's tenant → region map: a tenant's events, logs,
	// metrics and spans are deleted and exported in its region's store; consents, audit, requests and
	// the suppression list stay in Storage (internal/residency). Default: none.
	Residency residency.Config `mapstructure:"residency"`
	// ClusterName issues deletions ON CLUSTER against the <table>_local tables, as the storage
	// exporter's cluster_name. Default "" (single server).
	ClusterName string `mapstructure:"cluster_name"`
	// ApplyDeletedMask purges right after each batch (patches and deleted masks applied in the
	// partitions holding erased rows), so erased rows leave the parts before the requests complete
	// instead of at the next purge. Costs a rewrite of those partitions per batch. Default false.
	ApplyDeletedMask bool `mapstructure:"apply_deleted_mask"`
	// BatchWindow: requests accepted within this time of the oldest waiting one are erased together,
	// one statement per table. Default 2s.
	BatchWindow time.Duration `mapstructure:"batch_window"`
	// MaxBatch bounds the requests of one batch. Default 1000.
	MaxBatch int `mapstructure:"max_batch"`
	// EraseMechanism erases data-table rows: auto (patch parts where the engine and table support
	// lightweight updates, else the classic lightweight DELETE, logged and named in the receipt),
	// patch_parts (falls back the same way when refused) or lightweight_delete. Default auto.
	EraseMechanism string `mapstructure:"erase_mechanism"`
	// ParallelStatements bounds a batch's statements on different tables (counts, DELETEs) that run
	// at once. More finish a large batch sooner; each one running holds a ClickHouse session and its
	// threads, which the exporter's inserts then share the machine with. Default 3.
	ParallelStatements int `mapstructure:"parallel_statements"`
	// MaxThreads is ClickHouse's max_threads for the erasure's counts and DELETEs: the threads one
	// statement reads with (0: the server's default, as many as it has cores). With
	// parallel_statements it bounds the threads an erasure runs at once, and so its share of a busy
	// machine against the inserts: bench/deletion at 10M rows on 2 cores, ingest at 2000 logs/s
	// (half to three quarters of what the store absorbs there): 3 statements of 1 thread kept
	// 0.83-0.84 of the ingest and erased 1000 users in 11.4-13.9 s; every table at once with the
	// server's threads 0.65 (0.33 during the batch). Raise both on a server with cores to spare.
	// Default 1.
	MaxThreads int `mapstructure:"max_threads"`
	// PurgeInterval between purges: patches and deleted masks applied in the partitions that hold
	// erased rows, so they leave the parts. 0 disables the schedule (POST /data/purge still runs
	// one). Default 24h.
	PurgeInterval time.Duration `mapstructure:"purge_interval"`
	// ExecutionDelay is how long a request waits, after its first erasure, before the second pass
	// that erases inserts which passed the write-time check before the suppression was known (on
	// this collector, or on another one before its refresh); the request completes after it. Must exceed sync::refresh_interval plus the storage
	// exporter's timeout. Default 15s.
	ExecutionDelay time.Duration `mapstructure:"execution_delay"`
	// MutationTimeout bounds one DELETE / ALTER statement, which waits for the mutation. Default 10m.
	MutationTimeout time.Duration `mapstructure:"mutation_timeout"`
	// JournalDirectory keeps requests accepted while ClickHouse cannot store them (a small file, the
	// raw user id included, removed once stored), so a crash in that window does not lose them.
	// Default "" (memory only until ClickHouse returns).
	JournalDirectory string `mapstructure:"journal_directory"`
	// Sync bounds how fast a suppression accepted on another collector is enforced here.
	Sync SyncConfig `mapstructure:"sync"`
	// Retry paces a request that cannot reach ClickHouse: it waits and retries, never fails for it.
	Retry RetryConfig `mapstructure:"retry"`
	// Instance names this collector as the owner of the open requests it runs (lease.go). Every
	// collector of a fleet on one database needs its own, stable across restarts: the gateway's
	// TELEMETRY_GATEWAY_ID, as the storage exporter's sampling::instance. Default: the host name.
	Instance string `mapstructure:"instance"`
	// Lease is how long an open request stays with its owner without a renewal; the owner renews it
	// every lease/4 while the request is pending or running, and another collector takes over a
	// request whose lease has passed (its owner died or was scaled down). Default 60s.
	Lease time.Duration `mapstructure:"lease"`
}

// SyncConfig tunes the refresh of the suppression list from ClickHouse.
type SyncConfig struct {
	// RefreshInterval between reads of changed suppressions and consent grants; a deletion accepted
	// on another collector is enforced here within this interval plus one query. Default 2s.
	RefreshInterval time.Duration `mapstructure:"refresh_interval"`
	// Lookback re-reads changes this far behind the last read (late-visible rows, clock skew between
	// collectors). Default 1m.
	Lookback time.Duration `mapstructure:"lookback"`
}

// RetryConfig is the backoff of a request waiting for ClickHouse.
type RetryConfig struct {
	// InitialInterval before the first retry. Default 1s.
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	// MaxInterval between retries. Default 30s.
	MaxInterval time.Duration `mapstructure:"max_interval"`
}

func createDefaultConfig() *Config {
	return &Config{
		APIExtension:       component.MustNewID("telemetry_api"),
		Storage:            chschema.DefaultStorageConfig(),
		BatchWindow:        2 * time.Second,
		MaxBatch:           1000,
		EraseMechanism:     mechanismAuto,
		ParallelStatements: 3,
		MaxThreads:         1,
		PurgeInterval:      24 * time.Hour,
		ExecutionDelay:     15 * time.Second,
		MutationTimeout:    10 * time.Minute,
		Sync:               SyncConfig{RefreshInterval: 2 * time.Second, Lookback: time.Minute},
		Retry:              RetryConfig{InitialInterval: time.Second, MaxInterval: 30 * time.Second},
		Instance:           defaultInstance(),
		Lease:              time.Minute,
	}
}

// defaultInstance is the host name (a pod's name in Kubernetes), as TELEMETRY_GATEWAY_ID's default.
func defaultInstance() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "gateway"
}

// Validate reports every problem at once, naming the YAML key.
func (c *Config) Validate() error {
	var errs []error
	if len(c.HashKey) < minKeyLen {
		errs = append(errs, fmt.Errorf("hash_key must be at least %d bytes (pii_redaction's hash_key, ${env:TELEMETRY_HASH_KEY}), got %d", minKeyLen, len(c.HashKey)))
	}
	if len(c.ReceiptKey) < minKeyLen {
		errs = append(errs, fmt.Errorf("receipt_key must be at least %d bytes, got %d", minKeyLen, len(c.ReceiptKey)))
	}
	if c.Storage.Endpoint == "" {
		errs = append(errs, errors.New("storage::endpoint is required: deletion requests and the suppression list live in ClickHouse"))
	}
	errs = append(errs, c.Storage.Validate())
	if c.ClusterName != "" {
		if _, err := chschema.New(chschema.Options{Database: c.Storage.Database, Cluster: c.ClusterName}); err != nil {
			errs = append(errs, err)
		}
	}
	switch c.EraseMechanism {
	case mechanismAuto, mechanismPatchParts, mechanismLightweight:
	default:
		errs = append(errs, fmt.Errorf("erase_mechanism %q must be auto, patch_parts or lightweight_delete", c.EraseMechanism))
	}
	if c.ParallelStatements < 1 || c.ParallelStatements > 32 {
		errs = append(errs, fmt.Errorf("parallel_statements %d must be from 1 to 32", c.ParallelStatements))
	}
	if c.MaxThreads < 0 || c.MaxThreads > 256 {
		errs = append(errs, fmt.Errorf("max_threads %d must be from 0 to 256", c.MaxThreads))
	}
	if c.BatchWindow < 0 {
		errs = append(errs, errors.New("batch_window must not be negative"))
	}
	if c.MaxBatch < 1 || c.MaxBatch > 10000 {
		errs = append(errs, errors.New("max_batch must be between 1 and 10000"))
	}
	if c.PurgeInterval < 0 {
		errs = append(errs, errors.New("purge_interval must not be negative"))
	}
	if c.ExecutionDelay < 0 {
		errs = append(errs, errors.New("execution_delay must not be negative"))
	}
	if c.MutationTimeout <= 0 {
		errs = append(errs, errors.New("mutation_timeout must be positive"))
	}
	if c.Sync.RefreshInterval <= 0 {
		errs = append(errs, errors.New("sync::refresh_interval must be positive"))
	}
	if c.Sync.Lookback < 0 {
		errs = append(errs, errors.New("sync::lookback must not be negative"))
	}
	if c.Retry.InitialInterval <= 0 {
		errs = append(errs, errors.New("retry::initial_interval must be positive"))
	}
	if c.Retry.MaxInterval < c.Retry.InitialInterval {
		errs = append(errs, errors.New("retry::max_interval must not be shorter than retry::initial_interval"))
	}
	if c.Instance == "" || len(c.Instance) > 253 {
		errs = append(errs, errors.New("instance must be a name of 1 to 253 characters (TELEMETRY_GATEWAY_ID), unique per collector of the fleet"))
	}
	if c.Lease < time.Second || c.Lease > time.Hour {
		errs = append(errs, fmt.Errorf("lease %s must be from 1s to 1h", c.Lease))
	}
	return errors.Join(errs...)
}
