package datarightsextension

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// maxUserIDLen is the longest user id accepted, as the events receiver and consent.
const maxUserIDLen = 256

// routes are the data-rights endpoints, relative to telemetryapi.BasePath. GET /data/{a}/{b} serves
// both GET /data/requests/{request_id} and GET /data/{user_id}/export: as two patterns they would
// overlap on /data/requests/export, which http.ServeMux refuses. A user whose id is "requests"
// cannot be exported through this path (docs/privacy.md).
func (x *dataRights) routes() []telemetryapi.Route {
	return []telemetryapi.Route{
		{
			Method: http.MethodDelete, Path: "/data/{user_id}", Role: telemetryapi.RolePrivacy,
			Handler:    http.HandlerFunc(x.handleDelete),
			TargetUser: func(r *http.Request) string { return x.subjectOf(r.PathValue("user_id")) },
		},
		{
			Method: http.MethodDelete, Path: "/events/{event_id}", Role: telemetryapi.RolePrivacy,
			Handler: http.HandlerFunc(x.handleDeleteEvent),
		},
		{
			Method: http.MethodPost, Path: "/data/purge", Role: telemetryapi.RoleAdmin,
			Handler: http.HandlerFunc(x.handlePurge),
		},
		{
			Method: http.MethodGet, Path: "/data/{a}/{b}", Role: telemetryapi.RolePrivacy,
			Handler: http.HandlerFunc(x.handleGet),
			TargetUser: func(r *http.Request) string {
				if r.PathValue("a") == "requests" {
					return x.requestSubject(r.PathValue("b"))
				}
				return x.subjectOf(r.PathValue("a"))
			},
		},
		{
			Method: http.MethodGet, Path: "/data/requests/{request_id}/verify", Role: telemetryapi.RolePrivacy,
			Handler: http.HandlerFunc(x.handleVerify),
			TargetUser: func(r *http.Request) string {
				if s := x.requestSubject(r.PathValue("request_id")); s != "" {
					return s
				}
				return x.subjectOf(r.URL.Query().Get("user_id"))
			},
		},
	}
}

// subjectOf names a data subject in the audit trail: by pseudonym, never by the id or its token.
func (x *dataRights) subjectOf(user string) string {
	if checkUserID(user) != "" {
		return ""
	}
	return x.list.Subject(user)
}

func (x *dataRights) requestSubject(id string) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r, ok := x.byID[id]; ok {
		return r.Subject
	}
	return ""
}

// checkUserID returns "" for a valid user id, else the problem.
func checkUserID(v string) string {
	switch {
	case v == "":
		return "user_id is required"
	case len(v) > maxUserIDLen:
		return fmt.Sprintf("user_id must be at most %d bytes", maxUserIDLen)
	case !utf8.ValidString(v):
		return "user_id must be valid UTF-8"
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return "user_id must not contain control characters"
		}
	}
	return ""
}

// parseRange reads ?from=&to= (RFC 3339): both or neither, from before to; field names the
// parameter at fault.
func parseRange(r *http.Request) (from, to int64, field, msg string) {
	q := r.URL.Query()
	fs, ts := q.Get("from"), q.Get("to")
	if fs == "" && ts == "" {
		return 0, 0, "", ""
	}
	const format = " must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z"
	f, err1 := time.Parse(time.RFC3339Nano, fs)
	t, err2 := time.Parse(time.RFC3339Nano, ts)
	switch {
	case fs == "":
		return 0, 0, "from", "from is required with to (RFC 3339 times)"
	case ts == "":
		return 0, 0, "to", "to is required with from (RFC 3339 times)"
	case err1 != nil:
		return 0, 0, "from", "from" + format
	case err2 != nil:
		return 0, 0, "to", "to" + format
	case !f.Before(t):
		return 0, 0, "from", "from must be before to"
	case f.UnixMilli() <= 0:
		return 0, 0, "from", "from must be after 1970-01-01"
	}
	return f.UnixMilli(), t.UnixMilli(), "", ""
}

func writeFieldError(w http.ResponseWriter, field, message string) {
	telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: telemetryapi.ErrorDetail{
		Code: "invalid_field", Message: message, Field: field,
	}})
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "dr_" + hex.EncodeToString(b)
}

func location(id string) string {
	return telemetryapi.BasePath + "/data/requests/" + url.PathEscape(id)
}

// Accepted is the answer to DELETE /data/{user_id}.
type Accepted struct {
	Status
	Location string `json:"location"`
	// Existing is true when a request for the user was already open and is returned instead.
	Existing bool `json:"existing"`
}

func (x *dataRights) handleDelete(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user_id")
	if msg := checkUserID(user); msg != "" {
		writeFieldError(w, "user_id", msg)
		return
	}
	from, to, field, msg := parseRange(r)
	if msg != "" {
		writeFieldError(w, field, msg)
		return
	}
	tenant := telemetryapi.EffectiveTenant(r)
	subject := x.list.Subject(user)
	probe := request{Tenant: tenant, Subject: subject, From: from, To: to}
	key := probe.key()
	existing := func(st Status) {
		w.Header().Set("Location", location(st.RequestID))
		telemetryapi.WriteJSON(w, http.StatusAccepted, Accepted{Status: st, Location: location(st.RequestID), Existing: true})
	}
	x.mu.Lock()
	if open, ok := x.active[key]; ok { // accepted here before
		st := open.status()
		x.mu.Unlock()
		existing(st)
		return
	}
	req := &request{Tenant: tenant, ID: newRequestID(), Subject: subject, UserID: user, Status: statusPending,
		AcceptedAt: x.now().UnixMilli(), From: from, To: to}
	if req.ranged() {
		req.Receipt = progressJSON(progress{From: from, To: to})
	}
	if p, ok := telemetryapi.PrincipalFrom(r.Context()); ok {
		req.Actor = p.KeyID
	}
	x.byID[req.ID], x.active[key] = req, req
	x.mu.Unlock()

	entry := suppression.Entry{Tenant: tenant, Subject: subject, RequestID: req.ID, Since: req.AcceptedAt}
	// In a fleet the first call may have reached another collector: its open request is in
	// ClickHouse and is the answer (a time range is its own request).
	res := x.accept(r.Context(), req, entry, !req.ranged())
	if res.theirs != nil {
		x.mu.Lock()
		delete(x.incoming, req)
		delete(x.byID, req.ID)
		if x.active[key] == req {
			delete(x.active, key)
		}
		x.mu.Unlock()
		existing(res.theirs.status())
		return
	}
	// From this moment on the user's records are dropped here; other collectors follow once the
	// entry is stored and their refresh reads it.
	if req.suppresses() {
		x.list.Put(entry)
	}
	x.forget(tenant, user)
	x.enqueueAccepted(w, r, req, res.err)
}

// enqueueAccepted queues an accepted request for the worker and answers 202 with its status.
func (x *dataRights) enqueueAccepted(w http.ResponseWriter, r *http.Request, req *request, stored error) {
	if stored != nil {
		x.logger.Warn("deletion request accepted but not yet stored; the worker retries", zap.String("request_id", req.ID), zap.Error(stored))
		x.syncJournal()
	}
	x.mu.Lock()
	delete(x.incoming, req)
	x.queue = append(x.queue, req)
	st := req.status()
	x.mu.Unlock()
	select {
	case x.wake <- struct{}{}:
	default:
	}
	x.tel.Requests.Add(r.Context(), 1, metric.WithAttributes(attribute.String("outcome", "accepted")))
	w.Header().Set("Location", location(req.ID))
	telemetryapi.WriteJSON(w, http.StatusAccepted, Accepted{Status: st, Location: location(req.ID)})
}

func (x *dataRights) handleGet(w http.ResponseWriter, r *http.Request) {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "requests":
		x.handleStatus(w, r, b)
	case b == "export":
		x.handleExport(w, r, a)
	default:
		telemetryapi.WriteNotFound(w)
	}
}

// lookup finds a request of tenant, in memory first, else in ClickHouse. A request of another
// tenant is not found.
func (x *dataRights) lookup(ctx context.Context, tenant, id string) (*request, error) {
	x.mu.Lock()
	if r, ok := x.byID[id]; ok {
		defer x.mu.Unlock()
		if r.Tenant != tenant {
			return nil, nil
		}
		c := *r
		return &c, nil
	}
	x.mu.Unlock()
	return x.store.getRequest(ctx, tenant, id)
}

func (x *dataRights) handleStatus(w http.ResponseWriter, r *http.Request, id string) {
	req, err := x.lookup(r.Context(), telemetryapi.EffectiveTenant(r), id)
	switch {
	case err != nil:
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_unavailable", "the request could not be read; retry later")
	case req == nil:
		telemetryapi.WriteNotFound(w)
	default:
		telemetryapi.WriteJSON(w, http.StatusOK, req.status())
	}
}

// Verification is the answer of GET /data/requests/{id}/verify.
type Verification struct {
	RequestID      string `json:"request_id"`
	Status         string `json:"status"`
	SignatureValid bool   `json:"signature_valid"`
	// Tables are the counts re-run now.
	Tables []TableNow `json:"tables"`
	// Verified: the signature holds and no table holds the subject now.
	Verified bool `json:"verified"`
	// Purged: no data table holds the subject's rows in its parts either (read with patches and
	// deleted masks not applied): the erased rows are physically gone.
	Purged    bool   `json:"purged"`
	CheckedAt string `json:"checked_at"`
}

// TableNow is one table's count of the subject's rows at verification time.
type TableNow struct {
	Table      string `json:"table"`
	MatchedNow uint64 `json:"matched_now"`
	// StoredNow counts the rows still in the parts (data tables: patches and masks not applied).
	StoredNow uint64 `json:"stored_now"`
}

func (x *dataRights) handleVerify(w http.ResponseWriter, r *http.Request) {
	tenant := telemetryapi.EffectiveTenant(r)
	req, err := x.lookup(r.Context(), tenant, r.PathValue("request_id"))
	switch {
	case err != nil:
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_unavailable", "the request could not be read; retry later")
		return
	case req == nil:
		telemetryapi.WriteNotFound(w)
		return
	case req.open():
		telemetryapi.WriteError(w, http.StatusConflict, "not_finished", "the request is "+req.Status+"; a receipt exists once it has finished")
		return
	}
	st := req.status()
	sigOK := st.Receipt != nil && st.Receipt.verify(signingKey([]byte(x.cfg.ReceiptKey)))
	if st.Receipt != nil && st.Receipt.EventID != "" {
		x.verifyEvent(w, r, tenant, req, st.Receipt, sigOK)
		return
	}
	// The raw id is not kept once a request ends, so the verifier names the user again; it must
	// be the request's subject.
	user := r.URL.Query().Get("user_id")
	if msg := checkUserID(user); msg != "" {
		writeFieldError(w, "user_id", msg+": verification re-counts the rows of the user the request deleted")
		return
	}
	if x.list.Subject(user) != req.Subject {
		writeFieldError(w, "user_id", "user_id is not the subject of this request")
		return
	}
	v := Verification{RequestID: req.ID, Status: req.Status, SignatureValid: sigOK}
	var from, to int64
	targets := x.store.sql.targets
	if st.Receipt != nil && st.Receipt.Range != nil {
		from, to = st.Receipt.Range.From.UnixMilli(), st.Receipt.Range.To.UnixMilli()
		targets = dataTargets(targets)
	}
	f := newForms(x.list.Token, from, to, []string{req.ID}, []string{user})
	clean, purged := true, true
	for i := range targets {
		st, t := x.targetFor(tenant, i)
		n, err := st.count(r.Context(), t, tenant, f, false)
		var stored map[string]uint64
		if err == nil && t.kind == kindData {
			stored, err = st.count(r.Context(), t, tenant, f, true)
		}
		if err != nil {
			telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_unavailable", "the counts could not be re-run; retry later")
			return
		}
		v.Tables = append(v.Tables, TableNow{Table: t.name, MatchedNow: n[req.ID], StoredNow: stored[req.ID]})
		clean = clean && n[req.ID] == 0
		purged = purged && stored[req.ID] == 0
	}
	v.Verified = v.SignatureValid && clean
	v.Purged = clean && purged
	v.CheckedAt = x.now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
	telemetryapi.WriteJSON(w, http.StatusOK, v)
}
