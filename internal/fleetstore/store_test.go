package fleetstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

func TestStoreNewerWinsAndConflicts(t *testing.T) {
	backend := NewMemoryBackend()
	a := New(backend, Options{}, zap.NewNop())
	b := New(backend, Options{}, zap.NewNop())
	var seen []Record
	b.Subscribe("policy", func(recs []Record) { seen = append(seen, recs...) })
	k := Key{"policy", "t1", "privacy"}

	zero := uint64(0)
	require.NoError(t, a.Put(t.Context(), Record{Kind: k.Kind, Tenant: k.Tenant, ID: k.ID, Version: 5, Body: []byte(`{"v":5}`)}, &zero))
	// b has not refreshed, but Put with an expected version refreshes first: the lost update is caught.
	require.ErrorIs(t, b.Put(t.Context(), Record{Kind: k.Kind, Tenant: k.Tenant, ID: k.ID, Version: 6}, &zero), ErrConflict)
	require.Len(t, seen, 1)
	assert.Equal(t, uint64(5), seen[0].Version)
	five := uint64(5)
	require.NoError(t, b.Put(t.Context(), Record{Kind: k.Kind, Tenant: k.Tenant, ID: k.ID, Version: b.NextVersion(k), Body: []byte(`{"v":6}`)}, &five))

	// An older version arriving late changes nothing.
	require.NoError(t, backend.Insert(t.Context(), Record{Kind: k.Kind, Tenant: k.Tenant, ID: k.ID, Version: 4}))
	require.NoError(t, a.Refresh(t.Context()))
	cur, ok := a.Get(k)
	require.True(t, ok)
	assert.JSONEq(t, `{"v":6}`, string(cur.Body))
	assert.Greater(t, a.NextVersion(k), cur.Version)

	h, err := a.History(t.Context(), k, 2)
	require.NoError(t, err)
	require.Len(t, h, 2)
	assert.Equal(t, cur.Version, h[0].Version)
	assert.Equal(t, uint64(5), h[1].Version)

	require.NoError(t, a.Put(t.Context(), Record{Kind: k.Kind, Tenant: k.Tenant, ID: k.ID, Version: a.NextVersion(k), Deleted: true}, nil))
	assert.Empty(t, a.List("policy", "t1"))
}
