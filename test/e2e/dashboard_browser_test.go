package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromiumTab is one headless Debian chromium driven over the DevTools protocol (chromedp). A test
// starts one and reuses its tab for every page; CSP violations and script errors are collected so a
// test can assert the page ran clean.
type chromiumTab struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

// chromiumPath is Debian's chromium (installed by `make chromium`, which `make test` runs), or
// CHROMIUM_BIN.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_BIN"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run `make chromium` (scripts/install-chromium.sh) or set CHROMIUM_BIN")
	}
	return p
}

func startBrowser(t *testing.T) *chromiumTab {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		// No internet here: without these, chromium keeps trying Google's hosts.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	b := &chromiumTab{t: t}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.addError("exception: " + ev.ExceptionDetails.Text + " " + exceptionText(ev.ExceptionDetails))
		case *cdplog.EventEntryAdded:
			// CSP violations come from the "security" source; failed requests the test makes on
			// purpose (a wrong key: 401) from "network" and are not errors of the page.
			if ev.Entry.Source == cdplog.EntrySourceSecurity || (ev.Entry.Source == cdplog.EntrySourceJavascript && ev.Entry.Level == cdplog.EntryLevelError) {
				b.addError(string(ev.Entry.Source) + ": " + ev.Entry.Text)
			}
		}
	}))
	b.ctx = ctx
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	start := time.Now()
	_, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err, "start chromium")
	t.Logf("chromium started in %s", time.Since(start).Round(time.Millisecond))
	return b
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

func (b *chromiumTab) addError(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, s)
}

// pageErrors returns script errors and CSP violations seen so far.
func (b *chromiumTab) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

func (b *chromiumTab) bodyText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return s
}

// loadedFloor is the least any wait on the page gets. What a page shows comes from API calls
// that query the shared engine, which runs one statement at a time for every test of the package:
// on a loaded 2-core CI machine, with chromium itself competing for the cores, a page can take far
// longer than on an idle one. The waits return as soon as the page is right, so the floor costs a
// passing run nothing.
const loadedFloor = 30 * time.Second

func atLeastFloor(d time.Duration) time.Duration { return max(d, loadedFloor) }

// do performs actions with a deadline (at least loadedFloor), failing the test with what the page
// shows.
func (b *chromiumTab) do(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	timeout = atLeastFloor(timeout)
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v\npage text:\n%s\npage errors: %v", err, b.bodyText(), b.pageErrors())
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *chromiumTab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitText polls the innerText of the first element matching the CSS selector sel until ok
// accepts it (for at least loadedFloor), and returns it.
func (b *chromiumTab) waitText(sel string, timeout time.Duration, ok func(string) bool) string {
	b.t.Helper()
	timeout = atLeastFloor(timeout)
	deadline := time.Now().Add(timeout)
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : "\u0000"; })()`, sel)
	last := ""
	for time.Now().Before(deadline) {
		txt := eval[string](b, expr)
		if txt != "\x00" {
			last = txt
			if ok(txt) {
				return txt
			}
		}
		time.Sleep(150 * time.Millisecond)
	}
	b.t.Fatalf("%s: text %q never matched within %s\npage text:\n%s\npage errors: %v", sel, last, timeout, b.bodyText(), b.pageErrors())
	return ""
}

// choose sets a <select> or <input> by id and fires its change event, as a user's pick does, once
// the control is on the page (a page switch renders it asynchronously).
func (b *chromiumTab) choose(id, value string) {
	b.t.Helper()
	b.waitCount("#"+id, 1, 10*time.Second)
	eval[bool](b, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event("change")); return true; })()`, id, value))
}

// waitCount waits until at least n elements match the CSS selector sel (a chart's canvas), for at
// least loadedFloor.
func (b *chromiumTab) waitCount(sel string, n int, timeout time.Duration) {
	b.t.Helper()
	timeout = atLeastFloor(timeout)
	deadline := time.Now().Add(timeout)
	expr := fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)
	for time.Now().Before(deadline) {
		if eval[int](b, expr) >= n {
			return
		}
		time.Sleep(150 * time.Millisecond)
	}
	b.t.Fatalf("%s: fewer than %d elements within %s\npage text:\n%s\npage errors: %v", sel, n, timeout, b.bodyText(), b.pageErrors())
}

// screenshot captures the page. With TELEMETRY_UPDATE_SCREENSHOTS=1 it is saved as
// docs/images/<name>.png, so the documentation shows what the test saw; otherwise it goes to the
// test's temporary directory, so a test run leaves the checkout clean.
func (b *chromiumTab) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	dir := b.t.TempDir()
	if os.Getenv("TELEMETRY_UPDATE_SCREENSHOTS") == "1" {
		dir = filepath.Join(repoRoot, "docs", "images")
	}
	path := filepath.Join(dir, name+".png")
	require.NoError(b.t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
}

func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
