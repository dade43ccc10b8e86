package telemetryapiextension

import (
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newUnsampledLogger writes JSON lines to w at info level and above with no sampling: the
// collector's logger samples repeated messages (10 a second, then 1 in 100), which would drop
// most audit lines under load.
func newUnsampledLogger(w io.Writer) *zap.Logger {
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.Lock(zapcore.AddSync(w)), zapcore.InfoLevel))
}
