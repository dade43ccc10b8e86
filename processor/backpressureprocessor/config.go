package backpressureprocessor

import (
	"fmt"
	"time"
)

// Config of the backpressure processor.
type Config struct {
	// RetryAfter is how long a refused client is asked to wait: the Retry-After header of an OTLP/HTTP
	// 503 and the RetryInfo of an OTLP/gRPC UNAVAILABLE. Whole seconds, 1s to 1h. Default 5s.
	RetryAfter time.Duration `mapstructure:"retry_after"`
}

func createDefaultConfig() *Config { return &Config{RetryAfter: 5 * time.Second} }

// Validate checks retry_after.
func (c *Config) Validate() error {
	if c.RetryAfter < time.Second || c.RetryAfter > time.Hour || c.RetryAfter%time.Second != 0 {
		return fmt.Errorf("retry_after must be whole seconds from 1s to 1h (Retry-After is in seconds), got %s", c.RetryAfter)
	}
	return nil
}
