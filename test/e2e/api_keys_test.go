package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Keys of testdata/api-tenants.yaml (id → secret). The secrets are also what the audit and log
// checks look for: none of them may ever be written anywhere.
const (
	acmeIngestKey    = "e2e-acme-ingest-key-000001"
	acmePrivacyKey   = "e2e-acme-privacy-key-00001"
	acmeViewerKey    = "e2e-acme-viewer-key-000001"
	globexIngestKey  = "e2e-globex-ingest-key-0001"
	globexPrivacyKey = "e2e-globex-privacy-key-001"
	wrongKey         = "e2e-wrong-key-not-configured-1"
)

var allTestKeys = []string{testAPIKey, acmeIngestKey, acmePrivacyKey, acmeViewerKey, globexIngestKey, globexPrivacyKey, wrongKey}

// startTenantCollector runs config/local.yaml with the acme and globex keys merged in.
func startTenantCollector(t *testing.T, env map[string]string) *collector {
	t.Helper()
	return startCollector(t, collectorOptions{
		env:  env,
		args: []string{"--config", filepath.Join(repoRoot, "test/e2e/testdata/api-tenants.yaml")},
	})
}

// httpReply is one raw HTTP answer.
type httpReply struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body as an object (nil when it is not one).
func (r httpReply) json() map[string]any {
	var out map[string]any
	_ = json.Unmarshal(r.body, &out)
	return out
}

// send posts body to url with the given headers; a non-empty key goes into Authorization.
func send(t *testing.T, method, url, key string, header map[string]string, body []byte) httpReply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	hc := &http.Client{Timeout: 20 * time.Second}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return httpReply{status: resp.StatusCode, header: resp.Header, body: raw}
}

// otlpLogsJSON is one OTLP/JSON log record of service svc whose resource claims tenant.id=claimed.
func otlpLogsJSON(t *testing.T, svc, claimed, body string) []byte {
	t.Helper()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", svc)
	rl.Resource().Attributes().PutStr("tenant.id", claimed)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.Body().SetStr(body)
	raw, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	return raw
}

// otlpSpansJSON is one OTLP/JSON span of service svc whose resource claims tenant.id=claimed.
func otlpSpansJSON(t *testing.T, svc, claimed, name string) []byte {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", svc)
	rs.Resource().Attributes().PutStr("tenant.id", claimed)
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName(name)
	sp.SetTraceID(pcommon.TraceID([16]byte{1, 2, 3, byte(len(svc)), byte(len(name))}))
	sp.SetSpanID(pcommon.SpanID([8]byte{9, 8, 7, byte(len(name))}))
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Millisecond)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	raw, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	return raw
}

var jsonHeader = map[string]string{"Content-Type": "application/json"}

// otlpPost sends an OTLP/JSON body to the collector's OTLP/HTTP receiver (signal: logs, traces).
func (c *collector) otlpPost(t *testing.T, signal, key string, body []byte) httpReply {
	t.Helper()
	return send(t, http.MethodPost, "http://"+c.otlpHTTP+"/v1/"+signal, key, jsonHeader, body)
}

// apiURL is the full URL of a telemetry API path.
func (c *collector) apiURL(path string) string { return "http://" + c.api + "/api/v1/telemetry" + path }

// requireAPIError checks the documented error shape {"error": {"code", "message"}} and the code.
func requireAPIError(t *testing.T, r httpReply, status int, code string) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	require.Contains(t, r.header.Get("Content-Type"), "application/json", "error bodies are JSON")
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(r.body, &e), "body: %s", r.body)
	require.Equal(t, code, e.Error.Code, "body: %s", r.body)
	require.NotEmpty(t, e.Error.Message, "body: %s", r.body)
}
