package queryextension

import (
	"net/url"
	"strings"
)

// redactedValue replaces an attr. filter value in the audit record.
const redactedValue = "(redacted)"

// auditQuery is the query string kept in a query's audit record, with the values of attr.<key>
// filters replaced: such a value may be a user id (attr.user.id=…), and audit rows outlive a
// data-subject deletion, which pseudonymizes only the rows that target the user. The keys stay, so
// the record still says what was asked. Bounded to maxAuditQuery.
func auditQuery(raw string) string {
	if strings.Contains(raw, attrPrefix) || strings.Contains(raw, "attr%2E") || strings.Contains(raw, "attr%2e") {
		v, _ := url.ParseQuery(raw) // what parses is what the handler read
		for k := range v {
			if strings.HasPrefix(k, attrPrefix) {
				v[k] = []string{redactedValue}
			}
		}
		raw = v.Encode()
	}
	if len(raw) > maxAuditQuery { // the audit row stays small whatever the URL
		raw = raw[:maxAuditQuery] + "..."
	}
	return raw
}
