package telemetrystorageexporter

import (
	"reflect"
	"time"
)

// rowRange is the rows [from, to) of a block, sent as one INSERT.
type rowRange struct{ from, to int }

// fixedCellBytes is what a number, time or flag cell weighs in the estimate; a nested array cell
// weighs this per element.
const fixedCellBytes = 8

// rowBytes estimates each row's uncompressed size: the text of its strings and maps plus a fixed
// size per other cell. It only needs to be proportional to what the driver buffers, so one
// gigantic batch never becomes one gigantic INSERT.
func rowBytes(b block, n int) []int {
	sizes := make([]int, n)
	for _, col := range b.columns() {
		switch c := col.(type) {
		case []string:
			for i, s := range c[:n] {
				sizes[i] += len(s) + 1
			}
		case []*kvMap:
			for i, m := range c[:n] {
				sizes[i] += m.bytes()
			}
		case [][]string:
			for i, ss := range c[:n] {
				for _, s := range ss {
					sizes[i] += len(s) + 1
				}
			}
		case [][]*kvMap:
			for i, ms := range c[:n] {
				for _, m := range ms {
					sizes[i] += m.bytes()
				}
			}
		case [][]time.Time:
			for i, ts := range c[:n] {
				sizes[i] += fixedCellBytes * len(ts)
			}
		case [][]uint64:
			for i, vs := range c[:n] {
				sizes[i] += fixedCellBytes * len(vs)
			}
		case [][]float64:
			for i, vs := range c[:n] {
				sizes[i] += fixedCellBytes * len(vs)
			}
		default:
			for i := range sizes {
				sizes[i] += fixedCellBytes
			}
		}
	}
	return sizes
}

// splitRows cuts n rows into ranges of at most maxRows rows and, where rows allow, maxBytes
// estimated bytes (a single row larger than maxBytes is a range of its own). Zero disables a limit.
func splitRows(b block, n, maxRows, maxBytes int) []rowRange {
	if (maxRows <= 0 || n <= maxRows) && maxBytes <= 0 {
		return []rowRange{{0, n}}
	}
	var sizes []int
	if maxBytes > 0 {
		sizes = rowBytes(b, n)
	}
	var out []rowRange
	from, bytes := 0, 0
	for i := range n {
		rowSize := 0
		if sizes != nil {
			rowSize = sizes[i]
		}
		full := maxRows > 0 && i-from >= maxRows
		full = full || (maxBytes > 0 && i > from && bytes+rowSize > maxBytes)
		if full {
			out = append(out, rowRange{from, i})
			from, bytes = i, 0
		}
		bytes += rowSize
	}
	return append(out, rowRange{from, n})
}

// sliceColumn is the rows r of one column slice (any element type); the whole slice when r spans it.
func sliceColumn(col any, r rowRange, n int) any {
	if r.from == 0 && r.to == n {
		return col
	}
	return reflect.ValueOf(col).Slice(r.from, r.to).Interface()
}
