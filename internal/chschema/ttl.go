package chschema

import (
	"fmt"
	"time"
)

// intervalExpr renders d in the unit ClickHouse keeps when it formats a TTL
// back in SHOW CREATE TABLE / system.tables.engine_full. Using the canonical
// form lets reconcileTTL compare the live TTL with the wanted one textually.
func intervalExpr(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("toIntervalDay(%d)", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("toIntervalHour(%d)", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("toIntervalMinute(%d)", d/time.Minute)
	default:
		return fmt.Sprintf("toIntervalSecond(%d)", (d+time.Second-1)/time.Second)
	}
}

// ttlClause is the TTL clause for a table whose row time is column; empty
// when retention is 0 (keep forever).
func ttlClause(column string, retention time.Duration) string {
	if retention <= 0 {
		return ""
	}
	return fmt.Sprintf("TTL toDateTime(%s) + %s", column, intervalExpr(retention))
}
