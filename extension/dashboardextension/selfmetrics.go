package dashboardextension

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
)

// maxScrapeBytes bounds one read of the self-metrics endpoint.
const maxScrapeBytes = 16 << 20

// sample is one series of the Prometheus text format.
type sample struct {
	name   string // without the _total suffix of counters
	labels map[string]string
	value  float64
}

// scraper reads the collector's own Prometheus endpoint (service::telemetry::metrics), the only
// place where receivers, exporters, queues and processors report what they accepted and refused.
type scraper struct {
	url    string
	client *http.Client
	tel    *metadata.Telemetry
}

func newScraper(url string, timeout time.Duration, tel *metadata.Telemetry) *scraper {
	return &scraper{url: url, client: &http.Client{Timeout: timeout}, tel: tel}
}

func (s *scraper) scrape(ctx context.Context) (samples, error) {
	out, err := s.read(ctx)
	if err != nil {
		s.tel.ScrapeFailures.Add(context.Background(), 1)
	}
	return out, err
}

func (s *scraper) read(ctx context.Context) (samples, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", s.url, resp.Status)
	}
	return parseText(io.LimitReader(resp.Body, maxScrapeBytes))
}

type samples []sample

// parseText reads the Prometheus text exposition format: "name{l="v",...} value [timestamp]".
// Comment, HELP and TYPE lines are skipped; the _total suffix of counters is dropped so that names
// match the instrument names.
func parseText(r io.Reader) (samples, error) {
	var out samples
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

func parseLine(line string) (sample, error) {
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		return s, errors.New("no metric name")
	}
	s.name = strings.TrimSuffix(line[:i], "_total")
	rest := line[i:]
	if rest[0] == '{' {
		end, err := parseLabels(rest[1:], s.labels)
		if err != nil {
			return s, err
		}
		rest = rest[1+end:]
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return s, errors.New("no value")
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, fmt.Errorf("value %q: %w", fields[0], err)
	}
	s.value = v
	return s, nil
}

// parseLabels reads `k="v",...}` and returns the index just after the closing brace.
func parseLabels(s string, into map[string]string) (int, error) {
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return 0, errors.New("unterminated labels")
		}
		if s[i] == '}' {
			return i + 1, nil
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq <= 0 || i+eq+1 >= len(s) || s[i+eq+1] != '"' {
			return 0, errors.New("malformed label")
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 2
		var b strings.Builder
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					b.WriteByte('\n')
				default:
					b.WriteByte(s[i])
				}
				continue
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return 0, errors.New("unterminated label value")
		}
		i++ // closing quote
		into[key] = b.String()
	}
}

// signals are the item kinds in the names of the collector's pipeline metrics.
var signals = []string{"spans", "metric_points", "log_records"}

// Self-metrics summary, in the shape the page draws.
type (
	selfSummary struct {
		Time       time.Time          `json:"time"`
		Totals     map[string]float64 `json:"totals"`
		Receivers  []flowRow          `json:"receivers"`
		Exporters  []flowRow          `json:"exporters"`
		Queues     []queueRow         `json:"queues"`
		Consent    []consentRow       `json:"consent"`
		Redactions []redactionRow     `json:"redactions"`
	}
	// flowRow is one receiver or exporter and signal.
	flowRow struct {
		Component string             `json:"component"`
		Signal    string             `json:"signal"`
		Counts    map[string]float64 `json:"counts"` // accepted, refused, failed | sent, send_failed, enqueue_failed
	}
	queueRow struct {
		Exporter string  `json:"exporter"`
		Size     float64 `json:"size"`
		Capacity float64 `json:"capacity"`
	}
	consentRow struct {
		Signal  string  `json:"signal"`
		Purpose string  `json:"purpose"`
		Outcome string  `json:"outcome"`
		Reason  string  `json:"reason"`
		Records float64 `json:"records"`
	}
	redactionRow struct {
		Detector string  `json:"detector"`
		Signal   string  `json:"signal"`
		Count    float64 `json:"count"`
	}
)

// Totals keys.
const (
	totAccepted      = "accepted"
	totRefused       = "refused"
	totSent          = "sent"
	totSendFailed    = "send_failed"
	totEnqueueFailed = "enqueue_failed"
	totQueueSize     = "queue_size"
	totQueueCapacity = "queue_capacity"
	totMemoryRefused = "memory_limiter_refused"
	totConsentPassed = "consent_passed"
	totConsentDrop   = "consent_dropped"
	totConsentAnon   = "consent_anonymized"
	totRedactions    = "pii_redactions"
)

// signalMetric splits "otelcol_receiver_accepted_spans" into ("otelcol_receiver_accepted", "spans").
func signalMetric(name string) (string, string, bool) {
	for _, sig := range signals {
		if prefix, ok := strings.CutSuffix(name, "_"+sig); ok {
			return prefix, sig, true
		}
	}
	return "", "", false
}

func (ss samples) summary() selfSummary {
	out := selfSummary{Time: time.Now().UTC(), Totals: map[string]float64{}}
	for _, k := range []string{totAccepted, totRefused, totSent, totSendFailed, totEnqueueFailed, totQueueSize,
		totQueueCapacity, totMemoryRefused, totConsentPassed, totConsentDrop, totConsentAnon, totRedactions} {
		out.Totals[k] = 0
	}
	receivers := map[[2]string]*flowRow{}
	exporters := map[[2]string]*flowRow{}
	queues := map[string]*queueRow{}
	flow := func(m map[[2]string]*flowRow, comp, sig, count string, v float64) {
		k := [2]string{comp, sig}
		r := m[k]
		if r == nil {
			r = &flowRow{Component: comp, Signal: sig, Counts: map[string]float64{}}
			m[k] = r
		}
		r.Counts[count] += v
	}
	queue := func(exp string) *queueRow {
		q := queues[exp]
		if q == nil {
			q = &queueRow{Exporter: exp}
			queues[exp] = q
		}
		return q
	}
	for _, s := range ss {
		switch s.name {
		case "otelcol_exporter_queue_size":
			queue(s.labels["exporter"]).Size += s.value
			out.Totals[totQueueSize] += s.value
			continue
		case "otelcol_exporter_queue_capacity":
			queue(s.labels["exporter"]).Capacity += s.value
			out.Totals[totQueueCapacity] += s.value
			continue
		case "otelcol_processor_consent_records", "otelcol_processor_pii_redaction_redactions":
			// The RED pipeline's own consent/red and pii_redaction/red see every span a second time on its
			// way to span_metrics: what reaches storage is the others' count.
			if strings.HasSuffix(processorID(s.labels), "/red") {
				continue
			}
		}
		switch s.name {
		case "otelcol_processor_consent_records":
			out.Consent = append(out.Consent, consentRow{Signal: s.labels["signal"], Purpose: s.labels["purpose"],
				Outcome: s.labels["outcome"], Reason: s.labels["reason"], Records: s.value})
			switch s.labels["outcome"] {
			case "passed":
				out.Totals[totConsentPassed] += s.value
			case "dropped":
				out.Totals[totConsentDrop] += s.value
			case "anonymized":
				out.Totals[totConsentAnon] += s.value
			}
			continue
		case "otelcol_processor_pii_redaction_redactions":
			out.Redactions = append(out.Redactions, redactionRow{Detector: s.labels["detector"], Signal: s.labels["signal"], Count: s.value})
			out.Totals[totRedactions] += s.value
			continue
		}
		prefix, sig, ok := signalMetric(s.name)
		if !ok {
			continue
		}
		switch prefix {
		case "otelcol_receiver_accepted", "otelcol_receiver_refused", "otelcol_receiver_failed":
			count := strings.TrimPrefix(prefix, "otelcol_receiver_")
			flow(receivers, s.labels["receiver"], sig, count, s.value)
			if count != "failed" {
				out.Totals[count] += s.value
			}
		case "otelcol_exporter_sent", "otelcol_exporter_send_failed", "otelcol_exporter_enqueue_failed":
			count := strings.TrimPrefix(prefix, "otelcol_exporter_")
			flow(exporters, s.labels["exporter"], sig, count, s.value)
			out.Totals[count] += s.value
		case "otelcol_processor_memory_limiter_refused":
			out.Totals[totMemoryRefused] += s.value
		}
	}
	out.Receivers = sortedFlows(receivers)
	out.Exporters = sortedFlows(exporters)
	out.Queues = make([]queueRow, 0, len(queues))
	for _, q := range queues {
		out.Queues = append(out.Queues, *q)
	}
	sort.Slice(out.Queues, func(i, j int) bool { return out.Queues[i].Exporter < out.Queues[j].Exporter })
	sort.Slice(out.Consent, func(i, j int) bool {
		a, b := out.Consent[i], out.Consent[j]
		return a.Signal+a.Purpose+a.Outcome+a.Reason < b.Signal+b.Purpose+b.Outcome+b.Reason
	})
	sort.Slice(out.Redactions, func(i, j int) bool {
		a, b := out.Redactions[i], out.Redactions[j]
		return a.Detector+a.Signal < b.Detector+b.Signal
	})
	if out.Consent == nil {
		out.Consent = []consentRow{}
	}
	if out.Redactions == nil {
		out.Redactions = []redactionRow{}
	}
	return out
}

func sortedFlows(m map[[2]string]*flowRow) []flowRow {
	out := make([]flowRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Component != out[j].Component {
			return out[i].Component < out[j].Component
		}
		return out[i].Signal < out[j].Signal
	})
	return out
}

// processorID is the component id of a processor's sample (its "processor" attribute).
func processorID(labels map[string]string) string { return labels["processor"] }
