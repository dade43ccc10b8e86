// Package csvsafe writes CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV
// injection"): every CSV the project writes (query export, dashboard reports) goes through it,
// because metric names, units, services, labels, event names and property values come from
// clients.
package csvsafe // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/csvsafe"

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Cell returns s with a single quote in front when a spreadsheet would read it as a formula or
// a command: a first character of =, +, -, @, tab or carriage return. A cell that is a number as
// a whole ("-1.5", "+3", "-Inf") is left alone, so negative values stay numbers.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
		return "'" + s
	}
	return s
}

// Writer is a csv.Writer that passes every cell through Cell.
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record, each cell neutralised; record itself is not modified.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, Cell(c))
	}
	return w.w.Write(w.buf)
}

// Flush writes buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports an error of a previous Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
