package datarightsextension

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

// fakeLeases is the requests table as ReplacingMergeTree FINAL reads it: per request the version
// with the greatest updated_at, the last inserted among equal ones.
type fakeLeases struct {
	mu       sync.Mutex
	versions map[string][]request
	inserts  int
	// afterRead, when set, runs after every openRequests (the take-over race holds both takers there).
	afterRead func()
}

func newFakeLeases(rs ...request) *fakeLeases {
	f := &fakeLeases{versions: map[string][]request{}}
	for _, r := range rs {
		f.versions[r.ID] = append(f.versions[r.ID], r)
	}
	return f
}

func (f *fakeLeases) final(id string) *request {
	var best *request
	for i := range f.versions[id] {
		v := &f.versions[id][i]
		if best == nil || v.version >= best.version {
			best = v
		}
	}
	if best == nil {
		return nil
	}
	c := *best
	c.persisted = true
	return &c
}

func (f *fakeLeases) openRequests(context.Context) ([]*request, error) {
	f.mu.Lock()
	var out []*request
	for id := range f.versions {
		if r := f.final(id); r.open() {
			out = append(out, r)
		}
	}
	hook := f.afterRead
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	return out, nil
}

func (f *fakeLeases) getRequest(_ context.Context, _, id string) (*request, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.final(id), nil
}

func (f *fakeLeases) insertRequests(_ context.Context, reqs []request) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inserts++
	for _, r := range reqs {
		r.lost, r.finishing, r.started = false, false, false
		f.versions[r.ID] = append(f.versions[r.ID], r)
	}
	return nil
}

// collectorOn is an extension named instance over the fake store, with a one-second lease.
func collectorOn(f *fakeLeases, instance string) *dataRights {
	cfg := createDefaultConfig()
	cfg.Instance, cfg.Lease = instance, time.Second
	return &dataRights{cfg: cfg, logger: zap.NewNop(), now: time.Now, leases: f,
		byID: map[string]*request{}, active: map[string]*request{}, wake: make(chan struct{}, 1)}
}

func openRequest(id, owner string, leaseUntil time.Time, version int64) request {
	return request{Tenant: "t", ID: id, Subject: "s-" + id, UserID: "u-" + id, Status: statusRunning, AcceptedAt: 1,
		Owner: owner, LeaseUntil: leaseUntil.UnixMilli(), version: version, persisted: true}
}

func queued(x *dataRights) []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	var ids []string
	for _, r := range x.queue {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestLeaseOf(t *testing.T) {
	now := time.Now().UnixMilli()
	for _, tc := range []struct {
		name       string
		owner      string
		leaseUntil int64
		want       leaseState
	}{
		{"mine, lease alive", "gw-a", now + 5000, leaseMine},
		{"mine, lease expired (a restart of the same instance)", "gw-a", now - 5000, leaseMine},
		{"another's, renewed", "gw-b", now + 5000, leaseAlive},
		{"another's, expired", "gw-b", now - 1, leaseExpired},
		{"another's, expiring now", "gw-b", now, leaseExpired},
		{"written before leases existed", "", 0, leaseExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &request{Owner: tc.owner, LeaseUntil: tc.leaseUntil}
			assert.Equal(t, tc.want, leaseOf(r, "gw-a", now), leaseOf(r, "gw-a", now).String())
		})
	}
}

// A round takes over the expired requests only (never one a live owner renews), and renews what
// this collector runs.
func TestLeaseRoundTakesOverExpiredOnly(t *testing.T) {
	now := time.Now()
	f := newFakeLeases(
		openRequest("alive", "gw-a", now.Add(time.Minute), 10),
		openRequest("expired", "gw-a", now.Add(-time.Second), 10),
		openRequest("legacy", "", time.UnixMilli(0), 10),
		// b's name, renewed by another process of that name: it runs there, not here too.
		openRequest("same-name", "gw-b", now.Add(time.Minute), 10),
	)
	b := collectorOn(f, "gw-b")
	b.leaseRound(context.Background())
	assert.ElementsMatch(t, []string{"expired", "legacy"}, queued(b))
	for _, id := range []string{"expired", "legacy"} {
		s := f.final(id)
		assert.Equal(t, "gw-b", s.Owner, id)
		assert.Greater(t, s.LeaseUntil, now.UnixMilli(), id)
		assert.Equal(t, "u-"+id, s.UserID, "the take-over keeps what the request needs to resume")
	}
	assert.Equal(t, "gw-a", f.final("alive").Owner, "a renewed lease stays with its owner")
	assert.Equal(t, int64(10), f.final("same-name").version, "not claimed")

	// The next round renews b's requests (a later version, a later lease) and claims nothing new.
	before := f.final("expired")
	time.Sleep(5 * time.Millisecond)
	b.leaseRound(context.Background())
	after := f.final("expired")
	assert.Equal(t, "gw-b", after.Owner)
	assert.Greater(t, after.version, before.version)
	assert.Greater(t, after.LeaseUntil, before.LeaseUntil)
	assert.ElementsMatch(t, []string{"expired", "legacy"}, queued(b), "nothing queued twice")
}

// Two collectors find the same expired request in the same moment and both write themselves as
// its owner: after settling, exactly one runs it.
func TestLeaseTakeOverRace(t *testing.T) {
	for i := 0; i < 5; i++ {
		f := newFakeLeases(openRequest("r1", "gw-dead", time.Now().Add(-time.Second), 10))
		b, c := collectorOn(f, "gw-b"), collectorOn(f, "gw-c")
		// Both read before either writes.
		var reads sync.WaitGroup
		reads.Add(2)
		var once sync.Once
		f.afterRead = func() {
			reads.Done()
			reads.Wait()
			once.Do(func() {
				f.mu.Lock()
				f.afterRead = nil
				f.mu.Unlock()
			})
		}
		var wg sync.WaitGroup
		for _, x := range []*dataRights{b, c} {
			wg.Add(1)
			go func() { defer wg.Done(); x.leaseRound(context.Background()) }()
		}
		wg.Wait()
		winner := f.final("r1").Owner
		require.Contains(t, []string{"gw-b", "gw-c"}, winner)
		nb, nc := len(queued(b)), len(queued(c))
		require.Equal(t, 1, nb+nc, "exactly one collector runs the request (round %d)", i)
		if winner == "gw-b" {
			require.Equal(t, 1, nb)
		} else {
			require.Equal(t, 1, nc)
		}
	}
}

// A collector that could not renew in time and finds another owner lets the request go: it is no
// longer active here, and neither the worker's updates nor its final receipt are stored by it.
func TestLeaseLostStopsWrites(t *testing.T) {
	now := time.Now()
	mine := openRequest("r1", "gw-a", now.Add(-time.Second), 10)
	f := newFakeLeases(mine)
	a := collectorOn(f, "gw-a")
	r := &mine
	a.enqueue(r)
	// gw-b took it over meanwhile (a later version).
	require.NoError(t, f.insertRequests(context.Background(), []request{openRequest("r1", "gw-b", now.Add(time.Minute), 20)}))
	inserts := f.inserts

	a.leaseRound(context.Background())
	assert.True(t, r.lost)
	assert.Empty(t, queued(a))
	assert.False(t, a.isActive("t", r.Subject))
	a.mu.Lock()
	_, known := a.byID["r1"]
	a.mu.Unlock()
	assert.False(t, known, "its status is read from ClickHouse")

	require.NoError(t, a.update(context.Background(), []*request{r}, func(r *request) { r.Attempts++ }))
	finals, ids := ownedFinals([]*request{r}, []request{*r})
	assert.Empty(t, finals)
	assert.Empty(t, ids)
	assert.Equal(t, inserts, f.inserts, "nothing stored by the collector that lost the lease")
	assert.Equal(t, "gw-b", f.final("r1").Owner)
}

// The owner keeps renewing a request while it waits (batch window, execution_delay): the stored
// lease never runs out while the owner lives, and another collector never takes it over.
func TestLeaseRenewedWhileRunning(t *testing.T) {
	f := newFakeLeases()
	a, b := collectorOn(f, "gw-a"), collectorOn(f, "gw-b")
	r := &request{Tenant: "t", ID: "r1", Subject: "s", UserID: "u", Status: statusPending, AcceptedAt: 1, persisted: true}
	a.mu.Lock()
	a.hold(r, time.Now().UnixMilli())
	first := r.nextVersion(time.Now().UnixMilli())
	a.mu.Unlock()
	require.NoError(t, f.insertRequests(context.Background(), []request{first}))
	a.mu.Lock()
	a.byID[r.ID] = r
	a.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.leaseLoop(ctx) }()
	deadline := time.Now().Add(3 * a.cfg.Lease)
	for time.Now().Before(deadline) {
		b.leaseRound(context.Background())
		require.Empty(t, queued(b), "b never takes over a renewed request")
		time.Sleep(a.cfg.Lease / 5)
	}
	cancel()
	<-done
	assert.Equal(t, "gw-a", f.final("r1").Owner)

	// Its owner gone, the lease runs out and b takes it over.
	require.Eventually(t, func() bool {
		b.leaseRound(context.Background())
		return len(queued(b)) == 1
	}, 5*a.cfg.Lease, a.cfg.Lease/5)
	assert.Equal(t, "gw-b", f.final("r1").Owner)
}

// A graceful stop releases the leases: another collector takes the requests over at its next round
// instead of after the lease.
func TestLeaseReleasedAtShutdown(t *testing.T) {
	f := newFakeLeases()
	a, b := collectorOn(f, "gw-a"), collectorOn(f, "gw-b")
	a.cfg.Lease, b.cfg.Lease = time.Hour, time.Hour
	r := &request{Tenant: "t", ID: "r1", Subject: "s", UserID: "u", Status: statusRunning, AcceptedAt: 1, persisted: true}
	a.mu.Lock()
	a.hold(r, time.Now().UnixMilli())
	v := r.nextVersion(time.Now().UnixMilli())
	a.mu.Unlock()
	require.NoError(t, f.insertRequests(context.Background(), []request{v}))
	a.enqueue(r)

	b.leaseRound(context.Background())
	require.Empty(t, queued(b), "a live lease stays with its owner")
	a.releaseLeases(context.Background())
	assert.Equal(t, "gw-a", f.final("r1").Owner)
	b.leaseRound(context.Background())
	assert.Equal(t, []string{"r1"}, queued(b))
	assert.Equal(t, "gw-b", f.final("r1").Owner)
	assert.Equal(t, "u", f.final("r1").UserID)
}
