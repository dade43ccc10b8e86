package queryextension

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/queryextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// TestAuditQueryHidesFilterValues: every query is audited with its query string, and the audit trail
// outlives a data-subject deletion (data_rights pseudonymizes only the rows that target the user).
// An attr. filter value may be a user id (attr.user.id=…, raw or token): it is not kept, the rest
// of the query (which metric, range, grouping, filter keys) is.
func TestAuditQueryHidesFilterValues(t *testing.T) {
	tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	h := &handlers{tel: tel}
	details := map[string]string{}
	r := httptest.NewRequest(http.MethodGet, "/metrics?metric_names=api_requests&attr.user.id=alice-raw-id&attr.enduser.id=tok_0123&group_by=endpoint", nil)
	r = r.WithContext(telemetryapi.WithAuditDetails(r.Context(), details))
	h.done(r, routeMetrics, "ok", 3)
	q := details["query"]
	assert.NotContains(t, q, "alice-raw-id")
	assert.NotContains(t, q, "tok_0123")
	for _, kept := range []string{"metric_names=api_requests", "group_by=endpoint", "attr.user.id=", "attr.enduser.id="} {
		assert.Contains(t, q, kept)
	}
	assert.Equal(t, "3", details["rows"])
}
