package telemetryapiextension

import (
	"encoding/hex"
	"encoding/json"

	"github.com/zeebo/xxh3"
)

// auditToken is the insert_deduplication_token of a batch of audit records: the hash of the
// records in their spooled form (time in UTC with nanoseconds, details with sorted keys), so a
// batch retried from memory or drained from its own spool segment, in this run or after a
// restart, carries the token of its first attempt, and ClickHouse (telemetry_audit keeps
// non_replicated_deduplication_window) drops it if that attempt committed before failing. Every
// record has its own request id, so two different batches never share a token.
func auditToken(recs []auditRecord) string {
	h := xxh3.New()
	enc := json.NewEncoder(h)
	for _, r := range recs {
		_ = enc.Encode(toSpooled(r)) // a hash.Hash never fails a write
	}
	sum := h.Sum128().Bytes()
	return hex.EncodeToString(sum[:])
}
