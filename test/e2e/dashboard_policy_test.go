package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDashboardPrivacyPolicy: in a real headless Chromium, a tenant admin's Privacy page shows the
// effective policy (the operator's default), refuses a draft below the floor naming the field,
// dry-runs a strict draft on the sample (the redacted record and its changes, nothing stored), and
// only then applies it; the effective policy and its history show the new version, which the API
// confirms.
func TestDashboardPrivacyPolicy(t *testing.T) {
	c := startDashboardCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"})
	euAdmin := c.createKey(t, "eu", "eu-dash-admin", "admin")
	b := startBrowser(t)
	b.do(15*time.Second, chromedp.Navigate("http://"+c.api+dashboardPath), chromedp.WaitVisible(chromedp.ID("api-key")),
		chromedp.SendKeys(chromedp.ID("api-key"), euAdmin), chromedp.Click(chromedp.ID("signin-submit")))
	b.waitText("#session-info", 10*time.Second, func(s string) bool { return strings.Contains(s, "tenant eu") })
	b.do(10*time.Second, chromedp.Navigate("http://"+c.api+dashboardPath+"#privacy"))
	b.waitText("#policy-effective", 15*time.Second, func(s string) bool { return strings.Contains(s, "default") })
	assert.Equal(t, true, eval[bool](b, `document.getElementById("policy-apply").disabled`), "no apply before a dry run")

	setDraft := func(js string) {
		eval[bool](b, `(() => { const d = document.getElementById("policy-draft"); d.value = `+js+`; d.dispatchEvent(new Event("input")); return true; })()`)
	}
	// Below the floor: the dry run refuses it, naming the field; Apply stays off.
	setDraft(`'{"mode": "minimal"}'`)
	b.do(5*time.Second, chromedp.Click(chromedp.ID("policy-test")))
	b.waitText("#policy-message", 10*time.Second, func(s string) bool { return strings.Contains(s, "field mode") })
	assert.Equal(t, true, eval[bool](b, `document.getElementById("policy-apply").disabled`))

	// A strict draft: the record as it would be stored and every change.
	setDraft(`'{"mode": "strict", "pii_fields": ["loyalty_no"]}'`)
	b.do(5*time.Second, chromedp.Click(chromedp.ID("policy-test")))
	rec := b.waitText("#policy-record", 10*time.Second, func(s string) bool { return strings.Contains(s, "[REDACTED:email]") })
	assert.NotContains(t, rec, "jane.doe@example.com")
	changes := b.waitText("#policy-changes", 5*time.Second, func(s string) bool { return strings.Contains(s, "redacted") })
	assert.Contains(t, changes, "email")
	assert.Contains(t, changes, "note")
	assert.Equal(t, false, eval[bool](b, `document.getElementById("policy-apply").disabled`))
	// Editing the draft after the dry run disables Apply again until it is tried.
	setDraft(`'{"mode": "strict", "pii_fields": ["loyalty_no"] }'`)
	assert.Equal(t, true, eval[bool](b, `document.getElementById("policy-apply").disabled`))
	b.do(5*time.Second, chromedp.Click(chromedp.ID("policy-test")))
	b.waitText("#policy-message", 10*time.Second, func(s string) bool { return strings.Contains(s, "nothing stored") })
	b.screenshot("dashboard-privacy-policy")
	b.do(5*time.Second, chromedp.Click(chromedp.ID("policy-apply")))
	b.waitText("#policy-effective", 10*time.Second, func(s string) bool { return strings.Contains(s, `"strict"`) })
	b.waitText("#policy-history", 10*time.Second, func(s string) bool { return strings.Contains(s, "eu-dash-admin") })
	require.Empty(t, b.pageErrors())

	status, _, body := c.apiRequest(t, http.MethodGet, "/privacy/policy", euAdmin, nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "strict", body["policy"].(map[string]any)["mode"])
	var n uint64
	require.NoError(t, c.db().QueryRow(t.Context(), "SELECT count() FROM telemetry_logs WHERE service_name = 'checkout'").Scan(&n))
	assert.Zero(t, n, "the dry-run sample was not stored")
}
