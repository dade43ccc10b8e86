package datarightsextension

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
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
