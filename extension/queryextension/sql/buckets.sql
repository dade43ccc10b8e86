{{- /*
  The bucket starts of a range, as the aggregate queries align them (toStartOfInterval in @tz),
  from one probe per @step milliseconds: used to fill empty buckets and to know each bucket's end.
  The range is probed up to @probe_end (one interval past the end) so the last bucket's end is known.
*/ -}}
SELECT DISTINCT toInt64(toUnixTimestamp(toDateTime(toStartOfInterval(fromUnixTimestamp64Milli(toInt64(@start) + toInt64(number) * @step, 'UTC'), INTERVAL @n {{.Unit}}, @tz), @tz))) * 1000 AS b
FROM numbers(toUInt64(intDiv(@probe_end - @start, @step) + 1))
ORDER BY b
