package piiredactionprocessor

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

// FuzzProcessor feeds arbitrary text to the strict processor, as a string
// and inside every structure a log record can carry. It checks that nothing
// panics, that every value a detector reports is gone from the output
// (occurrences are allowed only wholly inside text no detector reported, or
// wholly inside a produced replacement), and that a second pass is safe.
func FuzzProcessor(f *testing.F) {
	f.Add(piiText)
	for _, s := range lookAlikes {
		f.Add(s)
	}
	f.Add("a@b.co@x.com 4111111111111111 +1 415 555 2671 10.0.0.1")
	f.Add(`{"a":"{\"email\":\"x\",\"user_id\":7}","phone" :"1\"2"}`)
	f.Add("ｊａｎｅ [at] example%2Ecom ０９０－１２３４－５６７８")
	cfg := strictCfg()
	cfg.Actions = map[string]Action{"email": ActionHash, "card": ActionMask}
	p := newTestProcessor(f, cfg)
	all := detect.All()
	f.Fuzz(func(t *testing.T, s string) {
		st := p.e.getState()
		defer p.e.putState(st)
		out, changed := st.scan(s, "fuzz")
		if !changed {
			out = s
		}
		// Rebuild the output layout from the merged hits.
		type region struct{ start, end int }
		var repls []region
		if changed {
			pos, last := 0, 0
			var buf []byte
			for _, h := range st.hits {
				osp := h.sp
				if st.normed {
					osp = st.norm.Orig(h.sp)
				}
				pos += osp.Start - last
				buf = st.apply(buf[:0], st.e.rules[h.r], st.text[h.sp.Start:h.sp.End])
				repls = append(repls, region{pos, pos + len(buf)})
				pos += len(buf)
				last = osp.End
			}
			if pos+len(s)-last != len(out) {
				t.Fatalf("layout mismatch for %q -> %q", s, out)
			}
		}
		for _, d := range all {
			for _, sp := range d.Find(s, nil) {
				v := s[sp.Start:sp.End]
				if a, ok := anonymizeIP(v); ok && a == v {
					continue // strict anonymizes IPs; a /24 or /48 network stays as is
				}
				for off := 0; ; {
					k := strings.Index(out[off:], v)
					if k < 0 {
						break
					}
					a, b := off+k, off+k+len(v)
					for _, r := range repls {
						if a < r.end && r.start < b && !(a >= r.start && b <= r.end) {
							t.Fatalf("%s value %q leaks across a replacement: %q -> %q", d.Name(), v, s, out)
						}
					}
					if len(repls) == 0 {
						t.Fatalf("%s value %q reported but output unchanged: %q", d.Name(), v, s)
					}
					off = a + 1
				}
			}
		}
		// A second pass (agent and gateway both redacting) must not panic;
		// idempotence on realistic data is TestIdempotent's job, arbitrary
		// bytes next to a placeholder can form new candidates.
		_, _ = st.scan(out, "fuzz")

		// Structures: must not panic and must not keep the raw text when it
		// was redacted as a string.
		ld := plog.NewLogs()
		lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.Body().SetEmptyMap().PutEmptySlice("s").AppendEmpty().SetStr(s)
		lr.Attributes().PutStr(s, s)
		lr.Attributes().PutEmptyMap("m").PutStr("k", s)
		if _, err := p.processLogs(context.Background(), ld); err != nil {
			t.Fatal(err)
		}
		if changed {
			m, _ := lr.Attributes().Get("m")
			if got, _ := m.Map().Get("k"); got.Str() != out {
				t.Fatalf("nested value %q, want %q", got.Str(), out)
			}
		}
	})
}
