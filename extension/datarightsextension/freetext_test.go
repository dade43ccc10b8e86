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

// TestIntegrationFreeTextAndSubjectIndex: a user's raw id that appears only in free text (a log body
// of a service that sets no user.id, a URL attribute, a span's status message) and the user's token
// inside a URL are the user's data: counted, exported and erased through the subject index and the
// full-text index, while a user whose id merely starts with the same characters (user-1 in
// user-12) keeps every row. Rows of a batch are counted per request. The fallback: on a table
// without block number columns a patch-part DELETE is refused and the classic DELETE runs.
func TestIntegrationFreeTextAndSubjectIndex(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_freetext_")
	ctx := context.Background()
	list := testList(t)
	raw, rawB := "user-1", "user-12"
	token := list.Token(raw)
	logs := schema.Table(chschema.Logs).Qualified
	spans := schema.Table(chschema.Spans).Qualified
	for _, stmt := range []string{
		"INSERT INTO " + logs + " (tenant_id, timestamp, body) VALUES ('default', now64(9), 'checkout failed for user-1')",
		"INSERT INTO " + logs + " (tenant_id, timestamp, body, attributes) VALUES ('default', now64(9), 'GET', map('url.full', 'https://shop/users/user-1/cart?x=1'))",
		"INSERT INTO " + logs + " (tenant_id, timestamp, body, attributes) VALUES ('default', now64(9), 'GET', map('url.full', 'https://shop/u/" + token + "/cart'))",
		"INSERT INTO " + logs + " (tenant_id, timestamp, body) VALUES ('default', now64(9), 'checkout failed for user-12')",
		"INSERT INTO " + logs + " (tenant_id, timestamp, user_id, body) VALUES ('default', now64(9), 'user-12', 'user-1x is not user-1x')",
		"INSERT INTO " + spans + " (tenant_id, timestamp, span_name, status_message) VALUES ('default', now64(9), 'pay', 'card declined for user-1')",
	} {
		require.NoError(t, conn.Exec(ctx, stmt), stmt)
	}
	x := rightsOver(t, endpoint, conn, database, list)
	st := x.store

	rec := httptest.NewRecorder()
	x.handleExport(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(telemetryapi.WithTenant(ctx, "default")), raw)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, 4, strings.Count(rec.Body.String(), `"type":"row"`), "3 logs and a span: %s", rec.Body.String())
	assert.NotContains(t, rec.Body.String(), "user-12")

	f := newForms(list.Token, 0, 0, []string{"a", "b"}, []string{raw, rawB})
	want := map[string]map[string]uint64{
		chschema.Logs:  {"a": 3, "b": 2},
		chschema.Spans: {"a": 1},
	}
	for i := range st.sql.targets {
		tg := &st.sql.targets[i]
		n, err := st.count(ctx, tg, "default", f, false)
		require.NoError(t, err, tg.name)
		if want[tg.name] == nil {
			assert.Empty(t, n, tg.name)
			continue
		}
		assert.Equal(t, want[tg.name], n, "rows per request in %s", tg.name)
	}

	// Erase A only; B's rows stay. Logs by patch parts; spans after its block number columns are
	// switched off: the patch-part DELETE is refused and the classic one runs.
	fa := newForms(list.Token, 0, 0, []string{"a"}, []string{raw})
	byName := map[string]*target{}
	for i := range st.sql.targets {
		byName[st.sql.targets[i].name] = &st.sql.targets[i]
	}
	logsT, spansT := byName[chschema.Logs], byName[chschema.Spans]
	require.Equal(t, chschema.Logs, logsT.name)
	require.Equal(t, chschema.Spans, spansT.name)
	mech, why, err := st.erase(ctx, logsT, mechanismPatchParts, "default", fa)
	require.NoError(t, err)
	assert.Equal(t, mechanismPatchParts, mech, why)
	require.NoError(t, conn.Exec(ctx, "ALTER TABLE "+spans+" MODIFY SETTING enable_block_number_column = 0, enable_block_offset_column = 0"))
	require.NoError(t, conn.Exec(ctx, "OPTIMIZE TABLE "+spans+" FINAL"))
	ok, err := st.patchCapable(ctx, spansT.storage)
	require.NoError(t, err)
	assert.False(t, ok)
	mech, why, err = st.erase(ctx, spansT, mechanismPatchParts, "default", fa)
	require.NoError(t, err)
	assert.Equal(t, mechanismLightweight, mech)
	assert.Contains(t, why, "patch parts refused")

	for _, tg := range []*target{logsT, spansT} {
		n, err := st.count(ctx, tg, "default", f, false)
		require.NoError(t, err)
		assert.Zero(t, n["a"], tg.name)
		assert.Equal(t, want[tg.name]["b"], n["b"], tg.name)
	}
	// Erased but not purged: the rows are still in the parts until the purge.
	stored, err := st.count(ctx, logsT, "default", fa, true)
	require.NoError(t, err)
	assert.EqualValues(t, 3, stored["a"])
	status, err := x.purge(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, status.Partitions)
	for _, tg := range []*target{logsT, spansT} {
		stored, err := st.count(ctx, tg, "default", fa, true)
		require.NoError(t, err)
		assert.Zero(t, stored["a"], "after the purge, read without patches and masks: %s", tg.name)
	}
	var left uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+logs+" WHERE position(body, 'user-12') > 0 OR user_id = 'user-12'").Scan(&left))
	assert.EqualValues(t, 2, left)
}
