{{- /* The probability the row was kept with by sampling; 1 = not sampled (and every row written before
       this column existed). Weighted counts are sum(1 / sample_rate). */ -}}
ALTER TABLE {{.Table}}{{.OnCluster}} ADD COLUMN IF NOT EXISTS sample_rate Float64 DEFAULT 1
