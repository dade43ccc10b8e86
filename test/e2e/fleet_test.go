package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// fleet is one agent (deploy/agent.yaml, static resolver) in front of gateways (deploy/gateway.yaml)
// that share one database, each a separate process of the built binary.
type fleet struct {
	agent    *collector
	gateways []*collector
	// gwEnv keeps each gateway's ports, queue directory and database, so a restart takes its place.
	gwEnv  []map[string]string
	gwArgs []string
	// t is the test that owns the fleet: a restarted gateway lives as long as it, not as a subtest.
	t *testing.T
}

// startFleet starts n gateways and the agent. The first gateway migrates the schema before the
// others start, as a rolling deployment would.
func startFleet(t *testing.T, n int, gwArgs []string) *fleet {
	t.Helper()
	f := &fleet{gwArgs: gwArgs, t: t}
	database := "e2e_" + randomSuffix()
	var grpcAddrs []string
	for i := 0; i < n; i++ {
		env := map[string]string{
			"TELEMETRY_GATEWAY_ID":            fmt.Sprintf("gateway-%d", i+1),
			"TELEMETRY_CLICKHOUSE_DATABASE":   database,
			"TELEMETRY_CLICKHOUSE_ENDPOINT":   engineURL,
			"TELEMETRY_OTLP_GRPC_ENDPOINT":    freeAddr(),
			"TELEMETRY_OTLP_HTTP_ENDPOINT":    freeAddr(),
			"TELEMETRY_API_ENDPOINT":          freeAddr(),
			"TELEMETRY_HEALTH_ENDPOINT":       freeAddr(),
			"TELEMETRY_PROMETHEUS_ENDPOINT":   freeAddr(),
			"TELEMETRY_SELF_METRICS_ENDPOINT": freeAddr(),
			"TELEMETRY_QUEUE_DIRECTORY":       t.TempDir(),
		}
		f.gwEnv = append(f.gwEnv, env)
		grpcAddrs = append(grpcAddrs, env["TELEMETRY_OTLP_GRPC_ENDPOINT"])
	}
	f.gateways = make([]*collector, n)
	f.gateways[0] = startCollector(t, collectorOptions{config: "deploy/gateway.yaml", env: f.gwEnv[0], args: gwArgs})
	for i := 1; i < n; i++ {
		f.gateways[i] = launchCollector(t, collectorOptions{config: "deploy/gateway.yaml", env: f.gwEnv[i], args: gwArgs})
	}
	for i := 1; i < n; i++ {
		if err := f.gateways[i].waitReady(60 * time.Second); err != nil {
			t.Fatalf("gateway %d not ready: %v\n%s", i+1, err, f.gateways[i].logs.String())
		}
	}
	// The agent holds only the ingest-only key (TELEMETRY_AGENT_API_KEY), never the admin one.
	f.agent = startCollector(t, collectorOptions{config: "deploy/agent.yaml", env: map[string]string{
		"TELEMETRY_GATEWAYS": strings.Join(grpcAddrs, ","),
		"TELEMETRY_API_KEY":  "",
	}})
	return f
}

// restartGateway starts gateway i again on its ports, queue directory and database.
func (f *fleet) restartGateway(i int) {
	f.t.Helper()
	f.gateways[i] = startCollector(f.t, collectorOptions{config: "deploy/gateway.yaml", env: f.gwEnv[i], args: f.gwArgs})
}

// fleetSpan is one span the test sent: its trace, a marker that names it in storage, and when the
// agent acknowledged it (set by the kill test).
type fleetSpan struct {
	trace, marker string
	acked         time.Time
}

// tracesRequest builds one OTLP request of traces traces with spans spans each, named
// "<prefix>-<trace>-<span>"; user, when set, is the enduser.id of the first span of each trace.
func tracesRequest(service, prefix string, traces, spans int, user string) (ptrace.Traces, []fleetSpan) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	ss := rs.ScopeSpans().AppendEmpty()
	now := time.Now()
	var sent []fleetSpan
	for tr := 0; tr < traces; tr++ {
		var tid pcommon.TraceID
		_, _ = rand.Read(tid[:])
		var parent pcommon.SpanID
		for sp := 0; sp < spans; sp++ {
			var sid pcommon.SpanID
			_, _ = rand.Read(sid[:])
			s := ss.Spans().AppendEmpty()
			s.SetTraceID(tid)
			s.SetSpanID(sid)
			s.SetParentSpanID(parent)
			if sp == 0 {
				parent = sid
				if user != "" {
					s.Attributes().PutStr("enduser.id", user)
				}
			}
			s.SetName("op")
			s.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
			s.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
			marker := fmt.Sprintf("%s-%d-%d", prefix, tr, sp)
			s.Attributes().PutStr("marker", marker)
			sent = append(sent, fleetSpan{trace: hex.EncodeToString(tid[:]), marker: marker})
		}
	}
	return td, sent
}

func postTraces(endpoint string, td ptrace.Traces) error {
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return err
	}
	return postOTLP(endpoint, "/v1/traces", body)
}

// storedSpan is what the fleet stored for one marker: how many rows, and the gateways and traces
// they came with.
type storedSpan struct {
	rows     uint64
	gateways []string
	trace    string
}

func storedFleetSpans(conn driver.Conn, service string) (map[string]storedSpan, error) {
	rows, err := conn.Query(context.Background(), `SELECT attributes['marker'], count(), groupUniqArray(resource_attributes['telemetry.gateway']), any(trace_id)
		FROM telemetry_spans WHERE service_name = ? GROUP BY attributes['marker']`, service)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]storedSpan{}
	for rows.Next() {
		var marker string
		var s storedSpan
		if err := rows.Scan(&marker, &s.rows, &s.gateways, &s.trace); err != nil {
			return nil, err
		}
		out[marker] = s
	}
	return out, rows.Err()
}

// requireFleetStored waits until every sent span is stored, then checks that nothing else was
// stored and that all spans of a trace were stored by one gateway. It returns the duplicate rows, the
// number of traces per gateway and the duplicate rows per gateway.
func requireFleetStored(t *testing.T, conn driver.Conn, service string, sent []fleetSpan, timeout time.Duration) (dups int, perGateway, dupsBy map[string]int) {
	t.Helper()
	dups, perGateway, dupsBy, lost := requireFleetStoredExcept(t, conn, service, sent, timeout, func(fleetSpan) bool { return false })
	require.Empty(t, lost)
	return dups, perGateway, dupsBy
}

// requireFleetStoredExcept is requireFleetStored where spans for which mayLose is true may be
// missing; it returns those that are (whole traces only: a trace is never partly stored).
func requireFleetStoredExcept(t *testing.T, conn driver.Conn, service string, sent []fleetSpan, timeout time.Duration,
	mayLose func(fleetSpan) bool) (dups int, perGateway, dupsBy map[string]int, lost []fleetSpan) {
	t.Helper()
	start := time.Now()
	var got map[string]storedSpan
	for {
		var err error
		got, err = storedFleetSpans(conn, service)
		missing := 0
		for _, s := range sent {
			if got[s.marker].rows == 0 && !mayLose(s) {
				missing++
			}
		}
		if err == nil && missing == 0 {
			break
		}
		if time.Since(start) > timeout {
			t.Fatalf("after %s: %d of %d spans missing (last error: %v)", timeout, missing, len(sent), err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	// A late duplicate (or a late span of a trace that may be lost) would still be in flight: look
	// once more after a pause.
	time.Sleep(2 * time.Second)
	got, err := storedFleetSpans(conn, service)
	require.NoError(t, err)

	sentMarkers := map[string]bool{}
	traceGateways := map[string]map[string]bool{}
	traceLost := map[string]int{}
	traceSpans := map[string]int{}
	dupsBy = map[string]int{}
	for _, s := range sent {
		sentMarkers[s.marker] = true
		traceSpans[s.trace]++
		st := got[s.marker]
		if st.rows == 0 {
			lost = append(lost, s)
			traceLost[s.trace]++
			continue
		}
		require.Equal(t, s.trace, st.trace, "span %s stored with another trace id", s.marker)
		dups += int(st.rows) - 1
		if st.rows > 1 {
			dupsBy[strings.Join(st.gateways, "+")] += int(st.rows) - 1
		}
		if traceGateways[s.trace] == nil {
			traceGateways[s.trace] = map[string]bool{}
		}
		for _, g := range st.gateways {
			traceGateways[s.trace][g] = true
		}
	}
	for tr, n := range traceLost {
		assert.Equal(t, traceSpans[tr], n, "trace %s partly stored: %d of its %d spans lost", tr, n, traceSpans[tr])
	}
	for marker := range got {
		assert.True(t, sentMarkers[marker], "stored span %s was never sent", marker)
	}
	perGateway = map[string]int{}
	split := 0
	for tr, gws := range traceGateways {
		if len(gws) != 1 {
			split++
			if split <= 5 {
				t.Errorf("trace %s stored by %d gateways: %v", tr, len(gws), gws)
			}
		}
		for g := range gws {
			perGateway[g]++
		}
	}
	require.Zero(t, split, "traces whose spans were stored by more than one gateway")
	return dups, perGateway, dupsBy, lost
}

// TestFleetLoadBalancedGateways: an agent load-balances by trace id to three gateways (tail sampling
// at rate 1, 0.5 s decision wait) sharing one database. 500 traces land whole on one gateway each,
// every span exactly once, spread over all gateways. Then a gateway is SIGKILLed under load and
// restarted: the agent keeps acknowledging (its persistent queue holds the dead gateway's share,
// the static resolver does not re-route it); every acknowledged span is stored exactly once, still
// one gateway per trace — including the traces the killed gateway had staged but not yet decided. Consent granted
// through gateway 1 is enforced by gateways 2 and 3 through their refresh (convergeWithin), and a
// deletion requested at gateway 1 suppresses the user's data arriving at the others.
func TestFleetLoadBalancedGateways(t *testing.T) {
	f := startFleet(t, 3, append(consentConfig("consent-fast-refresh.yaml"), dataRightsConfig()...))
	conn := f.gateways[0].db()

	t.Run("affinity", func(t *testing.T) {
		const service, requests, tracesPer, spansPer = "fleet-affinity", 50, 10, 4
		var sent []fleetSpan
		for r := 0; r < requests; r++ {
			td, spans := tracesRequest(service, fmt.Sprintf("r%d", r), tracesPer, spansPer, "")
			require.NoError(t, postTraces(f.agent.otlpHTTP, td))
			sent = append(sent, spans...)
		}
		dups, perGateway, _ := requireFleetStored(t, conn, service, sent, 60*time.Second)
		t.Logf("%d traces, %d spans; traces per gateway: %v", requests*tracesPer, len(sent), perGateway)
		assert.Zero(t, dups, "duplicate span rows")
		require.Len(t, perGateway, 3, "every gateway stores a share")
		for g, n := range perGateway {
			assert.Greater(t, n, 100, "gateway %s got %d of 500 traces", g, n)
		}
	})

	// What the agent forwarded with is an ingest-only key: at a gateway it opens no admin or
	// privacy route (the same audit query with the admin key succeeds).
	t.Run("agent_key_is_ingest_only", func(t *testing.T) {
		gw := f.gateways[1]
		requireAPIError(t, send(t, http.MethodGet, gw.apiURL("/audit"), testAgentKey, nil, nil), http.StatusForbidden, "forbidden")
		requireAPIError(t, send(t, http.MethodDelete, gw.apiURL("/data/agent-key-user"), testAgentKey, nil, nil), http.StatusForbidden, "forbidden")
		assert.Equal(t, http.StatusOK, send(t, http.MethodGet, gw.apiURL("/audit"), testAPIKey, nil, nil).status)
	})

	t.Run("gateway_killed_and_restarted", func(t *testing.T) {
		const service = "fleet-kill"
		var mu sync.Mutex
		var acked []fleetSpan
		var failures []string
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for r := 0; ; r++ {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				td, spans := tracesRequest(service, fmt.Sprintf("k%d", r), 3, 3, "")
				err := postTraces(f.agent.otlpHTTP, td)
				now := time.Now()
				mu.Lock()
				if err == nil {
					for i := range spans {
						spans[i].acked = now
					}
					acked = append(acked, spans...)
				} else {
					failures = append(failures, err.Error())
				}
				mu.Unlock()
			}
		}()
		count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }

		time.Sleep(time.Second)
		eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_spans WHERE service_name = ?", service)
		storedNow := func() uint64 {
			var n uint64
			require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_spans WHERE service_name = ?", service).Scan(&n))
			return n
		}
		f.gateways[1].kill()
		killedAt, storedAtKill := count(), storedNow()
		t.Logf("gateway-2 killed after %d acknowledged spans", killedAt)
		time.Sleep(4 * time.Second)
		during := count() - killedAt
		// With the static resolver a request waits whole for its dead gateway's share, so the
		// healthy gateways see little of what arrives during the outage (docs/deployment.md).
		t.Logf("spans stored by gateways 1 and 3 during the 4 s outage: %d", storedNow()-storedAtKill)
		f.restartGateway(1)
		t.Logf("gateway-2 restarted; the agent acknowledged %d spans while it was down", during)
		time.Sleep(time.Second)
		close(stop)
		<-done

		assert.Empty(t, failures, "the agent keeps accepting while a gateway is down")
		assert.Greater(t, during, 100, "load kept flowing into the agent during the outage")
		// Nothing acknowledged is lost: a gateway acknowledges spans once they are in its persistent
		// queue (tail sampling decides them in ClickHouse, after the queue), and the restarted
		// gateway decides what it staged before the kill (docs/operations.md "Sampling").
		// The agent's retries back off up to 5 s, and the restarted gateway drains what it staged.
		dups, perGateway, dupsBy := requireFleetStored(t, conn, service, acked, 120*time.Second)
		t.Logf("all %d acknowledged spans stored; %d duplicate rows %v; traces per gateway: %v", len(acked), dups, dupsBy, perGateway)
		require.Len(t, perGateway, 3)
		assert.Zero(t, dups, "each span stored once: the sampler copies a span staged twice once")
	})

	t.Run("consent_across_gateways", func(t *testing.T) {
		const bound = convergeWithin
		const service, user = "fleet-consent", "fleet-user-1"
		// converge changes consent through gateway 1 and waits until gateways 2 and 3 report want.
		converge := func(granted bool) {
			t.Helper()
			// The wait (one refresh and one query, bounded by convergeWithin) runs from the change
			// being stored, i.e. the grant's answer, not from the request: the grant's own write
			// (consent row, history, audit) is not convergence. Both times are logged, so a slow run
			// shows which part was slow.
			requested := time.Now()
			f.gateways[0].grantConsent(t, testAPIKey, user, map[string]bool{"performance": granted})
			start := time.Now()
			t.Logf("consent change stored after %s", start.Sub(requested).Round(time.Millisecond))
			for _, g := range f.gateways[1:] {
				for {
					_, got := consentStatus(t, g, testAPIKey, user)
					if got["performance"].Consented == granted {
						break
					}
					require.Less(t, time.Since(start), bound, "gateway did not converge within %s", bound)
					time.Sleep(20 * time.Millisecond)
				}
			}
			t.Logf("gateways 2 and 3 report performance consented=%v after %s", granted, time.Since(start).Round(time.Millisecond))
		}

		// Every trace: one span of the user, one anonymous span; the anonymous ones prove arrival.
		converge(true)
		td, granted := tracesRequest(service, "granted", 30, 2, user)
		require.NoError(t, postTraces(f.agent.otlpHTTP, td))
		_, perGateway, _ := requireFleetStored(t, conn, service, granted, 60*time.Second)
		require.Len(t, perGateway, 3, "the user's traces reached every gateway")

		converge(false)
		td, revoked := tracesRequest(service, "revoked", 30, 2, user)
		require.NoError(t, postTraces(f.agent.otlpHTTP, td))
		var anon []fleetSpan
		for _, s := range revoked {
			if strings.HasSuffix(s.marker, "-1") {
				anon = append(anon, s)
			}
		}
		// The user's span of a trace travels with its anonymous span (same gateway, same request).
		_, perGateway, _ = requireFleetStored(t, conn, service, append(granted, anon...), 60*time.Second)
		require.Len(t, perGateway, 3)
		got, err := storedFleetSpans(conn, service)
		require.NoError(t, err)
		var leaked []string
		for m := range got {
			if strings.HasPrefix(m, "revoked-") && strings.HasSuffix(m, "-0") {
				leaked = append(leaked, m)
			}
		}
		sort.Strings(leaked)
		assert.Empty(t, leaked, "spans of the user stored after the revocation")
	})

	t.Run("deletion_across_gateways", func(t *testing.T) {
		const service = "fleet-deletion"
		user := "fleet-deleted-" + randomSuffix()
		f.gateways[0].grantConsent(t, testAPIKey, user, map[string]bool{"performance": true})
		// Every gateway enforces the grant before the user's traces are sent (a fixed pause raced
		// the refresh on a loaded engine: a gateway still without the grant drops the user's spans).
		waitPerformance(t, f.gateways[1:], user, purposeState{Consented: true, Status: "granted"})
		td, before := tracesRequest(service, "before", 30, 2, user)
		require.NoError(t, postTraces(f.agent.otlpHTTP, td))
		_, perGateway, _ := requireFleetStored(t, conn, service, before, 60*time.Second)
		require.Len(t, perGateway, 3, "the user's traces reached every gateway")

		suppressedBefore := make([]float64, len(f.gateways))
		for i, g := range f.gateways {
			suppressedBefore[i] = consentCounts(t, g)["traces/performance/dropped/suppressed"]
		}
		acc := f.gateways[0].requestDeletion(t, testAPIKey, user)
		// The other gateways learn of the deletion from the suppression list (data_rights
		// sync::refresh_interval, 200 ms, plus one query); their consent status consults the same
		// list as their consent processor, so once it reports no consent the user's spans arriving
		// there are dropped as suppressed. (A fixed pause raced that refresh on a loaded engine.)
		waitPerformance(t, f.gateways[1:], user, purposeState{Status: "none", DefaultApplies: true})
		td, after := tracesRequest(service, "after", 30, 2, user)
		require.NoError(t, postTraces(f.agent.otlpHTTP, td))
		var anon []fleetSpan
		for _, s := range after {
			if strings.HasSuffix(s.marker, "-1") {
				anon = append(anon, s)
			}
		}
		done := f.gateways[0].waitRequest(t, testAPIKey, acc.RequestID, "completed", 60*time.Second)
		require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)

		// The anonymous halves of the new traces are stored; the user's halves nowhere, and the
		// user's earlier spans are deleted.
		var stillThere []fleetSpan
		for _, s := range before {
			if strings.HasSuffix(s.marker, "-1") {
				stillThere = append(stillThere, s)
			}
		}
		_, perGateway, _ = requireFleetStored(t, conn, service, append(stillThere, anon...), 60*time.Second)
		require.Len(t, perGateway, 3)
		got, err := storedFleetSpans(conn, service)
		require.NoError(t, err)
		for m := range got {
			assert.False(t, strings.HasSuffix(m, "-0"), "span %s of the deleted user is stored", m)
		}
		for i, g := range f.gateways[1:] {
			n := consentCounts(t, g)["traces/performance/dropped/suppressed"] - suppressedBefore[i+1]
			t.Logf("gateway-%d dropped %v spans of the deleted user as suppressed", i+2, n)
			assert.Positive(t, n, "gateway-%d enforces a deletion requested at gateway-1", i+2)
		}
	})

	// The agent answered every request itself: its health and self-metrics stayed up throughout.
	resp, err := http.Get("http://" + f.agent.health + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// waitPerformance waits until every one of gws reports want for user's performance purpose.
func waitPerformance(t *testing.T, gws []*collector, user string, want purposeState) {
	t.Helper()
	start := time.Now()
	for _, g := range gws {
		var last purposeState
		require.Eventually(t, func() bool {
			_, got := consentStatus(t, g, testAPIKey, user)
			last = got["performance"]
			return last == want
		}, convergeWithin, 20*time.Millisecond, "gateway %s reports %+v for %s, want %+v", g.api, &last, user, want)
	}
	t.Logf("gateways report performance %+v for %s after %s", want, user, time.Since(start).Round(time.Millisecond))
}

// TestFleetDNSResolver: deploy/agent-dns.yaml resolves TELEMETRY_ENDPOINT's host with the DNS
// resolver and sends to what it finds. On loopback the host is the gateway's address (a Kubernetes
// headless Service name resolves to every ready pod's); every span arrives, traces whole.
func TestFleetDNSResolver(t *testing.T) {
	gw := startCollector(t, collectorOptions{config: "deploy/gateway.yaml", env: map[string]string{"TELEMETRY_GATEWAY_ID": "gateway-dns"}})
	agent := startCollector(t, collectorOptions{config: "deploy/agent-dns.yaml", env: map[string]string{
		"TELEMETRY_ENDPOINT": "http://" + gw.otlpGRPC,
		"TELEMETRY_API_KEY":  "",
	}})
	const service = "fleet-dns"
	var sent []fleetSpan
	for r := 0; r < 5; r++ {
		td, spans := tracesRequest(service, fmt.Sprintf("d%d", r), 4, 3, "")
		require.NoError(t, postTraces(agent.otlpHTTP, td))
		sent = append(sent, spans...)
	}
	dups, perGateway, _ := requireFleetStored(t, gw.db(), service, sent, 60*time.Second)
	assert.Zero(t, dups)
	assert.Equal(t, map[string]int{"gateway-dns": 20}, perGateway)
}
