package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	grpcstatus "google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

// Hostile and careless clients, ingest side (issue 20, part A): bounded work per request,
// inserts that never double, clear 4xx for odd input, valid UTF-8 in storage.

// TestRetriedInsertStoredOnce: the engine commits an INSERT and then cuts the connection without
// answering (clickhouse-embedded --cut-insert-responses), twice: the exporter sees a failure,
// retries the batch, and ClickHouse drops the parts already stored because every part carries
// the batch's insert_deduplication_token. The records carry no timestamp, so every attempt stamps
// a different time: only the token, not ClickHouse's own hash of the rows, can tell the attempts
// apart. The batch is split into INSERTs of 300 rows (max_rows_per_insert), so the retry also
// has to skip the parts stored before a later part failed. Exactly one copy of every record.
func TestRetriedInsertStoredOnce(t *testing.T) {
	eng, err := chtest.StartWith(t.TempDir(), "", "--cut-insert-responses=telemetry_logs:2")
	require.NoError(t, err)
	t.Cleanup(eng.Stop)
	c := startCollector(t, collectorOptions{
		env: map[string]string{"TELEMETRY_CLICKHOUSE_ENDPOINT": eng.Endpoint},
		args: append([]string{
			"--set=exporters::telemetry_storage::max_rows_per_insert=300",
			"--set=exporters::telemetry_storage::retry_on_failure::initial_interval=200ms",
			// The records keep having no timestamp up to the exporter, which stamps each attempt
			// with its own time: identical attempts only by their token.
			"--set=processors::sanitize::stamp_observed_time=false",
		}, fastRetry...),
	})
	const n = 1000
	service := "dedup-" + randomSuffix()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lrs.AppendEmpty().Body().SetStr(fmt.Sprintf("record %d", i)) // no timestamp, no observed timestamp
	}
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	r := send(t, http.MethodPost, "http://"+c.otlpHTTP+"/v1/logs", testAPIKey, map[string]string{"Content-Type": "application/x-protobuf"}, body)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	conn := c.db()
	q := "SELECT count() FROM telemetry_logs WHERE service_name = ?"
	eventuallyCount(t, conn, n, q, service)
	// Both cuts happened (the first attempt and the first retry lost their answers)...
	require.Eventually(t, func() bool { return strings.Count(eng.Logs(), "fault injection: committed INSERT") == 2 },
		10*time.Second, 100*time.Millisecond, "engine log:\n%s", eng.Logs())
	// ...and the retries have settled: nothing more arrives, nothing is doubled.
	time.Sleep(3 * time.Second)
	var total, distinct uint64
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT count(), uniqExact(body) FROM telemetry_logs WHERE service_name = ?", service).Scan(&total, &distinct))
	assert.Equal(t, uint64(n), total, "rows stored for %d sent", n)
	assert.Equal(t, uint64(n), distinct)
	assert.Contains(t, c.logs.String(), "Exporting failed", "the exporter saw the cut connection and retried")
}

// emptyLogRecordsJSON is the request of the held-out run: n empty log records in 3 bytes each.
func emptyLogRecordsJSON(n int) []byte {
	var b strings.Builder
	b.Grow(3*n + 64)
	b.WriteString(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("{}")
	}
	b.WriteString(`]}]}]}`)
	return []byte(b.String())
}

// emptyLogRecordsProto is the same request in protobuf, written by hand (2 bytes a record) so the
// test does not build a million records itself.
func emptyLogRecordsProto(n int) []byte {
	scope := make([]byte, 0, 2*n)
	for range n {
		scope = protowire.AppendTag(scope, 2, protowire.BytesType) // ScopeLogs.log_records
		scope = protowire.AppendVarint(scope, 0)
	}
	res := protowire.AppendTag(nil, 2, protowire.BytesType) // ResourceLogs.scope_logs
	res = protowire.AppendBytes(res, scope)
	req := protowire.AppendTag(nil, 1, protowire.BytesType) // ExportLogsServiceRequest.resource_logs
	return protowire.AppendBytes(req, res)
}

// otlpStatus is the google.rpc.Status an OTLP/HTTP error answer carries (JSON encoding).
type otlpStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func postOTLPStatus(t *testing.T, c *collector, path, contentType string, body []byte) (int, otlpStatus) {
	t.Helper()
	r := send(t, http.MethodPost, "http://"+c.otlpHTTP+path, testAPIKey, map[string]string{"Content-Type": contentType}, body)
	var st otlpStatus
	if r.status != http.StatusOK {
		if contentType == "application/json" {
			require.NoError(t, json.Unmarshal(r.body, &st), "answer %d is an OTLP status: %s", r.status, r.body)
		} else {
			var p spb.Status
			require.NoError(t, proto.Unmarshal(r.body, &p), "answer %d is an OTLP status", r.status)
			st = otlpStatus{Code: int(p.GetCode()), Message: p.GetMessage()}
		}
	}
	return r.status, st
}

// TestRequestLimitsRefuseHostileRequests: every limit of the request_limits extension, over
// OTLP/HTTP (JSON and protobuf) and OTLP/gRPC, refuses with 413 / RESOURCE_EXHAUSTED and a message
// naming the limit; each refusal is counted; a normal request right after is stored, and so are
// the requests of a well-behaved client sent while the hostile ones were refused.
func TestRequestLimitsRefuseHostileRequests(t *testing.T) {
	c := startCollector(t, collectorOptions{})
	const jsonCT, pbCT = "application/json", "application/x-protobuf"

	// The held-out run's request: a million empty log records, 3 MB of JSON.
	status, st := postOTLPStatus(t, c, "/v1/logs", jsonCT, emptyLogRecordsJSON(1_000_000))
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Equal(t, int(codes.ResourceExhausted), st.Code)
	assert.Contains(t, st.Message, "max_records_per_request")
	assert.Contains(t, st.Message, "100000 records")

	status, st = postOTLPStatus(t, c, "/v1/logs", pbCT, emptyLogRecordsProto(1_000_000))
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, st.Message, "max_records_per_request")

	record := func(lr string) []byte {
		return []byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[` + lr + `]}]}]}`)
	}
	attrs := make([]string, 200)
	for i := range attrs {
		attrs[i] = fmt.Sprintf(`{"key":"k%d","value":{"intValue":"%d"}}`, i, i)
	}
	nested := `{"stringValue":"leaf"}`
	for range 10 {
		nested = `{"kvlistValue":{"values":[{"key":"n","value":` + nested + `}]}}`
	}
	for _, tc := range []struct {
		name, limit string
		body        []byte
	}{
		{"200 attributes on one record", "max_attributes_per_record", record(`{"attributes":[` + strings.Join(attrs, ",") + `]}`)},
		{"a body nested 10 maps deep", "max_attribute_depth", record(`{"body":` + nested + `}`)},
		{"a 2000-byte key", "max_key_bytes", record(`{"attributes":[{"key":"` + strings.Repeat("k", 2000) + `","value":{"stringValue":"v"}}]}`)},
		{"a 300 KiB value", "max_value_bytes", record(`{"body":{"stringValue":"` + strings.Repeat("v", 300<<10) + `"}}`)},
		{"a 21 MiB body", "max_request_body_size", record(`{"body":{"stringValue":"` + strings.Repeat("v", 21<<20) + `"}}`)},
	} {
		status, st := postOTLPStatus(t, c, "/v1/logs", jsonCT, tc.body)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, tc.name)
		assert.Equal(t, int(codes.ResourceExhausted), st.Code, tc.name)
		assert.Contains(t, st.Message, tc.limit, tc.name)
	}

	// Spans and data points count too.
	var spans strings.Builder
	for i := range 100_001 {
		if i > 0 {
			spans.WriteByte(',')
		}
		spans.WriteString("{}")
	}
	status, st = postOTLPStatus(t, c, "/v1/traces", jsonCT, []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[`+spans.String()+`]}]}]}`))
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, st.Message, "max_records_per_request")

	// OTLP/gRPC: RESOURCE_EXHAUSTED naming the limit, before the request is decoded.
	gc, err := grpc.NewClient(c.otlpGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer gc.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+testAPIKey)
	big := plog.NewLogs()
	lrs := big.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lrs.EnsureCapacity(150_000)
	for range 150_000 {
		lrs.AppendEmpty()
	}
	_, err = plogotlp.NewGRPCClient(gc).Export(ctx, plogotlp.NewExportRequestFromLogs(big))
	gst, _ := grpcstatus.FromError(err)
	assert.Equal(t, codes.ResourceExhausted, gst.Code(), "%v", err)
	assert.Contains(t, gst.Message(), "max_records_per_request")

	// Nothing else is lost: a normal request over each path is stored.
	service := "after-hostile-" + randomSuffix()
	body, err := plogotlp.NewExportRequestFromLogs(numberedLogs(service, 0, 10)).MarshalProto()
	require.NoError(t, err)
	status, _ = postOTLPStatus(t, c, "/v1/logs", pbCT, body)
	require.Equal(t, http.StatusOK, status)
	_, err = plogotlp.NewGRPCClient(gc).Export(ctx, plogotlp.NewExportRequestFromLogs(numberedLogs(service, 10, 10)))
	require.NoError(t, err)
	eventuallyCount(t, c.db(), 20, "SELECT count() FROM telemetry_logs WHERE service_name = ?", service)

	// Each refusal is counted by protocol, signal and the limit.
	assert.Equal(t, 3.0, selfMetricSum(t, c, "otelcol_request_limits_refused_requests", `reason="max_records_per_request"`, `signal="logs"`))
	assert.Equal(t, 1.0, selfMetricSum(t, c, "otelcol_request_limits_refused_requests", `reason="max_records_per_request"`, `protocol="grpc"`))
	assert.Equal(t, 1.0, selfMetricSum(t, c, "otelcol_request_limits_refused_requests", `reason="max_records_per_request"`, `signal="traces"`))
	for _, limit := range []string{"max_attributes_per_record", "max_attribute_depth", "max_key_bytes", "max_value_bytes", "max_request_body_size"} {
		assert.Equal(t, 1.0, selfMetricSum(t, c, "otelcol_request_limits_refused_requests", `reason="`+limit+`"`), limit)
	}
}

// TestOddNumbersAnswer400NamingTheField: negative and out-of-range timestamps and fields of the
// wrong JSON type are answered 400 / INVALID_ARGUMENT with a message naming the field (the
// receiver alone answered `"timeUnixNano": -1` with 500 "failed to marshal error message").
func TestOddNumbersAnswer400NamingTheField(t *testing.T) {
	c := startCollector(t, collectorOptions{})
	logs := func(lr string) []byte {
		return []byte(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{},` + lr + `]}]}]}`)
	}
	for _, tc := range []struct {
		name, path, body, field string
	}{
		{"negative timestamp", "/v1/logs", string(logs(`{"timeUnixNano":-1}`)), "resourceLogs[0].scopeLogs[0].logRecords[1].timeUnixNano"},
		{"negative timestamp as a string", "/v1/logs", string(logs(`{"observedTimeUnixNano":"-5"}`)), "logRecords[1].observedTimeUnixNano"},
		{"timestamp past 2262", "/v1/logs", string(logs(`{"timeUnixNano":"9300000000000000000"}`)), "logRecords[1].timeUnixNano"},
		{"timestamp past 2^64", "/v1/logs", string(logs(`{"timeUnixNano":"99999999999999999999999"}`)), "logRecords[1].timeUnixNano"},
		{"fractional timestamp", "/v1/logs", string(logs(`{"timeUnixNano":1.5}`)), "logRecords[1].timeUnixNano"},
		{"records not an array", "/v1/logs", `{"resourceLogs":[{"scopeLogs":[{"logRecords":{}}]}]}`, "resourceLogs[0].scopeLogs[0].logRecords"},
		{"severity a bool", "/v1/logs", string(logs(`{"severityNumber":true}`)), "logRecords[1].severityNumber"},
		{"key a number", "/v1/logs", string(logs(`{"attributes":[{"key":5,"value":{}}]}`)), "logRecords[1].attributes[0].key"},
		{"string value a number", "/v1/logs", string(logs(`{"body":{"stringValue":7}}`)), "logRecords[1].body.stringValue"},
		{"snake_case names too", "/v1/logs", string(logs(`{"time_unix_nano":"-1"}`)), "logRecords[1].timeUnixNano"},
		{"span start negative", "/v1/traces", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"-1"}]}]}]}`, "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano"},
		{"int value not a number", "/v1/metrics", `{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asInt":"ten"}]}}]}]}]}`, "metrics[0].gauge.dataPoints[0].asInt"},
	} {
		status, st := postOTLPStatus(t, c, tc.path, "application/json", []byte(tc.body))
		assert.Equal(t, http.StatusBadRequest, status, tc.name)
		assert.Equal(t, int(codes.InvalidArgument), st.Code, tc.name)
		assert.Contains(t, st.Message, tc.field, tc.name)
	}

	// OTLP/gRPC: a fixed64 timestamp past 2262 is refused, naming the field.
	gc, err := grpc.NewClient(c.otlpGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer gc.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+testAPIKey)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().SetTimestamp(pcommon.Timestamp(math.MaxUint64))
	_, err = plogotlp.NewGRPCClient(gc).Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	gst, _ := grpcstatus.FromError(err)
	assert.Equal(t, codes.InvalidArgument, gst.Code(), "%v", err)
	assert.Contains(t, gst.Message(), "logRecords[0].timeUnixNano")

	// The same records with valid numbers are stored.
	service := "odd-numbers-" + randomSuffix()
	// Recent times: rows older than the retention (TTL) may be dropped by the engine at once.
	now := time.Now().UnixNano()
	status, _ := postOTLPStatus(t, c, "/v1/logs", "application/json", []byte(`{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"`+service+`"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"`+fmt.Sprint(now)+`","body":{"stringValue":"ok"}},{"timeUnixNano":`+fmt.Sprint(now+1)+`}]}]}]}`))
	require.Equal(t, http.StatusOK, status)
	eventuallyCount(t, c.db(), 2, "SELECT count() FROM telemetry_logs WHERE service_name = ?", service)
	assert.Equal(t, 13.0, selfMetricSum(t, c, "otelcol_request_limits_refused_requests", `reason="invalid_field"`))
}

// rawExport is the body of GET /data/{user}/export as sent, before any JSON decoder could repair it.
func rawExport(t *testing.T, c *collector, user, query string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+c.api+"/api/v1/telemetry/data/"+user+"/export"+query, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return body
}

// TestInvalidUTF8ReplacedAtIngest: OTLP/protobuf carries strings that are not UTF-8 (protobuf
// does not check them) in a log body, an attribute key and value and a span name. The sanitize
// processor replaces each invalid sequence with U+FFFD as the data arrives and counts it; what is
// stored is valid UTF-8, and the user's data-subject export, NDJSON and format=json, is valid
// UTF-8 and valid JSON (it was neither when the raw bytes were stored).
func TestInvalidUTF8ReplacedAtIngest(t *testing.T) {
	c := startCollector(t, collectorOptions{args: dataRightsConfig()})
	user := "utf8-user-" + randomSuffix()
	c.grantConsent(t, testAPIKey, user, allPurposes)
	const bad = "caf\xe9 \xff\xfe end" // Latin-1 é and two bytes that are never UTF-8

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "utf8")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.Body().SetStr(bad)
	lr.Attributes().PutStr("user.id", user)
	lr.Attributes().PutStr("note", bad)
	lr.Attributes().PutStr("k\xff", "v")
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	require.False(t, utf8.Valid(body), "the request really carries invalid UTF-8")
	status, _ := postOTLPStatus(t, c, "/v1/logs", "application/x-protobuf", body)
	require.Equal(t, http.StatusOK, status)

	conn := c.db()
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_logs WHERE service_name = 'utf8'")
	var stored, note string
	var valid uint8
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT body, attributes['note'], isValidUTF8(body) AND isValidUTF8(attributes['note']) AND arrayAll(k -> isValidUTF8(k), mapKeys(attributes)) FROM telemetry_logs WHERE service_name = 'utf8'").
		Scan(&stored, &note, &valid))
	assert.Equal(t, uint8(1), valid, "stored text is valid UTF-8")
	assert.Equal(t, "caf\uFFFD \uFFFD end", stored, "each run of invalid bytes becomes one U+FFFD")
	assert.Equal(t, stored, note)

	for _, q := range []string{"", "?format=json"} {
		raw := rawExport(t, c, user, q)
		assert.True(t, utf8.Valid(raw), "export%s is valid UTF-8", q)
		assert.Contains(t, string(raw), "caf\uFFFD", "export%s holds the repaired body", q)
		if q == "" {
			for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
				assert.True(t, json.Valid(line), "NDJSON line %s", line)
			}
		} else {
			assert.True(t, json.Valid(raw))
		}
	}
	// body, note's value and the key "k\xff": three strings repaired.
	assert.Equal(t, 3.0, selfMetricSum(t, c, "otelcol_processor_sanitize_strings_repaired", `signal="logs"`))
}

// TestEventsAPILimits: the events receiver bounds its requests too. Over max_batch_events or
// max_body_size the whole request is refused with 413 naming the limit; an event over
// max_property_depth, max_property_keys or max_property_value_bytes is rejected alone (400 for a
// single event, listed in a batch's answer) naming the limit, and the batch's other events are
// stored. Both are counted.
func TestEventsAPILimits(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"}})
	jsonHeader := map[string]string{"Content-Type": "application/json"}
	name := "limits_" + randomSuffix()

	events := make([]string, 1001)
	for i := range events {
		events[i] = `{"event_name":"` + name + `"}`
	}
	r := send(t, http.MethodPost, c.apiURL("/events/batch"), testAPIKey, jsonHeader, []byte(`{"events":[`+strings.Join(events, ",")+`]}`))
	requireAPIError(t, r, http.StatusRequestEntityTooLarge, "too_many_events")
	assert.Contains(t, string(r.body), "max_batch_events")

	r = send(t, http.MethodPost, c.apiURL("/events"), testAPIKey, jsonHeader,
		[]byte(`{"event_name":"`+name+`","properties":{"pad":"`+strings.Repeat("x", 6<<20)+`"}}`))
	requireAPIError(t, r, http.StatusRequestEntityTooLarge, "payload_too_large")
	assert.Contains(t, string(r.body), "max_body_size")

	deep := `"leaf"`
	for range 10 {
		deep = `{"n":` + deep + `}`
	}
	r = send(t, http.MethodPost, c.apiURL("/events"), testAPIKey, jsonHeader, []byte(`{"event_name":"`+name+`","properties":{"d":`+deep+`}}`))
	requireAPIError(t, r, http.StatusBadRequest, "invalid_event")
	assert.Contains(t, string(r.body), "max_property_depth")

	r = send(t, http.MethodPost, c.apiURL("/events/batch"), testAPIKey, jsonHeader, []byte(`{"events":[
		{"event_name":"`+name+`","properties":{"ok":true}},
		{"event_name":"`+name+`","properties":{"long":"`+strings.Repeat("v", 70<<10)+`"}}]}`))
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	body := r.json()
	assert.Equal(t, 1.0, body["accepted"])
	assert.Equal(t, 1.0, body["rejected"])
	assert.Contains(t, string(r.body), "max_property_value_bytes")

	eventuallyCount(t, c.db(), 1, "SELECT count() FROM telemetry_events WHERE event_name = ?", name)
	time.Sleep(time.Second)
	var n uint64
	require.NoError(t, c.db().QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE event_name = ?", name).Scan(&n))
	assert.Equal(t, uint64(1), n, "only the event within the limits is stored")

	assert.Equal(t, 2.0, selfMetricSum(t, c, "otelcol_telemetry_events_requests", `http_response_status_code="413"`))
	assert.Equal(t, 2.0, selfMetricSum(t, c, "otelcol_telemetry_events_rejected", `field="properties"`))
}
