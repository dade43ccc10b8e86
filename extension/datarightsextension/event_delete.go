package datarightsextension

import (
	"fmt"
	"net/http"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// maxEventIDLen is the longest event id, as the events receiver accepts it.
const maxEventIDLen = 128

// checkEventID returns "" for a valid event id (1..128 of A-Z a-z 0-9 _ . : -, the events
// receiver's rule), else the problem.
func checkEventID(v string) string {
	if v == "" || len(v) > maxEventIDLen {
		return fmt.Sprintf("event_id must be 1 to %d characters", maxEventIDLen)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return "event_id must be characters of A-Z a-z 0-9 _ . : -"
		}
	}
	return ""
}

// handleDeleteEvent serves DELETE /events/{event_id}: the tenant's stored event of that id is
// erased like a user's data (batched, patch parts, counted, with a signed receipt at
// /data/requests/{request_id}); 404 when the tenant has no readable event of that id. Nothing is
// suppressed: later events of the same user are stored as before.
func (x *dataRights) handleDeleteEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("event_id")
	if msg := checkEventID(id); msg != "" {
		writeFieldError(w, "event_id", msg)
		return
	}
	tenant := telemetryapi.EffectiveTenant(r)
	probe := request{Tenant: tenant, EventID: id}
	existing := func(st Status) {
		w.Header().Set("Location", location(st.RequestID))
		telemetryapi.WriteJSON(w, http.StatusAccepted, Accepted{Status: st, Location: location(st.RequestID), Existing: true})
	}
	x.mu.Lock()
	open, ok := x.active[probe.key()]
	x.mu.Unlock()
	if ok {
		x.mu.Lock()
		st := open.status()
		x.mu.Unlock()
		existing(st)
		return
	}
	st, _ := x.eventTargetFor(tenant)
	found, err := st.eventExists(r.Context(), tenant, id)
	switch {
	case err != nil:
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_unavailable", "the event could not be looked up; retry later")
		return
	case !found:
		telemetryapi.WriteError(w, http.StatusNotFound, "not_found", "no stored event of this tenant has event_id "+id)
		return
	}
	x.mu.Lock()
	if open, ok = x.active[probe.key()]; ok { // accepted meanwhile
		st := open.status()
		x.mu.Unlock()
		existing(st)
		return
	}
	req := &request{Tenant: tenant, ID: newRequestID(), EventID: id, Status: statusPending, AcceptedAt: x.now().UnixMilli()}
	req.Receipt = progressJSON(progress{EventID: id})
	if p, ok := telemetryapi.PrincipalFrom(r.Context()); ok {
		req.Actor = p.KeyID
	}
	x.byID[req.ID], x.active[req.key()] = req, req
	x.mu.Unlock()
	x.enqueueAccepted(w, r, req, x.accept(r.Context(), req, suppression.Entry{}, false).err)
}

// verifyEvent re-counts a single-event request's event now, readable and in the parts.
func (x *dataRights) verifyEvent(w http.ResponseWriter, r *http.Request, tenant string, req *request, rc *Receipt, sigOK bool) {
	st, t := x.eventTargetFor(tenant)
	f := eventForms([]string{req.ID}, []string{rc.EventID})
	n, err := st.count(r.Context(), t, tenant, f, false)
	var stored map[string]uint64
	if err == nil {
		stored, err = st.count(r.Context(), t, tenant, f, true)
	}
	if err != nil {
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_unavailable", "the counts could not be re-run; retry later")
		return
	}
	v := Verification{RequestID: req.ID, Status: req.Status, SignatureValid: sigOK,
		Tables: []TableNow{{Table: t.name, MatchedNow: n[req.ID], StoredNow: stored[req.ID]}}}
	v.Verified = sigOK && n[req.ID] == 0
	v.Purged = n[req.ID] == 0 && stored[req.ID] == 0
	v.CheckedAt = x.now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
	telemetryapi.WriteJSON(w, http.StatusOK, v)
}
