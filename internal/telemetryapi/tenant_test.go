package telemetryapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResolveTenant(t *testing.T) {
	viewer := Principal{KeyID: "v", TenantID: "acme", Roles: []Role{RoleViewer}}
	admin := Principal{KeyID: "a", TenantID: "acme", Roles: []Role{RoleAdmin}}
	operator := Principal{KeyID: "o", TenantID: "acme", Roles: []Role{RoleOperator}}
	f := func(p Principal, requested string, allTenants bool, want string, wantErr error) {
		t.Helper()
		got, err := ResolveTenant(p, requested, allTenants)
		assert.ErrorIs(t, err, wantErr, "%s %q", p.KeyID, requested)
		assert.Equal(t, want, got, "%s %q", p.KeyID, requested)
	}
	f(viewer, "", false, "acme", nil)
	f(viewer, "acme", false, "acme", nil)
	f(viewer, "globex", false, "", ErrOtherTenant)
	f(viewer, "*", true, "", ErrOtherTenant)
	f(viewer, "bad tenant", false, "", ErrInvalidTenant)
	// An admin is the admin of its own tenant only.
	f(admin, "", false, "acme", nil)
	f(admin, "acme", false, "acme", nil)
	f(admin, "globex", false, "", ErrOtherTenant)
	f(admin, "*", true, "", ErrOtherTenant)
	f(admin, "bad/tenant", false, "", ErrInvalidTenant)
	// An operator crosses tenants, but only when it names one.
	f(operator, "", false, "acme", nil)
	f(operator, "globex", false, "globex", nil)
	f(operator, "*", false, "", ErrAllTenantsNotSupported)
	f(operator, "*", true, AllTenants, nil)
	f(operator, "bad/tenant", false, "", ErrInvalidTenant)
	f(operator, strings.Repeat("t", 129), false, "", ErrInvalidTenant)
}

func TestEffectiveTenant(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	assert.Empty(t, EffectiveTenant(r))
	ctx := WithPrincipal(context.Background(), Principal{TenantID: "acme"})
	assert.Equal(t, "acme", EffectiveTenant(r.WithContext(ctx)))
	assert.Equal(t, "globex", EffectiveTenant(r.WithContext(WithTenant(ctx, "globex"))))
}

func TestDecodeJSON(t *testing.T) {
	f := func(contentType, body string, limit int64, wantOK bool, wantStatus int) {
		t.Helper()
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		if limit > 0 {
			r.Body = http.MaxBytesReader(rec, r.Body, limit)
		}
		var v map[string]any
		assert.Equal(t, wantOK, DecodeJSON(rec, r, &v), "%s %q", contentType, body)
		if !wantOK {
			assert.Equal(t, wantStatus, rec.Code, "%s %q", contentType, body)
			assert.Contains(t, rec.Body.String(), `"error"`)
		}
	}
	f("application/json", `{"a":1}`, 0, true, 0)
	f("application/json; charset=utf-8", `{"a":1}`+"\n", 0, true, 0)
	f("text/plain", `{"a":1}`, 0, false, http.StatusUnsupportedMediaType)
	f("", `{"a":1}`, 0, false, http.StatusUnsupportedMediaType)
	f("application/json", `{"a":`, 0, false, http.StatusBadRequest)
	f("application/json", `{"a":1}{"b":2}`, 0, false, http.StatusBadRequest)
	f("application/json", `{"a":"`+strings.Repeat("x", 100)+`"}`, 50, false, http.StatusRequestEntityTooLarge)
}

func TestWriteNotFound(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteNotFound(rec)
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.JSONEq(t, `{"error":{"code":"not_found","message":"resource not found"}}`, rec.Body.String())
}
