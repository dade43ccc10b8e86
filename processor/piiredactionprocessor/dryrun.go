package piiredactionprocessor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

// maxDryRunRecords bounds the work of one dry run.
const maxDryRunRecords = 1000

// DryRun implements privacypolicy.Engine: the sample goes through an engine of the YAML tightened
// by pol, with the debug summary on to learn the detectors, and is compared with what came in.
// Nothing is stored or counted.
func (p *piiProcessor) DryRun(ctx context.Context, pol privacypolicy.Policy, signal string, sample []byte) (privacypolicy.DryRunResult, error) {
	var res privacypolicy.DryRunResult
	cfg := withPolicy(p.cfg, pol)
	if err := cfg.Validate(); err != nil {
		return res, err
	}
	cfg.Summary = SummaryDebug
	dry := &piiProcessor{e: newEngine(cfg), cfg: cfg}
	dry.e.allowOnly = narrowAllowlist(p.cfg.AttributeAllowlist, pol.AttributeAllowlist)
	var (
		before, after map[string]string
		out           []byte
		detectors     map[string]bool
		err           error
	)
	switch signal {
	case "traces":
		td, uerr := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(sample)
		if uerr != nil {
			return res, fmt.Errorf("sample is not an OTLP JSON traces request: %w", uerr)
		}
		if td.SpanCount() > maxDryRunRecords {
			return res, fmt.Errorf("sample has %d spans; at most %d", td.SpanCount(), maxDryRunRecords)
		}
		before = flattenTraces(td)
		if td, err = dry.processTraces(ctx, td); err == nil {
			detectors = takeSummaries(td.ResourceSpans(), func(rs ptrace.ResourceSpans, f func(pcommon.Map)) {
				for j := 0; j < rs.ScopeSpans().Len(); j++ {
					spans := rs.ScopeSpans().At(j).Spans()
					for k := 0; k < spans.Len(); k++ {
						f(spans.At(k).Attributes())
					}
				}
			})
			after = flattenTraces(td)
			out, err = (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		}
	case "logs":
		ld, uerr := (&plog.JSONUnmarshaler{}).UnmarshalLogs(sample)
		if uerr != nil {
			return res, fmt.Errorf("sample is not an OTLP JSON logs request: %w", uerr)
		}
		if ld.LogRecordCount() > maxDryRunRecords {
			return res, fmt.Errorf("sample has %d log records; at most %d", ld.LogRecordCount(), maxDryRunRecords)
		}
		before = flattenLogs(ld)
		if ld, err = dry.processLogs(ctx, ld); err == nil {
			detectors = takeSummaries(ld.ResourceLogs(), func(rl plog.ResourceLogs, f func(pcommon.Map)) {
				for j := 0; j < rl.ScopeLogs().Len(); j++ {
					lrs := rl.ScopeLogs().At(j).LogRecords()
					for k := 0; k < lrs.Len(); k++ {
						f(lrs.At(k).Attributes())
					}
				}
			})
			after = flattenLogs(ld)
			out, err = (&plog.JSONMarshaler{}).MarshalLogs(ld)
		}
	case "metrics":
		md, uerr := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(sample)
		if uerr != nil {
			return res, fmt.Errorf("sample is not an OTLP JSON metrics request: %w", uerr)
		}
		if md.DataPointCount() > maxDryRunRecords {
			return res, fmt.Errorf("sample has %d data points; at most %d", md.DataPointCount(), maxDryRunRecords)
		}
		before = flattenMetrics(md)
		if md, err = dry.processMetrics(ctx, md); err == nil {
			detectors = map[string]bool{}
			for path, v := range flattenMetrics(md) {
				if strings.HasSuffix(path, ".pii_redaction.detectors") {
					for _, d := range strings.Split(v, ",") {
						detectors[d] = true
					}
				}
			}
			removeMetricSummaries(md)
			after = flattenMetrics(md)
			out, err = (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
		}
	default:
		return res, errors.New("signal must be traces, logs or metrics")
	}
	if err != nil {
		return res, err
	}
	res.Record = out
	res.Changes = diff(before, after)
	res.Detectors = []string{}
	for d := range detectors {
		if d != "" {
			res.Detectors = append(res.Detectors, d)
		}
	}
	sort.Strings(res.Detectors)
	return res, nil
}

// takeSummaries reads and removes the debug summary attributes of every record.
func takeSummaries[R interface{ Resource() pcommon.Resource }, S interface {
	Len() int
	At(int) R
}](rs S, each func(R, func(pcommon.Map))) map[string]bool {
	dets := map[string]bool{}
	for i := 0; i < rs.Len(); i++ {
		each(rs.At(i), func(m pcommon.Map) {
			if v, ok := m.Get("pii_redaction.detectors"); ok {
				for _, d := range strings.Split(v.Str(), ",") {
					dets[d] = true
				}
			}
			m.Remove("pii_redaction.detectors")
			m.Remove("pii_redaction.redacted.keys")
			m.Remove("pii_redaction.redacted.count")
		})
	}
	return dets
}

func removeMetricSummaries(md pmetric.Metrics) {
	rm := func(m pcommon.Map) {
		m.Remove("pii_redaction.detectors")
		m.Remove("pii_redaction.redacted.keys")
		m.Remove("pii_redaction.redacted.count")
	}
	eachMetricAttrs(md, func(_ string, m pcommon.Map) { rm(m) })
}

// redactedMarker is what the redact action leaves: [REDACTED:<detector>].
var redactedMarker = regexp.MustCompile(`\[REDACTED:([a-z_]+)\]`)

// diff lists what changed between two flattened samples, in path order.
func diff(before, after map[string]string) []privacypolicy.Change {
	out := []privacypolicy.Change{}
	for path, b := range before {
		a, ok := after[path]
		switch {
		case !ok:
			out = append(out, privacypolicy.Change{Field: path, Action: "removed", Detector: "pii_field", Before: b})
		case a != b:
			c := privacypolicy.Change{Field: path, Action: "changed", Before: b, After: a}
			switch {
			case strings.Contains(a, "[REDACTED:"):
				c.Action = "redacted"
				var dets []string
				for _, m := range redactedMarker.FindAllStringSubmatch(a, -1) {
					if !slices.Contains(dets, m[1]) {
						dets = append(dets, m[1])
					}
				}
				c.Detector = strings.Join(dets, ",")
			case strings.HasPrefix(a, "hmac:") || strings.Contains(a, "hmac:"):
				c.Action = "hashed"
			case net.ParseIP(a) != nil && net.ParseIP(b) != nil:
				c.Action, c.Detector = "anonymized", "ip"
			case len(detect.Geo{}.Find(b, nil)) > 0 && len(detect.Geo{}.Find(a, nil)) == 0 && len(a) < len(b):
				// Coordinates cut to fewer decimals.
				c.Action, c.Detector = "anonymized", "geo"
			default:
				c.Action = "masked"
			}
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func flattenMap(dst map[string]string, prefix string, m pcommon.Map) {
	for k, v := range m.All() {
		if v.Type() == pcommon.ValueTypeMap {
			flattenMap(dst, prefix+k+".", v.Map())
			continue
		}
		dst[prefix+k] = v.AsString()
	}
}

func flattenTraces(td ptrace.Traces) map[string]string {
	out := map[string]string{}
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		rp := fmt.Sprintf("resource_spans[%d].", i)
		flattenMap(out, rp+"resource.", rs.Resource().Attributes())
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				sp := spans.At(k)
				p := fmt.Sprintf("%sspans[%d].", rp, k)
				out[p+"name"] = sp.Name()
				if m := sp.Status().Message(); m != "" {
					out[p+"status.message"] = m
				}
				flattenMap(out, p+"attributes.", sp.Attributes())
				for e := 0; e < sp.Events().Len(); e++ {
					flattenMap(out, fmt.Sprintf("%sevents[%d].attributes.", p, e), sp.Events().At(e).Attributes())
				}
			}
		}
	}
	return out
}

func flattenLogs(ld plog.Logs) map[string]string {
	out := map[string]string{}
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		rp := fmt.Sprintf("resource_logs[%d].", i)
		flattenMap(out, rp+"resource.", rl.Resource().Attributes())
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			lrs := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				p := fmt.Sprintf("%slog_records[%d].", rp, k)
				if lr.Body().Type() == pcommon.ValueTypeMap {
					flattenMap(out, p+"body.", lr.Body().Map())
				} else if b := lr.Body().AsString(); b != "" {
					out[p+"body"] = b
				}
				flattenMap(out, p+"attributes.", lr.Attributes())
			}
		}
	}
	return out
}

func flattenMetrics(md pmetric.Metrics) map[string]string {
	out := map[string]string{}
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		flattenMap(out, fmt.Sprintf("resource_metrics[%d].resource.", i), md.ResourceMetrics().At(i).Resource().Attributes())
	}
	eachMetricAttrs(md, func(path string, m pcommon.Map) { flattenMap(out, path, m) })
	return out
}

func eachMetricAttrs(md pmetric.Metrics, f func(string, pcommon.Map)) {
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		sms := md.ResourceMetrics().At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				p := fmt.Sprintf("resource_metrics[%d].metrics[%d](%s).", i, k, m.Name())
				var n int
				var at func(int) pcommon.Map
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					n, at = m.Gauge().DataPoints().Len(), func(x int) pcommon.Map { return m.Gauge().DataPoints().At(x).Attributes() }
				case pmetric.MetricTypeSum:
					n, at = m.Sum().DataPoints().Len(), func(x int) pcommon.Map { return m.Sum().DataPoints().At(x).Attributes() }
				case pmetric.MetricTypeHistogram:
					n, at = m.Histogram().DataPoints().Len(), func(x int) pcommon.Map { return m.Histogram().DataPoints().At(x).Attributes() }
				case pmetric.MetricTypeExponentialHistogram:
					n, at = m.ExponentialHistogram().DataPoints().Len(), func(x int) pcommon.Map { return m.ExponentialHistogram().DataPoints().At(x).Attributes() }
				case pmetric.MetricTypeSummary:
					n, at = m.Summary().DataPoints().Len(), func(x int) pcommon.Map { return m.Summary().DataPoints().At(x).Attributes() }
				}
				for x := 0; x < n; x++ {
					f(fmt.Sprintf("%sdata_points[%d].attributes.", p, x), at(x))
				}
			}
		}
	}
}
