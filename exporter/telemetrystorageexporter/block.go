package telemetrystorageexporter

import (
	"fmt"
	"math"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// block is a columnar buffer for one table: one typed slice per insert
// column, appended to the driver's columns in one call each.
type block interface {
	rows() int
	// columns maps each insert column name to its typed slice.
	columns() map[string]any
	reset()
}

// checkBinding fails when the schema's insert statement and the block
// disagree on columns; run once at start so a schema edit cannot silently
// shift data between columns.
func checkBinding(t *chschema.Table, b block) error {
	cols := b.columns()
	for _, c := range t.InsertColumns {
		if _, ok := cols[c]; !ok {
			return fmt.Errorf("table %s: insert column %q has no value in the exporter", t.Name, c)
		}
	}
	if len(cols) != len(t.InsertColumns) {
		return fmt.Errorf("table %s: exporter fills %d columns, insert statement lists %d", t.Name, len(cols), len(t.InsertColumns))
	}
	return nil
}

// dropReason says why a record could not be stored.
type dropReason int

const (
	dropTimestampOutOfRange dropReason = iota
	dropEmptyMetric
	dropTTLOutOfRange
	numDropReasons
)

func (r dropReason) String() string {
	switch r {
	case dropTimestampOutOfRange:
		return "timestamp_out_of_range"
	case dropEmptyMetric:
		return "empty_metric_type"
	case dropTTLOutOfRange:
		return "ttl_out_of_range"
	}
	return "unknown"
}

// drops counts refused records per reason without allocating.
type drops [numDropReasons]int64

// validTimestamp reports whether ns fits DateTime64(9) (up to 2262-04-11).
func validTimestamp(ns uint64) bool { return ns <= math.MaxInt64 }

func nsTime(ns uint64) time.Time { return time.Unix(0, int64(ns)).UTC() }

// window appends src to the flat backing slice and returns the appended part
// as its own slice (capacity-limited so later appends never overwrite it).
func window[T any](flat *[]T, src ...T) []T {
	if len(src) == 0 {
		return nil
	}
	start := len(*flat)
	*flat = append(*flat, src...)
	end := len(*flat)
	return (*flat)[start:end:end]
}

// clearSlices zeroes and truncates slices so a pooled block keeps capacity
// but no references into previous pdata.
func clearSlices[T any](ss ...*[]T) {
	for _, s := range ss {
		clear(*s)
		*s = (*s)[:0]
	}
}
