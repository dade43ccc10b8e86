package requestlimitsextension

import (
	"errors"
	"fmt"
)

// Config of the request_limits extension. Every limit is per request, checked on the wire
// before the receiver decodes it; zero values are refused by Validate (a limit cannot be off).
type Config struct {
	// MaxRecordsPerRequest bounds the records of one request: log records, spans, data points,
	// and the resources, scopes, metrics, span events, links and exemplars that hold them, all
	// counted together. Default 100000.
	MaxRecordsPerRequest int `mapstructure:"max_records_per_request"`
	// MaxAttributesPerRecord bounds each attribute list (of a resource, scope, record, span event,
	// link or data point) and each map inside an attribute value. Default 128 (the OpenTelemetry
	// SDKs' attribute count limit).
	MaxAttributesPerRecord int `mapstructure:"max_attributes_per_record"`
	// MaxAttributesPerRequest bounds all attributes, map entries and array elements of a request
	// together. Default 1000000.
	MaxAttributesPerRequest int `mapstructure:"max_attributes_per_request"`
	// MaxAttributeDepth bounds how deep arrays and maps nest inside one attribute value or log
	// body (1: a flat array or map). Default 8.
	MaxAttributeDepth int `mapstructure:"max_attribute_depth"`
	// MaxKeyBytes bounds each attribute key. Default 1024.
	MaxKeyBytes int `mapstructure:"max_key_bytes"`
	// MaxValueBytes bounds each string or bytes value: attribute values, log bodies, names,
	// messages. Default 262144 (256 KiB).
	MaxValueBytes int `mapstructure:"max_value_bytes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func createDefaultConfig() *Config {
	return &Config{
		MaxRecordsPerRequest:    100_000,
		MaxAttributesPerRecord:  128,
		MaxAttributesPerRequest: 1_000_000,
		MaxAttributeDepth:       8,
		MaxKeyBytes:             1024,
		MaxValueBytes:           256 << 10,
	}
}

// Validate checks every limit independently.
func (c *Config) Validate() error {
	var errs []error
	for _, l := range []struct {
		key string
		v   int
	}{
		{limitRecords, c.MaxRecordsPerRequest},
		{limitAttrsPerRec, c.MaxAttributesPerRecord},
		{limitAttrsPerReq, c.MaxAttributesPerRequest},
		{limitDepth, c.MaxAttributeDepth},
		{limitKeyBytes, c.MaxKeyBytes},
		{limitValueBytes, c.MaxValueBytes},
	} {
		if l.v < 1 {
			errs = append(errs, fmt.Errorf("%s must be at least 1, got %d", l.key, l.v))
		}
	}
	if c.MaxAttributeDepth > 64 {
		errs = append(errs, fmt.Errorf("%s must be at most 64, got %d", limitDepth, c.MaxAttributeDepth))
	}
	return errors.Join(errs...)
}

func (c *Config) limits() *Limits {
	return &Limits{
		MaxRecords:            c.MaxRecordsPerRequest,
		MaxAttributesPerList:  c.MaxAttributesPerRecord,
		MaxAttributesPerBatch: c.MaxAttributesPerRequest,
		MaxDepth:              c.MaxAttributeDepth,
		MaxKeyBytes:           c.MaxKeyBytes,
		MaxValueBytes:         c.MaxValueBytes,
	}
}
