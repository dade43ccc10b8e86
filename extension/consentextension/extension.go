package consentextension

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// consentExtension owns one Store and adds the consent endpoints to the telemetry API.
type consentExtension struct {
	cfg        *Config
	set        component.TelemetrySettings
	tel        *metadata.TelemetryBuilder
	store      *Store
	newBackend func(context.Context, StorageConfig) (backend, error)
}

// StoreProvider is implemented by the consent extension; GetStore finds it.
type StoreProvider interface {
	ConsentStore() *Store
}

// GetStore finds the consent extension id among the host's extensions. Components that call it
// (the consent processor, in Start) must run after extensions have started, which the collector
// guarantees for processors.
func GetStore(host component.Host, id component.ID) (*Store, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("extension %q is not configured in service::extensions", id)
	}
	p, ok := ext.(StoreProvider)
	if !ok {
		return nil, fmt.Errorf("extension %q is not a consent extension", id)
	}
	s := p.ConsentStore()
	if s == nil {
		return nil, fmt.Errorf("consent extension %q has not started", id)
	}
	return s, nil
}

func newExtension(cfg *Config, set component.TelemetrySettings) *consentExtension {
	return &consentExtension{cfg: cfg, set: set, newBackend: openBackend}
}

func openBackend(ctx context.Context, cfg StorageConfig) (backend, error) {
	if cfg.Endpoint == "" {
		return memoryBackend{}, nil
	}
	return newClickHouse(ctx, cfg)
}

// ConsentStore returns the store, nil before Start.
func (e *consentExtension) ConsentStore() *Store { return e.store }

// ForgetUser drops the user's cached consents (an erasure; see Store.Forget). It is found by the
// data-rights extension through this method, without a dependency on this package.
func (e *consentExtension) ForgetUser(tenant, user string) {
	if e.store != nil {
		e.store.Forget(tenant, user)
	}
}

// Dependencies makes the collector start the telemetry API extension first.
func (e *consentExtension) Dependencies() []component.ID { return []component.ID{e.cfg.APIExtension} }

func (e *consentExtension) Start(ctx context.Context, host component.Host) error {
	reg, err := telemetryapi.GetRegistry(host, e.cfg.APIExtension)
	if err != nil {
		return fmt.Errorf("api_extension: %w", err)
	}
	if e.cfg.Storage.Endpoint == "" {
		e.set.Logger.Warn("consent: storage::endpoint is not set, consents live in memory only and are lost on restart")
	}
	b, err := e.newBackend(ctx, e.cfg.Storage)
	if err != nil {
		return err
	}
	var store *Store
	tel, err := metadata.NewTelemetryBuilder(e.set, func() int64 {
		if store == nil {
			return 0
		}
		return int64(store.Entries())
	})
	if err != nil {
		return errors.Join(err, b.close())
	}
	store = newStore(e.cfg, b, e.set.Logger, tel)
	policies, err := privacypolicy.FromHost(host)
	if err != nil {
		tel.Shutdown()
		return errors.Join(err, b.close())
	}
	store.useTenantPolicies(policies)
	store.useSuppressionsFrom(host)
	if err := store.start(ctx); err != nil {
		tel.Shutdown()
		return errors.Join(err, b.close())
	}
	if err := reg.Register(store.routes()...); err != nil {
		tel.Shutdown()
		return errors.Join(fmt.Errorf("register consent endpoints: %w", err), store.shutdown())
	}
	e.tel, e.store = tel, store
	e.set.Logger.Info("consent endpoints registered",
		zap.String("status", telemetryapi.BasePath+"/consent/status"),
		zap.String("update", telemetryapi.BasePath+"/consent/update"))
	return nil
}

func (e *consentExtension) Shutdown(context.Context) error {
	if e.store == nil {
		return nil
	}
	e.tel.Shutdown()
	err := e.store.shutdown()
	e.store = nil
	return err
}
