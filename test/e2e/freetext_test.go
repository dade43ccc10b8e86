package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// freeTextCase is one line of processor/piiredactionprocessor/testdata/freetext/<detector>.jsonl
// (see freetext_test.go there): a positive with the exact PII substrings, or a look-alike that must
// be stored byte for byte.
type freeTextCase struct {
	Lang string   `json:"lang"`
	Kind string   `json:"kind"`
	Text string   `json:"text"`
	PII  []string `json:"pii"`
	Note string   `json:"note"`
	file string
}

// loadFreeTextCorpus reads every file of the free-text corpus, so detectors added later with their
// own file are covered without touching this test.
func loadFreeTextCorpus(t *testing.T) []freeTextCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "processor", "piiredactionprocessor", "testdata", "freetext", "*.jsonl"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "free-text corpus files")
	var out []freeTextCase
	for _, name := range files {
		f, err := os.Open(name)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var c freeTextCase
			require.NoError(t, json.Unmarshal(sc.Bytes(), &c), "%s", name)
			c.file = filepath.Base(name)
			out = append(out, c)
		}
		f.Close()
		require.NoError(t, sc.Err())
	}
	return out
}

// freeTextPlaces are where the corpus is written: a log body, a log attribute, a value nested two
// maps deep in a log attribute, and an event property through the events receiver.
var freeTextPlaces = []string{"log body", "log attribute", "nested map", "event property"}

// TestFreeTextCorpusStrict (issue 25): the free-text corpus through the built collector in strict
// mode, in all four places. Every table of the database is dumped afterwards: no positive's PII
// value may occur in any column, and at least 99 % of the look-alikes must be stored unchanged in
// each place.
func TestFreeTextCorpusStrict(t *testing.T) {
	cases := loadFreeTextCorpus(t)
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"}})

	// Logs: one record per case, the text as body, as an attribute and nested in a map.
	const chunk = 200
	for from := 0; from < len(cases); from += chunk {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "freetext")
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for _, fc := range cases[from:min(from+chunk, len(cases))] {
			lr := lrs.AppendEmpty()
			lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
			lr.Body().SetStr(fc.Text)
			lr.Attributes().PutStr("note", fc.Text)
			lr.Attributes().PutEmptyMap("ctx").PutEmptyMap("detail").PutStr("note", fc.Text)
		}
		raw, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		postOTLPJSON(t, c, "logs", string(raw))
	}
	// Events: one per case, the text as a property.
	for from := 0; from < len(cases); from += chunk {
		var batch struct {
			Events []map[string]any `json:"events"`
		}
		for _, fc := range cases[from:min(from+chunk, len(cases))] {
			batch.Events = append(batch.Events, map[string]any{"event_name": "freetext_case", "properties": map[string]any{"note": fc.Text}})
		}
		body, err := json.Marshal(batch)
		require.NoError(t, err)
		got := send(t, http.MethodPost, c.apiURL("/events/batch"), testAPIKey, jsonHeader, body)
		require.Equal(t, http.StatusAccepted, got.status, "%s", got.body)
		require.EqualValues(t, len(batch.Events), got.json()["accepted"], "%s", got.body)
	}

	conn := c.db()
	n := uint64(len(cases))
	eventuallyCount(t, conn, n, "SELECT count() FROM telemetry_logs WHERE service_name = 'freetext'")
	eventuallyCount(t, conn, n, "SELECT count() FROM telemetry_events WHERE event_name = 'freetext_case'")

	// What each place holds, as stored.
	stored := map[string]map[string]bool{}
	for _, p := range freeTextPlaces {
		stored[p] = map[string]bool{}
	}
	rows, err := conn.Query(context.Background(), "SELECT body, attributes FROM telemetry_logs WHERE service_name = 'freetext'")
	require.NoError(t, err)
	for rows.Next() {
		var body string
		var attrs map[string]string
		require.NoError(t, rows.Scan(&body, &attrs))
		stored["log body"][body] = true
		stored["log attribute"][attrs["note"]] = true
		var ctx struct {
			Detail struct {
				Note string `json:"note"`
			} `json:"detail"`
		}
		require.NoError(t, json.Unmarshal([]byte(attrs["ctx"]), &ctx), "ctx attribute %q", attrs["ctx"])
		stored["nested map"][ctx.Detail.Note] = true
	}
	require.NoError(t, rows.Err())
	rows.Close()
	rows, err = conn.Query(context.Background(), "SELECT attributes FROM telemetry_events WHERE event_name = 'freetext_case'")
	require.NoError(t, err)
	for rows.Next() {
		var attrs map[string]string
		require.NoError(t, rows.Scan(&attrs))
		stored["event property"][attrs["note"]] = true
	}
	require.NoError(t, rows.Err())
	rows.Close()

	// No positive anywhere: every column of every table.
	columns := dumpAllColumns(t, c)
	var all strings.Builder
	for _, dump := range columns {
		all.WriteString(dump)
	}
	everything := all.String()
	positives, leaked := 0, 0
	for _, fc := range cases {
		if fc.Kind != "positive" {
			continue
		}
		positives++
		for _, v := range fc.PII {
			if strings.Contains(everything, v) {
				leaked++
				for where, dump := range columns {
					if strings.Contains(dump, v) {
						t.Errorf("%s: PII %q of %q stored in %s", fc.file, v, fc.Text, where)
					}
				}
			}
		}
	}
	require.Positive(t, positives, "corpus has positives")

	// Look-alikes intact, per place and per file.
	type tally struct{ kept, total int }
	perPlace := map[string]*tally{}
	perFile := map[string]*tally{}
	for _, fc := range cases {
		if fc.Kind != "lookalike" {
			continue
		}
		for _, p := range freeTextPlaces {
			if perPlace[p] == nil {
				perPlace[p] = &tally{}
			}
			if perFile[fc.file] == nil {
				perFile[fc.file] = &tally{}
			}
			perPlace[p].total++
			perFile[fc.file].total++
			if stored[p][fc.Text] {
				perPlace[p].kept++
				perFile[fc.file].kept++
			} else {
				t.Logf("%s: look-alike %q not stored unchanged as %s", fc.file, fc.Text, p)
			}
		}
	}
	var report []string
	for _, p := range freeTextPlaces {
		tl := perPlace[p]
		require.NotNil(t, tl, "look-alikes in the corpus")
		report = append(report, fmt.Sprintf("%s %d/%d", p, tl.kept, tl.total))
		if float64(tl.kept) < 0.99*float64(tl.total) {
			t.Errorf("%s: %d of %d look-alikes kept (< 99 %%)", p, tl.kept, tl.total)
		}
	}
	files := make([]string, 0, len(perFile))
	for f := range perFile {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		report = append(report, fmt.Sprintf("%s %d/%d", f, perFile[f].kept, perFile[f].total))
	}
	t.Logf("free-text corpus through the collector (strict): %d cases, %d positives, %d PII values leaked; look-alikes kept: %s",
		len(cases), positives, leaked, strings.Join(report, ", "))
}

// TestFreeTextDetectorsPerTenant (issue 25): with the operator's YAML at minimal (the free-text
// detectors off), tenant eu turns each of them on by its privacy policy's actions. The dry run names,
// for each sample record, the detector that changed its note; eu's next records are stored redacted,
// us's as sent. One positive per corpus file, so detectors added with their own file are covered.
func TestFreeTextDetectorsPerTenant(t *testing.T) {
	cases := loadFreeTextCorpus(t)
	first := map[string]freeTextCase{}
	var dets []string
	for _, fc := range cases {
		det := strings.TrimSuffix(fc.file, ".jsonl")
		if _, ok := first[det]; !ok && fc.Kind == "positive" {
			first[det] = fc
			dets = append(dets, det)
		}
	}
	sort.Strings(dets)
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"}})
	euIngest := c.createKey(t, "eu", "eu-ingest", "ingest")
	usIngest := c.createKey(t, "us", "us-ingest", "ingest")
	euAdmin := c.createKey(t, "eu", "eu-admin", "admin")

	actions := map[string]any{}
	for _, d := range dets {
		actions[d] = "redact"
	}
	policy := map[string]any{"actions": actions}

	// The dry run: one record per detector, each change attributed.
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "freetext-dry-run")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, d := range dets {
		lrs.AppendEmpty().Attributes().PutStr("note", first[d].Text)
	}
	sample, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	status, _, body := c.apiRequest(t, http.MethodPost, "/privacy/policy/test", euAdmin, map[string]any{
		"signal": "logs", "sample": json.RawMessage(sample), "policy": policy}, nil)
	require.Equal(t, http.StatusOK, status, body)
	byField := map[string]string{}
	for _, ch := range body["changes"].([]any) {
		m := ch.(map[string]any)
		det, _ := m["detector"].(string)
		byField[m["field"].(string)] = m["action"].(string) + "/" + det
	}
	reported, _ := json.Marshal(body["detectors"])
	record, _ := json.Marshal(body["record"])
	for _, d := range dets {
		assert.Contains(t, string(reported), `"`+d+`"`, "dry run's detectors")
		for _, v := range first[d].PII {
			assert.NotContains(t, string(record), v, "%s: dry-run record", d)
		}
	}
	for i, d := range dets {
		field := fmt.Sprintf("resource_logs[0].log_records[%d].attributes.note", i)
		assert.Regexp(t, "^redacted/(.*,)?"+d+"(,.*)?$", byField[field], "%s: %s in %v", d, field, byField)
	}

	status, _, body = c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, policy, nil)
	require.Equal(t, http.StatusOK, status, body)
	for _, d := range dets {
		svc := "freetext-" + strings.ReplaceAll(d, "_", "-")
		postLogsWithKey(t, c.otlpHTTP, euIngest, noteLogs(svc, first[d].Text))
		postLogsWithKey(t, c.otlpHTTP, usIngest, noteLogs(svc, first[d].Text))
	}
	for _, d := range dets {
		svc := "freetext-" + strings.ReplaceAll(d, "_", "-")
		eu := storedNote(t, c, "eu", svc)
		assert.Contains(t, eu, "[REDACTED:", "%s: eu's policy", d)
		for _, v := range first[d].PII {
			assert.NotContains(t, eu, v, "%s: eu's policy", d)
		}
		assert.Equal(t, first[d].Text, storedNote(t, c, "us", svc), "%s: us keeps the minimal YAML", d)
	}
}

// TestFreeTextLowercaseNameAndNumberlessAddress: a lower-case name after a cue ("my name is john
// smith"), an all-caps name after a capitalised cue, a street without a house number after an address
// phrase ("ship to Platz der Republik") and a German street named by a preposition are not stored
// raw through the built collector in strict mode, in the log body, a log attribute and an event
// property; their look-alikes (all-caps log text, a street name in a UI log without an address cue,
// a brand next to a product word) are stored byte for byte.
func TestFreeTextLowercaseNameAndNumberlessAddress(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"}})
	positives := map[string][]string{
		"chat: my name is john smith, please ship to Platz der Republik": {"john smith", "Platz der Republik"},
		"Kunde: MÜLLER, Hans wohnt Am Hafen 3":                           {"MÜLLER", "Hans", "Am Hafen 3"},
	}
	lookalikes := []string{
		"ERROR USER NOT FOUND",
		"map view: zoom to Platz der Republik",
		"Ralph Lauren SKU 1234 restocked",
		"user will retry in 5s",
	}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "freetext-folded")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	var texts []string
	for text := range positives {
		texts = append(texts, text)
	}
	sort.Strings(texts)
	texts = append(texts, lookalikes...)
	var batch struct {
		Events []map[string]any `json:"events"`
	}
	for _, text := range texts {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.Body().SetStr(text)
		lr.Attributes().PutStr("note", text)
		batch.Events = append(batch.Events, map[string]any{"event_name": "freetext_folded", "properties": map[string]any{"note": text}})
	}
	raw, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	postOTLPJSON(t, c, "logs", string(raw))
	body, err := json.Marshal(batch)
	require.NoError(t, err)
	got := send(t, http.MethodPost, c.apiURL("/events/batch"), testAPIKey, jsonHeader, body)
	require.Equal(t, http.StatusAccepted, got.status, "%s", got.body)

	conn := c.db()
	eventuallyCount(t, conn, uint64(len(texts)), "SELECT count() FROM telemetry_logs WHERE service_name = 'freetext-folded'")
	eventuallyCount(t, conn, uint64(len(texts)), "SELECT count() FROM telemetry_events WHERE event_name = 'freetext_folded'")
	var stored []string
	rows, err := conn.Query(context.Background(), "SELECT body, attributes['note'] FROM telemetry_logs WHERE service_name = 'freetext-folded'")
	require.NoError(t, err)
	for rows.Next() {
		var b, note string
		require.NoError(t, rows.Scan(&b, &note))
		stored = append(stored, b, note)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	rows, err = conn.Query(context.Background(), "SELECT attributes['note'] FROM telemetry_events WHERE event_name = 'freetext_folded'")
	require.NoError(t, err)
	for rows.Next() {
		var note string
		require.NoError(t, rows.Scan(&note))
		stored = append(stored, note)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.Len(t, stored, 3*len(texts))

	// What was stored for the positives: everything but the look-alikes, which share words with
	// them ("Platz der Republik" without an address cue).
	var fromPositives []string
	for _, s := range stored {
		if !slices.Contains(lookalikes, s) {
			fromPositives = append(fromPositives, s)
		}
	}
	require.Len(t, fromPositives, 3*len(positives))
	everything := strings.Join(fromPositives, "\n")
	for text, pii := range positives {
		for _, v := range pii {
			assert.NotContains(t, everything, v, "PII of %q stored raw", text)
		}
	}
	assert.Contains(t, everything, "[REDACTED:person_name]")
	assert.Contains(t, everything, "[REDACTED:postal_address]")
	for _, text := range lookalikes {
		n := 0
		for _, s := range stored {
			if s == text {
				n++
			}
		}
		assert.Equal(t, 3, n, "look-alike %q stored unchanged in body, attribute and event property", text)
	}
}
