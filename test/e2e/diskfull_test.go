package e2e

import (
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"golang.org/x/sys/unix"
)

// A full disk under the gateway's persistent queue (failure table of docs/deployment.md): the queue
// cannot write, so the receivers refuse what they cannot keep, retryably and saying when to retry,
// instead of acknowledging it; the process stays up; once ClickHouse is back everything acknowledged
// is stored, and with the queue drained new data is accepted again without a restart.
//
// The full disk is a file-size limit (RLIMIT_FSIZE) on the collector process: writes and truncates
// past it fail (EFBIG) where a full disk fails them with ENOSPC, and no mount is needed.
func TestQueueDiskFull(t *testing.T) {
	eng, c := startGatewayOwnEngine(t, "diskfull")
	const limit = 4 << 20 // bytes per file: each signal's queue is one bbolt file
	require.NoError(t, unix.Prlimit(c.cmd.Process.Pid, unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: limit, Max: limit}, nil))
	conn := c.db()
	eng.Signal(syscall.SIGTERM)

	const service = "diskfull"
	const perRequest = 50 // records of 4 KiB: about 200 KiB a request, so the 4 MiB fill in ~20
	pad := strings.Repeat("x", 4<<10)
	post := func(seq int) httpReply {
		ld := numberedLogs(service, seq*perRequest, perRequest)
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			lrs.At(i).Attributes().PutStr("pad", pad)
		}
		body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
		require.NoError(t, err)
		return send(t, http.MethodPost, "http://"+c.otlpHTTP+"/v1/logs", testAPIKey,
			map[string]string{"Content-Type": "application/x-protobuf"}, body)
	}
	seqsOf := func(reqs []int) []int {
		var seqs []int
		for _, r := range reqs {
			for i := range perRequest {
				seqs = append(seqs, r*perRequest+i)
			}
		}
		return seqs
	}

	var accepted []int
	refused := 0
	var refusal httpReply
	seq := 0
	for ; seq < 200 && refused < 3; seq++ {
		r := post(seq)
		switch r.status {
		case http.StatusOK:
			accepted = append(accepted, seq)
		case http.StatusServiceUnavailable:
			refused++
			refusal = r
		default:
			t.Fatalf("request %d: unexpected %d: %s", seq, r.status, r.body)
		}
	}
	require.Equal(t, 3, refused, "the queue file never reached the limit: %d requests accepted", len(accepted))
	require.NotEmpty(t, accepted, "the queue took nothing before the disk was full")
	t.Logf("disk full after %d accepted requests; refusal: %s", len(accepted), refusal.body)
	assert.Equal(t, "5", refusal.header.Get("Retry-After"), "the refusal says when to retry")

	requireHealthy(t, c) // with the disk still full

	// ClickHouse back: everything acknowledged is stored, nothing refused is.
	require.NoError(t, eng.Restart())
	assert.Zero(t, requireAllStored(t, conn, service, seqsOf(accepted), 60*time.Second))
	got, err := storedSeqs(conn, service)
	require.NoError(t, err)
	assert.Len(t, got, len(accepted)*perRequest, "refused records are not stored (the client keeps them)")

	// The drained queue frees its pages inside the file: the same limit takes new data again.
	var later []int
	for deadline := time.Now().Add(storeWithin); len(later) == 0 && time.Now().Before(deadline); seq++ {
		if r := post(seq); r.status == http.StatusOK {
			later = append(later, seq)
		} else {
			time.Sleep(500 * time.Millisecond)
		}
	}
	require.NotEmpty(t, later, "no request accepted after the queue drained")
	requireAllStored(t, conn, service, seqsOf(append(accepted, later...)), storeWithin)
}
