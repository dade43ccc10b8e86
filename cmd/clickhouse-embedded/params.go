package main

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// request is one HTTP query decoded into what the engine needs.
type request struct {
	queryParam      string // query= URL parameter
	database        string
	defaultFormat   string
	queryID         string
	settings        []setting // applied with SET for the duration of the query
	compressOut     bool      // compress=1: ClickHouse-framed response
	decompressIn    bool      // decompress=1: ClickHouse-framed request body
	protocolVersion uint64    // client_protocol_version: upgrade Native output
	httpCompression bool      // enable_http_compression=1
	nativeMethod    string    // network_compression_method for compress=1
}

type setting struct{ name, value string }

// handlerParams are URL parameters that ClickHouse's HTTP handler consumes
// itself instead of treating them as settings.
var handlerParams = map[string]bool{
	"query": true, "database": true, "default_format": true, "query_id": true,
	"compress": true, "decompress": true, "client_protocol_version": true,
	"enable_http_compression": true, "http_zlib_compression_level": true,
	"http_native_compression_disable_checksumming_on_decompress": true,
	"session_id": true, "session_timeout": true, "session_check": true,
	"user": true, "password": true, "quota_key": true, "role": true,
	"buffer_size": true, "wait_end_of_query": true, "stacktrace": true,
	"http_response_buffer_size": true,
}

var settingNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseParams reads ClickHouse's URL parameters and X-ClickHouse-* headers.
// Remaining parameters are settings; param_<name> are query parameters, which
// chDB accepts as `SET param_<name> = '<value>'` just like clickhouse-client.
func parseParams(q url.Values, h http.Header) (*request, error) {
	req := &request{
		queryParam:      q.Get("query"),
		database:        firstNonEmpty(q.Get("database"), h.Get("X-ClickHouse-Database"), "default"),
		defaultFormat:   firstNonEmpty(q.Get("default_format"), h.Get("X-ClickHouse-Format"), "TabSeparated"),
		queryID:         q.Get("query_id"),
		compressOut:     isTrue(q.Get("compress")),
		decompressIn:    isTrue(q.Get("decompress")),
		httpCompression: isTrue(q.Get("enable_http_compression")),
		nativeMethod:    q.Get("network_compression_method"),
	}
	if v := q.Get("client_protocol_version"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return nil, requestError(codeBadArguments, "BAD_ARGUMENTS", "Invalid client_protocol_version %q", v)
		}
		req.protocolVersion = n
	}
	names := make([]string, 0, len(q))
	for name := range q {
		if !handlerParams[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names) // deterministic SET statements
	for _, name := range names {
		if !settingNameRe.MatchString(name) {
			return nil, requestError(115, "UNKNOWN_SETTING", "Unknown setting %q", name)
		}
		req.settings = append(req.settings, setting{name: name, value: q.Get(name)})
	}
	return req, nil
}

// hasParams tells whether the request sets query parameters (param_<name>).
func (r *request) hasParams() bool {
	for _, s := range r.settings {
		if strings.HasPrefix(s.name, "param_") {
			return true
		}
	}
	return false
}

// setStatements returns the SET statement applying the request's settings and
// parameters and the one restoring the settings; empty strings when unneeded.
func (r *request) setStatements() (apply, reset string) {
	if len(r.settings) == 0 {
		return "", ""
	}
	var a, d strings.Builder
	a.WriteString("SET ")
	for i, s := range r.settings {
		if i > 0 {
			a.WriteString(", ")
		}
		a.WriteString(s.name)
		a.WriteString(" = ")
		a.WriteString(settingLiteral(s))
		// chDB cannot unset a query parameter (`SET param_x = DEFAULT`
		// sets it to the text "DEFAULT"), so parameters stay until replaced.
		if strings.HasPrefix(s.name, "param_") {
			continue
		}
		if d.Len() == 0 {
			d.WriteString("SET ")
		} else {
			d.WriteString(", ")
		}
		d.WriteString(s.name)
		d.WriteString(" = DEFAULT")
	}
	return a.String(), d.String()
}

var numberRe = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// settingLiteral renders a URL value as a SQL literal. Query parameters are
// always strings (their text is parsed by the {name:Type} placeholder);
// settings get bare numbers so numeric settings stay numeric.
func settingLiteral(s setting) string {
	if !strings.HasPrefix(s.name, "param_") && numberRe.MatchString(s.value) {
		return s.value
	}
	return quoteString(s.value)
}

func isTrue(v string) bool {
	return v == "1" || strings.EqualFold(v, "true")
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
