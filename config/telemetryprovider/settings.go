package telemetryprovider // import "github.com/otelcol-telemetry/otelcol-telemetry/config/telemetryprovider"

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// variable is one TELEMETRY_* environment variable: its default, how its raw value is checked and
// which configuration values (selectors of the `telemetry:` scheme) it yields.
type variable struct {
	env string
	def string
	// derive parses the raw value and returns the selectors it feeds. An error says what a valid
	// value looks like; the caller prefixes it with the variable name and the value.
	derive func(raw string) (map[string]any, error)
}

// variables is the whole environment surface of the distribution, in the order of the README table.
var variables = []variable{
	{env: "TELEMETRY_ENABLED", def: "true", derive: func(raw string) (map[string]any, error) {
		b, err := parseBool(raw)
		if err != nil {
			return nil, err
		}
		// drop_all is what a filter condition needs: a disabled module accepts data and drops it.
		return map[string]any{"enabled": b, "drop_all": !b}, nil
	}},
	apiKeyVariable("TELEMETRY_API_KEY", "api_key", "the telemetry API and ingest authentication need a key of at least 16 characters (e.g. `openssl rand -hex 24`)"),
	// The fleet's agents forward with this ingest-only key of the default tenant, never the admin
	// bootstrap key: a node's agent can then only add data, not read or delete it.
	apiKeyVariable("TELEMETRY_AGENT_API_KEY", "agent_api_key", "gateways (deploy/gateway.yaml) accept, and agents (deploy/agent*.yaml) and sidecars (deploy/sidecar.yaml) forward with, an ingest-only key of at least 16 characters, different from TELEMETRY_API_KEY (e.g. `openssl rand -hex 24`)"),
	{env: "TELEMETRY_ENDPOINT", def: "", derive: func(raw string) (map[string]any, error) {
		if raw == "" {
			why := unset{why: "TELEMETRY_ENDPOINT is not set: the agent resolves its gateways from this URL's host (e.g. http://gateway-headless.telemetry.svc:4317)"}
			return map[string]any{"endpoint": raw, "endpoint_host": why, "endpoint_port": why}, nil
		}
		if err := checkURL(raw); err != nil {
			return nil, err
		}
		// The load_balancing exporter's DNS resolver takes host and port apart.
		host, port := endpointHostPort(raw)
		return map[string]any{"endpoint": raw, "endpoint_host": host, "endpoint_port": port}, nil
	}},
	{env: "TELEMETRY_GATEWAYS", def: "", derive: deriveGateways},
	{env: "TELEMETRY_GATEWAY_ID", def: defaultGatewayID(), derive: deriveGatewayID},
	{env: "TELEMETRY_SAMPLE_RATE", def: "0.1", derive: func(raw string) (map[string]any, error) {
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || f < 0 || f > 1 || f != f {
			return nil, errors.New("must be a number from 0.0 to 1.0")
		}
		// The probabilistic sampler takes a percentage; round away float noise (0.29*100 = 28.999…).
		pct, _ := strconv.ParseFloat(strconv.FormatFloat(f*100, 'f', 6, 64), 64)
		return map[string]any{"sample_rate": f, "sampling_percentage": pct}, nil
	}},
	// Tail sampling (config/local.yaml, telemetry_storage::sampling): what is kept whatever TELEMETRY_SAMPLE_RATE says.
	{env: "TELEMETRY_SAMPLE_KEEP_ERRORS", def: "true", derive: func(raw string) (map[string]any, error) {
		b, err := parseBool(raw)
		if err != nil {
			return nil, err
		}
		return map[string]any{"sample_keep_errors": b}, nil
	}},
	{env: "TELEMETRY_SAMPLE_SLOW_MS", def: "1000", derive: func(raw string) (map[string]any, error) {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 || n > maxSlowMs {
			return nil, fmt.Errorf("must be a whole number of milliseconds from 0 (off) to %d", maxSlowMs)
		}
		threshold := n
		if n == 0 {
			// The latency policy has no off switch: a threshold no trace can pass is one.
			threshold = math.MaxInt64
		}
		return map[string]any{"sample_slow_ms": n, "sample_slow_threshold_ms": threshold}, nil
	}},
	{env: "TELEMETRY_SAMPLE_DECISION_WAIT", def: "10", derive: func(raw string) (map[string]any, error) {
		d, err := parseSeconds(raw)
		if err != nil {
			return nil, err
		}
		if d > maxDecisionWait {
			return nil, fmt.Errorf("must be at most %s: every trace waits that long for its decision", maxDecisionWait)
		}
		return map[string]any{"sample_decision_wait": d.String()}, nil
	}},
	{env: "TELEMETRY_SAMPLE_MAX_TRACES", def: "100000", derive: func(raw string) (map[string]any, error) {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 100 || n > 10_000_000 {
			return nil, errors.New("must be a whole number of traces from 100 to 10000000")
		}
		return map[string]any{"sample_max_traces": n}, nil
	}},
	// RED metrics (span_metrics) count every request by default: spans of users without consent are
	// anonymized on their way to span_metrics (consent/red). drop counts consenting users only.
	{env: "TELEMETRY_RED_METRICS_CONSENT", def: "anonymize", derive: func(raw string) (map[string]any, error) {
		switch raw {
		case "anonymize", "drop":
			return map[string]any{"red_metrics_consent": raw}, nil
		}
		return nil, errors.New("must be anonymize (RED metrics count every request) or drop (consenting users only)")
	}},
	{env: "TELEMETRY_BATCH_SIZE", def: "100", derive: func(raw string) (map[string]any, error) {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1_000_000 {
			return nil, errors.New("must be a whole number from 1 to 1000000")
		}
		return map[string]any{"batch_size": n}, nil
	}},
	{env: "TELEMETRY_FLUSH_INTERVAL", def: "60", derive: func(raw string) (map[string]any, error) {
		d, err := parseSeconds(raw)
		if err != nil {
			return nil, err
		}
		return map[string]any{"flush_interval": d.String()}, nil
	}},
	{env: "TELEMETRY_RETENTION_DAYS", def: "90", derive: func(raw string) (map[string]any, error) {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 36500 {
			return nil, errors.New("must be a whole number of days from 1 to 36500")
		}
		return map[string]any{"retention_days": n, "retention": (time.Duration(n) * 24 * time.Hour).String()}, nil
	}},
	{env: "TELEMETRY_PRIVACY_MODE", def: "strict", derive: func(raw string) (map[string]any, error) {
		switch raw {
		case "strict", "balanced", "minimal":
			return map[string]any{"privacy_mode": raw}, nil
		}
		return nil, errors.New("must be one of strict, balanced, minimal")
	}},
	{env: "TELEMETRY_DASHBOARD_ENABLED", def: "true", derive: func(raw string) (map[string]any, error) {
		b, err := parseBool(raw)
		if err != nil {
			return nil, err
		}
		return map[string]any{"dashboard_enabled": b}, nil
	}},
	{env: "TELEMETRY_HASH_KEY", def: "", derive: func(raw string) (map[string]any, error) {
		if raw == "" {
			// Only configurations that hash need the key: they fail when they ask for it.
			return map[string]any{"hash_key": unset{why: "TELEMETRY_HASH_KEY is not set: identifier hashing needs a secret key of at least 32 bytes (e.g. `openssl rand -hex 32`)"}}, nil
		}
		if len(raw) < 32 {
			return nil, fmt.Errorf("must be at least 32 bytes, got %d", len(raw))
		}
		return map[string]any{"hash_key": raw}, nil
	}},
	// Storage: the spec names the tables but no connection settings; these complete it.
	{env: "TELEMETRY_CLICKHOUSE_ENDPOINT", def: "http://127.0.0.1:8123", derive: func(raw string) (map[string]any, error) {
		if err := checkDSN(raw); err != nil {
			return nil, err
		}
		return map[string]any{"clickhouse_endpoint": raw}, nil
	}},
	{env: "TELEMETRY_CLICKHOUSE_DATABASE", def: "telemetry", derive: func(raw string) (map[string]any, error) {
		if !isIdentifier(raw) {
			return nil, errors.New("must be a database name of letters, digits and underscores, not starting with a digit")
		}
		return map[string]any{"clickhouse_database": raw}, nil
	}},
	{env: "TELEMETRY_CLICKHOUSE_USERNAME", def: "default", derive: func(raw string) (map[string]any, error) {
		return map[string]any{"clickhouse_username": raw}, nil
	}},
	{env: "TELEMETRY_CLICKHOUSE_PASSWORD", def: "", derive: func(raw string) (map[string]any, error) {
		return map[string]any{"clickhouse_password": raw}, nil
	}},
	{env: "TELEMETRY_QUEUE_DIRECTORY", def: "./_data/queue", derive: func(raw string) (map[string]any, error) {
		if raw == "" {
			return nil, errors.New("must be a directory path")
		}
		return map[string]any{"queue_directory": raw}, nil
	}},
	// TLS on the collector's own servers (OTLP gRPC and HTTP, the telemetry API): both files or
	// neither (checked in resolve); without them the servers speak plaintext, as the listen
	// defaults are loopback.
	fileVariable("TELEMETRY_TLS_CERT_FILE", "tls_cert_file"),
	fileVariable("TELEMETRY_TLS_KEY_FILE", "tls_key_file"),
	// TLS from agents and sidecars to the gateways: the CA that signed the gateways' certificate.
	// Unset, agents send plaintext (a service mesh may still wrap it); sidecars follow their
	// endpoint's scheme with the system roots.
	{env: "TELEMETRY_GATEWAY_CA_FILE", def: "", derive: func(raw string) (map[string]any, error) {
		return map[string]any{"gateway_ca_file": raw, "gateway_tls_insecure": raw == ""}, nil
	}},
	// The name the gateways' certificate carries: agents dial pod addresses (their resolver's
	// answers), which a certificate rarely names.
	{env: "TELEMETRY_GATEWAY_TLS_SERVER_NAME", def: "", derive: func(raw string) (map[string]any, error) {
		if strings.ContainsAny(raw, " \t\r\n/:") {
			return nil, errors.New("must be a host name (the one in the gateways' certificate)")
		}
		return map[string]any{"gateway_tls_server_name": raw}, nil
	}},
	// Listen addresses, so that several collectors (and tests) can share a host.
	listenVariable("TELEMETRY_OTLP_GRPC_ENDPOINT", "127.0.0.1:4317", "otlp_grpc_endpoint"),
	listenVariable("TELEMETRY_OTLP_HTTP_ENDPOINT", "127.0.0.1:4318", "otlp_http_endpoint"),
	listenVariable("TELEMETRY_API_ENDPOINT", "127.0.0.1:8080", "api_endpoint"),
	listenVariable("TELEMETRY_PROMETHEUS_ENDPOINT", "127.0.0.1:8889", "prometheus_endpoint"),
	listenVariable("TELEMETRY_HEALTH_ENDPOINT", "127.0.0.1:13133", "health_endpoint"),
	{env: "TELEMETRY_SELF_METRICS_ENDPOINT", def: "127.0.0.1:8888", derive: func(raw string) (map[string]any, error) {
		host, port, err := splitListen(raw)
		if err != nil {
			return nil, err
		}
		// The collector's own telemetry takes host and port as separate keys.
		return map[string]any{"self_metrics_host": host, "self_metrics_port": port}, nil
	}},
}

// Bounds of the tail-sampling variables.
const (
	maxSlowMs       = 3_600_000 // an hour: slower "requests" are jobs, not requests
	maxDecisionWait = 10 * time.Minute
)

// unset is the value of a selector whose variable has no usable default: retrieving it is an error.
type unset struct{ why string }

// apiKeyVariable is an API key: optional, and retrieving its selector while unset is an error
// saying what needs it.
func apiKeyVariable(env, selector, need string) variable {
	return variable{env: env, def: "", derive: func(raw string) (map[string]any, error) {
		if raw == "" {
			return map[string]any{selector: unset{why: env + " is not set: " + need}}, nil
		}
		if strings.ContainsAny(raw, " \t\r\n") {
			return nil, errors.New("must not contain white space")
		}
		if len(raw) < 16 {
			return nil, fmt.Errorf("must be at least 16 characters, got %d", len(raw))
		}
		return map[string]any{selector: raw}, nil
	}}
}

// fileVariable is an optional file path; the component that reads it names a missing file.
func fileVariable(env, selector string) variable {
	return variable{env: env, def: "", derive: func(raw string) (map[string]any, error) {
		if strings.ContainsAny(raw, "\r\n") {
			return nil, errors.New("must be a file path")
		}
		return map[string]any{selector: raw}, nil
	}}
}

func listenVariable(env, def, selector string) variable {
	return variable{env: env, def: def, derive: func(raw string) (map[string]any, error) {
		if _, _, err := splitListen(raw); err != nil {
			return nil, err
		}
		return map[string]any{selector: raw}, nil
	}}
}

// secretVariables are never echoed in error messages.
var secretVariables = map[string]bool{
	"TELEMETRY_API_KEY":             true,
	"TELEMETRY_AGENT_API_KEY":       true,
	"TELEMETRY_HASH_KEY":            true,
	"TELEMETRY_CLICKHOUSE_PASSWORD": true,
}

// resolve reads every variable through lookup and returns all selectors, or one error naming every
// variable with a wrong value, so an operator fixes them in one go.
func resolve(lookup func(string) (string, bool)) (map[string]any, error) {
	values := make(map[string]any, 2*len(variables))
	var errs []error
	for _, v := range variables {
		raw, ok := lookup(v.env)
		if !ok {
			raw = v.def
		}
		derived, err := v.derive(raw)
		if err != nil {
			shown := raw
			if secretVariables[v.env] {
				shown = "…" // never echo a secret, not even a wrong one
			}
			errs = append(errs, fmt.Errorf("%s=%q: %w", v.env, shown, err))
			continue
		}
		for k, val := range derived {
			values[k] = val
		}
	}
	// The agents' key is the ingest-only one: the same value as the admin key would hand every
	// agent admin rights again.
	if admin, ok := values["api_key"].(string); ok && admin == values["agent_api_key"] {
		errs = append(errs, errors.New("TELEMETRY_AGENT_API_KEY must differ from TELEMETRY_API_KEY: agents get an ingest-only key, not the admin bootstrap key"))
	}
	// A certificate without its key (or the reverse) would start plaintext servers by mistake.
	cert, _ := values["tls_cert_file"].(string)
	key, _ := values["tls_key_file"].(string)
	if (cert == "") != (key == "") {
		errs = append(errs, errors.New("TELEMETRY_TLS_CERT_FILE and TELEMETRY_TLS_KEY_FILE are set together: the servers need both for TLS"))
	}
	values["tls_enabled"] = cert != "" && key != ""
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid telemetry environment: %w", errors.Join(errs...))
	}
	return values, nil
}

func parseBool(raw string) (bool, error) {
	switch strings.ToLower(raw) {
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, errors.New("must be true or false")
}

// parseSeconds takes the spec's plain seconds ("60") and also a Go duration ("1m30s").
func parseSeconds(raw string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(raw, 64); err == nil {
		if n <= 0 || n > 86400 {
			return 0, errors.New("must be a number of seconds from 0 (exclusive) to 86400")
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 || d > 24*time.Hour {
		return 0, errors.New(`must be a number of seconds (e.g. "60") or a duration (e.g. "1m30s") up to 24h`)
	}
	return d, nil
}

func splitListen(raw string) (string, int, error) {
	host, p, err := net.SplitHostPort(raw)
	if err != nil {
		return "", 0, errors.New(`must be host:port, e.g. "127.0.0.1:4318"`)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, errors.New("port must be a number from 0 to 65535")
	}
	return host, port, nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New(`must be an http:// or https:// URL with a host, e.g. "https://telemetry.example.com:4318"`)
	}
	return nil
}

func checkDSN(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New(`must be a ClickHouse DSN such as "http://127.0.0.1:8123" or "clickhouse://host:9000"`)
	}
	switch u.Scheme {
	case "http", "https", "clickhouse", "tcp":
		return nil
	}
	return errors.New("scheme must be one of http, https, clickhouse, tcp")
}

func isIdentifier(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}
