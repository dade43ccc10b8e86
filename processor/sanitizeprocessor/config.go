package sanitizeprocessor

// Config of the sanitize processor.
type Config struct {
	// ReplaceInvalidUTF8 replaces every invalid UTF-8 sequence in attribute keys and string values,
	// log bodies, severity texts, event, span, scope and metric names and descriptions with U+FFFD,
	// so everything stored is valid text and every JSON export of it is valid JSON. Counted in
	// otelcol_processor_sanitize_strings_repaired. Default true.
	ReplaceInvalidUTF8 bool `mapstructure:"replace_invalid_utf8"`
	// StampObservedTime gives a log record that carries neither a timestamp nor an observed
	// timestamp the time it arrived as its observed timestamp (the OTLP data model's meaning of the
	// field). Without it the storage exporter stamps such records at each insert attempt, so two
	// requests of identical timestamp-less records would be identical batches, which the
	// exporter's insert deduplication stores once. Counted in otelcol_processor_sanitize_records_stamped.
	// Default true.
	StampObservedTime bool `mapstructure:"stamp_observed_time"`
}

func createDefaultConfig() *Config {
	return &Config{ReplaceInvalidUTF8: true, StampObservedTime: true}
}

// Validate has nothing to check: both settings are switches.
func (c *Config) Validate() error { return nil }
