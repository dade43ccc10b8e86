package datarightsextension

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

func testExtension(t *testing.T) *dataRights {
	list, err := suppression.NewList([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	return &dataRights{cfg: createDefaultConfig(), logger: zap.NewNop(), now: time.Now, list: list,
		byID: map[string]*request{}, active: map[string]*request{}}
}

// TestBadInputIsRefusedByName: invalid ids and formats get 400 naming the field, before anything
// touches storage; unknown sub-resources answer the one 404.
func TestBadInputIsRefusedByName(t *testing.T) {
	x := testExtension(t)
	f := func(h http.HandlerFunc, path string, values map[string]string, status int, field string) {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for k, v := range values {
			r.SetPathValue(k, v)
		}
		w := httptest.NewRecorder()
		h(w, r)
		assert.Equal(t, status, w.Code, "%s: %s", path, w.Body.String())
		if field != "" {
			assert.Contains(t, w.Body.String(), `"field":"`+field+`"`, path)
		}
	}
	f(x.handleDelete, "/data/x", map[string]string{"user_id": strings.Repeat("u", 257)}, http.StatusBadRequest, "user_id")
	f(x.handleDelete, "/data/x", map[string]string{"user_id": "a\x01b"}, http.StatusBadRequest, "user_id")
	f(x.handleDelete, "/data/x", map[string]string{"user_id": "\xff"}, http.StatusBadRequest, "user_id")
	f(x.handleDeleteEvent, "/events/x", map[string]string{"event_id": "a b"}, http.StatusBadRequest, "event_id")
	f(x.handleDeleteEvent, "/events/x", map[string]string{"event_id": strings.Repeat("e", 129)}, http.StatusBadRequest, "event_id")
	f(x.handleDelete, "/data/x?from=yesterday&to=2026-01-01T00:00:00Z", map[string]string{"user_id": "u"}, http.StatusBadRequest, "from")
	f(x.handleDelete, "/data/x?from=2026-01-01T00:00:00Z&to=tomorrow", map[string]string{"user_id": "u"}, http.StatusBadRequest, "to")
	f(x.handleDelete, "/data/x?from=2026-01-01T00:00:00Z", map[string]string{"user_id": "u"}, http.StatusBadRequest, "to")
	f(x.handleDelete, "/data/x?to=2026-01-01T00:00:00Z", map[string]string{"user_id": "u"}, http.StatusBadRequest, "from")
	f(x.handleDelete, "/data/x?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", map[string]string{"user_id": "u"}, http.StatusBadRequest, "from")
	f(x.handleGet, "/data/u/export?format=xml", map[string]string{"a": "u", "b": "export"}, http.StatusBadRequest, "format")
	f(x.handleGet, "/data/u/other", map[string]string{"a": "u", "b": "other"}, http.StatusNotFound, "")
}

func TestAuditTargetIsThePseudonym(t *testing.T) {
	x := testExtension(t)
	r := httptest.NewRequest(http.MethodDelete, "/data/alice", nil)
	r.SetPathValue("user_id", "alice")
	got := x.routes()[0].TargetUser(r)
	assert.True(t, strings.HasPrefix(got, suppression.SubjectPrefix), got)
	assert.NotContains(t, got, "alice")
	assert.Equal(t, x.list.Subject("alice"), got)
}
