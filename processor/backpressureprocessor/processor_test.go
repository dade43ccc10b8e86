package backpressureprocessor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/backpressureprocessor/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, configtest.Unmarshal(t, metadata.Type, name, cfg))
	return cfg, confmap.Validate(cfg)
}

func TestConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, cfg.RetryAfter)
	cfg, err = loadConfig(t, "custom")
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, cfg.RetryAfter)
	_, err = loadConfig(t, "fractional")
	assert.ErrorContains(t, err, "retry_after must be whole seconds")
	_, err = loadConfig(t, "zero")
	assert.ErrorContains(t, err, "retry_after must be whole seconds")
}

// retryDelay is what a client reads from the error: the gRPC code and the RetryInfo delay.
func retryDelay(t *testing.T, err error) (codes.Code, time.Duration) {
	t.Helper()
	st, ok := status.FromError(err)
	require.True(t, ok, "a gRPC status: %v", err)
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return st.Code(), ri.GetRetryDelay().AsDuration()
		}
	}
	return st.Code(), 0
}

func TestRefusalsCarryRetryInfo(t *testing.T) {
	refused := errors.New("data refused due to high memory usage")
	ctx := context.Background()
	f := NewFactory()
	cfg := &Config{RetryAfter: 7 * time.Second}
	set := processortest.NewNopSettings(metadata.Type)

	tp, err := f.CreateTraces(ctx, set, cfg, consumertest.NewErr(refused))
	require.NoError(t, err)
	mp, err := f.CreateMetrics(ctx, set, cfg, consumertest.NewErr(refused))
	require.NoError(t, err)
	lp, err := f.CreateLogs(ctx, set, cfg, consumertest.NewErr(refused))
	require.NoError(t, err)
	for name, err := range map[string]error{
		"traces":  tp.ConsumeTraces(ctx, ptrace.NewTraces()),
		"metrics": mp.ConsumeMetrics(ctx, pmetric.NewMetrics()),
		"logs":    lp.ConsumeLogs(ctx, plog.NewLogs()),
	} {
		code, delay := retryDelay(t, err)
		assert.Equal(t, codes.Unavailable, code, name)
		assert.Equal(t, 7*time.Second, delay, name)
		assert.ErrorIs(t, err, refused, "%s: the cause stays in the chain", name)
		assert.False(t, consumererror.IsPermanent(err), name)
	}
}

func TestPassesDataAndOtherErrors(t *testing.T) {
	ctx := context.Background()
	cfg := createDefaultConfig()
	set := processortest.NewNopSettings(metadata.Type)

	sink := &consumertest.TracesSink{}
	p, err := NewFactory().CreateTraces(ctx, set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(ctx, nil))
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("s")
	require.NoError(t, p.ConsumeTraces(ctx, td))
	assert.Equal(t, 1, sink.SpanCount(), "data passes untouched")
	assert.Equal(t, consumer.Capabilities{MutatesData: false}, p.Capabilities())
	require.NoError(t, p.Shutdown(ctx))

	bad := consumererror.NewPermanent(errors.New("bad payload"))
	p, err = NewFactory().CreateTraces(ctx, set, cfg, consumertest.NewErr(bad))
	require.NoError(t, err)
	assert.Equal(t, bad, p.ConsumeTraces(ctx, td), "permanent errors are not made retryable")

	already := status.Error(codes.ResourceExhausted, "throttled upstream")
	p, err = NewFactory().CreateTraces(ctx, set, cfg, consumertest.NewErr(already))
	require.NoError(t, err)
	assert.Equal(t, already, p.ConsumeTraces(ctx, td), "an existing gRPC status is kept")
}
