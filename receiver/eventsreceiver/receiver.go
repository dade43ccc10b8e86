package eventsreceiver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver/internal/metadata"
)

// eventsReceiver registers its routes with the telemetry API extension and/or serves them itself.
//
// Receivers cannot declare Dependencies() (the collector orders only extensions among themselves),
// and none is needed: the service starts every extension before any pipeline component, so the
// API extension's Registry is ready when Start runs.
type eventsReceiver struct {
	cfg    *Config
	set    receiver.Settings
	single *handler
	batch  *handler
	gate   gate

	server *http.Server
	addr   net.Addr // of the own server, once started
	wg     sync.WaitGroup
}

func newReceiver(cfg *Config, set receiver.Settings, next consumer.Logs) (*eventsReceiver, error) {
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: "http", ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	tel, err := metadata.NewTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r := &eventsReceiver{cfg: cfg, set: set}
	mk := func(route string, batch bool) *handler {
		return &handler{
			route: route, batch: batch, cfg: cfg, next: next, obs: obs, tel: tel,
			lim:        decodeLimits{maxEvents: cfg.MaxBatchEvents, maxDepth: cfg.MaxPropertyDepth, maxKeys: cfg.MaxPropertyKeys, maxValue: cfg.MaxPropertyValueBytes},
			version:    set.BuildInfo.Version,
			retryAfter: retryAfterSeconds(cfg.RetryAfter),
			gate:       &r.gate,
		}
	}
	r.single, r.batch = mk(routeSingle, false), mk(routeBatch, true)
	return r, nil
}

func (r *eventsReceiver) Start(ctx context.Context, host component.Host) error {
	if id := r.cfg.APIExtension; id != nil {
		reg, err := telemetryapi.GetRegistry(host, *id)
		if err != nil {
			return fmt.Errorf("api_extension: %w", err)
		}
		err = reg.Register(
			telemetryapi.Route{Method: http.MethodPost, Path: routeSingle, Role: telemetryapi.RoleIngest, Handler: r.single},
			telemetryapi.Route{Method: http.MethodPost, Path: routeBatch, Role: telemetryapi.RoleIngest, Handler: r.batch},
		)
		if err != nil {
			return fmt.Errorf("api_extension %q: registering routes: %w", id, err)
		}
	}
	if r.cfg.HTTP.HasValue() {
		return r.serve(ctx, host)
	}
	return nil
}

func (r *eventsReceiver) serve(ctx context.Context, host component.Host) error {
	httpCfg := r.cfg.HTTP.Get()
	mux := http.NewServeMux()
	mux.Handle("POST "+telemetryapi.BasePath+routeSingle, r.single)
	mux.Handle("POST "+telemetryapi.BasePath+routeBatch, r.batch)
	ln, err := httpCfg.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("http: listening on %s: %w", httpCfg.NetAddr.Endpoint, err)
	}
	r.server, err = httpCfg.ToServer(ctx, host.GetExtensions(), r.set.TelemetrySettings, mux)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("http: %w", err)
	}
	r.addr = ln.Addr()
	r.set.Logger.Info("serving events", zap.String("endpoint", ln.Addr().String()))
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := r.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	return nil
}

// Shutdown stops the own server and waits (up to ctx) for requests already handing events to
// the pipeline; routes registered with the API extension cannot be removed, so from now on they
// answer 503 until the extension shuts down too.
func (r *eventsReceiver) Shutdown(ctx context.Context) error {
	idle := r.gate.stop()
	var err error
	if r.server != nil {
		err = r.server.Shutdown(ctx)
	}
	r.wg.Wait()
	select {
	case <-idle:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("requests still in the pipeline: %w", ctx.Err()))
	}
	return err
}
