package telemetryapiextension

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

const kindTenant = "tenant"

// tenantDoc is a tenant created by API.
type tenantDoc struct {
	Name      string    `json:"name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

type tenantView struct {
	ID        string     `json:"id"`
	Name      string     `json:"name,omitempty"`
	Source    string     `json:"source"` // "api" or "config" (named by a YAML key)
	CreatedAt *time.Time `json:"created_at,omitempty"`
	CreatedBy string     `json:"created_by,omitempty"`
}

// tenantsAPI serves /admin/tenants: cross-tenant, so for the operator role only.
type tenantsAPI struct {
	store *fleetstore.Store
	kr    *keyring
	now   func() time.Time
}

func (a *tenantsAPI) routes(api *apiServer) []*routeHandler {
	r := func(method string, h http.HandlerFunc) *routeHandler {
		return &routeHandler{route: telemetryapi.Route{Method: method, Path: "/admin/tenants", Role: telemetryapi.RoleOperator, Handler: h}, api: api}
	}
	return []*routeHandler{r(http.MethodPost, a.create), r(http.MethodGet, a.list)}
}

type createTenantRequest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (a *tenantsAPI) create(w http.ResponseWriter, r *http.Request) {
	var req createTenantRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	switch {
	case !telemetryapi.ValidTenant(req.ID):
		badField(w, "id", telemetryapi.ErrInvalidTenant.Error())
		return
	case len(req.Name) > 200:
		badField(w, "name", "name must be at most 200 characters")
		return
	}
	k := fleetstore.Key{Kind: kindTenant, Tenant: req.ID, ID: kindTenant}
	if cur, ok := a.store.Get(k); ok && !cur.Deleted {
		telemetryapi.WriteError(w, http.StatusConflict, "conflict", fmt.Sprintf("tenant %q exists", req.ID))
		return
	}
	p, _ := telemetryapi.PrincipalFrom(r.Context())
	doc := tenantDoc{Name: req.Name, CreatedAt: a.now().UTC().Truncate(time.Millisecond)}
	body, _ := json.Marshal(doc)
	if err := a.store.Put(r.Context(), fleetstore.Record{Kind: kindTenant, Tenant: req.ID, ID: kindTenant,
		Version: a.store.NextVersion(k), Body: body, Actor: p.KeyID}, nil); err != nil {
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the tenant could not be stored: "+errorText(err))
		return
	}
	telemetryapi.AddAuditDetail(r.Context(), "object", kindTenant+"/"+req.ID)
	telemetryapi.AddAuditDetail(r.Context(), "before", "null")
	telemetryapi.AddAuditDetail(r.Context(), "after", string(body))
	telemetryapi.WriteJSON(w, http.StatusCreated, tenantView{ID: req.ID, Name: req.Name, Source: "api", CreatedAt: &doc.CreatedAt, CreatedBy: p.KeyID})
}

func (a *tenantsAPI) list(w http.ResponseWriter, r *http.Request) {
	seen := map[string]tenantView{}
	for _, e := range a.kr.static {
		seen[e.principal.TenantID] = tenantView{ID: e.principal.TenantID, Source: "config"}
	}
	for _, rec := range a.store.List(kindTenant, "") {
		var doc tenantDoc
		if json.Unmarshal(rec.Body, &doc) == nil {
			t := doc.CreatedAt
			seen[rec.Tenant] = tenantView{ID: rec.Tenant, Name: doc.Name, Source: "api", CreatedAt: &t, CreatedBy: rec.Actor}
		}
	}
	out := make([]tenantView, 0, len(seen))
	for _, v := range seen {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	telemetryapi.WriteJSON(w, http.StatusOK, map[string]any{"tenants": out})
}
