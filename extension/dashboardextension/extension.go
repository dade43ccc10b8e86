package dashboardextension

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// dashboardExtension adds the dashboard's files, its data routes and the reports to the telemetry API.
type dashboardExtension struct {
	cfg     *Config
	set     component.TelemetrySettings
	tel     *metadata.Telemetry
	scraper *scraper
	reports *reporter
	conn    driver.Conn
	// regionConns are the residency regions' stores (openRegions), closed with conn.
	regionConns []driver.Conn
}

func newExtension(cfg *Config, set component.TelemetrySettings) (*dashboardExtension, error) {
	tel, err := metadata.NewTelemetry(set)
	if err != nil {
		return nil, err
	}
	return &dashboardExtension{cfg: cfg, set: set, tel: tel}, nil
}

// Dependencies makes the collector start the telemetry API extension first.
func (e *dashboardExtension) Dependencies() []component.ID {
	return []component.ID{e.cfg.APIExtension}
}

func (e *dashboardExtension) Start(_ context.Context, host component.Host) error {
	if !e.cfg.Enabled {
		e.set.Logger.Info("dashboard disabled (enabled: false); its routes answer 404")
		return nil
	}
	reg, err := telemetryapi.GetRegistry(host, e.cfg.APIExtension)
	if err != nil {
		return fmt.Errorf("api_extension: %w", err)
	}
	e.scraper = newScraper(e.cfg.SelfMetricsEndpoint, e.cfg.SelfMetricsTimeout, e.tel)
	if e.cfg.Storage.Endpoint != "" {
		opt, err := e.cfg.Storage.ClientOptions()
		if err != nil {
			return err
		}
		if e.conn, err = clickhouse.Open(opt); err != nil {
			return fmt.Errorf("storage: open ClickHouse: %w", err)
		}
	}
	if e.reports, err = newReporter(e.cfg, e.conn, e.scraper, e.tel); err != nil {
		return errors.Join(err, e.closeConn())
	}
	if err := e.openRegions(); err != nil {
		return errors.Join(err, e.closeConn())
	}
	if err := reg.Register(e.routes()...); err != nil {
		return errors.Join(fmt.Errorf("register dashboard routes: %w", err), e.closeConn())
	}
	e.set.Logger.Info("dashboard served", zap.String("url", telemetryapi.BasePath+dashboardPath),
		zap.Int("k_anonymity", e.cfg.KAnonymity))
	return nil
}

func (e *dashboardExtension) routes() []telemetryapi.Route {
	return []telemetryapi.Route{
		{Method: http.MethodGet, Path: dashboardPath, Role: telemetryapi.RoleViewer, Public: true, Handler: http.HandlerFunc(serveIndex)},
		{Method: http.MethodGet, Path: dashboardPath + "/assets/{file...}", Role: telemetryapi.RoleViewer, Public: true, Handler: http.HandlerFunc(serveAsset)},
		{Method: http.MethodGet, Path: dashboardPath + "/session", Role: telemetryapi.RoleViewer, Handler: http.HandlerFunc(serveSession)},
		// The collector's own metrics have no tenant: they sum every tenant's traffic, so they are
		// the operator's view, not a tenant admin's.
		{Method: http.MethodGet, Path: dashboardPath + "/self-metrics", Role: telemetryapi.RoleOperator, Handler: http.HandlerFunc(e.serveSelfMetrics)},
		{Method: http.MethodGet, Path: dashboardPath + "/reports", Role: telemetryapi.RoleAnalyst, Handler: e.reports},
	}
}

// openRegions gives the reporter one store per residency region, so a tenant's usage reports read
// the region its events and spans were written to (as the query and data-rights extensions do).
func (e *dashboardExtension) openRegions() error {
	if e.conn == nil || !e.cfg.Residency.Enabled() {
		return nil
	}
	for _, name := range e.cfg.Residency.RegionNames() {
		sc := e.cfg.Residency.Storage(name, e.cfg.Storage)
		opt, err := sc.ClientOptions()
		if err != nil {
			return fmt.Errorf("residency::regions::%s: %w", name, err)
		}
		conn, err := clickhouse.Open(opt)
		if err != nil {
			return fmt.Errorf("residency::regions::%s: open ClickHouse: %w", name, err)
		}
		e.regionConns = append(e.regionConns, conn)
		if err := e.reports.addRegion(name, sc.Database, conn, e.cfg.Residency.RegionOf); err != nil {
			return err
		}
	}
	return nil
}

func (e *dashboardExtension) closeConn() error {
	var errs []error
	for _, c := range e.regionConns {
		errs = append(errs, c.Close())
	}
	e.regionConns = nil
	if e.conn != nil {
		errs = append(errs, e.conn.Close())
		e.conn = nil
	}
	return errors.Join(errs...)
}

// Shutdown is idempotent. Routes stay registered (the API server stops with its own extension).
func (e *dashboardExtension) Shutdown(context.Context) error { return e.closeConn() }

// serveSession tells the page who signed in: the key id, tenant and roles come from the key.
func serveSession(w http.ResponseWriter, r *http.Request) {
	p, _ := telemetryapi.PrincipalFrom(r.Context())
	roles := make([]string, len(p.Roles))
	for i, role := range p.Roles {
		roles[i] = string(role)
	}
	can := map[string]bool{}
	for _, role := range []telemetryapi.Role{telemetryapi.RoleViewer, telemetryapi.RoleAnalyst, telemetryapi.RolePrivacy, telemetryapi.RoleAdmin, telemetryapi.RoleOperator} {
		can[string(role)] = p.Has(role)
	}
	telemetryapi.WriteJSON(w, http.StatusOK, map[string]any{
		"key_id": p.KeyID, "tenant": telemetryapi.EffectiveTenant(r), "roles": roles, "can": can,
	})
}

func (e *dashboardExtension) serveSelfMetrics(w http.ResponseWriter, r *http.Request) {
	s, err := e.scraper.scrape(r.Context())
	if err != nil {
		telemetryapi.WriteError(w, http.StatusBadGateway, "self_metrics_unavailable",
			"the collector's own metrics could not be read from self_metrics_endpoint: "+err.Error())
		return
	}
	telemetryapi.WriteJSON(w, http.StatusOK, s.summary())
}
