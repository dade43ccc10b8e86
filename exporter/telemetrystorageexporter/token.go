package telemetrystorageexporter

import (
	"encoding/hex"

	"github.com/zeebo/xxh3"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The insert_deduplication_token of a batch is the hash of the batch as the queue handed it over
// (its OTLP encoding), taken before anything in the exporter changes it: every attempt of the
// batch (exporterhelper's retries after a timeout or a cut connection) sends the same token even
// though rows without a timestamp are stamped with the time of each attempt, and ClickHouse drops
// the attempts after the one that committed (tables keep non_replicated_deduplication_window).
// Two batches with equal content are the same records sent twice, so one copy is right for them too.

func contentToken(b []byte, err error) string {
	if err != nil || len(b) == 0 {
		return ""
	}
	// 128 bits: two different batches within a table's window of 1000 inserts share a token with
	// a probability of about 1000/2^128. xxh3 hashes at memory speed; a cryptographic hash
	// would double the cost of the token (BenchmarkBatchToken).
	sum := xxh3.Hash128(b).Bytes()
	return hex.EncodeToString(sum[:])
}

func logsToken(ld plog.Logs) string {
	m := plog.ProtoMarshaler{}
	return contentToken(m.MarshalLogs(ld))
}

func tracesToken(td ptrace.Traces) string {
	m := ptrace.ProtoMarshaler{}
	return contentToken(m.MarshalTraces(td))
}

func metricsToken(md pmetric.Metrics) string {
	m := pmetric.ProtoMarshaler{}
	return contentToken(m.MarshalMetrics(md))
}
