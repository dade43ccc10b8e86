package datarightsextension

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Receipt is the signed proof of a completed (or failed) deletion. It names the data subject only
// by its pseudonym.
type Receipt struct {
	Version    int       `json:"version"`
	RequestID  string    `json:"request_id"`
	Tenant     string    `json:"tenant"`
	Subject    string    `json:"subject"`
	AcceptedAt time.Time `json:"accepted_at"`
	FinishedAt time.Time `json:"finished_at"`
	// ErasedAt is when the subject's rows became unreadable (the first erasure pass).
	ErasedAt *time.Time `json:"erased_at,omitempty"`
	// PurgedAt is when a purge removed the erased rows from the parts (set by the purge job).
	PurgedAt *time.Time `json:"purged_at,omitempty"`
	// Range is the time range a DELETE /data/{user_id}?from=&to= covered (data tables only).
	Range *TimeRange `json:"range,omitempty"`
	// EventID is the one stored event a DELETE /events/{event_id} erased.
	EventID string `json:"event_id,omitempty"`
	// BatchSize is how many requests were erased by the same statements.
	BatchSize int          `json:"batch_size,omitempty"`
	Tables    []TableCount `json:"tables"`
	// Suppression is the entry that keeps the subject's later data out of storage.
	Suppression SuppressionInfo `json:"suppression"`
	// PhysicalDeletion says how the deleted rows leave disk (see docs/privacy.md).
	PhysicalDeletion string `json:"physical_deletion"`
	Algorithm        string `json:"algorithm"`
	// Signature is hex(HMAC-SHA256(receipt_key, the receipt as JSON with an empty signature)).
	Signature string `json:"signature"`
}

// TableCount is what one table held of the subject before the deletion and after it.
type TableCount struct {
	Table string `json:"table"`
	// Action is deleted, or pseudonymized (telemetry_audit: the rows stay, the subject is renamed).
	Action string `json:"action"`
	// MatchedBefore counts the subject's rows the table held just before the erasure.
	MatchedBefore  uint64 `json:"matched_before"`
	RemainingAfter uint64 `json:"remaining_after"`
	// Mechanism erased the rows: patch_parts, or lightweight_delete (with the fallback's reason).
	Mechanism string `json:"mechanism,omitempty"`
	// Searched says which columns were searched for the subject, and how.
	Searched SearchedColumns `json:"searched"`
}

// TimeRange is [From, To).
type TimeRange struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// SuppressionInfo is the suppression entry a receipt names.
type SuppressionInfo struct {
	Subject string    `json:"subject"`
	Since   time.Time `json:"since"`
}

const receiptAlgorithm = "HMAC-SHA256"

// signingKey derives the key receipts are signed with from receipt_key. The derivation (not an
// HMAC) keeps signatures independent of the identifier tokens even when receipt_key is the same
// secret as hash_key: tokens are HMACs under that secret of values anyone can send.
func signingKey(receiptKey []byte) []byte {
	h := sha256.New()
	h.Write([]byte("otelcol-telemetry receipt signing key v1\x00"))
	h.Write(receiptKey)
	return h.Sum(nil)
}

func (r Receipt) mac(key []byte) []byte {
	r.Signature = ""
	body, _ := json.Marshal(r) // a struct of strings, numbers and times: cannot fail
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}

// sign sets Algorithm and Signature.
func (r *Receipt) sign(key []byte) {
	r.Algorithm = receiptAlgorithm
	r.Signature = hex.EncodeToString(r.mac(key))
}

// verify reports whether the signature is the receipt's under key.
func (r Receipt) verify(key []byte) bool {
	sig, err := hex.DecodeString(r.Signature)
	return err == nil && r.Algorithm == receiptAlgorithm && hmac.Equal(sig, r.mac(key))
}
