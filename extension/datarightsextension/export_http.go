package datarightsextension

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// httpExporter reads export queries through ClickHouse's HTTP interface as JSONEachRow and passes
// each line on as it arrives. clickhouse-go (v2.47) keeps a copy of every HTTP response body in
// memory until the query ends, which would make an export's memory grow with the user's rows; the
// native protocol streams, so this path is only used for http(s) endpoints.
type httpExporter struct {
	url        string // scheme://host:port/
	user, pass string
	client     *http.Client
}

func newHTTPExporter(cfg Config) (*httpExporter, error) {
	u, err := url.Parse(cfg.Storage.Endpoint)
	if err != nil {
		return nil, err
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, nil
	}
	opt, err := cfg.Storage.ClientOptions()
	if err != nil {
		return nil, err
	}
	return &httpExporter{url: scheme + "://" + u.Host + "/", user: opt.Auth.Username, pass: opt.Auth.Password, client: &http.Client{}}, nil
}

// arrayParam renders ids as a ClickHouse Array(String) literal for a query parameter.
func arrayParam(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = chschema.QuoteString(id)
	}
	return "[" + strings.Join(quoted, ",") + "]"
}

// stream runs q with params and writes every row line to e.
func (h *httpExporter) stream(ctx context.Context, e *exportWriter, q string, params map[string]string) error {
	v := url.Values{}
	for k, p := range params {
		v.Set("param_"+k, p)
	}
	for k, s := range exportSettings {
		v.Set(k, fmt.Sprint(s))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url+"?"+v.Encode(), strings.NewReader(q))
	if err != nil {
		return err
	}
	if h.user != "" {
		req.Header.Set("X-ClickHouse-User", h.user)
	}
	if h.pass != "" {
		req.Header.Set("X-ClickHouse-Key", h.pass)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if code, ok := chschema.ErrorCode(errors.New(string(body))); ok && (code == codeUnknownTable || code == codeUnknownDatabase) {
			return nil
		}
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	r := bufio.NewReaderSize(resp.Body, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			// An exception in the middle of a result is sent as text after the rows.
			if line[0] != '{' {
				return fmt.Errorf("ClickHouse: %s", line)
			}
			if werr := e.rawRow(line); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
