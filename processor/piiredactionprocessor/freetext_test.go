package piiredactionprocessor

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

// The free-text corpus (issue 25): personal data that no key announces, written the way support
// tools, batch jobs and careless logging write it, one file per detector under testdata/freetext
// (<detector>.jsonl). Each line is a positive (kind "positive", with the exact PII substrings a
// correct detector must remove) or a look-alike (kind "lookalike": product names with first
// names, street names used as brands, build numbers, timestamps, versions, hashes, datacenter
// coordinates, …) that must stay byte for byte. Every case carries its language (lang). The e2e
// test TestFreeTextCorpusStrict sends the same files through the built collector.

// Targets of the free-text corpus.
const (
	// freeTextMinKept is the share of look-alikes the strict processor must leave unchanged.
	freeTextMinKept = 0.99
	// freeTextMinPrecision is the precision of each detector alone over its own file.
	freeTextMinPrecision = 0.95
)

type freeTextCase struct {
	Lang string   `json:"lang"`
	Kind string   `json:"kind"`
	Text string   `json:"text"`
	PII  []string `json:"pii,omitempty"`
	Note string   `json:"note,omitempty"`

	detector string // the file's name
	line     int
}

// loadFreeText reads every testdata/freetext/*.jsonl file; the file name is the detector.
func loadFreeText(t testing.TB) []freeTextCase {
	t.Helper()
	// FREETEXT_DIR scores another directory of the same layout (testdata/freetext_heldout: cases
	// written after the detectors and not tuned on, see the README).
	dir := filepath.Join("testdata", "freetext")
	if d := os.Getenv("FREETEXT_DIR"); d != "" {
		dir = d
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/freetext/*.jsonl files")
	}
	var out []freeTextCase
	for _, name := range files {
		det := strings.TrimSuffix(filepath.Base(name), ".jsonl")
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		line := 0
		for sc.Scan() {
			line++
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var c freeTextCase
			dec := json.NewDecoder(strings.NewReader(sc.Text()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("%s:%d: %v", name, line, err)
			}
			c.detector, c.line = det, line
			out = append(out, c)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestFreeTextCorpusWellFormed keeps the corpus honest: every file is a detector, every case has a
// language and a known kind, every positive's PII occurs in its text, look-alikes carry none, and
// no positive's PII value occurs in any look-alike (so "stored nowhere" is a sharp check in e2e).
func TestFreeTextCorpusWellFormed(t *testing.T) {
	cases := loadFreeText(t)
	pos, neg := 0, 0
	perFile := map[string][2]int{}
	for _, c := range cases {
		where := fmt.Sprintf("%s.jsonl:%d", c.detector, c.line)
		if _, ok := detect.ByName(c.detector); !ok {
			t.Errorf("%s: file name %q is not a detector (known: %s)", where, c.detector, strings.Join(detect.Names(), ", "))
		}
		if c.Lang == "" || c.Text == "" {
			t.Errorf("%s: lang and text are required", where)
		}
		n := perFile[c.detector]
		switch c.Kind {
		case "positive":
			pos++
			n[0]++
			if len(c.PII) == 0 {
				t.Errorf("%s: positive without pii", where)
			}
			for _, v := range c.PII {
				if v == "" || !strings.Contains(c.Text, v) {
					t.Errorf("%s: pii %q is not in the text %q", where, v, c.Text)
				}
			}
		case "lookalike":
			neg++
			n[1]++
			if len(c.PII) != 0 {
				t.Errorf("%s: look-alike with pii", where)
			}
		default:
			t.Errorf("%s: kind %q is not positive or lookalike", where, c.Kind)
		}
		perFile[c.detector] = n
	}
	for det, n := range perFile {
		if n[0] < 10 || n[1] < 10 {
			t.Errorf("%s.jsonl: %d positives and %d look-alikes; want at least 10 of each", det, n[0], n[1])
		}
	}
	for _, p := range cases {
		for _, v := range p.PII {
			for _, l := range cases {
				if l.Kind == "lookalike" && strings.Contains(l.Text, v) {
					t.Errorf("%s.jsonl:%d: pii %q occurs in look-alike %s.jsonl:%d", p.detector, p.line, v, l.detector, l.line)
				}
			}
		}
	}
	t.Logf("free-text corpus: %d positives, %d look-alikes, %d files", pos, neg, len(perFile))
}

// ftScore counts, for one detector and one language, what the detector alone found (tp/fp over
// findings, fn over labels) and what the strict processor did (labels removed, look-alikes kept).
type ftScore struct {
	tp, fp, fn          int
	labels, removed     int
	lookalikes, kept    int
	positives, posClean int
}

func (s *ftScore) add(o ftScore) {
	s.tp += o.tp
	s.fp += o.fp
	s.fn += o.fn
	s.labels += o.labels
	s.removed += o.removed
	s.lookalikes += o.lookalikes
	s.kept += o.kept
	s.positives += o.positives
	s.posClean += o.posClean
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// scoreFreeText runs the corpus through each file's detector alone and through the strict
// processor (as a log body: JSON key rules, the detectors, everything a stored string gets).
func scoreFreeText(t *testing.T, cases []freeTextCase) map[string]map[string]*ftScore {
	p := newTestProcessor(t, strictCfg())
	st := p.e.getState()
	defer p.e.putState(st)
	var norm detect.Normalizer
	scores := map[string]map[string]*ftScore{}
	for _, c := range cases {
		d, ok := detect.ByName(c.detector)
		if !ok {
			continue // reported by TestFreeTextCorpusWellFormed
		}
		if scores[c.detector] == nil {
			scores[c.detector] = map[string]*ftScore{}
		}
		sc := scores[c.detector][c.Lang]
		if sc == nil {
			sc = &ftScore{}
			scores[c.detector][c.Lang] = sc
		}
		where := fmt.Sprintf("%s.jsonl:%d", c.detector, c.line)

		// The detector alone: a finding is a true positive when it covers a label.
		found := detect.FindNormalized(d, &norm, c.Text, nil)
		covered := make([]bool, len(c.PII))
		for _, sp := range found {
			hit := false
			for i, v := range c.PII {
				for off := 0; ; {
					j := strings.Index(c.Text[off:], v)
					if j < 0 {
						break
					}
					j += off
					if sp.Start <= j && j+len(v) <= sp.End {
						covered[i], hit = true, true
					}
					off = j + 1
				}
			}
			if hit {
				sc.tp++
			} else {
				sc.fp++
				t.Logf("%s: %s alone reports %q in %q", where, c.detector, c.Text[sp.Start:sp.End], c.Text)
			}
		}
		for i, v := range c.PII {
			if !covered[i] {
				sc.fn++
				t.Logf("%s: %s alone misses %q in %q", where, c.detector, v, c.Text)
			}
		}

		// The strict processor, all detectors.
		v := pcommon.NewValueStr(c.Text)
		st.ids = st.ids[:0]
		st.value(v, "body")
		out := v.Str()
		switch c.Kind {
		case "positive":
			sc.positives++
			clean := true
			for _, pv := range c.PII {
				sc.labels++
				if strings.Contains(out, pv) {
					clean = false
					t.Logf("%s: strict processor leaves %q: %q", where, pv, out)
				} else {
					sc.removed++
				}
			}
			if clean {
				sc.posClean++
			}
		case "lookalike":
			sc.lookalikes++
			if out == c.Text {
				sc.kept++
			} else {
				t.Logf("%s: strict processor changes look-alike %q -> %q", where, c.Text, out)
			}
		}
	}
	return scores
}

// TestFreeTextCorpus scores every detector per language and fails below the targets: every
// positive's PII removed by the strict processor, ≥ 99 % of look-alikes kept byte for byte, and
// each detector alone at least 0.95 precise over its own file. With FREETEXT_TABLE=1 it prints the
// markdown table of the component README.
func TestFreeTextCorpus(t *testing.T) {
	cases := loadFreeText(t)
	scores := scoreFreeText(t, cases)
	dets := make([]string, 0, len(scores))
	for d := range scores {
		dets = append(dets, d)
	}
	sort.Strings(dets)
	var table strings.Builder
	table.WriteString("| detector | language | positives | look-alikes | detector alone: precision / recall | strict processor: PII removed | look-alikes kept |\n")
	table.WriteString("|---|---|---:|---:|---|---:|---:|\n")
	row := func(det, lang string, s ftScore) {
		fmt.Fprintf(&table, "| %s | %s | %d | %d | %.3f / %.3f | %d/%d | %d/%d |\n", det, lang, s.positives, s.lookalikes,
			ratio(s.tp, s.tp+s.fp), ratio(s.tp, s.tp+s.fn), s.removed, s.labels, s.kept, s.lookalikes)
	}
	var all ftScore
	for _, d := range dets {
		langs := make([]string, 0, len(scores[d]))
		var tot ftScore
		for l, s := range scores[d] {
			langs = append(langs, l)
			tot.add(*s)
		}
		sort.Strings(langs)
		for _, l := range langs {
			row("`"+d+"`", l, *scores[d][l])
		}
		row("**`"+d+"`**", "**all**", tot)
		all.add(tot)
		if p := ratio(tot.tp, tot.tp+tot.fp); p < freeTextMinPrecision {
			t.Errorf("%s alone: precision %.3f < %.2f", d, p, freeTextMinPrecision)
		}
		if tot.removed != tot.labels {
			t.Errorf("%s: strict processor removed %d of %d PII values; want all", d, tot.removed, tot.labels)
		}
		if k := ratio(tot.kept, tot.lookalikes); k < freeTextMinKept {
			t.Errorf("%s: strict processor kept %.3f of look-alikes < %.2f", d, k, freeTextMinKept)
		}
	}
	row("**all**", "", all)
	if k := ratio(all.kept, all.lookalikes); k < freeTextMinKept {
		t.Errorf("all files: strict processor kept %.3f of look-alikes < %.2f", k, freeTextMinKept)
	}
	if os.Getenv("FREETEXT_TABLE") != "" {
		fmt.Print(table.String())
	}
	t.Logf("free-text corpus, %d cases\n%s", len(cases), table.String())
}

// tenantNoteLogs is one log record per tenant whose body and "note" attribute hold text.
func tenantNoteLogs(text string, tenants ...string) plog.Logs {
	ld := plog.NewLogs()
	for _, tn := range tenants {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("tenant.id", tn)
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.Body().SetStr(text)
		lr.Attributes().PutStr("note", text)
	}
	return ld
}

func logNote(ld plog.Logs, i int) string {
	v, _ := ld.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get("note")
	return v.Str()
}

// TestFreeTextDetectorSwitches: each detector of the free-text corpus follows its mode's action,
// can be switched by the YAML's actions (off in strict, on in minimal), per tenant by a policy's
// actions (tightening a minimal YAML for one tenant only; loosening refused by the floor), and the
// dry run names it for the field it changed. Driven by the corpus files, so detectors that come
// with their own file are covered too.
func TestFreeTextDetectorSwitches(t *testing.T) {
	cases := loadFreeText(t)
	minimal := createDefaultConfig()
	minimal.Mode = ModeMinimal
	pm := newTestProcessor(t, minimal)
	done := map[string]bool{}
	for _, c := range cases {
		if c.Kind != "positive" || done[c.detector] {
			continue
		}
		// A positive that the minimal YAML leaves alone, so every change below is the switch's.
		ld, err := pm.processLogs(t.Context(), tenantNoteLogs(c.Text, "us"))
		require.NoError(t, err)
		if logNote(ld, 0) != c.Text {
			continue
		}
		done[c.detector] = true
		det, pii := c.detector, c.PII[0]
		t.Run(det, func(t *testing.T) {
			run := func(cfg *Config) string {
				t.Helper()
				require.NoError(t, cfg.Validate())
				ld, err := newTestProcessor(t, cfg).processLogs(t.Context(), tenantNoteLogs(c.Text, "us"))
				require.NoError(t, err)
				return logNote(ld, 0)
			}
			for _, m := range []Mode{ModeStrict, ModeBalanced, ModeMinimal} {
				cfg := strictCfg()
				cfg.Mode = m
				out := run(cfg)
				if ruleAction(cfg, det) == ActionKeep {
					assert.Equal(t, c.Text, out, "%s: off in %s", det, m)
				} else {
					assert.NotContains(t, out, pii, "%s: on in %s (%s)", det, m, ruleAction(cfg, det))
				}
			}
			off := strictCfg()
			off.Actions = map[string]Action{det: ActionKeep}
			assert.Contains(t, run(off), pii, "actions.%s: keep turns it off in strict", det)
			on := createDefaultConfig()
			on.Mode = ModeMinimal
			on.Actions = map[string]Action{det: ActionRedact}
			assert.Contains(t, run(on), "[REDACTED:"+det+"]", "actions.%s: redact turns it on in minimal", det)

			// Per tenant: eu's policy turns the detector on over the minimal YAML; us keeps the YAML.
			p := newTestProcessor(t, minimal)
			reg := privacypolicy.NewRegistry()
			p.tenants = newTenantPolicies(minimal, reg)
			reg.SetEngine(p)
			pol := privacypolicy.Policy{Actions: map[string]string{det: "redact"}}
			require.NoError(t, p.Check(pol, false))
			reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 1, Policy: pol}})
			ld, err := p.processLogs(t.Context(), tenantNoteLogs(c.Text, "eu", "us"))
			require.NoError(t, err)
			assert.Contains(t, logNote(ld, 0), "[REDACTED:"+det+"]", "eu's policy")
			assert.NotContains(t, logNote(ld, 0), pii)
			assert.Equal(t, c.Text, logNote(ld, 1), "us: the YAML")

			// A strict YAML is the floor: a tenant may not turn the detector off.
			ps := newTestProcessor(t, strictCfg())
			err = ps.Check(privacypolicy.Policy{Actions: map[string]string{det: "keep"}}, false)
			require.Error(t, err)
			assert.Equal(t, "actions."+det, privacypolicy.FieldOf(err))

			// The dry run names the detector for each field it changed.
			sample, err := (&plog.JSONMarshaler{}).MarshalLogs(tenantNoteLogs(c.Text, "eu"))
			require.NoError(t, err)
			res, err := p.DryRun(t.Context(), pol, "logs", sample)
			require.NoError(t, err)
			assert.Contains(t, res.Detectors, det)
			fields := map[string]string{}
			for _, ch := range res.Changes {
				fields[ch.Field] = ch.Action + "/" + ch.Detector
			}
			assert.Equal(t, "redacted/"+det, fields["resource_logs[0].log_records[0].attributes.note"], "%+v", res.Changes)
			assert.Equal(t, "redacted/"+det, fields["resource_logs[0].log_records[0].body"], "%+v", res.Changes)
			assert.NotContains(t, string(res.Record), pii)
		})
	}
	for _, c := range cases {
		if !done[c.detector] {
			t.Errorf("%s: no positive that the minimal mode leaves alone, the switches are untested", c.detector)
			done[c.detector] = true
		}
	}
}
