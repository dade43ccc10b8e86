package datarightsextension

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// TestIntegrationNestedAttributesCovered: pii_redaction tokenises user ids in span events, span
// links and metric exemplars too, and the telemetry_storage exporter stores them in the Nested
// columns events.attributes, links.attributes and exemplars.filtered_attributes. A row whose only
// mention of the subject is there (an "exception" event naming the user on an otherwise anonymous
// span) is the subject's data: counted, deleted and exported like the others; another user's row stays.
func TestIntegrationNestedAttributesCovered(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_nested_")
	ctx := context.Background()
	list := testList(t)
	subject, other := list.Token("alice"), list.Token("bob")
	for _, user := range []string{subject, other} {
		require.NoError(t, conn.Exec(ctx, "INSERT INTO "+schema.Table(chschema.Spans).Qualified+
			" (tenant_id, timestamp, span_id, span_name, events.timestamp, events.name, events.attributes, links.trace_id, links.span_id, links.trace_state, links.attributes)"+
			" VALUES ('default', now64(9), 'e1', 'checkout', [now64(9)], ['exception'], [map('user.id', ?)], [], [], [], [])", user))
		require.NoError(t, conn.Exec(ctx, "INSERT INTO "+schema.Table(chschema.Spans).Qualified+
			" (tenant_id, timestamp, span_id, span_name, events.timestamp, events.name, events.attributes, links.trace_id, links.span_id, links.trace_state, links.attributes)"+
			" VALUES ('default', now64(9), 'l1', 'checkout', [], [], [], ['t'], ['s'], [''], [map('enduser.id', ?)])", user))
		require.NoError(t, conn.Exec(ctx, "INSERT INTO "+schema.Table(chschema.Metrics).Qualified+
			" (tenant_id, timestamp, metric_name, metric_type, exemplars.timestamp, exemplars.value, exemplars.trace_id, exemplars.span_id, exemplars.filtered_attributes)"+
			" VALUES ('default', now64(9), 'latency', 'gauge', [now64(9)], [1], [''], [''], [map('user.id', ?)])", user))
	}

	x := rightsOver(t, endpoint, conn, database, list)
	st := x.store

	// The export (streamed over HTTP) has the subject's three rows, not the other user's.
	rec := httptest.NewRecorder()
	x.handleExport(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(telemetryapi.WithTenant(ctx, "default")), "alice")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, 3, strings.Count(rec.Body.String(), `"type":"row"`), rec.Body.String())
	assert.NotContains(t, rec.Body.String(), other)

	want := map[string]uint64{chschema.Spans: 2, chschema.Metrics: 1}
	f := newForms(list.Token, 0, 0, []string{"r1"}, []string{"alice"})
	for i := range st.sql.targets {
		tg := &st.sql.targets[i]
		n, err := st.count(ctx, tg, "default", f, false)
		require.NoError(t, err, tg.name)
		assert.Equal(t, want[tg.name], n["r1"], "rows of the subject in %s", tg.name)
		if n["r1"] > 0 {
			mech, why, err := st.erase(ctx, tg, mechanismPatchParts, "default", f)
			require.NoError(t, err, tg.name)
			assert.Equal(t, mechanismPatchParts, mech, why)
			n, err = st.count(ctx, tg, "default", f, false)
			require.NoError(t, err)
			assert.Zero(t, n["r1"], "after the deletion, %s", tg.name)
		}
	}
	var spans, metrics uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+schema.Table(chschema.Spans).Qualified).Scan(&spans))
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+schema.Table(chschema.Metrics).Qualified).Scan(&metrics))
	assert.EqualValues(t, 2, spans, "the other user's spans stay")
	assert.EqualValues(t, 1, metrics, "the other user's point stays")
}
