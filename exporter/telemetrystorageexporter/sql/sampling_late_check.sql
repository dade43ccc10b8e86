{{- /* Whether the late copy (sampling_move.sql with Late) has anything to do: a trace with spans staged
       in its window after (less the overlap) its decision to keep it, decided before this run.
       Late spans are rare; the copy reads every column of the window and looks the candidates up
       in telemetry_spans, so a run skips it when this finds none. It runs every run, so it is
       driven by the window's traces (a few seconds of staged rows, grouped on the small columns)
       and streams the decisions of the late_spans range past them, rather than aggregating those
       minutes of decisions into a join table every second. A superset of what the copy stores
       (every decision row counts, spans it already copied in the overlap too): it never skips a
       late span. */ -}}
SELECT count()
FROM {{.Decisions}} AS d
INNER JOIN
(
    SELECT tenant_id, trace_id, max(received_at) AS last
    FROM {{.Staging}}
    WHERE sampler = {sampler:String}
      AND received_at > fromUnixTimestamp64Milli({from:Int64}) AND received_at <= fromUnixTimestamp64Milli({now:Int64})
    GROUP BY tenant_id, trace_id
) AS s ON d.tenant_id = s.tenant_id AND d.trace_id = s.trace_id
WHERE d.sampler = {sampler:String} AND d.sampled = 1
  AND d.decided_at > fromUnixTimestamp64Milli({decided_after:Int64}) AND d.decided_at <= fromUnixTimestamp64Milli({decided_until:Int64})
  AND s.last > d.decided_at - toIntervalMillisecond({overlap_ms:Int64})
