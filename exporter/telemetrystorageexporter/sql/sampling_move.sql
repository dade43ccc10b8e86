{{- /* Copies the staged spans of kept traces into telemetry_spans, each span once: the traces decided
       in (decided_after, decided_until], with their spans staged in (from, now] (late: only spans staged
       after their trace's decision, less the overlap). With anti_join (late spans, and the first run after a start or a
       failed run, which may repeat a copy that was cut short), spans already in telemetry_spans are
       skipped, looked up by the candidates' trace ids (bloom filter) within their time range;
       duplicates in staging (an at-least-once retry of the queue or of an agent) are copied once
       (LIMIT 1 BY). The stored rate is the stricter of the decision's and the span's own (an SDK's
       head sampling), and the tracestate gets the decision's OTel threshold when it is stricter
       (th:0 for error and slow traces). */ -}}
{{- define "decided"}}
    SELECT tenant_id, trace_id, any(sample_rate) AS decision_rate, max(decided_at) AS decided
    FROM {{.Decisions}}
    WHERE sampler = {sampler:String} AND sampled = 1
      AND decided_at > fromUnixTimestamp64Milli({decided_after:Int64}) AND decided_at <= fromUnixTimestamp64Milli({decided_until:Int64})
    GROUP BY tenant_id, trace_id
{{- end}}
{{- define "window"}}s.sampler = {sampler:String}
  AND s.received_at > fromUnixTimestamp64Milli({from:Int64}) AND s.received_at <= fromUnixTimestamp64Milli({now:Int64})
  {{- if .Late}}
  AND s.received_at > d.decided - toIntervalMillisecond({overlap_ms:Int64})
  {{- end}}
{{- end}}
INSERT INTO {{.Spans}} ({{.Columns}})
SELECT {{.Select}}
FROM {{.Staging}} AS s
INNER JOIN ({{template "decided" .}}
) AS d ON s.tenant_id = d.tenant_id AND s.trace_id = d.trace_id
WHERE {{template "window" .}}
{{- if .AntiJoin}}
  AND (s.tenant_id, s.trace_id, s.span_id) NOT IN (
        SELECT tenant_id, trace_id, span_id FROM {{.Spans}}
        WHERE trace_id IN (
            SELECT s.trace_id FROM {{.Staging}} AS s
            INNER JOIN ({{template "decided" .}}
            ) AS d ON s.tenant_id = d.tenant_id AND s.trace_id = d.trace_id
            WHERE {{template "window" .}}))
{{- end}}
LIMIT 1 BY s.tenant_id, s.trace_id, s.span_id
