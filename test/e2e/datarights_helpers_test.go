package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/idhash"
)

// dataRightsConfig merges the fast data-rights settings (and more overlays) over config/local.yaml.
func dataRightsConfig(more ...string) []string {
	args := []string{"--config", filepath.Join(repoRoot, "test", "e2e", "testdata", "data-rights-fast.yaml")}
	for _, m := range more {
		args = append(args, "--config", filepath.Join(repoRoot, "test", "e2e", "testdata", m))
	}
	return args
}

// noREDFlush keeps span_metrics from writing RED rows during a test that compares telemetry_metrics
// before and after a deletion. Its cumulative series are written again every metrics_flush_interval
// (15 s) whether or not a span arrived: a flush between the two dumps added rows that were never
// the deletion's doing (CI under load stretched such a test past a flush).
const noREDFlush = "--set=connectors::span_metrics::metrics_flush_interval=1h"

// userToken is the token pii_redaction stores for a raw user id in the test collectors.
func userToken(raw string) string { return idhash.New([]byte(testHashKey)).Token(raw) }

// drCall sends one data-rights request and returns status, Location and the raw body.
func (c *collector) drCall(t *testing.T, method, path, key string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+c.api+"/api/v1/telemetry"+path, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Location"), body
}

// drStatus is the part of a request's status the tests read.
type drStatus struct {
	RequestID string `json:"request_id"`
	Subject   string `json:"subject"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
	Attempts  int    `json:"attempts"`
	Persisted bool   `json:"persisted"`
	Existing  bool   `json:"existing"`
	Location  string `json:"location"`
	Receipt   *struct {
		Tables []struct {
			Table          string `json:"table"`
			Action         string `json:"action"`
			MatchedBefore  uint64 `json:"matched_before"`
			RemainingAfter uint64 `json:"remaining_after"`
			Mechanism      string `json:"mechanism"`
			Searched       struct {
				Index    []string `json:"index"`
				FreeText []string `json:"free_text"`
			} `json:"searched"`
		} `json:"tables"`
		ErasedAt    *time.Time `json:"erased_at"`
		PurgedAt    *time.Time `json:"purged_at"`
		BatchSize   int        `json:"batch_size"`
		Suppression struct {
			Subject string `json:"subject"`
		} `json:"suppression"`
		Signature string `json:"signature"`
	} `json:"receipt"`
}

// requestDeletion sends DELETE /data/{user} and returns the accepted request.
func (c *collector) requestDeletion(t *testing.T, key, user string) drStatus {
	t.Helper()
	status, loc, body := c.drCall(t, http.MethodDelete, "/data/"+url.PathEscape(user), key)
	require.Equal(t, http.StatusAccepted, status, "delete: %s", body)
	var st drStatus
	require.NoError(t, json.Unmarshal(body, &st))
	require.Equal(t, "/api/v1/telemetry/data/requests/"+st.RequestID, loc)
	return st
}

// waitRequest polls the request until it has ended (or want is reached) and returns its status.
func (c *collector) waitRequest(t *testing.T, key, id string, want string, timeout time.Duration) drStatus {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var st drStatus
	for {
		code, _, body := c.drCall(t, http.MethodGet, "/data/requests/"+id, key)
		if code == http.StatusOK {
			st = drStatus{}
			require.NoError(t, json.Unmarshal(body, &st))
			if st.Status == want || (want != "running" && (st.Status == "completed" || st.Status == "failed")) {
				return st
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("request %s did not reach %s within %s (last: %d %s)", id, want, timeout, code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// allTables lists every table of the collector's database.
func allTables(t *testing.T, c *collector) []string {
	t.Helper()
	rows, err := c.db().Query(context.Background(), "SELECT name FROM system.tables WHERE database = ? ORDER BY name", c.database)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		out = append(out, n)
	}
	return out
}

// sortedLines is a table's dump as sorted lines, without those containing any of drop.
func sortedLines(dump string, drop ...string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(dump), "\n") {
		if l == "" {
			continue
		}
		keep := true
		for _, d := range drop {
			keep = keep && !strings.Contains(l, d)
		}
		if keep {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// exportLines runs GET /data/{user}/export (NDJSON) and returns rows per section and the header.
func (c *collector) exportUser(t *testing.T, key, user, query string) (map[string][]map[string]any, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+c.api+"/api/v1/telemetry/data/"+url.PathEscape(user)+"/export"+query, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	sections := map[string][]map[string]any{}
	var header map[string]any
	if strings.Contains(query, "format=json") {
		var doc struct {
			Header   map[string]any              `json:"header"`
			Sections map[string][]map[string]any `json:"sections"`
			Trailer  map[string]any              `json:"trailer"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		require.Nil(t, doc.Trailer["error"])
		return doc.Sections, doc.Header
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
		switch line["type"] {
		case "header":
			header = line["header"].(map[string]any)
			for _, s := range header["sections"].([]any) {
				sections[s.(string)] = []map[string]any{}
			}
		case "row":
			s := line["section"].(string)
			sections[s] = append(sections[s], line["row"].(map[string]any))
		case "trailer":
			require.Nil(t, line["error"], "export ended with an error")
		}
	}
	require.NoError(t, sc.Err())
	return sections, header
}
