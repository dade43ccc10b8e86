package eventsreceiver // import "github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver"

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
)

// Config of the telemetry_events receiver. At least one of api_extension and http must be set.
type Config struct {
	// APIExtension names the telemetry API extension (e.g. telemetry_api) whose server gets the routes
	// POST /api/v1/telemetry/events and /events/batch, authenticated by API key with role ingest.
	// Default: unset.
	APIExtension *component.ID `mapstructure:"api_extension"`

	// HTTP serves the same routes on an endpoint of this receiver, without the extension's API-key
	// authentication (tenant "default", or from `auth:` if a server authenticator is configured).
	// Default: unset; when present, endpoint defaults to 127.0.0.1:8090 and only gzip or identity
	// request bodies are accepted (the receiver decompresses them itself).
	HTTP configoptional.Optional[confighttp.ServerConfig] `mapstructure:"http"`

	// MaxBatchEvents is the largest number of events one batch request may carry. Default: 1000.
	MaxBatchEvents int `mapstructure:"max_batch_events"`

	// MaxBodySize is the largest request body in bytes after gzip decompression. Default: 5 MiB.
	MaxBodySize int64 `mapstructure:"max_body_size"`

	// MaxPropertyDepth bounds the nesting of objects and arrays inside properties and context
	// (1 = flat values only). Default: 8.
	MaxPropertyDepth int `mapstructure:"max_property_depth"`

	// MaxPropertyKeys bounds the keys of each object inside an event (properties, context and nested
	// objects). Default: 256.
	MaxPropertyKeys int `mapstructure:"max_property_keys"`

	// MaxPropertyValueBytes bounds each string value inside properties and context. Default: 65536.
	MaxPropertyValueBytes int `mapstructure:"max_property_value_bytes"`

	// ServiceName is the resource attribute service.name of events whose request has no
	// service_name_header. Default: "unknown_service".
	ServiceName string `mapstructure:"service_name"`

	// ServiceNameHeader is the request header that names the sending service. Default: "X-Service-Name".
	ServiceNameHeader string `mapstructure:"service_name_header"`

	// TenantFromPayload lets unauthenticated requests choose their tenant with the event's
	// tenant_id. Authenticated requests always get their key's tenant. Default: false (tenant "default").
	TenantFromPayload bool `mapstructure:"tenant_from_payload"`

	// RetryAfter is the Retry-After a client gets with 503 when the pipeline refuses data, rounded up
	// to whole seconds. Default: 5s.
	RetryAfter time.Duration `mapstructure:"retry_after"`

	// prevent unkeyed literal initialization
	_ struct{}
}

const (
	maxMaxBatchEvents = 100_000
	maxMaxDepth       = 64
	maxMaxKeys        = 10_000
	maxMaxValueBytes  = 64 << 20
)

// Validate checks every field independently so one run reports every mistake.
func (c *Config) Validate() error {
	var errs []error
	if c.APIExtension == nil && !c.HTTP.HasValue() {
		errs = append(errs, errors.New("one of api_extension or http must be set"))
	}
	if c.MaxBatchEvents < 1 || c.MaxBatchEvents > maxMaxBatchEvents {
		errs = append(errs, fmt.Errorf("max_batch_events must be between 1 and %d, got %d", maxMaxBatchEvents, c.MaxBatchEvents))
	}
	if c.MaxBodySize < 1 {
		errs = append(errs, fmt.Errorf("max_body_size must be positive, got %d", c.MaxBodySize))
	}
	if c.MaxPropertyDepth < 1 || c.MaxPropertyDepth > maxMaxDepth {
		errs = append(errs, fmt.Errorf("max_property_depth must be between 1 and %d, got %d", maxMaxDepth, c.MaxPropertyDepth))
	}
	if c.MaxPropertyKeys < 1 || c.MaxPropertyKeys > maxMaxKeys {
		errs = append(errs, fmt.Errorf("max_property_keys must be between 1 and %d, got %d", maxMaxKeys, c.MaxPropertyKeys))
	}
	if c.MaxPropertyValueBytes < 1 || c.MaxPropertyValueBytes > maxMaxValueBytes {
		errs = append(errs, fmt.Errorf("max_property_value_bytes must be between 1 and %d, got %d", maxMaxValueBytes, c.MaxPropertyValueBytes))
	}
	if c.ServiceName == "" || len(c.ServiceName) > maxServiceNameLen {
		errs = append(errs, fmt.Errorf("service_name must have 1 to %d bytes", maxServiceNameLen))
	}
	if !validHeaderName(c.ServiceNameHeader) {
		errs = append(errs, fmt.Errorf("service_name_header %q is not a valid HTTP header name", c.ServiceNameHeader))
	}
	if c.RetryAfter < time.Second || c.RetryAfter > time.Hour {
		errs = append(errs, fmt.Errorf("retry_after must be between 1s and 1h, got %s", c.RetryAfter))
	}
	return errors.Join(errs...)
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
			c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~':
		default:
			return false
		}
	}
	return true
}
