package queryextension

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/queryextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

type queryExtension struct {
	cfg     *Config
	set     component.TelemetrySettings
	q       *querier
	regions *regionQueriers
}

func newExtension(cfg *Config, set component.TelemetrySettings) *queryExtension {
	return &queryExtension{cfg: cfg, set: set}
}

// Dependencies makes the collector start the telemetry API extension first.
func (e *queryExtension) Dependencies() []component.ID { return []component.ID{e.cfg.APIExtension} }

func (e *queryExtension) Start(_ context.Context, host component.Host) error {
	reg, err := telemetryapi.GetRegistry(host, e.cfg.APIExtension)
	if err != nil {
		return fmt.Errorf("api_extension: %w", err)
	}
	tel, err := metadata.NewTelemetryBuilder(e.set)
	if err != nil {
		return err
	}
	q, err := newQuerier(e.cfg)
	if err != nil {
		return err
	}
	regions, err := newRegionQueriers(e.cfg)
	if err != nil {
		return errors.Join(err, q.close())
	}
	h := &handlers{q: q, regions: regions, limits: limitsOf(e.cfg), sources: newSources(), tel: tel, logger: e.set.Logger, now: time.Now,
		chunkRows: e.cfg.Export.ChunkRows, grafanaCfg: e.cfg.Grafana}
	if err := reg.Register(h.routes()...); err != nil {
		return errors.Join(fmt.Errorf("register query endpoints: %w", err), q.close(), regions.close())
	}
	e.q, e.regions = q, regions
	e.set.Logger.Info("query endpoints registered", zap.String("base", telemetryapi.BasePath+"/metrics"))
	return nil
}

// Shutdown closes the ClickHouse connection; the API extension stops serving the routes.
func (e *queryExtension) Shutdown(context.Context) error {
	if e.q == nil {
		return nil
	}
	err := errors.Join(e.q.close(), e.regions.close())
	e.q, e.regions = nil, nil
	return err
}
