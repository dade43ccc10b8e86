package telemetryapiextension

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestAdminKeysLifecycle(t *testing.T) {
	store := &fakeStore{}
	h := newHarness(t, testConfig(), store).start()
	_ = h.ext.Register(echoRoute("GET", "/echo", telemetryapi.RoleViewer))

	// Created by tenant-a's admin: the secret is shown once, the store holds its digest only.
	r := h.do("POST", "/admin/keys", keyAdminA, `{"id":"dash","roles":["viewer"]}`)
	require.Equal(t, http.StatusCreated, r.status, r)
	var created keyView
	require.NoError(t, json.Unmarshal([]byte(r.body), &created))
	require.True(t, strings.HasPrefix(created.Key, "tk_"), r.body)
	assert.Equal(t, "tenant-a", created.Tenant)
	rec, ok := h.ext.admin.Get(fleetstore.Key{Kind: kindAPIKey, Tenant: "tenant-a", ID: "dash"})
	require.True(t, ok)
	assert.NotContains(t, string(rec.Body), created.Key)
	assert.Contains(t, string(rec.Body), hexDigestOf(created.Key))

	got := h.do("GET", "/echo", created.Key, "")
	require.Equal(t, http.StatusOK, got.status, got)
	assert.Contains(t, got.body, `"tenant":"tenant-a"`)

	// Listed without secrets, with the YAML keys of the tenant; last use seen.
	r = h.do("GET", "/admin/keys", keyAdminA, "")
	require.Equal(t, http.StatusOK, r.status, r)
	assert.NotContains(t, r.body, created.Key)
	assert.NotContains(t, r.body, hexDigestOf(created.Key))
	assert.Contains(t, r.body, `"id":"dash"`)
	assert.Contains(t, r.body, `"id":"viewer-a","tenant":"tenant-a","roles":["viewer"],"source":"config"`)
	assert.Contains(t, r.body, `"last_used_at"`)
	assert.NotContains(t, r.body, "viewer-b", "another tenant's keys are not listed")

	// Bad input names the field; escalation and duplicates refused.
	f := func(key, body string, status int, want string) {
		t.Helper()
		r := h.do("POST", "/admin/keys", key, body)
		assert.Equal(t, status, r.status, r)
		assert.Contains(t, r.body, want)
	}
	f(keyAdminA, `{"id":"x y","roles":["viewer"]}`, 400, `"field":"id"`)
	f(keyAdminA, `{"id":"x","roles":[]}`, 400, `"field":"roles"`)
	f(keyAdminA, `{"id":"x","roles":["root"]}`, 400, `"field":"roles"`)
	f(keyAdminA, `{"id":"viewer-a","roles":["viewer"]}`, 400, `collector configuration`)
	f(keyAdminA, `{"id":"dash","roles":["viewer"]}`, 409, `exists`)
	f(keyAdminA, `{"id":"op","roles":["operator"]}`, 403, `operator`)
	f(keyViewerA, `{"id":"x","roles":["viewer"]}`, 403, `admin`)

	// Rotation with an overlap: both secrets work until it ends.
	r = h.do("POST", "/admin/keys/dash/rotate", keyAdminA, `{"overlap":"1h"}`)
	require.Equal(t, http.StatusOK, r.status, r)
	var rotated keyView
	require.NoError(t, json.Unmarshal([]byte(r.body), &rotated))
	require.NotEqual(t, created.Key, rotated.Key)
	require.NotNil(t, rotated.PreviousValidUntil)
	assert.Equal(t, http.StatusOK, h.do("GET", "/echo", created.Key, "").status)
	assert.Equal(t, http.StatusOK, h.do("GET", "/echo", rotated.Key, "").status)
	h.ext.keys.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/echo", created.Key, "").status, "overlap over")
	assert.Equal(t, http.StatusOK, h.do("GET", "/echo", rotated.Key, "").status)
	h.ext.keys.now = time.Now
	assert.Equal(t, http.StatusBadRequest, h.do("POST", "/admin/keys/dash/rotate", keyAdminA, `{"overlap":"9999h"}`).status)

	// Another tenant's admin cannot see or revoke it.
	assert.Equal(t, http.StatusForbidden, h.do("DELETE", "/admin/keys/dash", keyViewerB, "").status)
	assert.Equal(t, http.StatusNotFound, h.do("DELETE", "/admin/keys/nope", keyAdminA, "").status)

	// Revoked: refused at once on this collector.
	require.Equal(t, http.StatusNoContent, h.do("DELETE", "/admin/keys/dash", keyAdminA, "").status)
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/echo", rotated.Key, "").status)
	assert.NotContains(t, h.do("GET", "/admin/keys", keyAdminA, "").body, `"dash"`)

	// Every change audited with before/after, never a secret or digest.
	recs := store.waitRecords(t, 1, func(r auditRecord) bool { return r.Action == "DELETE /admin/keys/{id}" && r.Outcome == outcomeSuccess })
	assert.Equal(t, "admin-a", recs[0].KeyID)
	assert.Equal(t, "tenant-a", recs[0].Tenant)
	assert.Equal(t, "null", recs[0].Details["after"])
	assert.Contains(t, recs[0].Details["before"], `"roles":["viewer"]`)
	for _, rec := range store.records() {
		for _, v := range rec.Details {
			assert.NotContains(t, v, created.Key)
			assert.NotContains(t, v, hexDigestOf(created.Key))
			assert.NotContains(t, v, rotated.Key)
		}
	}
	creates := store.waitRecords(t, 1, func(r auditRecord) bool { return r.Action == "POST /admin/keys" && r.Outcome == outcomeSuccess })
	assert.Equal(t, "null", creates[0].Details["before"])
	assert.Contains(t, creates[0].Details["after"], `"roles":["viewer"]`)
}

// TestAdminKeysFromFleet: a key written by another collector is accepted after a refresh and
// refused after its revocation arrives.
func TestAdminKeysFromFleet(t *testing.T) {
	backend := fleetstore.NewMemoryBackend()
	other := fleetstore.New(backend, fleetstore.Options{}, nil)
	kr := newKeyring(AuthConfig{})
	mine := fleetstore.New(backend, fleetstore.Options{}, nil)
	newAPIKeys(mine, kr, time.Hour)
	secret := newSecret()
	doc, _ := json.Marshal(apiKeyDoc{Roles: []telemetryapi.Role{"viewer"}, Secrets: []keySecret{{SHA256: hexDigestOf(secret)}}})
	k := fleetstore.Key{Kind: kindAPIKey, Tenant: "t", ID: "k"}
	require.NoError(t, other.Put(t.Context(), fleetstore.Record{Kind: k.Kind, Tenant: k.Tenant, ID: k.ID, Version: other.NextVersion(k), Body: doc}, nil))
	_, ok := kr.lookup(secret)
	require.False(t, ok, "not refreshed yet")
	require.NoError(t, mine.Refresh(t.Context()))
	p, ok := kr.lookup(secret)
	require.True(t, ok)
	assert.Equal(t, "t", p.TenantID)
	require.NoError(t, other.Put(t.Context(), fleetstore.Record{Kind: k.Kind, Tenant: k.Tenant, ID: k.ID, Version: other.NextVersion(k), Deleted: true}, nil))
	require.NoError(t, mine.Refresh(t.Context()))
	_, ok = kr.lookup(secret)
	assert.False(t, ok)
}

// BenchmarkKeyringLookup10k: the lookup cost with 10,000 keys created by API (plus the YAML
// ones) must be that of a few keys: one digest and one map access.
func BenchmarkKeyringLookup10k(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprint("keys=", n), func(b *testing.B) {
			kr := newKeyring(testConfig().Auth)
			backend := fleetstore.NewMemoryBackend()
			store := fleetstore.New(backend, fleetstore.Options{}, nil)
			newAPIKeys(store, kr, time.Hour)
			var last string
			for i := range n {
				last = fmt.Sprintf("tk_bench-%06d-0123456789abcdef", i)
				doc, _ := json.Marshal(apiKeyDoc{Roles: []telemetryapi.Role{"ingest"}, Secrets: []keySecret{{SHA256: hexDigestOf(last)}}})
				k := fleetstore.Key{Kind: kindAPIKey, Tenant: fmt.Sprint("t", i%100), ID: fmt.Sprint("k", i)}
				require.NoError(b, backend.Insert(b.Context(), fleetstore.Record{Kind: k.Kind, Tenant: k.Tenant, ID: k.ID, Version: uint64(i + 1), Body: doc}))
			}
			require.NoError(b, store.Refresh(b.Context()))
			require.Equal(b, n+len(testConfig().Auth.APIKeys)+1, kr.size())
			var hits atomic.Int64
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := kr.lookup(last); ok {
					hits.Add(1)
				}
			}
			require.Positive(b, hits.Load())
		})
	}
}

func TestAdminTenants(t *testing.T) {
	store := &fakeStore{}
	h := newHarness(t, testConfig(), store).start()
	r := h.do("POST", "/admin/tenants", bootstrapKey, `{"id":"eu-west","name":"EU West"}`)
	require.Equal(t, http.StatusCreated, r.status, r)
	assert.Equal(t, http.StatusConflict, h.do("POST", "/admin/tenants", bootstrapKey, `{"id":"eu-west"}`).status)
	r = h.do("POST", "/admin/tenants", bootstrapKey, `{"id":"../x"}`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.body, `"field":"id"`)
	assert.Equal(t, http.StatusForbidden, h.do("GET", "/admin/tenants", keyViewerA, "").status)
	r = h.do("GET", "/admin/tenants", bootstrapKey, "")
	require.Equal(t, http.StatusOK, r.status, r)
	assert.Contains(t, r.body, `{"id":"eu-west","name":"EU West","source":"api"`)
	assert.Contains(t, r.body, `{"id":"tenant-b","source":"config"}`)
	recs := store.waitRecords(t, 1, func(r auditRecord) bool { return r.Action == "POST /admin/tenants" && r.Outcome == outcomeSuccess })
	assert.Contains(t, recs[0].Details["after"], "EU West")
}
