package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDataRightsLeaseAcrossCollectors: two collectors (own instance ids) on one database. A
// deletion accepted on A runs there (a long execution_delay keeps it running). Restarting B while
// A is alive does not run A's request: B leaves it to its owner, whose lease A keeps renewing, and
// no version of the request is ever written by B. Then A is SIGKILLed: B, not restarted, takes the
// request over once A's lease has expired and completes it, with A's counts in the receipt, and
// the user's rows are gone.
func TestDataRightsLeaseAcrossCollectors(t *testing.T) {
	// Long enough that A's renewals (every lease/4) survive a loaded 2-core machine: the lease runs out
	// only after three missed renewals.
	const lease = 10 * time.Second
	p := newLeasePair(t, lease)
	suffix, idA, idB, bOpts, a := p.suffix, p.idA, p.idB, p.bOpts, p.a
	b := startCollector(t, bOpts)

	user, other := "lease-"+suffix, "keep-"+suffix
	a.grantConsent(t, testAPIKey, user, allPurposes)
	a.grantConsent(t, testAPIKey, other, allPurposes)
	postEvents(t, a, testAPIKey, probe{user, "lease-u"}, probe{other, "lease-k"})
	conn := a.db()
	waitMarkers(t, conn, "telemetry_events", "attributes['marker'] LIKE 'lease-%'", "lease-k", "lease-u")

	acc := a.requestDeletion(t, testAPIKey, user)
	a.waitRequest(t, testAPIKey, acc.RequestID, "running", 30*time.Second)

	// owners are the distinct owners of every stored version of the request; leaseLeft how long
	// its newest version's lease still runs.
	owners := func() ([]string, time.Duration) {
		t.Helper()
		var (
			got   []string
			until time.Time
		)
		require.NoError(t, conn.QueryRow(context.Background(),
			"SELECT groupUniqArray(owner), max(lease_until) FROM telemetry_deletion_requests WHERE request_id = ?", acc.RequestID).Scan(&got, &until))
		return got, time.Until(until)
	}

	// B restarts while A runs the request: it leaves the request to A.
	b.stop()
	b = startCollector(t, bOpts)
	require.Eventually(t, func() bool {
		return strings.Contains(b.logs.String(), "deletion request left to its owner")
	}, 30*time.Second, 100*time.Millisecond, "the restarted B says whose request it leaves")
	assert.Contains(t, b.logs.String(), acc.RequestID)
	// For a lease and a quarter (B looks every lease/4: five rounds), A keeps renewing and B never
	// writes a version of the request: no resume, no take-over.
	watchUntil := time.Now().Add(lease * 5 / 4)
	for time.Now().Before(watchUntil) {
		got, left := owners()
		require.Equal(t, []string{idA}, got, "every version of the request is A's")
		require.Positive(t, left, "A renews its lease while the request runs")
		time.Sleep(250 * time.Millisecond)
	}
	logsB := b.logs.String()
	for _, line := range strings.Split(logsB, "\n") {
		if strings.Contains(line, acc.RequestID) {
			assert.NotContains(t, line, "resuming deletion request", "B does not run A's request")
			assert.NotContains(t, line, "taking over deletion request", "B does not take A's live request over")
		}
	}
	st := a.waitRequest(t, testAPIKey, acc.RequestID, "running", 5*time.Second)
	require.Equal(t, 1, st.Attempts, "only A ran it")

	// A dies: B takes the request over after A's lease expired, and completes it.
	a.kill()
	killed := time.Now()
	done := b.waitRequest(t, testAPIKey, acc.RequestID, "completed", 2*time.Minute)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	t.Logf("B completed A's request %s after A's SIGKILL", time.Since(killed).Round(100*time.Millisecond))
	assert.GreaterOrEqual(t, done.Attempts, 2, "one attempt on A, one on B")
	require.NotNil(t, done.Receipt)
	for _, tc := range done.Receipt.Tables {
		assert.Zero(t, tc.RemainingAfter, tc.Table)
		if tc.Table == "telemetry_events" {
			assert.Equal(t, uint64(1), tc.MatchedBefore, "the counts A took before erasing")
		}
	}
	assert.NotEmpty(t, done.Receipt.Signature)
	waitMarkers(t, conn, "telemetry_events", "attributes['marker'] LIKE 'lease-%'", "lease-k")
	var lines []string
	for _, line := range strings.Split(b.logs.String(), "\n") {
		if strings.Contains(line, "taking over deletion request") && strings.Contains(line, acc.RequestID) {
			lines = append(lines, line)
		}
	}
	require.Len(t, lines, 1, "B took the request over once")
	assert.Contains(t, lines[0], idA, "naming the previous owner")
	var finalOwner, status string
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT owner, toString(status) FROM telemetry_deletion_requests FINAL WHERE request_id = ?", acc.RequestID).Scan(&finalOwner, &status))
	assert.Equal(t, idB, finalOwner)
	assert.Equal(t, "completed", status)
}

// TestDataRightsLeaseReleasedOnGracefulStop: a gateway stopped gracefully (SIGTERM: a scale-down)
// while it runs a deletion releases its lease, so another gateway takes the request over at its
// next look (every lease/4) instead of once the lease has run out, and completes it.
func TestDataRightsLeaseReleasedOnGracefulStop(t *testing.T) {
	// Without the release, B could not take over before 3/4 of the lease after the stop (A renews
	// every lease/4); with it, within lease/4 plus the settle wait (lease/10).
	const lease = 40 * time.Second
	p := newLeasePair(t, lease)
	suffix, a := p.suffix, p.a
	b := startCollector(t, p.bOpts)
	user := "release-" + suffix
	a.grantConsent(t, testAPIKey, user, allPurposes)
	postEvents(t, a, testAPIKey, probe{user, "release-u"})
	conn := a.db()
	waitMarkers(t, conn, "telemetry_events", "attributes['marker'] LIKE 'release-%'", "release-u")
	acc := a.requestDeletion(t, testAPIKey, user)
	a.waitRequest(t, testAPIKey, acc.RequestID, "running", 30*time.Second)

	a.stop()
	stopped := time.Now()
	assert.Contains(t, a.logs.String(), "deletion request leases released at shutdown")
	takenOver := func() bool {
		for _, line := range strings.Split(b.logs.String(), "\n") {
			if strings.Contains(line, "taking over deletion request") && strings.Contains(line, acc.RequestID) {
				return true
			}
		}
		return false
	}
	require.Eventually(t, takenOver, lease*7/10, 100*time.Millisecond, "B takes the released request over before the lease could have run out")
	t.Logf("B took the request over %s after A's graceful stop (lease %s)", time.Since(stopped).Round(100*time.Millisecond), lease)
	done := b.waitRequest(t, testAPIKey, acc.RequestID, "completed", 2*time.Minute)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	var left uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE attributes['marker'] LIKE 'release-%'").Scan(&left))
	assert.Zero(t, left, "the user's rows are gone")
}

// leasePair is the two gateways of a lease test on one database: A started, running its deletions
// only after execution_delay (10 min, so a request stays running), and B's options (B is started by
// the test, some tests more than once).
type leasePair struct {
	suffix, idA, idB string
	a                *collector
	bOpts            collectorOptions
}

func newLeasePair(t *testing.T, lease time.Duration) leasePair {
	t.Helper()
	suffix := randomSuffix()
	p := leasePair{suffix: suffix, idA: "gw-a-" + suffix, idB: "gw-b-" + suffix}
	leaseArg := "--set=extensions::data_rights::lease=" + lease.String()
	p.a = startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_GATEWAY_ID": p.idA},
		args: append(dataRightsConfig(), leaseArg, "--set=extensions::data_rights::execution_delay=10m"),
	})
	p.bOpts = collectorOptions{
		env:  map[string]string{"TELEMETRY_GATEWAY_ID": p.idB, "TELEMETRY_CLICKHOUSE_DATABASE": p.a.database},
		args: append(dataRightsConfig(), leaseArg),
	}
	return p
}
