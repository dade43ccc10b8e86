package telemetrystorageexporter

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Enum8 values of telemetry_metrics.metric_type.
const (
	typeGauge        int8 = 1
	typeSum          int8 = 2
	typeHistogram    int8 = 3
	typeExpHistogram int8 = 4
	typeSummary      int8 = 5
)

// metricBlock holds rows of telemetry_metrics: one row per data point, all
// metric types in one table. Columns that do not apply to a type keep their
// zero value.
type metricBlock struct {
	tenantID, metricName, description, unit, serviceName, userID []string
	scopeName, scopeVersion                                      []string
	timestamp, startTimestamp                                    []time.Time
	metricType, temporality                                      []int8
	monotonic                                                    []bool
	attributes, resourceAttributes                               []*kvMap
	flags                                                        []uint32
	value                                                        []float64
	count                                                        []uint64
	min, max                                                     []*float64

	bucketCounts, expPosCounts, expNegCounts []([]uint64)
	explicitBounds, qQuantile, qValue        []([]float64)
	expScale, expPosOffset, expNegOffset     []int32
	expZeroCount                             []uint64
	expZeroThreshold                         []float64

	exTime          [][]time.Time
	exValue         [][]float64
	exTrace, exSpan [][]string
	exAttrs         [][]*kvMap

	flatU64   []uint64
	flatF64   []float64
	flatTime  []time.Time
	flatStr   []string
	flatAttrs []*kvMap
	arena     kvArena
}

func (b *metricBlock) rows() int { return len(b.tenantID) }

func (b *metricBlock) columns() map[string]any {
	return map[string]any{
		"tenant_id":                     b.tenantID,
		"timestamp":                     b.timestamp,
		"start_timestamp":               b.startTimestamp,
		"metric_name":                   b.metricName,
		"metric_description":            b.description,
		"metric_unit":                   b.unit,
		"metric_type":                   b.metricType,
		"temporality":                   b.temporality,
		"is_monotonic":                  b.monotonic,
		"service_name":                  b.serviceName,
		"user_id":                       b.userID,
		"attributes":                    b.attributes,
		"resource_attributes":           b.resourceAttributes,
		"scope_name":                    b.scopeName,
		"scope_version":                 b.scopeVersion,
		"flags":                         b.flags,
		"value":                         b.value,
		"count":                         b.count,
		"min":                           b.min,
		"max":                           b.max,
		"bucket_counts":                 b.bucketCounts,
		"explicit_bounds":               b.explicitBounds,
		"exp_scale":                     b.expScale,
		"exp_zero_count":                b.expZeroCount,
		"exp_zero_threshold":            b.expZeroThreshold,
		"exp_positive_offset":           b.expPosOffset,
		"exp_positive_bucket_counts":    b.expPosCounts,
		"exp_negative_offset":           b.expNegOffset,
		"exp_negative_bucket_counts":    b.expNegCounts,
		"quantiles.quantile":            b.qQuantile,
		"quantiles.value":               b.qValue,
		"exemplars.timestamp":           b.exTime,
		"exemplars.value":               b.exValue,
		"exemplars.trace_id":            b.exTrace,
		"exemplars.span_id":             b.exSpan,
		"exemplars.filtered_attributes": b.exAttrs,
	}
}

func (b *metricBlock) reset() {
	clearSlices(&b.tenantID, &b.metricName, &b.description, &b.unit, &b.serviceName, &b.userID,
		&b.scopeName, &b.scopeVersion, &b.flatStr)
	clearSlices(&b.timestamp, &b.startTimestamp, &b.flatTime)
	clearSlices(&b.metricType, &b.temporality)
	clearSlices(&b.monotonic)
	clearSlices(&b.attributes, &b.resourceAttributes, &b.flatAttrs)
	clearSlices(&b.flags)
	clearSlices(&b.value, &b.expZeroThreshold, &b.flatF64)
	clearSlices(&b.count, &b.expZeroCount, &b.flatU64)
	clearSlices(&b.min, &b.max)
	clearSlices(&b.bucketCounts, &b.expPosCounts, &b.expNegCounts)
	clearSlices(&b.explicitBounds, &b.qQuantile, &b.qValue, &b.exValue)
	clearSlices(&b.expScale, &b.expPosOffset, &b.expNegOffset)
	clearSlices(&b.exTime)
	clearSlices(&b.exTrace, &b.exSpan)
	clearSlices(&b.exAttrs)
	b.arena.reset()
}

// metricCtx is what every data point of one metric shares.
type metricCtx struct {
	tenant, service  string
	res              pcommon.Map
	resMap           *kvMap
	scope            pcommon.InstrumentationScope
	name, desc, unit string
	typ, temporality int8
	monotonic        bool
	now              time.Time // time of points without one
	lim              rowLimit  // latest point time the TTL handles
}

// dataPoint is the part of a data point common to every metric type.
type dataPoint interface {
	Attributes() pcommon.Map
	Timestamp() pcommon.Timestamp
	StartTimestamp() pcommon.Timestamp
	Flags() pmetric.DataPointFlags
}

// appendMetrics converts md into data point rows. now stamps points without
// a time (a zero time would be stored as 1970 and deleted by the TTL);
// points later than lim are refused because their TTL would wrap.
func appendMetrics(md pmetric.Metrics, b *metricBlock, now time.Time, lim rowLimit) (d drops) {
	for _, rm := range md.ResourceMetrics().All() {
		res := rm.Resource().Attributes()
		mc := metricCtx{tenant: tenantOf(res), service: serviceOf(res), res: res, resMap: b.arena.add(res), now: now, lim: lim}
		for _, sm := range rm.ScopeMetrics().All() {
			mc.scope = sm.Scope()
			for _, m := range sm.Metrics().All() {
				mc.name, mc.desc, mc.unit = m.Name(), m.Description(), m.Unit()
				mc.temporality, mc.monotonic = 0, false
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					mc.typ = typeGauge
					for _, dp := range m.Gauge().DataPoints().All() {
						if b.common(&mc, dp, &d) {
							b.number(dp)
						}
					}
				case pmetric.MetricTypeSum:
					mc.typ = typeSum
					mc.temporality = temporality(m.Sum().AggregationTemporality())
					mc.monotonic = m.Sum().IsMonotonic()
					for _, dp := range m.Sum().DataPoints().All() {
						if b.common(&mc, dp, &d) {
							b.number(dp)
						}
					}
				case pmetric.MetricTypeHistogram:
					mc.typ = typeHistogram
					mc.temporality = temporality(m.Histogram().AggregationTemporality())
					for _, dp := range m.Histogram().DataPoints().All() {
						if b.common(&mc, dp, &d) {
							b.histogram(dp)
						}
					}
				case pmetric.MetricTypeExponentialHistogram:
					mc.typ = typeExpHistogram
					mc.temporality = temporality(m.ExponentialHistogram().AggregationTemporality())
					for _, dp := range m.ExponentialHistogram().DataPoints().All() {
						if b.common(&mc, dp, &d) {
							b.expHistogram(dp)
						}
					}
				case pmetric.MetricTypeSummary:
					mc.typ = typeSummary
					for _, dp := range m.Summary().DataPoints().All() {
						if b.common(&mc, dp, &d) {
							b.summary(dp)
						}
					}
				default:
					d[dropEmptyMetric]++
				}
			}
		}
	}
	return d
}

func temporality(t pmetric.AggregationTemporality) int8 {
	if t < pmetric.AggregationTemporalityUnspecified || t > pmetric.AggregationTemporalityCumulative {
		return 0
	}
	return int8(t)
}

// common appends the columns every type fills and the exemplars; it
// returns false (and counts a drop) when the point cannot be stored.
func (b *metricBlock) common(mc *metricCtx, dp dataPoint, d *drops) bool {
	ts, start := uint64(dp.Timestamp()), uint64(dp.StartTimestamp())
	if !validTimestamp(ts) || !validTimestamp(start) {
		d[dropTimestampOutOfRange]++
		return false
	}
	tsTime := nsTime(ts)
	if ts == 0 {
		tsTime = mc.now
	}
	if !mc.lim.fits(uint64(tsTime.UnixNano())) {
		d[dropTTLOutOfRange]++
		return false
	}
	attrs := dp.Attributes()
	b.tenantID = append(b.tenantID, mc.tenant)
	b.timestamp = append(b.timestamp, tsTime)
	b.startTimestamp = append(b.startTimestamp, nsTime(start))
	b.metricName = append(b.metricName, mc.name)
	b.description = append(b.description, mc.desc)
	b.unit = append(b.unit, mc.unit)
	b.metricType = append(b.metricType, mc.typ)
	b.temporality = append(b.temporality, mc.temporality)
	b.monotonic = append(b.monotonic, mc.monotonic)
	b.serviceName = append(b.serviceName, mc.service)
	b.userID = append(b.userID, userOf(attrs, mc.res))
	b.attributes = append(b.attributes, b.arena.add(attrs))
	b.resourceAttributes = append(b.resourceAttributes, mc.resMap)
	b.scopeName = append(b.scopeName, mc.scope.Name())
	b.scopeVersion = append(b.scopeVersion, mc.scope.Version())
	b.flags = append(b.flags, uint32(dp.Flags()))
	return true
}

// number fills the type-specific columns of a gauge or sum point and the
// defaults of every other type's columns.
func (b *metricBlock) number(dp pmetric.NumberDataPoint) {
	v := dp.DoubleValue()
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		v = float64(dp.IntValue())
	}
	b.exemplars(dp.Exemplars())
	b.value = append(b.value, v)
	b.count = append(b.count, 0)
	b.min = append(b.min, nil)
	b.max = append(b.max, nil)
	b.noBuckets()
	b.noExp()
	b.noQuantiles()
}

func (b *metricBlock) histogram(dp pmetric.HistogramDataPoint) {
	b.exemplars(dp.Exemplars())
	b.value = append(b.value, dp.Sum())
	b.count = append(b.count, dp.Count())
	b.minMax(dp.HasMin(), dp.Min(), dp.HasMax(), dp.Max())
	b.bucketCounts = append(b.bucketCounts, appendU64(&b.flatU64, dp.BucketCounts()))
	b.explicitBounds = append(b.explicitBounds, appendF64(&b.flatF64, dp.ExplicitBounds()))
	b.noExp()
	b.noQuantiles()
}

func (b *metricBlock) expHistogram(dp pmetric.ExponentialHistogramDataPoint) {
	b.exemplars(dp.Exemplars())
	b.value = append(b.value, dp.Sum())
	b.count = append(b.count, dp.Count())
	b.minMax(dp.HasMin(), dp.Min(), dp.HasMax(), dp.Max())
	b.noBuckets()
	b.expScale = append(b.expScale, dp.Scale())
	b.expZeroCount = append(b.expZeroCount, dp.ZeroCount())
	b.expZeroThreshold = append(b.expZeroThreshold, dp.ZeroThreshold())
	b.expPosOffset = append(b.expPosOffset, dp.Positive().Offset())
	b.expPosCounts = append(b.expPosCounts, appendU64(&b.flatU64, dp.Positive().BucketCounts()))
	b.expNegOffset = append(b.expNegOffset, dp.Negative().Offset())
	b.expNegCounts = append(b.expNegCounts, appendU64(&b.flatU64, dp.Negative().BucketCounts()))
	b.noQuantiles()
}

func (b *metricBlock) summary(dp pmetric.SummaryDataPoint) {
	b.noExemplars() // summaries carry no exemplars
	b.value = append(b.value, dp.Sum())
	b.count = append(b.count, dp.Count())
	b.min = append(b.min, nil)
	b.max = append(b.max, nil)
	b.noBuckets()
	b.noExp()
	qs := dp.QuantileValues()
	q0 := len(b.flatF64)
	for _, q := range qs.All() {
		b.flatF64 = append(b.flatF64, q.Quantile())
	}
	q1 := len(b.flatF64)
	for _, q := range qs.All() {
		b.flatF64 = append(b.flatF64, q.Value())
	}
	q2 := len(b.flatF64)
	b.qQuantile = append(b.qQuantile, b.flatF64[q0:q1:q1])
	b.qValue = append(b.qValue, b.flatF64[q1:q2:q2])
}

// minMax stores absent min/max as NULL; present ones point into flatF64's
// current backing array, which later growth copies but never mutates.
func (b *metricBlock) minMax(hasMin bool, minV float64, hasMax bool, maxV float64) {
	var pMin, pMax *float64
	if hasMin {
		pMin = &window(&b.flatF64, minV)[0]
	}
	if hasMax {
		pMax = &window(&b.flatF64, maxV)[0]
	}
	b.min = append(b.min, pMin)
	b.max = append(b.max, pMax)
}

func (b *metricBlock) noBuckets() {
	b.bucketCounts = append(b.bucketCounts, nil)
	b.explicitBounds = append(b.explicitBounds, nil)
}

func (b *metricBlock) noExp() {
	b.expScale = append(b.expScale, 0)
	b.expZeroCount = append(b.expZeroCount, 0)
	b.expZeroThreshold = append(b.expZeroThreshold, 0)
	b.expPosOffset = append(b.expPosOffset, 0)
	b.expPosCounts = append(b.expPosCounts, nil)
	b.expNegOffset = append(b.expNegOffset, 0)
	b.expNegCounts = append(b.expNegCounts, nil)
}

func (b *metricBlock) noQuantiles() {
	b.qQuantile = append(b.qQuantile, nil)
	b.qValue = append(b.qValue, nil)
}

func (b *metricBlock) noExemplars() {
	b.exTime = append(b.exTime, nil)
	b.exValue = append(b.exValue, nil)
	b.exTrace = append(b.exTrace, nil)
	b.exSpan = append(b.exSpan, nil)
	b.exAttrs = append(b.exAttrs, nil)
}

func (b *metricBlock) exemplars(ex pmetric.ExemplarSlice) {
	if ex.Len() == 0 {
		b.noExemplars()
		return
	}
	t0, f0, s0, a0 := len(b.flatTime), len(b.flatF64), len(b.flatStr), len(b.flatAttrs)
	for _, e := range ex.All() {
		ts := uint64(e.Timestamp())
		if !validTimestamp(ts) {
			ts = 0
		}
		b.flatTime = append(b.flatTime, nsTime(ts))
		v := e.DoubleValue()
		if e.ValueType() == pmetric.ExemplarValueTypeInt {
			v = float64(e.IntValue())
		}
		b.flatF64 = append(b.flatF64, v)
		b.flatStr = append(b.flatStr, traceIDHex(e.TraceID()))
		b.flatAttrs = append(b.flatAttrs, b.arena.add(e.FilteredAttributes()))
	}
	s1 := len(b.flatStr)
	for _, e := range ex.All() {
		b.flatStr = append(b.flatStr, spanIDHex(e.SpanID()))
	}
	s2 := len(b.flatStr)
	t1, f1, a1 := len(b.flatTime), len(b.flatF64), len(b.flatAttrs)
	b.exTime = append(b.exTime, b.flatTime[t0:t1:t1])
	b.exValue = append(b.exValue, b.flatF64[f0:f1:f1])
	b.exTrace = append(b.exTrace, b.flatStr[s0:s1:s1])
	b.exSpan = append(b.exSpan, b.flatStr[s1:s2:s2])
	b.exAttrs = append(b.exAttrs, b.flatAttrs[a0:a1:a1])
}

// appendU64 copies s into the flat backing slice without the temporary
// slice AsRaw would allocate.
func appendU64(flat *[]uint64, s pcommon.UInt64Slice) []uint64 {
	if s.Len() == 0 {
		return nil
	}
	start := len(*flat)
	for _, v := range s.All() {
		*flat = append(*flat, v)
	}
	end := len(*flat)
	return (*flat)[start:end:end]
}

func appendF64(flat *[]float64, s pcommon.Float64Slice) []float64 {
	if s.Len() == 0 {
		return nil
	}
	start := len(*flat)
	for _, v := range s.All() {
		*flat = append(*flat, v)
	}
	end := len(*flat)
	return (*flat)[start:end:end]
}
