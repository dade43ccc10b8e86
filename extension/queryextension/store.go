package queryextension

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// ClickHouse error codes the API answers specially.
const (
	codeUnknownTable    = 60
	codeUnknownDatabase = 81
	codeTooManyRows     = 158
	codeTimeoutExceeded = 159
	codeTooManyRowsOrB  = 396
)

// querier runs the extension's queries with the configured bounds.
type querier struct {
	conn     driver.Conn
	schema   *chschema.Schema // the store's schema (grafana.go renders tenant databases with it)
	storage  chschema.StorageConfig
	r        *renderer
	metrics  string // qualified table names
	events   string
	spans    string
	logs     string
	settings clickhouse.Settings
	export   clickhouse.Settings
	timeout  time.Duration
	exportTO time.Duration
}

func newQuerier(cfg *Config) (*querier, error) {
	schema, err := chschema.New(chschema.Options{Database: cfg.Storage.Database, Cluster: cfg.Grafana.ClusterName})
	if err != nil {
		return nil, fmt.Errorf("storage::database: %w", err)
	}
	opt, err := cfg.Storage.ClientOptions()
	if err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(opt)
	if err != nil {
		return nil, fmt.Errorf("open ClickHouse %s: %w", redacted(cfg.Storage.Endpoint), err)
	}
	q := &querier{
		conn: conn, r: newRenderer(), schema: schema, storage: cfg.Storage,
		metrics: schema.Table(chschema.Metrics).Qualified,
		events:  schema.Table(chschema.Events).Qualified,
		spans:   schema.Table(chschema.Spans).Qualified,
		logs:    schema.Table(chschema.Logs).Qualified,
		settings: clickhouse.Settings{
			"max_execution_time":   int(cfg.MaxExecutionTime.Seconds() + 0.999),
			"max_result_rows":      cfg.MaxResultRows,
			"result_overflow_mode": "throw",
		},
		export: clickhouse.Settings{
			"max_execution_time":   int(cfg.Export.MaxExecutionTime.Seconds() + 0.999),
			"max_result_rows":      cfg.Export.MaxRows + 1,
			"result_overflow_mode": "throw",
		},
		// The engine stops a query at max_execution_time; the client waits a little longer so the
		// answer is ClickHouse's TIMEOUT_EXCEEDED rather than a cancelled request.
		timeout:  max(cfg.Storage.Timeout, cfg.MaxExecutionTime+5*time.Second),
		exportTO: cfg.Export.MaxExecutionTime + 5*time.Second,
	}
	return q, nil
}

func (q *querier) ctx(parent context.Context, export bool) (context.Context, context.CancelFunc) {
	if export {
		ctx, cancel := context.WithTimeout(parent, q.exportTO)
		return clickhouse.Context(ctx, clickhouse.WithSettings(q.export)), cancel
	}
	ctx, cancel := context.WithTimeout(parent, q.timeout)
	return clickhouse.Context(ctx, clickhouse.WithSettings(q.settings)), cancel
}

func (q *querier) close() error { return q.conn.Close() }

// errNoTables: the exporter has not created the tables yet; the answer is empty, not an error.
var errNoTables = errors.New("tables do not exist yet")

// classify turns a query error into errNoTables or a storage error carrying its HTTP answer.
func classify(err error) error {
	if err == nil {
		return nil
	}
	code, ok := chschema.ErrorCode(err)
	switch {
	case ok && (code == codeUnknownTable || code == codeUnknownDatabase):
		return errNoTables
	case ok && (code == codeTooManyRows || code == codeTimeoutExceeded || code == codeTooManyRowsOrB):
		return &storageError{status: http.StatusUnprocessableEntity, code: "query_too_large",
			msg: "the query exceeds max_execution_time or max_result_rows: narrow the range, filters or groups", err: err}
	case ok:
		return &storageError{status: http.StatusInternalServerError, code: "query_failed", msg: "ClickHouse refused the query", err: err}
	case errors.Is(err, context.Canceled):
		return &storageError{status: 499, code: "cancelled", msg: "the request was cancelled", err: err}
	}
	return &storageError{status: http.StatusServiceUnavailable, code: "storage_unavailable", msg: "ClickHouse is unavailable, retry later", err: err}
}

type storageError struct {
	status    int
	code, msg string
	err       error
}

func (e *storageError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *storageError) Unwrap() error { return e.err }

// writeError answers err: a paramError as 400 naming the parameter, a storageError as its status.
func writeError(w http.ResponseWriter, err error) {
	var pe *paramError
	if errors.As(err, &pe) {
		telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: telemetryapi.ErrorDetail{
			Code: "invalid_parameter", Message: pe.field + ": " + pe.msg, Field: pe.field,
		}})
		return
	}
	var se *storageError
	if errors.As(err, &se) {
		telemetryapi.WriteError(w, se.status, se.code, se.msg)
		return
	}
	telemetryapi.WriteError(w, http.StatusInternalServerError, "internal_error", "the query failed")
}

// redacted is the endpoint for logs and errors, without a password given in the DSN.
func redacted(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "<unparsable endpoint>"
	}
	return u.Redacted()
}
