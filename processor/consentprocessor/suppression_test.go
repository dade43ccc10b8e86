package consentprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/idhash"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

type suppressionProvider struct {
	component.StartFunc
	component.ShutdownFunc
	l *suppression.List
}

func (p suppressionProvider) SuppressionList() *suppression.List { return p.l }

// TestSuppressedUsersAreDropped: with a data_rights extension, a suppressed user's records are
// dropped whatever their consent (raw id or token), only in their tenant, counted as suppressed.
func TestSuppressedUsersAreDropped(t *testing.T) {
	e := newEnv(t, consentextension.ModeBalanced)
	key := []byte("0123456789abcdef0123456789abcdef")
	l, err := suppression.NewList(key)
	require.NoError(t, err)
	l.Put(suppression.Entry{Tenant: "t1", Subject: l.Subject("A"), Since: 1})
	e.host[component.MustNewID("data_rights")] = suppressionProvider{l: l}
	e.set(t, "t1", "A", map[string]bool{"performance": true})
	p := e.start(t, createDefaultConfig(), nopSettings())
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t1", nil,
		map[string]string{"n": "A", "user.id": "A"},
		map[string]string{"n": "A-token", "user.id": idhash.New(key).Token("A")},
		map[string]string{"n": "B", "user.id": "B"},
		map[string]string{"n": "anonymous"})))
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t2", nil, map[string]string{"n": "A-in-t2", "user.id": "A"})))
	assert.Equal(t, []string{"B", "anonymous", "A-in-t2"}, spanNames(p.tsink))

	// A consent grant after the suppression lifts it for records arriving from then on.
	l.Put(suppression.Entry{Tenant: "t1", Subject: l.Subject("A"), Since: 1, Lifted: 2})
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t1", nil, map[string]string{"n": "A-after-grant", "user.id": "A"})))
	assert.Contains(t, spanNames(p.tsink), "A-after-grant")
}
