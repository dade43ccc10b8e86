package telemetrystorageexporter

import (
	"errors"
	"fmt"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// SamplingConfig is the in-ClickHouse tail sampler (sampler.go): every span is written once, durably,
// to telemetry_spans_staging; every `interval` the sampler decides the traces whose first span arrived
// `decision_wait` ago and copies the kept ones into telemetry_spans. A trace is kept whole if any span
// is an error (keep_errors), if it lasted longer than slow_threshold_ms, or by chance at `rate` (by
// the randomness of its trace id, or an `ot=rv` in its tracestate).
type SamplingConfig struct {
	// Enabled turns the sampler on; traces then go to the staging table. Default false.
	Enabled bool `mapstructure:"enabled"`
	// Rate is the probability an unremarkable trace is kept, 0 to 1. Default 0.1.
	Rate float64 `mapstructure:"rate"`
	// KeepErrors keeps every trace with an error span. Default true.
	KeepErrors bool `mapstructure:"keep_errors"`
	// SlowThresholdMs keeps every trace lasting longer (first start to last end); 0 = off. Default 1000.
	SlowThresholdMs int64 `mapstructure:"slow_threshold_ms"`
	// DecisionWait is how long after its first span a trace is decided. Default 10s.
	DecisionWait time.Duration `mapstructure:"decision_wait"`
	// LateSpans is how long after its decision a trace's late spans follow it. Default 5m.
	LateSpans time.Duration `mapstructure:"late_spans"`
	// Interval between decision runs. Default 1s.
	Interval time.Duration `mapstructure:"interval"`
	// Instance names this collector's rows: each instance decides the spans it staged, and a
	// restarted instance with the same name resumes where it stopped. Every collector writing to one
	// database needs its own (a gateway's TELEMETRY_GATEWAY_ID). Required when enabled.
	Instance string `mapstructure:"instance"`
}

func defaultSamplingConfig() SamplingConfig {
	return SamplingConfig{Rate: 0.1, KeepErrors: true, SlowThresholdMs: 1000,
		DecisionWait: 10 * time.Second, LateSpans: 5 * time.Minute, Interval: time.Second}
}

func (c SamplingConfig) validate() error {
	if !c.Enabled {
		return nil
	}
	var errs []error
	if c.Rate < 0 || c.Rate > 1 || c.Rate != c.Rate {
		errs = append(errs, fmt.Errorf("sampling::rate %v must be from 0 to 1", c.Rate))
	}
	if c.SlowThresholdMs < 0 {
		errs = append(errs, errors.New("sampling::slow_threshold_ms must not be negative (0 turns the rule off)"))
	}
	if c.DecisionWait <= 0 || c.DecisionWait > time.Hour {
		errs = append(errs, fmt.Errorf("sampling::decision_wait %s must be above 0 and at most 1h", c.DecisionWait))
	}
	if c.Interval < 100*time.Millisecond || c.Interval > time.Minute {
		errs = append(errs, fmt.Errorf("sampling::interval %s must be from 100ms to 1m", c.Interval))
	}
	if c.LateSpans < c.Interval || c.LateSpans > chschema.StagingRetention/2 {
		errs = append(errs, fmt.Errorf("sampling::late_spans %s must be from sampling::interval to %s", c.LateSpans, chschema.StagingRetention/2))
	}
	if c.Instance == "" {
		errs = append(errs, errors.New("sampling::instance must be set: the name this collector's staged spans are decided under"))
	} else if len(c.Instance) > 200 {
		errs = append(errs, errors.New("sampling::instance must be at most 200 characters"))
	}
	return errors.Join(errs...)
}
