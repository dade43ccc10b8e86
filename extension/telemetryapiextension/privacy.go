package telemetryapiextension

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver"
)

// kindPolicy is the fleet store kind of tenants' privacy policies (id policyID).
const (
	kindPolicy = "privacy_policy"
	policyID   = "policy"
)

// policies serves /privacy/policy over the fleet store and keeps the registry the processors
// read in step with it.
type policies struct {
	store *fleetstore.Store
	reg   *privacypolicy.Registry
	cfg   AdminConfig
	// purger applies retention_days to stored rows; nil without storage.
	purger *purger

	mu      sync.Mutex
	current map[string]privacypolicy.Versioned
}

func newPolicies(store *fleetstore.Store, cfg AdminConfig) *policies {
	p := &policies{store: store, reg: privacypolicy.NewRegistry(), cfg: cfg, current: map[string]privacypolicy.Versioned{}}
	store.Subscribe(kindPolicy, p.apply)
	return p
}

func (p *policies) apply(recs []fleetstore.Record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range recs {
		var pol privacypolicy.Policy
		if r.Deleted || json.Unmarshal(r.Body, &pol) != nil {
			delete(p.current, r.Tenant)
			continue
		}
		p.current[r.Tenant] = privacypolicy.Versioned{Version: r.Version, Policy: pol}
	}
	m := make(map[string]privacypolicy.Versioned, len(p.current))
	for t, v := range p.current {
		m[t] = v
	}
	p.reg.Replace(m)
}

func (p *policies) routes(api *apiServer) []*routeHandler {
	r := func(method, path string, role telemetryapi.Role, h http.HandlerFunc) *routeHandler {
		return &routeHandler{route: telemetryapi.Route{Method: method, Path: path, Role: role, Handler: h}, api: api}
	}
	return []*routeHandler{
		r(http.MethodGet, "/privacy/policy", telemetryapi.RolePrivacy, p.get),
		r(http.MethodPut, "/privacy/policy", telemetryapi.RoleAdmin, p.put),
		r(http.MethodGet, "/privacy/policy/history", telemetryapi.RolePrivacy, p.history),
		r(http.MethodPost, "/privacy/policy/test", telemetryapi.RolePrivacy, p.test),
	}
}

func etag(version uint64) string { return `"` + strconv.FormatUint(version, 10) + `"` }

type policyView struct {
	Tenant    string               `json:"tenant"`
	Version   uint64               `json:"version"`
	Policy    privacypolicy.Policy `json:"policy"`
	UpdatedAt *time.Time           `json:"updated_at,omitempty"`
	UpdatedBy string               `json:"updated_by,omitempty"`
	// Default is true when the tenant has no policy of its own: the operator's YAML applies.
	Default bool `json:"default"`
}

func (p *policies) view(tenant string) policyView {
	v := policyView{Tenant: tenant, Default: true}
	if rec, ok := p.store.Get(fleetstore.Key{Kind: kindPolicy, Tenant: tenant, ID: policyID}); ok && !rec.Deleted {
		if json.Unmarshal(rec.Body, &v.Policy) == nil {
			t := rec.UpdatedAt.UTC()
			v.Version, v.UpdatedAt, v.UpdatedBy, v.Default = rec.Version, &t, rec.Actor, false
		}
	}
	return v
}

func (p *policies) get(w http.ResponseWriter, r *http.Request) {
	v := p.view(telemetryapi.EffectiveTenant(r))
	w.Header().Set("ETag", etag(v.Version))
	telemetryapi.WriteJSON(w, http.StatusOK, v)
}

// validate checks a policy with the processor's rules (when a processor applies policies) and the
// operator's floor.
func (p *policies) validate(pol privacypolicy.Policy) error {
	return errors.Join(privacypolicy.CheckRetention(pol, p.cfg.MaxRetentionDays), p.reg.Check(pol, p.cfg.AllowLoosening))
}

func writeValidation(w http.ResponseWriter, err error) {
	telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: telemetryapi.ErrorDetail{
		Code: "invalid_policy", Message: err.Error(), Field: privacypolicy.FieldOf(err)}})
}

func decodePolicy(w http.ResponseWriter, raw []byte) (privacypolicy.Policy, bool) {
	var pol privacypolicy.Policy
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pol); err != nil {
		field := ""
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field = te.Field
		} else if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
			field = strings.Trim(strings.TrimPrefix(s, "json: unknown field "), `"`)
		}
		telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: telemetryapi.ErrorDetail{
			Code: "invalid_policy", Message: "policy: " + err.Error(), Field: field}})
		return pol, false
	}
	return pol, true
}

func (p *policies) put(w http.ResponseWriter, r *http.Request) {
	raw, err := readLimited(w, r)
	if err != nil {
		return
	}
	pol, ok := decodePolicy(w, raw)
	if !ok {
		return
	}
	if err := p.validate(pol); err != nil {
		writeValidation(w, err)
		return
	}
	tenant := telemetryapi.EffectiveTenant(r)
	k := fleetstore.Key{Kind: kindPolicy, Tenant: tenant, ID: policyID}
	var expect *uint64
	if im := strings.TrimSpace(r.Header.Get("If-Match")); im != "" && im != "*" {
		v, err := strconv.ParseUint(strings.Trim(strings.TrimPrefix(im, "W/"), `"`), 10, 64)
		if err != nil {
			telemetryapi.WriteError(w, http.StatusPreconditionFailed, "precondition_failed", "If-Match must be the ETag of GET /privacy/policy")
			return
		}
		expect = &v
	}
	before := p.view(tenant)
	body, _ := json.Marshal(pol)
	principal, _ := telemetryapi.PrincipalFrom(r.Context())
	rec := fleetstore.Record{Kind: kindPolicy, Tenant: tenant, ID: policyID, Version: p.store.NextVersion(k), Body: body, Actor: principal.KeyID}
	switch err := p.store.Put(r.Context(), rec, expect); {
	case errors.Is(err, fleetstore.ErrConflict):
		cur := p.view(tenant)
		w.Header().Set("ETag", etag(cur.Version))
		telemetryapi.WriteError(w, http.StatusPreconditionFailed, "precondition_failed",
			fmt.Sprintf("the policy is at version %d, not the one in If-Match: read it again and reapply your change", cur.Version))
		return
	case err != nil:
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the policy could not be stored: "+errorText(err))
		return
	}
	beforeJSON := "null"
	if !before.Default {
		b, _ := json.Marshal(before.Policy)
		beforeJSON = string(b)
	}
	ctx := r.Context()
	telemetryapi.AddAuditDetail(ctx, "object", kindPolicy)
	telemetryapi.AddAuditDetail(ctx, "before", beforeJSON)
	telemetryapi.AddAuditDetail(ctx, "after", string(body))
	telemetryapi.AddAuditDetail(ctx, "version", strconv.FormatUint(rec.Version, 10))
	if p.purger != nil && (len(pol.RetentionDays) > 0 || len(before.Policy.RetentionDays) > 0) {
		p.purger.now()
		telemetryapi.AddAuditDetail(ctx, "retention_purge", "requested")
	}
	v := p.view(tenant)
	w.Header().Set("ETag", etag(v.Version))
	telemetryapi.WriteJSON(w, http.StatusOK, v)
}

// readLimited reads a body of at most 1 MiB, answering 413 itself.
func readLimited(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
		telemetryapi.WriteError(w, http.StatusRequestEntityTooLarge, "payload_too_large", "the body must be at most 1 MiB")
		return nil, err
	}
	return buf.Bytes(), nil
}

type historyEntry struct {
	Version   uint64                `json:"version"`
	UpdatedAt time.Time             `json:"updated_at"`
	UpdatedBy string                `json:"updated_by"`
	Policy    *privacypolicy.Policy `json:"policy"`
}

func (p *policies) history(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			badField(w, "limit", "limit must be 1-1000")
			return
		}
		limit = n
	}
	tenant := telemetryapi.EffectiveTenant(r)
	recs, err := p.store.History(r.Context(), fleetstore.Key{Kind: kindPolicy, Tenant: tenant, ID: policyID}, limit)
	if err != nil {
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "unavailable", "history could not be read: "+errorText(err))
		return
	}
	out := []historyEntry{}
	for _, rec := range recs {
		e := historyEntry{Version: rec.Version, UpdatedAt: rec.UpdatedAt.UTC(), UpdatedBy: rec.Actor}
		if !rec.Deleted {
			var pol privacypolicy.Policy
			if json.Unmarshal(rec.Body, &pol) == nil {
				e.Policy = &pol
			}
		}
		out = append(out, e)
	}
	telemetryapi.WriteJSON(w, http.StatusOK, map[string]any{"tenant": tenant, "history": out})
}

type testRequest struct {
	// Signal of the sample: traces, logs, metrics, or events.
	Signal string `json:"signal"`
	// Sample is an OTLP JSON export request, or for events one event as POST /events takes it.
	Sample json.RawMessage `json:"sample"`
	// Policy is a draft to try; absent: the tenant's policy in effect.
	Policy json.RawMessage `json:"policy,omitempty"`
}

// test is the dry run: nothing is stored, not even the draft.
func (p *policies) test(w http.ResponseWriter, r *http.Request) {
	e := p.reg.Engine()
	if e == nil {
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "unavailable", "no pii_redaction processor applies tenant policies in this collector")
		return
	}
	var req testRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	switch req.Signal {
	case "traces", "logs", "metrics", "events":
	default:
		badField(w, "signal", "signal must be traces, logs, metrics or events")
		return
	}
	if len(req.Sample) == 0 {
		badField(w, "sample", "sample must be an OTLP JSON export request (for events: one event as POST /events takes it)")
		return
	}
	tenant := telemetryapi.EffectiveTenant(r)
	if req.Signal == "events" {
		// An event goes down the logs pipeline as the events receiver builds it.
		ld, err := eventsreceiver.EventAsLogs(req.Sample, tenant, time.Now())
		if err != nil {
			badField(w, "sample", "event: "+err.Error())
			return
		}
		if req.Sample, err = (&plog.JSONMarshaler{}).MarshalLogs(ld); err != nil {
			badField(w, "sample", err.Error())
			return
		}
		req.Signal = "logs"
	}
	pol, version := p.view(tenant).Policy, p.view(tenant).Version
	draft := len(req.Policy) > 0 && string(req.Policy) != "null"
	if draft {
		var ok bool
		if pol, ok = decodePolicy(w, req.Policy); !ok {
			return
		}
		if err := p.validate(pol); err != nil {
			writeValidation(w, err)
			return
		}
	}
	res, err := e.DryRun(r.Context(), pol, req.Signal, req.Sample)
	if err != nil {
		badField(w, "sample", err.Error())
		return
	}
	answer := map[string]any{
		"tenant": tenant, "draft": draft, "policy_version": version, "stored": false,
		"record": res.Record, "changes": res.Changes, "detectors": res.Detectors,
	}
	// Consent runs before redaction in the pipeline: it judges the sample as sent, under the
	// draft's consent_default and purposes when there is a draft.
	if judge := p.reg.ConsentJudgeFor(req.Signal); judge != nil {
		var draftPol *privacypolicy.Policy
		if draft {
			draftPol = &pol
		}
		verdicts, err := judge(r.Context(), tenant, draftPol, req.Sample)
		if err != nil {
			badField(w, "sample", err.Error())
			return
		}
		drops := false
		for _, v := range verdicts {
			drops = drops || v.Outcome == "dropped"
		}
		answer["consent"], answer["consent_would_drop"] = verdicts, drops
	}
	telemetryapi.AddAuditDetail(r.Context(), "draft", strconv.FormatBool(draft))
	telemetryapi.WriteJSON(w, http.StatusOK, answer)
}
