package requestlimitsextension

import (
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// kind is how a field of an OTLP message is checked.
type kind uint8

const (
	kMessage kind = iota
	kString       // text: at most max_value_bytes
	kKey          // an attribute key: at most max_key_bytes
	kBytes        // ids (hex in JSON): at most max_value_bytes
	kTime         // a timestamp in ns: an integer 0..2^63-1 (DateTime64(9) ends in 2262)
	kUint64       // counts: an integer 0..2^64-1
	kInt64        // an integer
	kUint32       // flags and dropped counts
	kInt32        // scale and offset
	kEnum         // an integer or the value's name
	kDouble       // a number, or "NaN", "Infinity", "-Infinity"
	kBool
)

// role is what a repeated or message field adds to the request's counts.
type role uint8

const (
	roleNone role = iota
	// roleRecord: each element is a record (resource, scope, log record, span, span event, link,
	// metric, data point, exemplar): max_records_per_request.
	roleRecord
	// roleAttrs: an attribute list (or a map value's entries): max_attributes_per_record each,
	// and each entry counts against max_attributes_per_request.
	roleAttrs
	// roleElems: an array value's elements: each counts against max_attributes_per_request.
	roleElems
	// roleNest: an array or map inside an attribute value or body: max_attribute_depth.
	roleNest
)

// field of an OTLP message, named as in OTLP/JSON (lowerCamelCase; snake_case is accepted too,
// as the receiver does).
type field struct {
	name     string
	pos      int // index in message.fields, for per-message element counts
	num      protowire.Number
	kind     kind
	repeated bool
	role     role
	msg      *message
}

type message struct {
	name   string
	fields []field
	byNum  []*field // indexed by field number: OTLP's are small

	byName map[string]*field
}

// normName folds lowerCamelCase and snake_case to one key: "timeUnixNano", "time_unix_nano" ->
// "timeunixnano".
func normName(s string) string {
	if strings.IndexByte(s, '_') < 0 && strings.ToLower(s) == s {
		return s
	}
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

func (m *message) index() *message {
	maxNum := protowire.Number(0)
	for _, f := range m.fields {
		maxNum = max(maxNum, f.num)
	}
	m.byNum = make([]*field, maxNum+1)
	m.byName = make(map[string]*field, len(m.fields))
	for i := range m.fields {
		f := &m.fields[i]
		f.pos = i
		m.byNum[f.num] = f
		m.byName[normName(f.name)] = f
	}
	return m
}

func (m *message) lookup(jsonName string) *field {
	if f, ok := m.byName[jsonName]; ok { // the common case: already lowerCamel without capitals
		return f
	}
	return m.byName[normName(jsonName)]
}

// The OTLP 1.x messages (opentelemetry-proto), as far as bounding a request needs them.
var (
	anyValue, keyValue, arrayValue, kvList     = &message{name: "AnyValue"}, &message{name: "KeyValue"}, &message{name: "ArrayValue"}, &message{name: "KeyValueList"}
	resource, scope                            = &message{name: "Resource"}, &message{name: "InstrumentationScope"}
	logsRequest, resourceLogs, scopeLogs, logR = &message{name: "ExportLogsServiceRequest"}, &message{name: "ResourceLogs"}, &message{name: "ScopeLogs"}, &message{name: "LogRecord"}
	tracesRequest, resourceSpans, scopeSpans   = &message{name: "ExportTraceServiceRequest"}, &message{name: "ResourceSpans"}, &message{name: "ScopeSpans"}
	span, spanEvent, spanLink, spanStatus      = &message{name: "Span"}, &message{name: "Event"}, &message{name: "Link"}, &message{name: "Status"}
	metricsRequest, resourceMetrics            = &message{name: "ExportMetricsServiceRequest"}, &message{name: "ResourceMetrics"}
	scopeMetrics, metricM, gauge, sum          = &message{name: "ScopeMetrics"}, &message{name: "Metric"}, &message{name: "Gauge"}, &message{name: "Sum"}
	histogram, expHistogram, summary           = &message{name: "Histogram"}, &message{name: "ExponentialHistogram"}, &message{name: "Summary"}
	numberDP, histogramDP, expHistogramDP      = &message{name: "NumberDataPoint"}, &message{name: "HistogramDataPoint"}, &message{name: "ExponentialHistogramDataPoint"}
	buckets, summaryDP, quantile, exemplar     = &message{name: "Buckets"}, &message{name: "SummaryDataPoint"}, &message{name: "ValueAtQuantile"}, &message{name: "Exemplar"}
)

func msgF(name string, num protowire.Number, m *message) field {
	return field{name: name, num: num, kind: kMessage, msg: m}
}

func repF(name string, num protowire.Number, m *message, r role) field {
	return field{name: name, num: num, kind: kMessage, repeated: true, msg: m, role: r}
}

func valF(name string, num protowire.Number, k kind) field {
	return field{name: name, num: num, kind: k}
}

func attrsF(name string, num protowire.Number) field { return repF(name, num, keyValue, roleAttrs) }

func init() {
	anyValue.fields = []field{
		valF("stringValue", 1, kString), valF("boolValue", 2, kBool), valF("intValue", 3, kInt64),
		valF("doubleValue", 4, kDouble), valF("bytesValue", 7, kBytes),
		{name: "arrayValue", num: 5, kind: kMessage, msg: arrayValue, role: roleNest},
		{name: "kvlistValue", num: 6, kind: kMessage, msg: kvList, role: roleNest},
	}
	keyValue.fields = []field{valF("key", 1, kKey), msgF("value", 2, anyValue)}
	arrayValue.fields = []field{repF("values", 1, anyValue, roleElems)}
	kvList.fields = []field{attrsF("values", 1)}
	resource.fields = []field{attrsF("attributes", 1), valF("droppedAttributesCount", 2, kUint32)}
	scope.fields = []field{valF("name", 1, kString), valF("version", 2, kString), attrsF("attributes", 3), valF("droppedAttributesCount", 4, kUint32)}

	logsRequest.fields = []field{repF("resourceLogs", 1, resourceLogs, roleRecord)}
	resourceLogs.fields = []field{msgF("resource", 1, resource), repF("scopeLogs", 2, scopeLogs, roleRecord), valF("schemaUrl", 3, kString)}
	scopeLogs.fields = []field{msgF("scope", 1, scope), repF("logRecords", 2, logR, roleRecord), valF("schemaUrl", 3, kString)}
	logR.fields = []field{
		valF("timeUnixNano", 1, kTime), valF("severityNumber", 2, kEnum), valF("severityText", 3, kString),
		msgF("body", 5, anyValue), attrsF("attributes", 6), valF("droppedAttributesCount", 7, kUint32),
		valF("flags", 8, kUint32), valF("traceId", 9, kBytes), valF("spanId", 10, kBytes),
		valF("observedTimeUnixNano", 11, kTime), valF("eventName", 12, kString),
	}

	tracesRequest.fields = []field{repF("resourceSpans", 1, resourceSpans, roleRecord)}
	resourceSpans.fields = []field{msgF("resource", 1, resource), repF("scopeSpans", 2, scopeSpans, roleRecord), valF("schemaUrl", 3, kString)}
	scopeSpans.fields = []field{msgF("scope", 1, scope), repF("spans", 2, span, roleRecord), valF("schemaUrl", 3, kString)}
	span.fields = []field{
		valF("traceId", 1, kBytes), valF("spanId", 2, kBytes), valF("traceState", 3, kString), valF("parentSpanId", 4, kBytes),
		valF("name", 5, kString), valF("kind", 6, kEnum), valF("startTimeUnixNano", 7, kTime), valF("endTimeUnixNano", 8, kTime),
		attrsF("attributes", 9), valF("droppedAttributesCount", 10, kUint32), repF("events", 11, spanEvent, roleRecord),
		valF("droppedEventsCount", 12, kUint32), repF("links", 13, spanLink, roleRecord), valF("droppedLinksCount", 14, kUint32),
		msgF("status", 15, spanStatus), valF("flags", 16, kUint32),
	}
	spanEvent.fields = []field{valF("timeUnixNano", 1, kTime), valF("name", 2, kString), attrsF("attributes", 3), valF("droppedAttributesCount", 4, kUint32)}
	spanLink.fields = []field{
		valF("traceId", 1, kBytes), valF("spanId", 2, kBytes), valF("traceState", 3, kString), attrsF("attributes", 4),
		valF("droppedAttributesCount", 5, kUint32), valF("flags", 6, kUint32),
	}
	spanStatus.fields = []field{valF("message", 2, kString), valF("code", 3, kEnum)}

	metricsRequest.fields = []field{repF("resourceMetrics", 1, resourceMetrics, roleRecord)}
	resourceMetrics.fields = []field{msgF("resource", 1, resource), repF("scopeMetrics", 2, scopeMetrics, roleRecord), valF("schemaUrl", 3, kString)}
	scopeMetrics.fields = []field{msgF("scope", 1, scope), repF("metrics", 2, metricM, roleRecord), valF("schemaUrl", 3, kString)}
	metricM.fields = []field{
		valF("name", 1, kString), valF("description", 2, kString), valF("unit", 3, kString),
		msgF("gauge", 5, gauge), msgF("sum", 7, sum), msgF("histogram", 9, histogram),
		msgF("exponentialHistogram", 10, expHistogram), msgF("summary", 11, summary), attrsF("metadata", 12),
	}
	gauge.fields = []field{repF("dataPoints", 1, numberDP, roleRecord)}
	sum.fields = []field{repF("dataPoints", 1, numberDP, roleRecord), valF("aggregationTemporality", 2, kEnum), valF("isMonotonic", 3, kBool)}
	histogram.fields = []field{repF("dataPoints", 1, histogramDP, roleRecord), valF("aggregationTemporality", 2, kEnum)}
	expHistogram.fields = []field{repF("dataPoints", 1, expHistogramDP, roleRecord), valF("aggregationTemporality", 2, kEnum)}
	summary.fields = []field{repF("dataPoints", 1, summaryDP, roleRecord)}
	numberDP.fields = []field{
		attrsF("attributes", 7), valF("startTimeUnixNano", 2, kTime), valF("timeUnixNano", 3, kTime),
		valF("asDouble", 4, kDouble), valF("asInt", 6, kInt64), repF("exemplars", 5, exemplar, roleRecord), valF("flags", 8, kUint32),
	}
	histogramDP.fields = []field{
		attrsF("attributes", 9), valF("startTimeUnixNano", 2, kTime), valF("timeUnixNano", 3, kTime),
		valF("count", 4, kUint64), valF("sum", 5, kDouble), {name: "bucketCounts", num: 6, kind: kUint64, repeated: true},
		{name: "explicitBounds", num: 7, kind: kDouble, repeated: true}, repF("exemplars", 8, exemplar, roleRecord),
		valF("flags", 10, kUint32), valF("min", 11, kDouble), valF("max", 12, kDouble),
	}
	expHistogramDP.fields = []field{
		attrsF("attributes", 1), valF("startTimeUnixNano", 2, kTime), valF("timeUnixNano", 3, kTime),
		valF("count", 4, kUint64), valF("sum", 5, kDouble), valF("scale", 6, kInt32), valF("zeroCount", 7, kUint64),
		msgF("positive", 8, buckets), msgF("negative", 9, buckets), valF("flags", 10, kUint32),
		repF("exemplars", 11, exemplar, roleRecord), valF("min", 12, kDouble), valF("max", 13, kDouble), valF("zeroThreshold", 14, kDouble),
	}
	buckets.fields = []field{valF("offset", 1, kInt32), {name: "bucketCounts", num: 2, kind: kUint64, repeated: true}}
	summaryDP.fields = []field{
		attrsF("attributes", 7), valF("startTimeUnixNano", 2, kTime), valF("timeUnixNano", 3, kTime),
		valF("count", 4, kUint64), valF("sum", 5, kDouble), repF("quantileValues", 6, quantile, roleElems), valF("flags", 8, kUint32),
	}
	quantile.fields = []field{valF("quantile", 1, kDouble), valF("value", 2, kDouble)}
	exemplar.fields = []field{
		attrsF("filteredAttributes", 7), valF("timeUnixNano", 2, kTime), valF("asDouble", 3, kDouble),
		valF("asInt", 6, kInt64), valF("spanId", 4, kBytes), valF("traceId", 5, kBytes),
	}
	for _, m := range []*message{
		anyValue, keyValue, arrayValue, kvList, resource, scope,
		logsRequest, resourceLogs, scopeLogs, logR,
		tracesRequest, resourceSpans, scopeSpans, span, spanEvent, spanLink, spanStatus,
		metricsRequest, resourceMetrics, scopeMetrics, metricM, gauge, sum, histogram, expHistogram, summary,
		numberDP, histogramDP, expHistogramDP, buckets, summaryDP, quantile, exemplar,
	} {
		m.index()
	}
}
