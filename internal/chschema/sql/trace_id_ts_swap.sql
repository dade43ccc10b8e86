{{- /* The rebuilt table takes the lookup table's name; the materialized view and the tenant reader
       views name their table, so they write and read the new one from here on. Two renames, not
       EXCHANGE: a second collector migrating at the same moment fails (the old name is taken)
       instead of swapping the tables back, and a span insert between the two renames fails and is
       retried by the exporter's queue. */ -}}
RENAME TABLE {{.Table}} TO {{.Old}}, {{.Next}} TO {{.Table}}{{.OnCluster}}
