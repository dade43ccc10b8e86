package telemetryapiextension

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.opentelemetry.io/collector/extension/extensioncapabilities"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// defaultMaxBody mirrors confighttp's default max_request_body_size (20 MiB).
const defaultMaxBody = 20 << 20

// apiExtension serves /api/v1/telemetry, is the route registry of other components and the
// collector's server authenticator.
type apiExtension struct {
	cfg     *Config
	set     extension.Settings
	logger  *zap.Logger
	tel     *metadata.Telemetry
	keys    *keyring
	limiter *failureLimiter
	router  *router
	auditor *auditor
	api     *apiServer
	store   auditStore
	admin   *fleetstore.Store
	keysAPI *apiKeys
	privacy *policies

	// ownConfigSHA256 hashes this extension's configuration, secrets redacted; the collector's
	// whole effective configuration replaces it once NotifyConfigSnapshot delivers it.
	ownConfigSHA256 string
	configSHA256    atomic.Value // string
	configScope     atomic.Value // string

	mu        sync.Mutex
	server    *http.Server
	addr      net.Addr
	serveDone chan struct{}
	started   bool
	shutdown  bool
	ready     atomic.Bool // Start done and not shutting down
	startLog  sync.Once
}

var (
	_ extension.Extension                         = (*apiExtension)(nil)
	_ extensionauth.Server                        = (*apiExtension)(nil)
	_ telemetryapi.Registry                       = (*apiExtension)(nil)
	_ extensioncapabilities.ConfigSnapshotWatcher = (*apiExtension)(nil)
	_ extensioncapabilities.PipelineWatcher       = (*apiExtension)(nil)
)

func newExtension(cfg *Config, set extension.Settings, store auditStore) (*apiExtension, error) {
	tel, err := metadata.NewTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &apiExtension{
		cfg:     cfg,
		set:     set,
		logger:  set.Logger,
		tel:     tel,
		keys:    newKeyring(cfg.Auth),
		limiter: newFailureLimiter(cfg.Auth.FailedAttempts, time.Now),
		router:  newRouter(),
		store:   store,
	}
	auditLog := set.Logger.Named("audit")
	if cfg.Audit.LogOutput == auditLogStderr {
		auditLog = newUnsampledLogger(os.Stderr).Named("audit")
	}
	e.auditor = newAuditor(set.Logger, auditLog, tel, store, cfg.Audit, cfg.Storage.Timeout)
	maxBody := cfg.HTTP.MaxRequestBodySize
	if maxBody <= 0 {
		maxBody = defaultMaxBody
	}
	e.api = &apiServer{
		router: e.router, keys: e.keys, authOn: cfg.Auth.Enabled, limiter: e.limiter,
		auditor: e.auditor, tel: tel, logger: set.Logger, maxBody: maxBody, now: time.Now,
	}
	var backend fleetstore.Backend = fleetstore.NewMemoryBackend()
	if cfg.Storage.Endpoint != "" {
		if backend, err = fleetstore.NewCHBackend(cfg.Storage); err != nil {
			return nil, err
		}
	}
	e.admin = fleetstore.New(backend, fleetstore.Options{RefreshInterval: cfg.Admin.RefreshInterval}, set.Logger.Named("admin_state"))
	e.keysAPI = newAPIKeys(e.admin, e.keys, cfg.Admin.MaxRotationOverlap)
	e.privacy = newPolicies(e.admin, cfg.Admin)
	e.privacy.reg.SetReady(e.admin.Loaded)
	if cfg.Storage.Endpoint != "" {
		if e.privacy.purger, err = newPurger(cfg.Storage, e.privacy.reg, set.Logger.Named("retention")); err != nil {
			return nil, err
		}
	}
	if e.ownConfigSHA256, err = configHash(cfg); err != nil {
		return nil, err
	}
	e.configSHA256.Store(e.ownConfigSHA256)
	e.configScope.Store("extension")
	if err := e.registerOwnRoutes(); err != nil {
		return nil, err
	}
	if !cfg.Auth.Enabled {
		set.Logger.Warn("telemetry_api: auth::enabled is false, every caller is an operator acting for the default tenant; for local development only")
	}
	return e, nil
}

func (e *apiExtension) registerOwnRoutes() error {
	public := func(path string, h http.HandlerFunc) *routeHandler {
		return &routeHandler{route: telemetryapi.Route{Method: http.MethodGet, Path: path, Role: telemetryapi.RoleViewer, Handler: h}, public: true, api: e.api}
	}
	hs := []*routeHandler{
		public("/health/live", e.live),
		public("/health/ready", e.readyHandler),
		{route: telemetryapi.Route{
			Method: http.MethodGet, Path: "/audit", Role: telemetryapi.RoleAdmin,
			Handler: http.HandlerFunc(e.auditHandler), AllTenants: true,
		}, api: e.api},
	}
	hs = append(hs, e.keysAPI.routes(e.api)...)
	hs = append(hs, e.privacy.routes(e.api)...)
	hs = append(hs, (&tenantsAPI{store: e.admin, kr: e.keys, now: time.Now}).routes(e.api)...)
	return e.router.register(hs...)
}

// PrivacyPolicies implements privacypolicy.Provider: the tenants' policies the processors apply.
func (e *apiExtension) PrivacyPolicies() *privacypolicy.Registry { return e.privacy.reg }

// Register implements telemetryapi.Registry; routes work whether added before or after Start.
func (e *apiExtension) Register(routes ...telemetryapi.Route) error {
	hs := make([]*routeHandler, len(routes))
	for i, r := range routes {
		hs[i] = &routeHandler{route: r, public: r.Public, api: e.api}
	}
	return e.router.register(hs...)
}

// Start listens at once, so a taken port fails the collector's start, then serves in the background.
func (e *apiExtension) Start(ctx context.Context, host component.Host) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started {
		return errors.New("telemetry_api extension already started")
	}
	ln, err := e.cfg.HTTP.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("telemetry_api: listen on %s: %w", e.cfg.HTTP.NetAddr.Endpoint, err)
	}
	httpCfg := e.cfg.HTTP
	// Also when the YAML nulls the list: a nil list would make confighttp decompress every
	// request before the key check.
	httpCfg.CompressionAlgorithms = []string{}
	srv, err := httpCfg.ToServer(ctx, host.GetExtensions(), e.set.TelemetrySettings, e.api,
		confighttp.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, msg string, status int) {
			telemetryapi.WriteError(w, status, errorCode(status), msg)
		}))
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("telemetry_api: %w", err)
	}
	if e.store != nil && e.cfg.Audit.SpoolDirectory != "" {
		sp, err := openSpool(e.cfg.Audit.SpoolDirectory, e.cfg.Audit.SpoolMaxBytes)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("telemetry_api: %w", err)
		}
		if !sp.empty() {
			e.logger.Info("audit records spooled by an earlier run will be stored", zap.Int64("bytes", sp.bytes))
		}
		e.auditor.spool = sp
	}
	e.server, e.addr, e.serveDone, e.started = srv, ln.Addr(), make(chan struct{}), true
	e.auditor.start()
	e.admin.Start(2 * time.Second)
	if e.privacy.purger != nil {
		e.privacy.purger.start(e.cfg.Admin.PurgeInterval)
	}
	go func() {
		defer close(e.serveDone)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.logger.Error("telemetry_api server stopped", zap.Error(err))
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	e.ready.Store(true)
	e.logger.Info("telemetry_api listening", zap.String("endpoint", ln.Addr().String()),
		zap.String("base_path", telemetryapi.BasePath), zap.Bool("auth", e.cfg.Auth.Enabled),
		zap.Int("api_keys", e.keys.size()), zap.Bool("audit_storage", e.store != nil))
	return nil
}

// Shutdown stops the server, then flushes the audit trail; safe to call more than once or
// without Start.
func (e *apiExtension) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.shutdown {
		return nil
	}
	e.shutdown = true
	e.ready.Store(false)
	var errs []error
	if e.server != nil {
		errs = append(errs, e.server.Shutdown(ctx))
		select {
		case <-e.serveDone:
		case <-ctx.Done():
			errs = append(errs, ctx.Err())
		}
	}
	if e.privacy.purger != nil && e.started {
		errs = append(errs, e.privacy.purger.shutdown())
	}
	errs = append(errs, e.admin.Shutdown())
	errs = append(errs, e.auditor.shutdown(ctx))
	if e.store != nil {
		errs = append(errs, e.store.close())
	}
	return errors.Join(errs...)
}

// Ready is called once the pipelines run: the moment to audit the collector start.
func (e *apiExtension) Ready() error {
	e.startLog.Do(func() {
		e.auditor.emit(auditRecord{
			Time:      time.Now(),
			RequestID: newRequestID(),
			Tenant:    telemetryapi.DefaultTenant,
			KeyID:     "collector",
			ActorType: actorSystem,
			Action:    "collector.start",
			Outcome:   outcomeSuccess,
			Details: map[string]string{
				"config_sha256": e.configSHA256.Load().(string),
				"config_scope":  e.configScope.Load().(string),
				"version":       e.set.BuildInfo.Version,
				"command":       e.set.BuildInfo.Command,
			},
		})
	})
	return nil
}

// NotReady is called before receivers stop.
func (e *apiExtension) NotReady() error { return nil }

// NotifyConfigSnapshot receives the collector's effective configuration (configopaque values
// already redacted by the collector) before the pipelines start.
func (e *apiExtension) NotifyConfigSnapshot(_ context.Context, snap extensioncapabilities.ConfigSnapshot) error {
	conf := snap.Effective()
	if conf == nil {
		return nil
	}
	sum, err := hashConfMap(conf.ToStringMap())
	if err != nil {
		e.logger.Warn("cannot hash the collector configuration for the audit trail; using this extension's own", zap.Error(err))
		return nil
	}
	e.configSHA256.Store(sum)
	e.configScope.Store("collector")
	return nil
}

func (e *apiExtension) live(w http.ResponseWriter, _ *http.Request) {
	telemetryapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "live"})
}

func (e *apiExtension) readyHandler(w http.ResponseWriter, _ *http.Request) {
	switch {
	case !e.ready.Load():
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "not_ready", "the collector is starting or shutting down")
	case e.store != nil && !e.auditor.ready.Load():
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "not_ready", "audit storage (telemetry_audit) is not reachable yet")
	default:
		telemetryapi.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	}
}

// listenAddr is the bound address (tests listen on port 0).
func (e *apiExtension) listenAddr() net.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addr
}

func errorCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "payload_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusTooManyRequests:
		return "too_many_requests"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	if status >= 500 {
		return "internal"
	}
	return "error"
}
