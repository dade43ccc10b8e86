package telemetryapiextension

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver"
)

func gzipped(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.String()
}

func zlibbed(s string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.String()
}

func zstded(t *testing.T, s string) string {
	enc, err := zstd.NewWriter(nil)
	require.NoError(t, err)
	defer enc.Close()
	return string(enc.EncodeAll([]byte(s), nil))
}

// TestCompressedBodies runs the real events receiver behind the API: the server decompresses
// nothing before the key check, the router decompresses after it (and after the role check),
// bounds the decompressed size, and every answer is audited.
func TestCompressedBodies(t *testing.T) {
	const limit = 64 << 10
	cfg := testConfig()
	cfg.HTTP.MaxRequestBodySize = limit
	store := &fakeStore{}
	h := newHarness(t, cfg, store).start()

	id := component.NewID(metadata.Type)
	rf := eventsreceiver.NewFactory()
	rcfg := rf.CreateDefaultConfig().(*eventsreceiver.Config)
	rcfg.HTTP = configoptional.None[confighttp.ServerConfig]()
	rcfg.APIExtension = &id
	sink := new(consumertest.LogsSink)
	rcv, err := rf.CreateLogs(context.Background(), receivertest.NewNopSettings(rf.Type()), rcfg, sink)
	require.NoError(t, err)
	host := &extHost{Host: componenttest.NewNopHost(), exts: map[component.ID]component.Component{id: h.ext}}
	require.NoError(t, rcv.Start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, rcv.Shutdown(context.Background())) })

	event := func(name string) string { return `{"event_name":"` + name + `","properties":{"n":1}}` }
	// 1 MiB of JSON-ish filler compresses to about 1 KiB: far under max_request_body_size on the
	// wire, 16 times over it inflated.
	bomb := `{"event_name":"bomb","properties":{"pad":"` + strings.Repeat("a", 1<<20) + `"}}`
	gzBomb := gzipped(bomb)
	require.Less(t, len(gzBomb), limit/4)

	type call struct {
		name, key, body, encoding string
		status                    int
		code                      string
	}
	calls := []call{
		// Without a valid key nothing is decompressed or even checked: 401, never 400/415.
		{"no key gzip", "", gzipped(event("x")), "gzip", 401, "unauthenticated"},
		{"no key bad gzip", "", "not gzip at all", "gzip", 401, "unauthenticated"},
		{"no key unknown encoding", "", "whatever", "br", 401, "unauthenticated"},
		{"no key bomb", "", gzBomb, "gzip", 401, "unauthenticated"},
		{"wrong key bad gzip", wrongKey, "not gzip at all", "gzip", 401, "unauthenticated"},
		// A key without the route's role is refused before decompression too.
		{"viewer bomb", keyViewerA, gzBomb, "gzip", 403, "forbidden"},
		{"viewer unknown encoding", keyViewerA, "whatever", "br", 403, "forbidden"},
		// With the ingest role.
		{"gzip", keyIngestA, gzipped(event("gz_event")), "gzip", 202, ""},
		{"x-gzip", keyIngestA, gzipped(event("xgz_event")), "x-gzip", 202, ""},
		{"deflate", keyIngestA, zlibbed(event("deflate_event")), "deflate", 202, ""},
		{"zstd", keyIngestA, zstded(t, event("zstd_event")), "zstd", 202, ""},
		{"identity", keyIngestA, event("plain_event"), "identity", 202, ""},
		{"unknown encoding", keyIngestA, "whatever", "br", 415, "unsupported_media_type"},
		{"stacked encodings", keyIngestA, gzipped(gzipped(event("x"))), "gzip, gzip", 415, "unsupported_media_type"},
		{"bad gzip", keyIngestA, "not gzip at all", "gzip", 400, "invalid_body"},
		{"truncated gzip", keyIngestA, gzipped(event("x"))[:20], "gzip", 400, "invalid_body"},
		{"gzip bomb", keyIngestA, gzBomb, "gzip", 413, "payload_too_large"},
		{"zstd bomb", keyIngestA, zstded(t, bomb), "zstd", 413, "payload_too_large"},
		{"deflate bomb", keyIngestA, zlibbed(bomb), "deflate", 413, "payload_too_large"},
	}
	reqIDs := map[string]call{}
	for _, c := range calls {
		got := h.do("POST", "/events", c.key, c.body, "Content-Encoding: "+c.encoding)
		require.Equal(t, c.status, got.status, "%s: %s", c.name, got.body)
		assert.Equal(t, "application/json", got.header.Get("Content-Type"), c.name)
		if c.code != "" {
			assert.Contains(t, got.body, `"code":"`+c.code+`"`, c.name)
		}
		reqIDs[got.header.Get("X-Request-Id")] = c
	}

	var names []string
	for _, ld := range sink.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					v, _ := lr.Attributes().Get("event.name")
					names = append(names, v.Str())
				}
			}
		}
	}
	assert.ElementsMatch(t, []string{"gz_event", "xgz_event", "deflate_event", "zstd_event", "plain_event"}, names)

	recs := store.waitRecords(t, len(calls), func(r auditRecord) bool { return r.Action == "POST /events" })
	require.Len(t, recs, len(calls))
	for _, r := range recs {
		c, ok := reqIDs[r.RequestID]
		require.True(t, ok, "audit record of an unknown request %s", r.RequestID)
		assert.Equal(t, strconv.Itoa(c.status), r.Details["status"], c.name)
		if c.status == 401 {
			assert.Equal(t, actorUnauthenticated, r.ActorType, c.name)
		}
		if c.code != "" {
			assert.Equal(t, c.code, r.Details["error"], c.name)
		}
	}
}

// Without Content-Encoding a body over the limit is still refused by its declared length.
func TestDecodeBodyIdentity(t *testing.T) {
	r, err := http.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", 11)))
	require.NoError(t, err)
	be := decodeBody(r, 10)
	require.NotNil(t, be)
	assert.Equal(t, http.StatusRequestEntityTooLarge, be.status)

	// A decompressed body of exactly the limit passes, and loses its Content-Encoding.
	r, err = http.NewRequest("POST", "/", strings.NewReader(gzipped(strings.Repeat("a", 10))))
	require.NoError(t, err)
	r.Header.Set("Content-Encoding", "GZIP")
	require.Nil(t, decodeBody(r, 10))
	assert.Empty(t, r.Header.Get("Content-Encoding"))
	assert.Equal(t, int64(10), r.ContentLength)
}
