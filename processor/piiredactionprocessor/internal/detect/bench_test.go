package detect

import "testing"

var benchInputs = map[string]string{
	"plain":   "the quick brown fox jumps over the lazy dog while processing the request handler",
	"logline": "2024-01-15T10:30:45.123Z INFO request completed method=GET path=/api/v1/orders/12345 status=200 duration=12.5ms bytes=5321 trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
	"pii":     "user bob@example.com paid with 4111 1111 1111 1111 from 203.0.113.7, call +1 415 555 2671",
}

func BenchmarkDetectors(b *testing.B) {
	for name, in := range benchInputs {
		for _, d := range All() {
			b.Run(name+"/"+d.Name(), func(b *testing.B) {
				b.ReportAllocs()
				dst := make([]Span, 0, 8)
				for b.Loop() {
					dst = d.Find(in, dst[:0])
				}
			})
		}
	}
}

// benchDetector times one detector on the shared inputs and on a positive of its own, so each
// detector's cost on text without its data (what most records are) is visible.
func benchDetector(b *testing.B, d Detector, positive string) {
	inputs := map[string]string{"plain": benchInputs["plain"], "logline": benchInputs["logline"], "positive": positive}
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]Span, 0, 8)
			for b.Loop() {
				if d.Candidate(Classify(in)) {
					dst = d.Find(in, dst[:0])
				}
			}
		})
	}
}
