package telemetryprovider // import "github.com/otelcol-telemetry/otelcol-telemetry/config/telemetryprovider"

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// deriveGateways turns TELEMETRY_GATEWAYS, a comma-separated list of gateway host:port (OTLP/gRPC),
// into the `gateways` list the load_balancing exporter's static resolver takes.
func deriveGateways(raw string) (map[string]any, error) {
	if strings.TrimSpace(raw) == "" {
		return map[string]any{"gateways": unset{why: "TELEMETRY_GATEWAYS is not set: the agent needs the gateways' OTLP/gRPC host:port, comma-separated (e.g. gw-1:4317,gw-2:4317)"}}, nil
	}
	var list []any
	seen := map[string]bool{}
	for _, part := range strings.Split(raw, ",") {
		gw := strings.TrimSpace(part)
		host, _, err := splitListen(gw)
		if err != nil || host == "" {
			return nil, fmt.Errorf("entry %q must be host:port, e.g. \"gw-1:4317,gw-2:4317\"", gw)
		}
		if seen[gw] {
			return nil, fmt.Errorf("entry %q is listed twice", gw)
		}
		seen[gw] = true
		list = append(list, gw)
	}
	if len(list) == 0 {
		return nil, errors.New("must list at least one host:port")
	}
	return map[string]any{"gateways": list}, nil
}

// endpointHostPort splits a checked http(s) URL; without a port it is OTLP/gRPC's 4317.
func endpointHostPort(raw string) (string, string) {
	u, _ := url.Parse(raw)
	port := u.Port()
	if port == "" {
		port = "4317"
	}
	return u.Hostname(), port
}

// defaultGatewayID is the host name: a pod's name in Kubernetes, so rows name the pod that stored them.
func defaultGatewayID() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "gateway"
}

// deriveGatewayID checks TELEMETRY_GATEWAY_ID, the name a gateway stamps on every record it stores
// (resource attribute telemetry.gateway).
func deriveGatewayID(raw string) (map[string]any, error) {
	if raw == "" || len(raw) > 253 || strings.ContainsAny(raw, " \t\r\n") {
		return nil, errors.New("must be a name of 1 to 253 characters without white space")
	}
	return map[string]any{"gateway_id": raw}, nil
}
