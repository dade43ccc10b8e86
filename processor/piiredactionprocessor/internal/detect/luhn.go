package detect // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"

// luhnDigits checks the Luhn sum of the digits of v, skipping any other byte (separators): card
// numbers, IMEIs and Canadian SINs carry it.
func luhnDigits[T string | []byte](v T) bool {
	sum, double := 0, false
	for k := len(v) - 1; k >= 0; k-- {
		c := v[k]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
