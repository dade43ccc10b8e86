package client

import (
	"encoding/json"
	"time"
)

// Event is one tracked event; the JSON shape the telemetry_events receiver reads.
type Event struct {
	// Name is required: 1-128 characters of A-Z a-z 0-9 _ . : -
	Name string
	// Properties may nest objects and arrays; numbers keep int vs float.
	Properties map[string]any
	UserID     string
	// TenantID is ignored by the server when the API key decides the tenant.
	TenantID string
	Context  *Context
	// Timestamp defaults to the time of TrackEvent.
	Timestamp time.Time
	// EventID names the stored event (1-128 characters of A-Z a-z 0-9 _ . : -, e.g. a UUID); the
	// server chooses one when empty. TrackEvent sends asynchronously, so a caller that wants to erase
	// the event later (DELETE /api/v1/telemetry/events/{event_id}) sets its own.
	EventID string
}

// Context describes where the event happened.
type Context struct {
	IP        string
	UserAgent string
	SessionID string
	// Extra keys are stored as attributes context.<key>.
	Extra map[string]any
}

type wireEvent struct {
	Name       string          `json:"event_name"`
	Properties map[string]any  `json:"properties,omitempty"`
	UserID     string          `json:"user_id,omitempty"`
	TenantID   string          `json:"tenant_id,omitempty"`
	Context    json.RawMessage `json:"context,omitempty"`
	Timestamp  string          `json:"timestamp"`
	EventID    string          `json:"event_id,omitempty"`
}

// marshal renders the event for a batch; done in TrackEvent so later changes of the caller's maps
// cannot race with the sender.
// threshold, when not empty, is added as the SamplingThresholdProperty (the caller's map is not changed).
func (e *Event) marshal(threshold string) ([]byte, error) {
	props := e.Properties
	if threshold != "" {
		props = make(map[string]any, len(e.Properties)+1)
		for k, v := range e.Properties {
			props[k] = v
		}
		props[SamplingThresholdProperty] = threshold
	}
	w := wireEvent{Name: e.Name, Properties: props, UserID: e.UserID, TenantID: e.TenantID,
		Timestamp: e.Timestamp.UTC().Format(time.RFC3339Nano), EventID: e.EventID}
	if c := e.Context; c != nil {
		m := make(map[string]any, len(c.Extra)+3)
		for k, v := range c.Extra {
			m[k] = v
		}
		for k, v := range map[string]string{"ip": c.IP, "user_agent": c.UserAgent, "session_id": c.SessionID} {
			if v != "" {
				m[k] = v
			}
		}
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		w.Context = raw
	}
	return json.Marshal(w)
}

// validName mirrors the receiver's rule so a bad name fails in TrackEvent, not silently later.
func validName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}
