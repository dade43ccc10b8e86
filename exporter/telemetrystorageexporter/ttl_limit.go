package telemetrystorageexporter

import (
	"math"
	"time"
)

// maxDateTimeSec is the last second DateTime (UInt32) holds:
// 2106-02-07T06:28:15Z.
const maxDateTimeSec = math.MaxUint32

// rowLimit is the latest row timestamp, in whole seconds, whose TTL
// expression `toDateTime(timestamp) + interval` ClickHouse evaluates without
// wrapping. Both toDateTime and the DateTime addition wrap modulo 2^32
// seconds, so a later row gets an expiry in 1970 (deleted at the next merge
// after being acknowledged) or a wrong one. The DDL is a released migration
// and cannot change, so the exporter refuses such rows instead.
type rowLimit int64

// noTTL admits every timestamp DateTime64(9) holds: without a TTL nothing
// is computed in DateTime.
const noTTL rowLimit = math.MaxInt64

// ttlRowLimit is the limit for a table whose TTL adds retention. The
// interval is rounded up to whole seconds as the DDL renders it.
func ttlRowLimit(retention time.Duration) rowLimit {
	if retention <= 0 {
		return noTTL
	}
	sec := int64((retention + time.Second - 1) / time.Second)
	// Negative when even 1970 plus the retention overflows: nothing fits.
	return rowLimit(maxDateTimeSec - sec)
}

// fits reports whether a row timestamp in ns (already known to be at most
// math.MaxInt64) gets a correct expiry. toDateTime truncates to seconds.
func (l rowLimit) fits(ns uint64) bool { return int64(ns/uint64(time.Second)) <= int64(l) }
