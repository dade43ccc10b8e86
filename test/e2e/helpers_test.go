package e2e

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

func metricAttr(k, v string) metric.MeasurementOption {
	return metric.WithAttributes(attribute.String(k, v))
}

func sdkMetricUnit(u string) metric.Float64HistogramOption { return metric.WithUnit(u) }

func otelTraceAttrs(kv ...attribute.KeyValue) trace.EventOption { return trace.WithAttributes(kv...) }
