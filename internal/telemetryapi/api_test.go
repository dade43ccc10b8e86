package telemetryapi

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPrincipalHas(t *testing.T) {
	f := func(roles []Role, want Role, ok bool) {
		t.Helper()
		assert.Equal(t, ok, Principal{Roles: roles}.Has(want), "%v has %s", roles, want)
	}
	f([]Role{RoleAdmin}, RolePrivacy, true)
	f([]Role{RoleAnalyst}, RoleViewer, true)
	f([]Role{RoleViewer}, RoleAnalyst, false)
	f([]Role{RoleIngest}, RoleViewer, false)
	f([]Role{RolePrivacy}, RoleAdmin, false)
	f([]Role{RoleAdmin}, RoleOperator, false) // an admin is scoped to its tenant
	f([]Role{RoleOperator}, RoleAdmin, true)
	f([]Role{RoleOperator}, RoleIngest, true)
	f([]Role{RoleViewer, RoleOperator}, RolePrivacy, true)
	f(nil, RoleIngest, false)
}

func TestPrincipalContext(t *testing.T) {
	_, ok := PrincipalFrom(context.Background())
	assert.False(t, ok)
	p := Principal{KeyID: "k1", TenantID: "t1", Roles: []Role{RoleViewer}}
	got, ok := PrincipalFrom(WithPrincipal(context.Background(), p))
	assert.True(t, ok)
	assert.Equal(t, p, got)
}

func TestWriteError(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, 415, "unsupported_media_type", "Content-Type must be application/json")
	assert.Equal(t, 415, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"error":{"code":"unsupported_media_type","message":"Content-Type must be application/json"}}`, rec.Body.String())
}
