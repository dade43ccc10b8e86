{{- /* Records a decision for every trace of one sampler instance whose first span was staged at least
       decision_wait ago (received_at <= cutoff) and that has none yet, with the rule that decides it,
       in one INSERT ... SELECT: the decisions never travel through the collector. Randomness: an
       explicit OTel `rv` in the tracestate, else the trace id's last 56 bits (W3C random trace ids),
       compared with the rate's threshold as the OTel spec's consistent sampling does. Slow: first
       start to last end, in whole milliseconds, above the threshold (as the contrib latency policy).
       The stored sample_rate: 1 for a rule, the rate for a trace kept by chance, 0 for a dropped one.
       A trace already decided (in an earlier run's overlap, or one whose late spans alone are in the
       window) is looked up among the late_spans range of decisions by the window's traces: the
       decisions stream past a set of a few seconds of traces rather than minutes of decisions
       becoming a set every run. */ -}}
INSERT INTO {{.Decisions}} (sampler, tenant_id, trace_id, decided_at, sampled, sample_rate, reason)
SELECT {sampler:String}, tenant_id, trace_id, fromUnixTimestamp64Milli({now:Int64}),
    reason != 'dropped', multiIf(reason = 'rate', {rate:Float64}, reason = 'dropped', 0, 1), reason
FROM
(
SELECT tenant_id, trace_id,
    multiIf(
        {keep_errors:UInt8} = 1 AND max(status_code = 'error'), 'error',
        {slow_ms:UInt64} > 0 AND intDiv(max(toUnixTimestamp64Nano(timestamp) + toInt64(duration_ns)) - min(toUnixTimestamp64Nano(timestamp)), 1000000) > {slow_ms:UInt64}, 'slow',
        min(randomness) >= {threshold:UInt64}, 'rate',
        'dropped') AS reason
FROM
(
    SELECT tenant_id, trace_id, status_code, timestamp, duration_ns, received_at,
        if(match(trace_state, '(^|,)\\s*ot=([^,]*;)?rv:[0-9a-f]{14}'),
            reinterpretAsUInt64(reverse(unhex(extract(trace_state, 'rv:([0-9a-f]{14})')))),
            reinterpretAsUInt64(reverse(unhex(substring(trace_id, 19, 14))))) AS randomness
    FROM {{.Staging}}
    WHERE sampler = {sampler:String}
      AND received_at > fromUnixTimestamp64Milli({from:Int64}) AND received_at <= fromUnixTimestamp64Milli({now:Int64})
)
GROUP BY tenant_id, trace_id
HAVING min(received_at) <= fromUnixTimestamp64Milli({cutoff:Int64})
   AND (tenant_id, trace_id) NOT IN (
        SELECT tenant_id, trace_id FROM {{.Decisions}}
        WHERE sampler = {sampler:String} AND decided_at > fromUnixTimestamp64Milli({late:Int64})
          AND (tenant_id, trace_id) IN (
            SELECT tenant_id, trace_id FROM {{.Staging}}
            WHERE sampler = {sampler:String}
              AND received_at > fromUnixTimestamp64Milli({from:Int64}) AND received_at <= fromUnixTimestamp64Milli({now:Int64})))
)
