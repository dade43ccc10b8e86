{{- /* Whether the late copy (sampling_move.sql with Late) has anything to do: the staged spans of its
       window whose trace was decided (and kept) before this run, counted on the small columns only.
       Late spans are rare; the copy reads every column of the window and looks the candidates up
       in telemetry_spans, so a run skips it when this finds none. A superset of what the copy
       stores (spans it already copied in the overlap count too): it never skips a late span. */ -}}
SELECT count()
FROM {{.Staging}} AS s
INNER JOIN ({{template "decided" .}}
) AS d ON s.tenant_id = d.tenant_id AND s.trace_id = d.trace_id
WHERE {{template "window" .}}
