package queryextension

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

const routeGrafana = "grafana"

// grafanaAnswer is the answer of POST /admin/grafana: where the tenant's read-only database is and
// the datasource settings to paste into Grafana and HyperDX (docs/grafana.md).
type grafanaAnswer struct {
	Tenant   string            `json:"tenant"`
	Database string            `json:"database"`
	Tables   map[string]string `json:"tables"`
	// User is the reader user; absent without grafana::reader_users.
	User    *grafanaUser      `json:"user,omitempty"`
	Grafana grafanaDatasource `json:"grafana"`
	HyperDX hyperdxSettings   `json:"hyperdx"`
	Notes   []string          `json:"notes,omitempty"`
}

type grafanaUser struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// grafanaDatasource is a provisioning entry of the grafana-clickhouse-datasource plugin (v4).
type grafanaDatasource struct {
	Type           string            `json:"type"`
	JSONData       map[string]any    `json:"jsonData"`
	SecureJSONData map[string]string `json:"secureJsonData,omitempty"`
}

type hyperdxSettings struct {
	Connection map[string]string `json:"connection"`
	Sources    []map[string]any  `json:"sources"`
}

// grafana creates (or brings up to date) the caller's tenant's read-only database. Every statement
// is idempotent, so a repeated call answers the same and changes nothing.
func (h *handlers) grafana(w http.ResponseWriter, r *http.Request) {
	tenant := tenantOf(r)
	q := h.forTenant(tenant).q
	password := ""
	if h.grafanaCfg.ReaderUsers {
		password = readerPassword(string(h.grafanaCfg.PasswordKey), tenant)
	}
	rd, err := q.schema.Reader(tenant, password)
	if err != nil {
		h.fail(w, r, routeGrafana, err)
		return
	}
	ctx, cancel := q.ctx(r.Context(), false)
	defer cancel()
	for _, stmt := range rd.Statements {
		err := classify(q.conn.Exec(ctx, stmt))
		if errors.Is(err, errNoTables) {
			err = &storageError{status: http.StatusServiceUnavailable, code: "schema_not_ready",
				msg: "the telemetry views do not exist yet: the telemetry_storage exporter creates them when it starts", err: err}
		}
		if err != nil {
			h.fail(w, r, routeGrafana, err)
			return
		}
	}
	h.logger.Info("tenant reader database ready", zap.String("tenant", tenant), zap.String("database", rd.Database),
		zap.Bool("user", rd.User != ""))
	telemetryapi.AddAuditDetail(r.Context(), "database", rd.Database)
	h.ok(w, r, routeGrafana, 0, grafanaSettings(tenant, rd, password, h.grafanaEndpoint(q)))
}

// readerPassword is HMAC-SHA256(key, tenant), URL-safe base64: stable across calls and collectors.
func readerPassword(key, tenant string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("otelcol-telemetry grafana reader v1\x00" + tenant))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// grafanaEndpoint is the address readers connect to: grafana::endpoint, else the store's.
func (h *handlers) grafanaEndpoint(q *querier) *url.URL {
	raw := h.grafanaCfg.Endpoint
	if raw == "" {
		raw = q.storage.Endpoint
	}
	u, err := url.Parse(raw)
	if err != nil {
		return &url.URL{Scheme: "http", Host: "127.0.0.1:8123"}
	}
	return u
}

func grafanaSettings(tenant string, rd chschema.Reader, password string, ep *url.URL) grafanaAnswer {
	scheme := strings.ToLower(ep.Scheme)
	protocol, secure := "http", scheme == "https"
	if scheme == "clickhouse" || scheme == "tcp" {
		protocol = "native"
		secure = ep.Query().Get("secure") == "true"
	}
	port, _ := strconv.Atoi(ep.Port())
	if port == 0 {
		switch {
		case protocol == "native" && secure:
			port = 9440
		case protocol == "native":
			port = 9000
		case secure:
			port = 8443
		default:
			port = 8123
		}
	}
	user := rd.User
	if user == "" {
		user = "<a user granted SELECT on " + rd.Database + ">"
	}
	jsonData := map[string]any{
		"host": ep.Hostname(), "port": port, "protocol": protocol, "secure": secure,
		"username": user, "defaultDatabase": rd.Database,
		"traces": map[string]any{
			"defaultDatabase": rd.Database, "defaultTable": chschema.OtelTraces,
			"otelEnabled": true, "otelVersion": "latest", "durationUnit": "nanoseconds",
		},
		"logs": map[string]any{
			"defaultDatabase": rd.Database, "defaultTable": chschema.OtelLogs,
			"otelEnabled": true, "otelVersion": "latest",
		},
	}
	ans := grafanaAnswer{
		Tenant: tenant, Database: rd.Database,
		Tables:  map[string]string{"traces": chschema.OtelTraces, "logs": chschema.OtelLogs, "trace_id_ts": chschema.TraceIDTimestamps},
		Grafana: grafanaDatasource{Type: "grafana-clickhouse-datasource", JSONData: jsonData},
		HyperDX: hyperdxSettings{
			Connection: map[string]string{"host": ep.Scheme + "://" + ep.Host, "username": user},
			Sources:    hyperdxSources(rd.Database),
		},
	}
	if rd.User != "" {
		ans.User = &grafanaUser{Name: rd.User, Password: password}
		ans.Grafana.SecureJSONData = map[string]string{"password": password}
		ans.HyperDX.Connection["password"] = password
	} else {
		ans.Notes = append(ans.Notes, "no reader user was created (grafana::reader_users is false): grant a ClickHouse user SELECT on "+
			rd.Database+" only and put it in username/password")
	}
	return ans
}

// hyperdxSources are HyperDX / ClickStack source definitions over the tenant's views.
func hyperdxSources(db string) []map[string]any {
	return []map[string]any{
		{
			"kind": "trace", "name": "Traces", "from": map[string]string{"databaseName": db, "tableName": chschema.OtelTraces},
			"timestampValueExpression": "Timestamp", "durationExpression": "Duration", "durationPrecision": 9,
			"traceIdExpression": "TraceId", "spanIdExpression": "SpanId", "parentSpanIdExpression": "ParentSpanId",
			"spanNameExpression": "SpanName", "spanKindExpression": "SpanKind", "statusCodeExpression": "StatusCode",
			"statusMessageExpression": "StatusMessage", "serviceNameExpression": "ServiceName",
			"resourceAttributesExpression": "ResourceAttributes", "eventAttributesExpression": "SpanAttributes",
			"spanEventsValueExpression": "Events", "sampleRateExpression": "SampleRate",
			"defaultTableSelectExpression": "Timestamp, ServiceName, StatusCode, round(Duration / 1e6), SpanName",
		},
		{
			"kind": "log", "name": "Logs", "from": map[string]string{"databaseName": db, "tableName": chschema.OtelLogs},
			"timestampValueExpression": "TimestampTime", "displayedTimestampValueExpression": "Timestamp",
			"bodyExpression": "Body", "severityTextExpression": "SeverityText", "serviceNameExpression": "ServiceName",
			"traceIdExpression": "TraceId", "spanIdExpression": "SpanId",
			"resourceAttributesExpression": "ResourceAttributes", "eventAttributesExpression": "LogAttributes",
			"implicitColumnExpression": "Body", "sampleRateExpression": "SampleRate",
			"defaultTableSelectExpression": "Timestamp, ServiceName, SeverityText, Body",
		},
	}
}
