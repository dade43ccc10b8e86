package datarightsextension

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// migratedDatabase is a fresh database of the shared test engine, named after prefix, with every
// migration applied; it is dropped when the test ends. It returns the engine's endpoint too.
func migratedDatabase(t *testing.T, prefix string) (endpoint string, conn driver.Conn, schema *chschema.Schema, database string) {
	t.Helper()
	endpoint = chtest.Endpoint(t)
	ctx := context.Background()
	database = prefix + strconv.FormatInt(time.Now().UnixNano(), 36)
	opt, err := chschema.ClientOptions(endpoint, "", "")
	require.NoError(t, err)
	conn, err = clickhouse.Open(opt)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+chschema.QuoteIdent(database))
		_ = conn.Close()
	})
	schema, err = chschema.New(chschema.Options{Database: database})
	require.NoError(t, err)
	_, err = schema.Migrate(ctx, conn)
	require.NoError(t, err)
	return endpoint, conn, schema, database
}

// rightsOver is the extension as Start builds it over a migrated database of the test engine
// (statements, the HTTP exporter for exports, the given suppression list), with minute-long
// timeouts, for tests that call its handlers and store directly.
func rightsOver(t *testing.T, endpoint string, conn driver.Conn, database string, list *suppression.List) *dataRights {
	t.Helper()
	sqls, err := newStatements(database, "")
	require.NoError(t, err)
	cfg := createDefaultConfig()
	cfg.Storage.Endpoint = endpoint
	cfg.Storage.Database = database
	hx, err := newHTTPExporter(cfg.Storage)
	require.NoError(t, err)
	require.NotNil(t, hx, "the test engine speaks HTTP")
	return &dataRights{cfg: cfg, logger: zap.NewNop(), now: time.Now, list: list,
		store: &chStore{conn: conn, sql: sqls, timeout: time.Minute, mutation: time.Minute, hx: hx}}
}

// testList is a suppression list with a fixed test key.
func testList(t *testing.T) *suppression.List {
	t.Helper()
	list, err := suppression.NewList([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	return list
}
