package dashboardextension

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// dashboardPath is the dashboard's path under telemetryapi.BasePath.
const dashboardPath = "/dashboard"

// The page, its script and styles, and the vendored uPlot (see README: why vendored).
//
//go:embed assets
var assetFS embed.FS

// contentSecurityPolicy keeps the page offline and free of injected code: every script, style,
// font, image and fetch comes from the collector itself; no inline script, no framing.
const contentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

func serveIndex(w http.ResponseWriter, _ *http.Request) {
	serveFile(w, "index.html")
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name == "index.html" || strings.Contains(name, "..") || !fs.ValidPath(name) {
		writeNotFound(w)
		return
	}
	serveFile(w, name)
}

func serveFile(w http.ResponseWriter, name string) {
	b, err := assetFS.ReadFile("assets/" + name)
	if err != nil {
		writeNotFound(w)
		return
	}
	h := w.Header()
	securityHeaders(h)
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	// Files change with every build; the browser revalidates instead of keeping a stale script.
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

func writeNotFound(w http.ResponseWriter) {
	securityHeaders(w.Header())
	telemetryapi.WriteNotFound(w)
}
