package datarightsextension

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// TestIntegrationExportOutlastsWriteTimeout: the telemetry API server has a write timeout (confighttp's
// default 30 s) over the whole response, and a subject's export streams for as long as it takes
// (455 MB for 1M rows, longer than 30 s to a slow client). The export keeps going while the client
// reads, pausing less than the stall bound each time; it is not cut at the server's write timeout.
func TestIntegrationExportOutlastsWriteTimeout(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_deadline_")
	ctx := context.Background()
	const rows = 30000 // about 13 MB: more than the loopback socket buffers hold
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+schema.Table(chschema.Events).Qualified+
		" (tenant_id, timestamp, observed_timestamp, event_name, user_id, body)"+
		" SELECT 'default', now64(9) - toIntervalMillisecond(number), now64(9), 'page_view', 'slow-user',"+
		" concat('event body number ', toString(number), ' ', repeat('x', 300)) FROM numbers("+strconv.Itoa(rows)+")"))

	x := rightsOver(t, endpoint, conn, database, testList(t))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{WriteTimeout: 500 * time.Millisecond, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x.handleExport(w, r.WithContext(telemetryapi.WithTenant(r.Context(), "default")), "slow-user")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	resp, err := client.Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	// A slow client: it reads in small steps with pauses, well past the server's write timeout in
	// total, never stalling near the export's stall bound.
	r := bufio.NewReaderSize(resp.Body, 4096)
	lines, last := 0, ""
	start := time.Now()
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			lines++
			last = line
			if lines%5000 == 0 {
				time.Sleep(300 * time.Millisecond)
			}
		}
		if err != nil {
			break
		}
	}
	t.Logf("read %d lines in %s", lines, time.Since(start))
	assert.Greater(t, time.Since(start), 500*time.Millisecond, "the read outlasted the write timeout")
	assert.Equal(t, rows+2, lines, "header, every row, trailer")
	assert.True(t, strings.Contains(last, `"trailer"`), "the export ends with its trailer: %.200s", last)
}
