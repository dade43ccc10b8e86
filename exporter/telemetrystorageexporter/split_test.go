package telemetrystorageexporter

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestSplitRows(t *testing.T) {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range 10 {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(strings.Repeat("x", 100*(i%2))) // rows alternate ~100 bytes of body and none
	}
	var events, logs logBlock
	events.events = true
	appendLogs(ld, &events, &logs, time.Now(), noTTL)
	require.Equal(t, 10, logs.rows())

	tests := []struct {
		name              string
		maxRows, maxBytes int
		want              []rowRange
	}{
		{"no limits", 0, 0, []rowRange{{0, 10}}},
		{"rows", 4, 0, []rowRange{{0, 4}, {4, 8}, {8, 10}}},
		{"rows exactly", 10, 0, []rowRange{{0, 10}}},
		{"one row larger than the byte limit is its own insert", 0, 1, []rowRange{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}, {9, 10}}},
		{"bytes", 0, 500, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitRows(&logs, logs.rows(), tt.maxRows, tt.maxBytes)
			if tt.want != nil {
				assert.Equal(t, tt.want, got)
			}
			// Always: contiguous, complete, within the limits (a single row may exceed maxBytes).
			sizes := rowBytes(&logs, logs.rows())
			next := 0
			for _, r := range got {
				assert.Equal(t, next, r.from)
				assert.Greater(t, r.to, r.from)
				if tt.maxRows > 0 {
					assert.LessOrEqual(t, r.to-r.from, tt.maxRows)
				}
				if tt.maxBytes > 0 && r.to-r.from > 1 {
					sum := 0
					for _, s := range sizes[r.from:r.to] {
						sum += s
					}
					assert.LessOrEqual(t, sum, tt.maxBytes)
				}
				next = r.to
			}
			assert.Equal(t, 10, next)
			if tt.name == "bytes" {
				assert.Greater(t, len(got), 1)
			}
		})
	}
	// A sliced column holds exactly its rows.
	part := sliceColumn(logs.columns()["body"], rowRange{2, 5}, 10).([]string)
	assert.Equal(t, logs.body[2:5], part)
}

// Every attempt of one batch carries the same token, although the exporter stamps rows without a
// timestamp with the time of the attempt; different batches get different tokens.
func TestBatchTokenStableAcrossAttempts(t *testing.T) {
	mk := func(body string) plog.Logs {
		ld := plog.NewLogs()
		ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(body)
		return ld
	}
	a, b := mk("one"), mk("two")
	tok := logsToken(a)
	require.Len(t, tok, 32)
	var events, logs logBlock
	appendLogs(a, &events, &logs, time.Now(), noTTL)
	assert.Equal(t, tok, logsToken(a), "converting does not change the batch")
	assert.NotEqual(t, tok, logsToken(b))
	assert.Empty(t, logsToken(plog.NewLogs()), "an empty batch inserts nothing")
}
