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

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

//go:generate sh -c "go run ./internal/corpusgen > testdata/corpus.jsonl"

// Thresholds every detector must meet on testdata/corpus.jsonl.
const (
	minPrecision = 0.98
	minRecall    = 0.95
)

type corpusCase struct {
	ID     int           `json:"id"`
	Kind   string        `json:"kind"`
	Text   string        `json:"text"`
	Labels []corpusLabel `json:"labels"`
}

type corpusLabel struct {
	Detector string `json:"detector"`
	Value    string `json:"value"`
}

// corpusFiles are the generated corpus, the hand-labelled hard cases
// (formats the detectors are known to miss, realistic look-alikes) and the
// hand-labelled variants of issue 19 (separators, Unicode width and spaces,
// percent-encoding, obfuscated e-mails, JSON inside strings, and their
// look-alikes).
var corpusFiles = []string{"corpus.jsonl", "corpus_hard.jsonl", "corpus_variants.jsonl"}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	var out []corpusCase
	for _, name := range corpusFiles {
		out = append(out, loadCorpusFile(t, name)...)
	}
	relabel(out)
	return out
}

func loadCorpusFile(t testing.TB, name string) []corpusCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("corpus line %d: %v", len(out)+1, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// reclassified are values the generated corpus wrote as look-alikes that issue 25 made personal
// data (a MAC address is a device id, a latitude/longitude pair with four decimals a person's
// location): cases holding them get these labels, so the new detectors are scored on them and the
// old ones still see them as look-alikes.
var reclassified = map[string][]corpusLabel{
	"00:1A:2B:3C:4D:5E":             {{Detector: "device_id", Value: "00:1A:2B:3C:4D:5E"}},
	"lat=48.8566 lon=2.3522":        {{Detector: "geo", Value: "48.8566"}, {Detector: "geo", Value: "2.3522"}},
	`"date_of_birth": "1990-02-14"`: {{Detector: "date_of_birth", Value: "1990-02-14"}},
	"coords 37.7749,-122.4194":      {{Detector: "geo", Value: "37.7749"}, {Detector: "geo", Value: "-122.4194"}},
	`From: "Doe, John"`:             {{Detector: "person_name", Value: "Doe, John"}},
}

// relabel adds the reclassified labels to the cases that hold those values; a look-alike that
// holds one becomes a positive.
func relabel(cases []corpusCase) {
	for i := range cases {
		for v, labels := range reclassified {
			if !strings.Contains(cases[i].Text, v) {
				continue
			}
			for _, l := range labels {
				if _, ok := detect.ByName(l.Detector); ok {
					cases[i].Labels = append(cases[i].Labels, l)
					if cases[i].Kind == "negative" {
						cases[i].Kind = "positive"
					}
				}
			}
		}
	}
}

// hasFreeTextFile reports whether a detector is scored on the free-text corpus (issue 25), not on
// this one: it need not have labels here, but its findings here still count against it.
func hasFreeTextFile(name string) bool {
	_, err := os.Stat(filepath.Join("testdata", "freetext", name+".jsonl"))
	return err == nil
}

type prCounts struct{ tp, fp, fn int }

func (c prCounts) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c prCounts) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// TestCorpusPrecisionRecall scores every detector on its own: a finding is a
// true positive when a label of that detector has exactly its text.
func TestCorpusPrecisionRecall(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 300 {
		t.Fatalf("corpus has %d cases, want hundreds", len(cases))
	}
	counts := map[string]*prCounts{}
	for _, d := range detect.All() {
		counts[d.Name()] = &prCounts{}
	}
	var norm detect.Normalizer
	for _, c := range cases {
		for _, d := range detect.All() {
			want := map[string]int{}
			for _, l := range c.Labels {
				if l.Detector == d.Name() {
					want[l.Value]++
				}
			}
			pc := counts[d.Name()]
			for _, sp := range detect.FindNormalized(d, &norm, c.Text, nil) {
				v := c.Text[sp.Start:sp.End]
				if want[v] > 0 {
					want[v]--
					pc.tp++
				} else {
					pc.fp++
					t.Logf("FP %s case %d: %q in %q", d.Name(), c.ID, v, c.Text)
				}
			}
			for v, n := range want {
				if n > 0 {
					pc.fn += n
					t.Logf("FN %s case %d: %q in %q", d.Name(), c.ID, v, c.Text)
				}
			}
		}
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	var report strings.Builder
	report.WriteString("| detector | labelled | TP | FP | FN | precision | recall |\n|---|---|---|---|---|---|---|\n")
	for _, n := range names {
		c := counts[n]
		fmt.Fprintf(&report, "| %s | %d | %d | %d | %d | %.3f | %.3f |\n", n, c.tp+c.fn, c.tp, c.fp, c.fn, c.precision(), c.recall())
		if c.tp+c.fn == 0 && !hasFreeTextFile(n) {
			t.Errorf("%s: no labelled cases", n)
		}
		if c.precision() < minPrecision || c.recall() < minRecall {
			t.Errorf("%s: precision %.3f recall %.3f below %.2f/%.2f", n, c.precision(), c.recall(), minPrecision, minRecall)
		}
	}
	t.Logf("corpus: %d cases\n%s", len(cases), report.String())
}

// TestCorpusThroughProcessor runs every corpus text through the strict
// processor as a log body and measures what a reader of the stored data
// would see: the share of labelled values that no longer occur in the output
// (recall) and the share of look-alike texts that come out unchanged.
func TestCorpusThroughProcessor(t *testing.T) {
	cases := loadCorpus(t)
	p := newTestProcessor(t, strictCfg())
	st := p.e.getState()
	defer p.e.putState(st)
	labels, removed, negTotal, negKept := 0, 0, 0, 0
	for _, c := range cases {
		// As a log body: JSON key rules, then the detectors.
		v := pcommon.NewValueStr(c.Text)
		st.ids = st.ids[:0]
		st.value(v, "body")
		out := v.Str()
		for _, l := range c.Labels {
			labels++
			if strings.Contains(out, l.Value) {
				t.Logf("case %d: %s value %q survived: %q", c.ID, l.Detector, l.Value, out)
			} else {
				removed++
			}
		}
		if c.Kind == "negative" {
			negTotal++
			if out == c.Text {
				negKept++
			} else {
				t.Logf("look-alike changed: %q -> %q", c.Text, out)
			}
		}
	}
	recall := float64(removed) / float64(labels)
	kept := float64(negKept) / float64(negTotal)
	t.Logf("strict processor: %d/%d labelled values removed (%.3f), %d/%d look-alikes unchanged (%.3f)", removed, labels, recall, negKept, negTotal, kept)
	if recall < minRecall {
		t.Errorf("processor recall %.3f < %.2f", recall, minRecall)
	}
	if kept < minPrecision {
		t.Errorf("look-alikes kept %.3f < %.2f", kept, minPrecision)
	}
}
