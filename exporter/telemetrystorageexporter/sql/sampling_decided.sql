{{- /* How many of one run's decisions (decided_at is the run's own time, unique per sampler instance)
       each rule took: the decisions table's sort key (sampler, decided_at) makes it a read of the
       rows sampling_decide.sql just wrote. */ -}}
SELECT reason, count()
FROM {{.Decisions}}
WHERE sampler = {sampler:String} AND decided_at = fromUnixTimestamp64Milli({now:Int64})
GROUP BY reason
