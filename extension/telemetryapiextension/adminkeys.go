package telemetryapiextension

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// kindAPIKey is the fleet store kind of keys created by API.
const kindAPIKey = "api_key"

// maxKeysPerTenant bounds the live keys one tenant's admins can create (memory on every collector).
const maxKeysPerTenant = 10000

// apiKeyDoc is the stored form of a key: digests only, never the secret.
type apiKeyDoc struct {
	Roles     []telemetryapi.Role `json:"roles"`
	CreatedAt time.Time           `json:"created_at"`
	RotatedAt *time.Time          `json:"rotated_at,omitempty"`
	Secrets   []keySecret         `json:"secrets"`
}

// keySecret is one accepted digest; NotAfter (unix ms) ends the overlap of a rotated-out secret.
type keySecret struct {
	SHA256   string `json:"sha256"`
	NotAfter int64  `json:"not_after,omitempty"`
}

// apiKeys serves /admin/keys over the fleet store and keeps the keyring's dynamic map in step
// with it.
type apiKeys struct {
	store *fleetstore.Store
	kr    *keyring
	now   func() time.Time
	// maxOverlap bounds a rotation's overlap period.
	maxOverlap time.Duration

	mu   sync.Mutex
	docs map[fleetstore.Key]apiKeyDoc // the live (not revoked) keys
	used map[[32]byte]*atomic.Int64   // last use per digest, kept across rebuilds
}

func newAPIKeys(store *fleetstore.Store, kr *keyring, maxOverlap time.Duration) *apiKeys {
	a := &apiKeys{store: store, kr: kr, now: time.Now, maxOverlap: maxOverlap,
		docs: map[fleetstore.Key]apiKeyDoc{}, used: map[[32]byte]*atomic.Int64{}}
	store.Subscribe(kindAPIKey, a.apply)
	return a
}

// apply takes newer key records from the store and swaps in a new digest map.
func (a *apiKeys) apply(recs []fleetstore.Record) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range recs {
		var doc apiKeyDoc
		if r.Deleted || json.Unmarshal(r.Body, &doc) != nil {
			delete(a.docs, r.KeyOf())
			continue
		}
		a.docs[r.KeyOf()] = doc
	}
	m := make(map[[32]byte]*keyEntry, len(a.docs)+len(a.docs)/8)
	used := make(map[[32]byte]*atomic.Int64, len(a.used))
	for k, doc := range a.docs {
		p := telemetryapi.Principal{KeyID: k.ID, TenantID: k.Tenant, Roles: doc.Roles}
		for _, s := range doc.Secrets {
			var d [32]byte
			if _, err := hex.Decode(d[:], []byte(s.SHA256)); err != nil {
				continue
			}
			lu := a.used[d]
			if lu == nil {
				lu = new(atomic.Int64)
			}
			used[d] = lu
			m[d] = &keyEntry{principal: p, notAfter: s.NotAfter, lastUsed: lu}
		}
	}
	a.used = used
	a.kr.dynamic.Store(&m)
}

func (a *apiKeys) routes(api *apiServer) []*routeHandler {
	r := func(method, path string, h http.HandlerFunc) *routeHandler {
		return &routeHandler{route: telemetryapi.Route{Method: method, Path: path, Role: telemetryapi.RoleAdmin, Handler: h}, api: api}
	}
	return []*routeHandler{
		r(http.MethodPost, "/admin/keys", a.create),
		r(http.MethodGet, "/admin/keys", a.list),
		r(http.MethodDelete, "/admin/keys/{id}", a.revoke),
		r(http.MethodPost, "/admin/keys/{id}/rotate", a.rotate),
	}
}

// keyView is what the API shows of a key: never a secret or a digest.
type keyView struct {
	ID         string              `json:"id"`
	Tenant     string              `json:"tenant"`
	Roles      []telemetryapi.Role `json:"roles"`
	Source     string              `json:"source"` // "api" or "config"
	CreatedAt  *time.Time          `json:"created_at,omitempty"`
	RotatedAt  *time.Time          `json:"rotated_at,omitempty"`
	LastUsedAt *time.Time          `json:"last_used_at,omitempty"`
	// Key is the secret, only in the answer that creates or rotates it.
	Key string `json:"key,omitempty"`
	// PreviousValidUntil ends the overlap of the rotated-out secret.
	PreviousValidUntil *time.Time `json:"previous_valid_until,omitempty"`
}

type createKeyRequest struct {
	ID    string              `json:"id"`
	Roles []telemetryapi.Role `json:"roles"`
}

func badField(w http.ResponseWriter, field, msg string) {
	telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: telemetryapi.ErrorDetail{
		Code: "invalid_request", Message: msg, Field: field}})
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		telemetryapi.WriteError(w, http.StatusBadRequest, "invalid_json", "request body: "+err.Error())
		return false
	}
	return true
}

func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "tk_" + base64.RawURLEncoding.EncodeToString(b[:])
}

func (a *apiKeys) create(w http.ResponseWriter, r *http.Request) {
	var req createKeyRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	p, _ := telemetryapi.PrincipalFrom(r.Context())
	tenant := telemetryapi.EffectiveTenant(r)
	switch {
	case !keyIDPattern.MatchString(req.ID):
		badField(w, "id", "id must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
		return
	case a.kr.ids[req.ID]:
		badField(w, "id", fmt.Sprintf("id %q is taken by a key of the collector configuration", req.ID))
		return
	case len(req.Roles) == 0:
		badField(w, "roles", fmt.Sprintf("roles must list at least one of %v", knownRoles))
		return
	}
	for _, role := range req.Roles {
		if !slices.Contains(knownRoles, role) {
			badField(w, "roles", fmt.Sprintf("unknown role %q, use %v", role, knownRoles))
			return
		}
		// No escalation: a key gets only roles its creator holds (an admin's include every
		// tenant role; operator only from an operator).
		if !p.Has(role) {
			telemetryapi.WriteError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("you may not grant the %s role", role))
			return
		}
	}
	k := fleetstore.Key{Kind: kindAPIKey, Tenant: tenant, ID: req.ID}
	if cur, ok := a.store.Get(k); ok && !cur.Deleted {
		telemetryapi.WriteError(w, http.StatusConflict, "conflict", fmt.Sprintf("key %q exists; rotate or revoke it", req.ID))
		return
	}
	if len(a.store.List(kindAPIKey, tenant)) >= maxKeysPerTenant {
		telemetryapi.WriteError(w, http.StatusConflict, "too_many_keys", fmt.Sprintf("the tenant has %d keys, the most it may have; revoke unused ones", maxKeysPerTenant))
		return
	}
	if len(req.Roles) > len(knownRoles) {
		badField(w, "roles", "roles lists a role more than once")
		return
	}
	secret := newSecret()
	now := a.now().UTC().Truncate(time.Millisecond)
	doc := apiKeyDoc{Roles: req.Roles, CreatedAt: now, Secrets: []keySecret{{SHA256: hexDigestOf(secret)}}}
	if !a.put(w, r, k, doc, false) {
		return
	}
	v := a.view(k, doc)
	v.Key = secret
	telemetryapi.WriteJSON(w, http.StatusCreated, v)
}

func hexDigestOf(secret string) string {
	d := digestOf(secret)
	return hex.EncodeToString(d[:])
}

// put stores a new version of key k and records before/after (roles, times; never digests) in
// the audit record.
func (a *apiKeys) put(w http.ResponseWriter, r *http.Request, k fleetstore.Key, doc apiKeyDoc, deleted bool) bool {
	p, _ := telemetryapi.PrincipalFrom(r.Context())
	before := "null"
	if cur, ok := a.store.Get(k); ok && !cur.Deleted {
		var old apiKeyDoc
		if json.Unmarshal(cur.Body, &old) == nil {
			before = auditKeyJSON(old)
		}
	}
	body, _ := json.Marshal(doc)
	rec := fleetstore.Record{Kind: kindAPIKey, Tenant: k.Tenant, ID: k.ID, Version: a.store.NextVersion(k),
		Deleted: deleted, Body: body, Actor: p.KeyID}
	if deleted {
		rec.Body = nil
	}
	if err := a.store.Put(r.Context(), rec, nil); err != nil {
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the key could not be stored: "+errorText(err))
		return false
	}
	after := "null"
	if !deleted {
		after = auditKeyJSON(doc)
	}
	ctx := r.Context()
	telemetryapi.AddAuditDetail(ctx, "object", kindAPIKey+"/"+k.ID)
	telemetryapi.AddAuditDetail(ctx, "before", before)
	telemetryapi.AddAuditDetail(ctx, "after", after)
	return true
}

// errorText is a storage error without anything that could be a credential: the kind of failure.
func errorText(err error) string {
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return "storage timed out"
	}
	return "storage error"
}

// auditKeyJSON is the audited form of a key: roles and times, no digest.
func auditKeyJSON(doc apiKeyDoc) string {
	type secretView struct {
		NotAfter int64 `json:"not_after,omitempty"`
	}
	v := struct {
		Roles     []telemetryapi.Role `json:"roles"`
		CreatedAt time.Time           `json:"created_at"`
		RotatedAt *time.Time          `json:"rotated_at,omitempty"`
		Secrets   []secretView        `json:"secrets"`
	}{Roles: doc.Roles, CreatedAt: doc.CreatedAt, RotatedAt: doc.RotatedAt}
	for _, s := range doc.Secrets {
		v.Secrets = append(v.Secrets, secretView{NotAfter: s.NotAfter})
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (a *apiKeys) view(k fleetstore.Key, doc apiKeyDoc) keyView {
	v := keyView{ID: k.ID, Tenant: k.Tenant, Roles: doc.Roles, Source: "api", RotatedAt: doc.RotatedAt}
	created := doc.CreatedAt
	v.CreatedAt = &created
	var last int64
	a.mu.Lock()
	for _, s := range doc.Secrets {
		var d [32]byte
		if _, err := hex.Decode(d[:], []byte(s.SHA256)); err == nil {
			if lu := a.used[d]; lu != nil {
				last = max(last, lu.Load())
			}
		}
	}
	a.mu.Unlock()
	if last > 0 {
		t := time.UnixMilli(last).UTC()
		v.LastUsedAt = &t
	}
	return v
}

func (a *apiKeys) list(w http.ResponseWriter, r *http.Request) {
	tenant := telemetryapi.EffectiveTenant(r)
	out := []keyView{}
	for _, e := range a.kr.static {
		if e.principal.TenantID == tenant {
			v := keyView{ID: e.principal.KeyID, Tenant: tenant, Roles: e.principal.Roles, Source: "config"}
			if lu := e.lastUsed.Load(); lu > 0 {
				t := time.UnixMilli(lu).UTC()
				v.LastUsedAt = &t
			}
			out = append(out, v)
		}
	}
	for _, rec := range a.store.List(kindAPIKey, tenant) {
		var doc apiKeyDoc
		if json.Unmarshal(rec.Body, &doc) == nil {
			out = append(out, a.view(rec.KeyOf(), doc))
		}
	}
	slices.SortFunc(out, func(x, y keyView) int {
		if x.ID < y.ID {
			return -1
		}
		if x.ID > y.ID {
			return 1
		}
		return 0
	})
	telemetryapi.AddAuditDetail(r.Context(), "rows", fmt.Sprint(len(out)))
	telemetryapi.WriteJSON(w, http.StatusOK, map[string]any{"keys": out})
}

// current returns the live key named by the path, answering 404 itself.
func (a *apiKeys) current(w http.ResponseWriter, r *http.Request) (fleetstore.Key, apiKeyDoc, bool) {
	k := fleetstore.Key{Kind: kindAPIKey, Tenant: telemetryapi.EffectiveTenant(r), ID: r.PathValue("id")}
	rec, ok := a.store.Get(k)
	var doc apiKeyDoc
	if !ok || rec.Deleted || json.Unmarshal(rec.Body, &doc) != nil {
		if a.kr.ids[k.ID] {
			telemetryapi.WriteError(w, http.StatusConflict, "conflict", fmt.Sprintf("key %q is in the collector configuration; change it there", k.ID))
			return k, doc, false
		}
		telemetryapi.WriteNotFound(w)
		return k, doc, false
	}
	return k, doc, true
}

func (a *apiKeys) revoke(w http.ResponseWriter, r *http.Request) {
	k, doc, ok := a.current(w, r)
	if !ok {
		return
	}
	if !a.put(w, r, k, doc, true) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type rotateRequest struct {
	// Overlap keeps the old secret valid this long ("1h"; default 0: refused at once).
	Overlap string `json:"overlap"`
}

func (a *apiKeys) rotate(w http.ResponseWriter, r *http.Request) {
	var req rotateRequest
	if r.ContentLength != 0 && !decodeJSON(w, r, &req) {
		return
	}
	var overlap time.Duration
	if req.Overlap != "" {
		d, err := time.ParseDuration(req.Overlap)
		if err != nil || d < 0 || d > a.maxOverlap {
			badField(w, "overlap", fmt.Sprintf("overlap must be a duration between 0s and %s", a.maxOverlap))
			return
		}
		overlap = d
	}
	k, doc, ok := a.current(w, r)
	if !ok {
		return
	}
	now := a.now().UTC().Truncate(time.Millisecond)
	secret := newSecret()
	next := apiKeyDoc{Roles: doc.Roles, CreatedAt: doc.CreatedAt, RotatedAt: &now,
		Secrets: []keySecret{{SHA256: hexDigestOf(secret)}}}
	var until *time.Time
	if overlap > 0 && len(doc.Secrets) > 0 {
		// Only the newest old secret overlaps: rotating twice ends the first one's overlap.
		t := now.Add(overlap)
		until = &t
		next.Secrets = append(next.Secrets, keySecret{SHA256: doc.Secrets[0].SHA256, NotAfter: t.UnixMilli()})
	}
	if !a.put(w, r, k, next, false) {
		return
	}
	v := a.view(k, next)
	v.Key, v.PreviousValidUntil = secret, until
	telemetryapi.WriteJSON(w, http.StatusOK, v)
}
