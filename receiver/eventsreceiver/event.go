package eventsreceiver

import "strings"

// Request fields of one event.
const (
	fieldEventName  = "event_name"
	fieldProperties = "properties"
	fieldUserID     = "user_id"
	fieldTenantID   = "tenant_id"
	fieldContext    = "context"
	fieldTimestamp  = "timestamp"
	fieldEventID    = "event_id"

	ctxIP        = "ip"
	ctxUserAgent = "user_agent"
	ctxSessionID = "session_id"
)

// Log record attributes (OpenTelemetry semantic conventions) set from the request.
const (
	attrEventName     = "event.name"
	attrUserID        = "user.id"
	attrSessionID     = "session.id"
	attrClientAddress = "client.address"
	attrUserAgent     = "user_agent.original"
	attrServiceName   = "service.name"
	// attrEventID is the event's id (semantic conventions: a log record's unique id), stored in
	// telemetry_events.event_id: DELETE /events/{event_id} erases the event by it.
	attrEventID = "log.record.uid"

	// contextPrefix prefixes free context keys: context.locale -> attribute "context.locale".
	contextPrefix = "context."
)

// Limits that are part of the API contract (README "Limits").
const (
	maxEventNameLen   = 128
	maxTenantIDLen    = 128
	maxIDLen          = 256 // user_id, session_id
	maxUserAgentLen   = 1024
	maxKeyLen         = 256
	maxServiceNameLen = 256
	maxEventIDLen     = 128
)

// validName reports whether s is 1..max bytes of [A-Za-z0-9_.:-]: the charset of event names and
// tenant ids, safe in URLs, metric labels and ClickHouse identifiers without quoting.
func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// reservedKey reports whether a property key would collide with an attribute the receiver sets.
func reservedKey(k string) bool {
	switch k {
	case attrEventName, attrUserID, attrSessionID, attrClientAddress, attrUserAgent, attrEventID:
		return true
	}
	return strings.HasPrefix(k, contextPrefix)
}

// eventError is one rejected event of a request.
type eventError struct {
	Index   int    `json:"index"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// topField is the first segment of a field path ("properties.cart[2]" -> "properties"): the bounded
// label of the rejected-events metric.
func topField(path string) string {
	switch i := strings.IndexAny(path, ".["); {
	case path == "":
		return "event"
	case i > 0:
		path = path[:i]
	}
	switch path {
	case fieldEventName, fieldProperties, fieldUserID, fieldTenantID, fieldContext, fieldTimestamp, fieldEventID:
		return path
	}
	return "unknown_field"
}
