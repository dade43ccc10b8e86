package client

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataRightsCalls(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Method+" "+r.URL.EscapedPath()+" "+r.Header.Get("Authorization"))
		switch {
		case r.Method == http.MethodDelete && r.URL.Path == "/api/v1/telemetry/data/user 1":
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(`{"request_id":"dr_1","status":"pending","location":"/api/v1/telemetry/data/requests/dr_1"}`))
		case r.URL.Path == "/api/v1/telemetry/data/requests/dr_1":
			_, _ = w.Write([]byte(`{"request_id":"dr_1","status":"completed","receipt":{"signature":"ab"}}`))
		case r.URL.Path == "/api/v1/telemetry/data/user 1/export":
			_, _ = w.Write([]byte("{\"type\":\"header\"}\n{\"type\":\"trailer\"}\n"))
		default:
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":{"code":"forbidden","message":"this route needs the privacy role"}}`))
		}
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Endpoint, cfg.APIKey = srv.URL, "k1"
	c, err := New(cfg)
	require.NoError(t, err)
	defer func() { _ = c.Close(context.Background()) }()
	ctx := context.Background()

	req, err := c.DeleteUserData(ctx, "user 1")
	require.NoError(t, err)
	assert.Equal(t, "dr_1", req.RequestID)
	assert.False(t, req.Done())
	st, err := c.DeletionStatus(ctx, "dr_1")
	require.NoError(t, err)
	assert.True(t, st.Done())
	assert.JSONEq(t, `{"signature":"ab"}`, string(st.Receipt))
	var buf bytes.Buffer
	require.NoError(t, c.ExportUserData(ctx, "user 1", &buf))
	assert.Equal(t, 2, strings.Count(buf.String(), "\n"))
	assert.Equal(t, "DELETE /api/v1/telemetry/data/user%201 Bearer k1", seen[0])

	_, err = c.DeletionStatus(ctx, "other")
	var se *statusError
	require.True(t, errors.As(err, &se))
	assert.Equal(t, http.StatusForbidden, se.status)
	assert.Contains(t, err.Error(), "privacy role")
	assert.ErrorIs(t, c.ExportUserData(ctx, "", &buf), ErrInvalidUserID)
	_, err = c.DeleteUserData(ctx, "")
	assert.ErrorIs(t, err, ErrInvalidUserID)
}
