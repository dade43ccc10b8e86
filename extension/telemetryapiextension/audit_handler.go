package telemetryapiextension

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// Page sizes of GET /audit.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// auditEntry is one record in the GET /audit answer.
type auditEntry struct {
	Time       time.Time         `json:"time"`
	RequestID  string            `json:"request_id"`
	Tenant     string            `json:"tenant"`
	KeyID      string            `json:"key_id"`
	ActorType  string            `json:"actor_type"`
	Action     string            `json:"action"`
	TargetType string            `json:"target_type,omitempty"`
	TargetID   string            `json:"target_id,omitempty"`
	Outcome    string            `json:"outcome"`
	Details    map[string]string `json:"details"`
}

type auditPage struct {
	Records []auditEntry `json:"records"`
	// NextCursor, when present, fetches the next (older) page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// cursor is opaque to clients: base64url of {"t": unix ms, "id": request id}.
type cursor struct {
	T  int64  `json:"t"`
	ID string `json:"id"`
}

// auditHandler serves GET /api/v1/telemetry/audit (admin): newest first, filters from and to
// (RFC 3339, from inclusive, to exclusive), key_id, tenant (the caller's own by default; another
// by name or * for all only for an operator), limit (1-1000, default 100) and cursor (next_cursor of the previous page).
func (e *apiExtension) auditHandler(w http.ResponseWriter, r *http.Request) {
	c := callFrom(r.Context())
	if e.store == nil {
		writeError(w, c, http.StatusServiceUnavailable, "audit_storage_not_configured", "no storage is configured for the audit trail; records are in the collector log")
		return
	}
	if !e.auditor.ready.Load() {
		writeError(w, c, http.StatusServiceUnavailable, "audit_storage_unavailable", "the audit table is not reachable yet")
		return
	}
	q, field, msg := parseAuditQuery(r, time.Now())
	if field != "" {
		telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: telemetryapi.ErrorDetail{Code: "invalid_parameter", Message: msg, Field: field}})
		c.errorMsg = "invalid_parameter"
		return
	}
	ctx, cancel := contextWithTimeout(r, e.cfg.Storage.Timeout)
	defer cancel()
	recs, err := e.store.query(ctx, q)
	if err != nil {
		e.logger.Error("audit query failed", zap.Error(err))
		writeError(w, c, http.StatusServiceUnavailable, "audit_storage_unavailable", "the audit table could not be read")
		return
	}
	page := auditPage{Records: make([]auditEntry, len(recs))}
	for i, rec := range recs {
		page.Records[i] = auditEntry{
			Time: rec.Time.UTC(), RequestID: rec.RequestID, Tenant: rec.Tenant, KeyID: rec.KeyID,
			ActorType: rec.ActorType, Action: rec.Action, TargetType: rec.TargetType, TargetID: rec.TargetID,
			Outcome: rec.Outcome, Details: rec.Details,
		}
	}
	if len(recs) == q.Limit {
		last := recs[len(recs)-1]
		b, _ := json.Marshal(cursor{T: last.Time.UnixMilli(), ID: last.RequestID})
		page.NextCursor = base64.RawURLEncoding.EncodeToString(b)
	}
	telemetryapi.WriteJSON(w, http.StatusOK, page)
}

// parseAuditQuery returns the query, or the offending parameter and why.
func parseAuditQuery(r *http.Request, now time.Time) (auditQuery, string, string) {
	v := r.URL.Query()
	q := auditQuery{
		From:  time.UnixMilli(0),
		To:    now.Add(24 * time.Hour), // tolerate clock skew between collectors
		KeyID: v.Get("key_id"),
		Limit: defaultAuditLimit,
	}
	tenant := telemetryapi.EffectiveTenant(r)
	if tenant == telemetryapi.AllTenants {
		q.AllTenants = true
	} else {
		q.Tenant = tenant
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return q, p.name, p.name + " must be an RFC 3339 time such as 2026-01-02T15:04:05Z"
			}
			*p.dst = t
		}
	}
	if !q.From.Before(q.To) {
		return q, "from", "from must be before to"
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxAuditLimit {
			return q, "limit", "limit must be an integer from 1 to " + strconv.Itoa(maxAuditLimit)
		}
		q.Limit = n
	}
	if len(q.KeyID) > 64 {
		return q, "key_id", "key_id is at most 64 characters"
	}
	q.BeforeTime = q.To
	if s := v.Get("cursor"); s != "" {
		var cur cursor
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err == nil {
			err = json.Unmarshal(b, &cur)
		}
		if err != nil || cur.ID == "" {
			return q, "cursor", "cursor must be the next_cursor of a previous page"
		}
		q.BeforeTime, q.BeforeID = time.UnixMilli(cur.T), cur.ID
	}
	return q, "", ""
}
