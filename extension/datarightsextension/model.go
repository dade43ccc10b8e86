package datarightsextension

import (
	"encoding/json"
	"fmt"
	"time"
)

// Request statuses.
const (
	statusPending   = "pending"
	statusRunning   = "running"
	statusCompleted = "completed"
	statusFailed    = "failed"
)

// request is one deletion request as stored in telemetry_deletion_requests.
type request struct {
	Tenant, ID, Subject string
	// UserID is the raw id while the request is open, "" once it ended.
	UserID     string
	Status     string
	Reason     string
	Actor      string
	Attempts   uint32
	AcceptedAt int64 // unix ms
	FinishedAt int64 // unix ms, 0 while open
	// From and To (unix ms, [From, To)) restrict the request to the data tables' rows of that time
	// range (DELETE /data/{user_id}?from=&to=); both 0 for the whole history. Kept in the progress
	// (receipt column) while the request runs.
	From, To int64
	// EventID names the one stored event a DELETE /events/{event_id} erases (telemetry_events only,
	// no suppression); "" for a user's request. Kept in the progress like From and To.
	EventID string
	// Receipt is the signed receipt (JSON) once finished; while running it holds the counts taken
	// before deleting (progress), so a resumed request reports the original counts.
	Receipt string
	// Owner is the collector instance running the open request (data_rights::instance) and
	// LeaseUntil (unix ms) when it stops being that collector's without a renewal (lease.go).
	Owner      string
	LeaseUntil int64

	// version is the updated_at of the newest stored version (unix ms): each new one is later, so
	// the ReplacingMergeTree never has to choose between two versions of the same time.
	version   int64
	persisted bool   // the pending row is in ClickHouse
	lastError string // why the last attempt failed (ClickHouse), while retrying
	started   bool   // this process marked it running (and waited execution_delay)
	// lost: another collector took the request over (its lease had passed); this one writes no
	// more versions of it. finishing: its final version is being written; no renewal follows it.
	lost, finishing bool
}

// nextVersion returns r with a version later than the last; call with the extension's lock held.
func (r *request) nextVersion(now int64) request {
	r.version = max(now, r.version+1)
	return *r
}

// key identifies the open request of a subject (and time range) in the extension's active map.
func (r *request) key() string {
	if r.event() {
		return r.Tenant + "\x00event\x00" + r.EventID
	}
	if r.ranged() {
		return fmt.Sprintf("%s\x00%s\x00%d-%d", r.Tenant, r.Subject, r.From, r.To)
	}
	return r.Tenant + "\x00" + r.Subject
}

// ranged reports whether the request covers a time range only (data tables).
func (r *request) ranged() bool { return r.From != 0 || r.To != 0 }

// event reports whether the request erases one stored event.
func (r *request) event() bool { return r.EventID != "" }

// suppresses reports whether the request keeps the subject's later data out (a whole user's
// erasure; neither a time range nor a single event does).
func (r *request) suppresses() bool { return !r.ranged() && !r.event() }

// sameBatch reports whether o can be erased by the same statements as r.
func (r *request) sameBatch(o *request) bool {
	return r.Tenant == o.Tenant && r.From == o.From && r.To == o.To && r.event() == o.event()
}

func (r *request) open() bool { return r.Status == statusPending || r.Status == statusRunning }

// progress is what a running request stores in its receipt column.
type progress struct {
	Before map[string]uint64 `json:"before"`
	// ErasedAt is when the first erasure pass made the rows unreadable (unix ms).
	ErasedAt int64 `json:"erased_at,omitempty"`
	// Mechanisms erased each table (receipts).
	Mechanisms map[string]string `json:"mechanisms,omitempty"`
	// From and To are the request's time range (unix ms), so a resumed request keeps it.
	From int64 `json:"from,omitempty"`
	To   int64 `json:"to,omitempty"`
	// EventID is the single event the request erases.
	EventID string `json:"event_id,omitempty"`
}

// Status is the API view of a request.
type Status struct {
	RequestID  string     `json:"request_id"`
	Tenant     string     `json:"tenant"`
	Subject    string     `json:"subject"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason,omitempty"`
	Attempts   uint32     `json:"attempts"`
	AcceptedAt time.Time  `json:"accepted_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Persisted is false while an accepted request waits for ClickHouse to store it.
	Persisted bool `json:"persisted"`
	// LastError says why the request is waiting (ClickHouse unavailable), while it retries.
	LastError string   `json:"last_error,omitempty"`
	Receipt   *Receipt `json:"receipt,omitempty"`
}

func (r *request) status() Status {
	s := Status{RequestID: r.ID, Tenant: r.Tenant, Subject: r.Subject, Status: r.Status, Reason: r.Reason,
		Attempts: r.Attempts, AcceptedAt: time.UnixMilli(r.AcceptedAt).UTC(), Persisted: r.persisted, LastError: r.lastError}
	if r.FinishedAt > 0 {
		t := time.UnixMilli(r.FinishedAt).UTC()
		s.FinishedAt = &t
	}
	if !r.open() && r.Receipt != "" {
		var rc Receipt
		if json.Unmarshal([]byte(r.Receipt), &rc) == nil {
			s.Receipt = &rc
		}
	}
	return s
}

// progressJSON is p as stored in the receipt column.
func progressJSON(p progress) string {
	raw, _ := json.Marshal(p) // strings, numbers and maps of them: cannot fail
	return string(raw)
}
