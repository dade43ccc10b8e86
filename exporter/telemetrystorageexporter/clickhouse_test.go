package telemetrystorageexporter

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

// Integration tests need a ClickHouse. In order of preference:
//   - TELEMETRY_TEST_CLICKHOUSE_ENDPOINT: an external server (any DSN);
//   - CLICKHOUSE_EMBEDDED_BIN: a built cmd/clickhouse-embedded;
//   - cmd/clickhouse-embedded built from this repository, when libchdb is
//     present (CHDB_LIB_PATH or _tools/chdb/libchdb.so).
//
// Otherwise they skip, saying why.
func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// requireClickHouse gives the shared engine's endpoint, skipping where there is none.
func requireClickHouse(tb testing.TB) string { return chtest.Endpoint(tb) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// queryConn opens a plain connection for assertions.
func queryConn(t *testing.T) driver.Conn {
	t.Helper()
	opt, err := clickhouse.ParseDSN(requireClickHouse(t))
	require.NoError(t, err)
	conn, err := clickhouse.Open(opt)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// testDatabase returns a database name unique to the test.
func testDatabase(t *testing.T) string {
	name := strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))
	return fmt.Sprintf("it_%s_%d", name, time.Now().UnixNano()%1_000_000)
}

func queryStrings(t *testing.T, conn driver.Conn, q string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	require.NoError(t, err, q)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func zapNop() *zap.Logger { return zap.NewNop() }

func nopTelemetry(t *testing.T) *metadata.Telemetry {
	tel, err := newBenchTelemetry()
	require.NoError(t, err)
	return tel
}

func newBenchTelemetry() (*metadata.Telemetry, error) {
	return metadata.NewTelemetry(componenttest.NewNopTelemetrySettings())
}

func openOrFail(t *testing.T, opt *clickhouse.Options) driver.Conn {
	conn, err := clickhouse.Open(opt)
	require.NoError(t, err)
	return conn
}

func itoa(i int) string { return strconv.Itoa(i) }

func isPermanent(err error) bool { return consumererror.IsPermanent(err) }

type exporterQueueConfig = exporterhelper.QueueBatchConfig
