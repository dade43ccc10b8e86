package consentextension

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// null is neither true nor false: it must not be recorded as a denial (or withdrawal of a grant).
func TestUpdateNullPurposeIsInvalid(t *testing.T) {
	b := &fakeBackend{}
	s, _ := testStore(t, b)
	rec, _ := serve(t, s, "POST", "/consent/update", `{"user_id":"u","purposes":{"analytics":null}}`, "t1")
	assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
	var e telemetryapi.ErrorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
	assert.Equal(t, "purposes.analytics", e.Error.Field)
	assert.Empty(t, b.history, "nothing stored")
	assert.Equal(t, 0, s.Entries())
}
