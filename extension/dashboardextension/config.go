package dashboardextension

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
)

// minK is the smallest k-anonymity threshold accepted: k=1 would show every single user.
const minK = 2

// Config of the telemetry_dashboard extension.
type Config struct {
	// Enabled serves the dashboard and reports (TELEMETRY_DASHBOARD_ENABLED). When false no route
	// is registered: every dashboard path answers 404 and no file is served. Default true.
	Enabled bool `mapstructure:"enabled"`
	// APIExtension is the telemetry API extension the routes are added to. Default telemetry_api.
	APIExtension component.ID `mapstructure:"api_extension"`
	// KAnonymity is the k of reports: a group with fewer than k distinct users is withheld. A
	// request may raise it with ?k=, never lower it. Default 5.
	KAnonymity int `mapstructure:"k_anonymity"`
	// SelfMetricsEndpoint is the collector's own Prometheus endpoint (service::telemetry), read for
	// Pipeline health and the Privacy page. Default http://127.0.0.1:8888/metrics.
	SelfMetricsEndpoint string `mapstructure:"self_metrics_endpoint"`
	// SelfMetricsTimeout bounds one read of it. Default 5s.
	SelfMetricsTimeout time.Duration `mapstructure:"self_metrics_timeout"`
	// Storage is the ClickHouse the reports read (telemetry_events, telemetry_spans,
	// telemetry_consent_history). Default: none, reports answer 503.
	Storage chschema.StorageConfig `mapstructure:"storage"`
	// Residency is the telemetry_storage exporter's tenant → region map (the same block): the usage
	// reports of a tenant mapped to a region read its events and spans in that region's store, where
	// the exporter wrote them. Consent history and deletion requests stay in Storage. Default: none.
	Residency residency.Config `mapstructure:"residency"`
}

func createDefaultConfig() *Config {
	return &Config{
		Enabled:             true,
		APIExtension:        component.MustNewID("telemetry_api"),
		KAnonymity:          5,
		SelfMetricsEndpoint: "http://127.0.0.1:8888/metrics",
		SelfMetricsTimeout:  5 * time.Second,
		Storage:             chschema.DefaultStorageConfig(),
	}
}

// Validate reports every problem at once, naming the YAML key.
func (c *Config) Validate() error {
	var errs []error
	if c.KAnonymity < minK {
		errs = append(errs, fmt.Errorf("k_anonymity must be at least %d, got %d", minK, c.KAnonymity))
	}
	if u, err := url.Parse(c.SelfMetricsEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("self_metrics_endpoint %q must be an http:// or https:// URL", c.SelfMetricsEndpoint))
	}
	if c.SelfMetricsTimeout <= 0 {
		errs = append(errs, errors.New("self_metrics_timeout must be positive"))
	}
	errs = append(errs, c.Storage.Validate(), c.Residency.Validate())
	return errors.Join(errs...)
}
