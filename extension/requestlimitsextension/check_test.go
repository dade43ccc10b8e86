package requestlimitsextension

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	spb "google.golang.org/genproto/googleapis/rpc/status"
)

var small = &Limits{MaxRecords: 10, MaxAttributesPerList: 3, MaxAttributesPerBatch: 8, MaxDepth: 2, MaxKeyBytes: 8, MaxValueBytes: 16}

// logsWith is one resource, one scope and the given records.
func logsWith(records ...func(plog.LogRecord)) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, f := range records {
		f(lrs.AppendEmpty())
	}
	return ld
}

func nothing(plog.LogRecord) {}

func nestedBody(levels int) func(plog.LogRecord) {
	return func(lr plog.LogRecord) {
		m := lr.Body().SetEmptyMap()
		for range levels - 1 {
			m = m.PutEmptyMap("n")
		}
		m.PutStr("leaf", "x")
	}
}

// Every limit over both encodings: the same pdata marshaled as protobuf and as OTLP/JSON gets the
// same verdict, naming the same limit and place.
func TestLimitsProtoAndJSON(t *testing.T) {
	tests := []struct {
		name      string
		ld        plog.Logs
		reason    string
		inMessage string
	}{
		{"within every limit", logsWith(nothing, func(lr plog.LogRecord) {
			lr.Attributes().PutStr("a", "b")
			lr.Body().SetStr(strings.Repeat("x", 16))
		}, nestedBody(2)), "", ""},
		{"records: 8 records + resource + scope = 10", logsWith(nothing, nothing, nothing, nothing, nothing, nothing, nothing, nothing), "", ""},
		{"records: 9 + 2 = 11", logsWith(nothing, nothing, nothing, nothing, nothing, nothing, nothing, nothing, nothing), limitRecords, "logRecords[8]"},
		{"attributes per record", logsWith(func(lr plog.LogRecord) {
			for _, k := range []string{"a", "b", "c", "d"} {
				lr.Attributes().PutStr(k, "v")
			}
		}), limitAttrsPerRec, "logRecords[0].attributes has more than 3"},
		{"attributes per request", logsWith(func(lr plog.LogRecord) {
			s := lr.Body().SetEmptySlice()
			for range 9 {
				s.AppendEmpty().SetInt(1)
			}
		}), limitAttrsPerReq, "more than 8 attributes"},
		{"depth", logsWith(nestedBody(3)), limitDepth, "deeper than 2"},
		{"key bytes", logsWith(func(lr plog.LogRecord) { lr.Attributes().PutStr("123456789", "v") }), limitKeyBytes, "attributes[0].key is a key of 9 bytes"},
		{"value bytes", logsWith(func(lr plog.LogRecord) { lr.Body().SetStr(strings.Repeat("x", 17)) }), limitValueBytes, "body.stringValue has 17 bytes"},
		{"event name bytes", logsWith(func(lr plog.LogRecord) { lr.SetEventName(strings.Repeat("e", 17)) }), limitValueBytes, "eventName has 17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := plogotlp.NewExportRequestFromLogs(tt.ld)
			pb, err := req.MarshalProto()
			require.NoError(t, err)
			js, err := req.MarshalJSON()
			require.NoError(t, err)
			for enc, ref := range map[string]*refusal{"proto": checkProto(pb, logsRequest, small), "json": checkJSON(js, logsRequest, small)} {
				if tt.reason == "" {
					assert.Nil(t, ref, enc)
					continue
				}
				require.NotNil(t, ref, enc)
				assert.Equal(t, http.StatusRequestEntityTooLarge, ref.status, enc)
				assert.Equal(t, tt.reason, ref.reason, enc)
				assert.Contains(t, ref.msg, tt.inMessage, enc)
				assert.Contains(t, ref.msg, "limit "+tt.reason, enc)
			}
		})
	}
}

func TestInvalidJSONFields(t *testing.T) {
	lim := createDefaultConfig().limits()
	tests := []struct{ body, field, want string }{
		{`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":-1}]}]}]}`, "resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano", "non-negative integer"},
		{`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"9223372036854775808"}]}]}]}`, "logRecords[0].timeUnixNano", "past the last representable time"},
		{`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"observed_time_unix_nano":"x"}]}]}]}`, "logRecords[0].observedTimeUnixNano", "non-negative integer"},
		{`{"resourceLogs":{}}`, "resourceLogs", "must be an array"},
		{`{"resourceLogs":[{"resource":[]}]}`, "resourceLogs[0].resource", "must be an object"},
		{`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":true}]}]}]}`, "severityNumber", "integer or the value's name"},
		{`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":1}]}]}]}]}`, "attributes[0].key", "must be a string"},
		{`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"boolValue":"yes"}}]}]}]}`, "body.boolValue", "true or false"},
		{`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"doubleValue":"many"}}]}]}]}`, "body.doubleValue", "must be a number"},
		{`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"flags":-1}]}]}]}`, "flags", "in range"},
	}
	for _, tt := range tests {
		ref := checkJSON([]byte(tt.body), logsRequest, lim)
		require.NotNil(t, ref, tt.body)
		assert.Equal(t, http.StatusBadRequest, ref.status, tt.body)
		assert.Equal(t, reasonInvalidField, ref.reason, tt.body)
		assert.Contains(t, ref.msg, tt.field, tt.body)
		assert.Contains(t, ref.msg, tt.want, tt.body)
	}
	// What OTLP/JSON allows passes: 64-bit integers as strings or numbers, enum names, NaN, null, unknown fields.
	ok := `{"resourceLogs":[{"unknown":{"deep":[1,2,{"x":null}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","observedTimeUnixNano":1700000000000000000,"severityNumber":"SEVERITY_NUMBER_INFO","body":{"doubleValue":"NaN"},"attributes":[{"key":"i","value":{"intValue":"-5"}}],"traceId":"0102030405060708090a0b0c0d0e0f10","flags":1},null]}]}]}`
	assert.Nil(t, checkJSON([]byte(ok), logsRequest, lim))
	assert.Equal(t, reasonMalformed, checkJSON([]byte(`{"resourceLogs":[`), logsRequest, lim).reason)
	assert.Equal(t, reasonMalformed, checkProto([]byte{0x0a, 0x05, 0x01}, logsRequest, lim).reason)
}

func TestProtoTimestampOutOfRange(t *testing.T) {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetEndTimestamp(pcommon.Timestamp(1 << 63))
	pb, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	ref := checkProto(pb, tracesRequest, createDefaultConfig().limits())
	require.NotNil(t, ref)
	assert.Equal(t, http.StatusBadRequest, ref.status)
	assert.Contains(t, ref.msg, "resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano")
}

func newTestExtension(t *testing.T, lim *Limits) *limitsExtension {
	e, err := newExtension(createDefaultConfig(), componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	e.lim = lim
	return e
}

func TestHTTPMiddleware(t *testing.T) {
	e := newTestExtension(t, small)
	wrap, err := e.GetHTTPHandler(context.Background())
	require.NoError(t, err)
	var reached []byte
	h, err := wrap(context.Background(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	require.NoError(t, err)

	post := func(path, ct, body string) *httptest.ResponseRecorder {
		reached = nil
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		h.ServeHTTP(rec, req)
		return rec
	}
	okBody := `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]}`
	rec := post("/v1/logs", "application/json", okBody)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, okBody, string(reached), "the receiver reads the whole body")

	rec = post("/v1/logs", "application/json", `{"resourceLogs":[{"scopeLogs":[{"logRecords":[`+strings.Repeat("{},", 20)+`{}]}]}]}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Nil(t, reached)
	var st spb.Status
	require.NoError(t, protojson.Unmarshal(rec.Body.Bytes(), &st))
	assert.Equal(t, int32(codes.ResourceExhausted), st.Code)
	assert.Contains(t, st.Message, limitRecords)

	rec = post("/v1/traces", "application/json", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":-1}]}]}]}`)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "spans[0].startTimeUnixNano")

	// Other paths and content types are the receiver's business.
	assert.Equal(t, http.StatusOK, post("/other", "application/json", "{").Code)
	assert.Equal(t, http.StatusOK, post("/v1/logs", "text/plain", "{").Code)

	// A body over the receiver's max_request_body_size: 413 naming it.
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/logs", strings.NewReader(okBody))
	req.Header.Set("Content-Type", "application/json")
	req.Body = http.MaxBytesReader(rec, req.Body, 10)
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Contains(t, rec.Body.String(), "max_request_body_size")
}

// The gRPC path: the codec refuses without decoding and the interceptor answers for it.
func TestGRPCCodecAndInterceptor(t *testing.T) {
	e := newTestExtension(t, small)
	opts, err := e.GetGRPCServerOptions(context.Background())
	require.NoError(t, err)
	require.Len(t, opts, 2)
	codec := &limitsCodec{delegate: encoding.GetCodecV2("proto"), ext: e}

	decode := func(ld plog.Logs) (plogotlp.ExportRequest, error) {
		pb, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
		require.NoError(t, err)
		// The request type gRPC decodes into is pdata's internal message; reach it the way the
		// generated handler does, through a fresh request's proto unmarshal target.
		req := plogotlp.NewExportRequest()
		target := requestTarget(t, req)
		require.NoError(t, codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(pb)}, target))
		_, got := e.intercept(context.Background(), target, nil, func(context.Context, any) (any, error) { return "handled", nil })
		return req, got
	}
	req, err := decode(logsWith(nothing, nothing))
	require.NoError(t, err)
	assert.Equal(t, 2, req.Logs().LogRecordCount(), "an admitted request is decoded")

	req, err = decode(logsWith(nothing, nothing, nothing, nothing, nothing, nothing, nothing, nothing, nothing))
	st, _ := status.FromError(err)
	assert.Equal(t, codes.ResourceExhausted, st.Code())
	assert.Contains(t, st.Message(), limitRecords)
	assert.Equal(t, 0, req.Logs().LogRecordCount(), "a refused request is not decoded")
	_, pending := e.refusals.m.Load(requestTarget(t, req))
	assert.False(t, pending, "the verdict is taken once")
}

// requestTarget is pdata's internal request message inside req: what gRPC decodes into.
func requestTarget(t *testing.T, req any) any {
	t.Helper()
	f := reflect.ValueOf(req).Field(0)
	require.Equal(t, reflect.Pointer, f.Kind())
	return reflect.NewAt(f.Type().Elem(), f.UnsafePointer()).Interface()
}
