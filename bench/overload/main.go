// Command overload measures one gateway (deploy/gateway.yaml, built binary, embedded ClickHouse)
// under load from contrib telemetrygen: first the sustainable rate (unthrottled load, spans stored
// per second end to end), then 3x that rate for a while, with probes on every ingest path. It
// prints the gateway's peak RSS and heap against its memory_limiter bound, what each path answered
// (OTLP/gRPC codes, OTLP/HTTP and events API statuses with Retry-After), whether the process
// survived, and, once the load is gone and the queue drained, sent - refused = stored.
//
// The gateway, its engine and this process are pinned to -gateway-cpus and telemetrygen to
// -client-cpus, so that on a small machine the client is not what limits the load (the previous
// version shared both cores and never offered more than the gateway took). "Sent" is counted at
// the gateway: spans the telemetrygen SDK dropped from its own full queue never arrive.
//
// Run it through bench/overload/run.sh, which builds the collector and installs telemetrygen;
// figures and how to read them: bench/overload/README.md.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

const apiKey = "overload-bench-key-0123456789"

var (
	collectorBin  = flag.String("collector", "_build/otelcol-telemetry", "built collector")
	telemetrygen  = flag.String("telemetrygen", "_tools/bin/telemetrygen", "contrib telemetrygen")
	memLimitMiB   = flag.Int("mem-limit-mib", 512, "memory_limiter limit_mib of the gateway: the bound its RSS is held to")
	spikeLimitMiB = flag.Int("spike-limit-mib", 288, "memory_limiter spike_limit_mib: it refuses from limit - spike MiB of heap; the headroom covers mapped files and what the pipeline still takes in past a refusal (the gateway StatefulSet has 410)")
	goMemLimit    = flag.Int("gomemlimit-mib", -1, "GOMEMLIMIT of the gateway in MiB; -1: limit_mib - 160 MiB of mapped files, as the gateway StatefulSet sets it (1478 MiB for 1638); 0: unset")
	queueSize     = flag.Int("queue-size", 100000, "persistent queue size (requests) of the storage exporter (shipped: 100000; a request is a batch/sampled batch of up to 1024 kept spans or one client request)")
	measureFor    = flag.Duration("measure", 20*time.Second, "unthrottled load to measure the sustainable rate")
	overloadFor   = flag.Duration("overload", 30*time.Second, "duration of the 3x load")
	factor        = flag.Float64("factor", 3, "overload factor over the sustainable rate")
	clients       = flag.Int("clients", 3, "telemetrygen processes (each one gRPC connection exporting one batch at a time)")
	workers       = flag.Int("workers", 2, "telemetrygen workers per process (at least; throttled runs add workers to keep each under -max-worker-rate)")
	maxWorkerRate = flag.Float64("max-worker-rate", 400, "spans/s per telemetrygen worker: its limiter sleeps between spans, and sleeps much under a few ms undershoot on a busy machine")
	spanAttrs     = flag.Int("span-attrs", 8, "extra string attributes per span (telemetrygen --telemetry-attributes), attr-bytes each")
	attrBytes     = flag.Int("attr-bytes", 64, "length of each extra attribute value")
	gatewayProcs  = flag.Int("gateway-procs", 1, "GOMAXPROCS of the gateway: figures per core")
	gatewayCPUs   = flag.String("gateway-cpus", "0", "CPUs (taskset list) of the gateway, its embedded ClickHouse and the probes; empty: no pinning")
	clientCPUs    = flag.String("client-cpus", "1", "CPUs (taskset list) of telemetrygen, so the client is not what limits the load; empty: no pinning")
	pprofDir      = flag.String("pprof-dir", "", "if set: the gateway's heap profile (pprof extension) is saved here every 2 s from the first load to the end of the drain")
	timeline      = flag.Duration("timeline", 5*time.Second, "print RSS, heap and the gateway's counts this often (0: never); a multiple of 1s")
	sets          setFlags
	decisionWait  = 10 * time.Second // TELEMETRY_SAMPLE_DECISION_WAIT default: kept spans reach storage after it
)

// setFlags collects repeated -set flags: collector --set overrides on top of deploy/gateway.yaml.
type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, " ") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	flag.Var(&sets, "set", "collector --set override on top of deploy/gateway.yaml, e.g. -set exporters::telemetry_storage::sending_queue::num_consumers=4 (repeatable)")
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "overload:", err)
		os.Exit(1)
	}
}

type gateway struct {
	cmd                                   *exec.Cmd
	done                                  chan struct{}
	grpcAddr, httpAddr, apiAddr, selfAddr string
	logs                                  bytes.Buffer
	mu                                    sync.Mutex
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func run() error {
	// The bench process (probes), the engine it starts and the gateway inherit this affinity;
	// telemetrygen gets the other core(s).
	cpus := numCPU()
	if *gatewayCPUs != "" {
		if out, err := exec.Command("taskset", "-a", "-p", "-c", *gatewayCPUs, strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
			return fmt.Errorf("taskset: %v: %s", err, out)
		}
	}
	eng, err := chtest.Start()
	if err != nil {
		return err
	}
	defer eng.Stop()

	g := &gateway{done: make(chan struct{}), grpcAddr: freeAddr(), httpAddr: freeAddr(), apiAddr: freeAddr(), selfAddr: freeAddr()}
	queueDir, err := os.MkdirTemp("", "overload-queue-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(queueDir)
	health := freeAddr()
	g.cmd = exec.Command(*collectorBin, "--config", "deploy/gateway.yaml",
		"--set=processors::memory_limiter::limit_percentage=0",
		"--set=processors::memory_limiter::spike_limit_percentage=0",
		fmt.Sprintf("--set=processors::memory_limiter::limit_mib=%d", *memLimitMiB),
		fmt.Sprintf("--set=processors::memory_limiter::spike_limit_mib=%d", *spikeLimitMiB),
		fmt.Sprintf("--set=exporters::telemetry_storage::sending_queue::queue_size=%d", *queueSize),
	)
	for _, s := range sets {
		g.cmd.Args = append(g.cmd.Args, "--set="+s)
	}
	// pprof: heap profiles (-pprof-dir) and the live heap after a forced GC (step 4).
	pprofAddr := freeAddr()
	g.cmd.Args = append(g.cmd.Args, "--set=extensions::pprof::endpoint="+pprofAddr,
		"--set=service::extensions=[health_check,file_storage/queue,telemetry_api,consent,telemetry_query,data_rights,telemetry_dashboard,request_limits,pprof]")
	g.cmd.Env = append(os.Environ(),
		"TELEMETRY_CLICKHOUSE_ENDPOINT="+eng.Endpoint, "TELEMETRY_CLICKHOUSE_DATABASE=overload",
		"TELEMETRY_OTLP_GRPC_ENDPOINT="+g.grpcAddr, "TELEMETRY_OTLP_HTTP_ENDPOINT="+g.httpAddr,
		"TELEMETRY_API_ENDPOINT="+g.apiAddr, "TELEMETRY_HEALTH_ENDPOINT="+health,
		"TELEMETRY_PROMETHEUS_ENDPOINT="+freeAddr(), "TELEMETRY_SELF_METRICS_ENDPOINT="+g.selfAddr,
		"TELEMETRY_API_KEY="+apiKey, "TELEMETRY_AGENT_API_KEY=overload-bench-agent-key-0123456789",
		"TELEMETRY_HASH_KEY=overload-bench-hash-key-0123456789abcdef",
		"TELEMETRY_QUEUE_DIRECTORY="+queueDir, "TELEMETRY_SAMPLE_RATE=1", "TELEMETRY_FLUSH_INTERVAL=1",
		"TELEMETRY_BATCH_SIZE=10000", "TELEMETRY_GATEWAY_ID=overload", fmt.Sprintf("GOMAXPROCS=%d", *gatewayProcs))
	if *goMemLimit == -1 {
		*goMemLimit = *memLimitMiB - 160
	}
	if *goMemLimit > 0 {
		g.cmd.Env = append(g.cmd.Env, fmt.Sprintf("GOMEMLIMIT=%dMiB", *goMemLimit))
	}
	g.cmd.Stdout, g.cmd.Stderr = &lockedWriter{g}, &lockedWriter{g}
	if err := g.cmd.Start(); err != nil {
		return err
	}
	go func() { _ = g.cmd.Wait(); close(g.done) }()
	defer func() {
		_ = g.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-g.done:
		case <-time.After(30 * time.Second):
			_ = g.cmd.Process.Kill()
		}
	}()
	if err := waitHealthy(health, g.done); err != nil {
		return err
	}
	fmt.Printf("gateway pid %d, GOMAXPROCS=%d, GOMEMLIMIT %d MiB (0: unset), memory_limiter limit %d MiB (spike %d), queue %d requests; machine: %d CPUs;\n"+
		"gateway + embedded ClickHouse + probes on CPU %q, %d telemetrygen processes on CPU %q\n",
		g.cmd.Process.Pid, *gatewayProcs, *goMemLimit, *memLimitMiB, *spikeLimitMiB, *queueSize, cpus, *gatewayCPUs, *clients, *clientCPUs)

	// RSS and heap are sampled from here to the end of the drain after the overload.
	mon := startMonitor(g)
	stopProfiles := saveHeapProfiles(pprofAddr)
	defer stopProfiles()

	if *hostile || *hostileOnly {
		if _, err := hostileRequests(g, eng.Endpoint, mon); err != nil {
			return err
		}
		if *hostileOnly {
			return nil
		}
		mon.phase()
	}

	// 1. Sustainable rate: unthrottled load for measureFor; the rate is what was stored per second
	// from the start of the load until the queue drained, less the tail-sampling decision wait
	// (kept spans reach storage only after it). Accepting faster than storing is not sustainable.
	start := time.Now()
	gen0, err := telemetrygenRun(g.grpcAddr, 0, *measureFor)
	if err != nil {
		return err
	}
	after0, err := scrape(g.selfAddr)
	if err != nil {
		return err
	}
	m0, err := drain(g, eng.Endpoint, 300*time.Second)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	window := max(elapsed-decisionWait, *measureFor)
	sustainable := float64(m0.stored) / window.Seconds()
	fmt.Printf("\n1. sustainable: unthrottled for %s: telemetrygen generated %d spans, the gateway accepted %d (%.0f/s) and refused %d;\n"+
		"   all %d stored %s after the load began: %.0f spans/s end to end (stored / (time to stored - %s decision wait))\n",
		*measureFor, gen0, after0.accepted, float64(after0.accepted)/measureFor.Seconds(), after0.refused,
		m0.stored, elapsed.Round(100*time.Millisecond), sustainable, decisionWait)
	if m0.refused > 0 {
		fmt.Println("   NOTE: the unthrottled load was already refused in part: the rate above is what was stored, not offered")
	}
	printPhasePeaks(mon, "unthrottled load and its drain")

	// 2. factor x sustainable, with probes on every path.
	// telemetrygen's --rate is spans per second per worker (root and child span each wait on the limiter).
	w, perWorker := split(*factor * sustainable)
	fmt.Printf("\n2. overload: %.1fx = %.0f spans/s offered for %s (%d telemetrygen x %d workers x %.0f spans/s, %d attributes of %d bytes per span)\n",
		*factor, *factor*sustainable, *overloadFor, *clients, w, perWorker, *spanAttrs, *attrBytes)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	probes := newProbes()
	wg.Add(3)
	go func() { defer wg.Done(); probes.otlpHTTP(ctx, g.httpAddr) }()
	go func() { defer wg.Done(); probes.otlpGRPC(ctx, g.grpcAddr) }()
	go func() { defer wg.Done(); probes.events(ctx, g.apiAddr) }()
	before, err := scrape(g.selfAddr)
	if err != nil {
		return err
	}
	gen, tgErr := telemetrygenRun(g.grpcAddr, *factor*sustainable, *overloadFor)
	cancel()
	wg.Wait()
	if tgErr != nil {
		fmt.Println("telemetrygen:", tgErr, "(it reports refused exports as errors)")
	}
	during, err := scrape(g.selfAddr)
	if err != nil {
		return fmt.Errorf("gateway not answering after the overload: %w", err)
	}
	offered := (during.accepted + during.refused) - (before.accepted + before.refused)
	fmt.Printf("   telemetrygen generated %d spans (%.0f/s = %.1fx sustainable); the rest of what it generated it dropped itself (SDK batch queue full while exports were refused or slow)\n",
		gen, float64(gen)/overloadFor.Seconds(), float64(gen)/overloadFor.Seconds()/sustainable)
	fmt.Printf("   at the gateway: %d spans in export requests (%.0f/s, retries included), accepted %d (%.0f/s), refused %d (%.1f%%)\n",
		offered, float64(offered)/overloadFor.Seconds(), during.accepted-before.accepted, float64(during.accepted-before.accepted)/overloadFor.Seconds(),
		during.refused-before.refused, 100*float64(during.refused-before.refused)/float64(max(offered, 1)))
	fmt.Println("   refused by receiver/transport/signal (whole run so far):")
	for _, k := range sortedKeys(during.refusedBy) {
		fmt.Printf("     %-50s %8d\n", k, during.refusedBy[k])
	}
	probes.print()

	// 3. Load gone: everything accepted is stored.
	m, err := drain(g, eng.Endpoint, 600*time.Second)
	if err != nil {
		return err
	}
	select {
	case <-g.done:
		fmt.Println("\n3. the gateway DIED")
	default:
		fmt.Println("\n3. the gateway is alive")
	}
	stopProfiles()
	printPhasePeaks(mon, fmt.Sprintf("%.1fx load and its drain", *factor))
	peakRSS, peakAnon, peakHeap := mon.stop()
	fmt.Printf("   peak RSS %.0f MiB (anonymous %.0f MiB, mapped files %.0f MiB), peak Go heap %.0f MiB (sampled every 100 ms / 1 s from the first load to here); memory_limiter limit_mib %d, spike %d (refuses from %d MiB of heap)\n",
		float64(peakRSS)/1024, float64(peakAnon)/1024, float64(peakRSS-peakAnon)/1024, float64(peakHeap)/(1<<20), *memLimitMiB, *spikeLimitMiB, *memLimitMiB-*spikeLimitMiB)
	fmt.Printf("   whole run: sent %d spans, refused %d, stored %d, dropped after tail sampling (queue full) %d: sent - refused - stored = %d\n",
		m.accepted+m.refused, m.refused, m.stored, m.enqueueFailed, int64(m.accepted+m.refused)-int64(m.refused)-int64(m.stored))

	// 4. Cost of a queued item: ClickHouse away, a fixed load queues on disk; RSS and queue size
	// before and after, then ClickHouse back and the queue drains.
	// Live heap with ClickHouse down at three points: after a warm-up load (the outage has freed the
	// driver's connections, the exporter holds the batches it retries), and after each of two equal
	// loads. Between the last two only the queue on disk grows: that difference is the memory per
	// queued span; the first is what the exporter holds while retrying, whatever the queue's size.
	eng.Signal(syscall.SIGTERM)
	pctx, pcancel := context.WithCancel(context.Background())
	defer pcancel()
	downProbes := newProbes()
	var pwg sync.WaitGroup
	pwg.Add(3)
	go func() { defer pwg.Done(); downProbes.otlpHTTP(pctx, g.httpAddr) }()
	go func() { defer pwg.Done(); downProbes.otlpGRPC(pctx, g.grpcAddr) }()
	go func() { defer pwg.Done(); downProbes.events(pctx, g.apiAddr) }()
	type point struct {
		accepted         uint64
		live, rss, files int64
	}
	measure := func(load time.Duration) (point, error) {
		if _, err := telemetrygenRun(g.grpcAddr, 3000, load); err != nil {
			fmt.Println("telemetrygen:", err)
		}
		time.Sleep(decisionWait + 2*time.Second) // tail sampling hands spans to the queue after the decision wait
		c, err := scrape(g.selfAddr)
		if err != nil {
			return point{}, err
		}
		live, err := liveHeap(pprofAddr)
		return point{c.accepted, live, rssKiB(g.cmd.Process.Pid), dirBytes(queueDir)}, err
	}
	var pts [3]point
	for i, load := range []time.Duration{2 * time.Second, 10 * time.Second, 10 * time.Second} {
		if pts[i], err = measure(load); err != nil {
			return err
		}
	}
	pcancel()
	pwg.Wait()
	queued, err := scrape(g.selfAddr)
	if err != nil {
		return err
	}
	warm, p1, p2 := pts[0], pts[1], pts[2]
	fmt.Printf("\n4. ClickHouse down: %d spans queued (warm-up %d, then %d and %d)\n", queued.accepted-m.accepted,
		warm.accepted-m.accepted, p1.accepted-warm.accepted, p2.accepted-p1.accepted)
	fmt.Printf("   live Go heap after a forced GC: %.1f MiB after the warm-up, %+.1f MiB after the first load (batches the exporter holds while retrying), "+
		"%+.1f MiB after the second: %.0f bytes per queued span; RSS %+.1f / %+.1f MiB; queue files %+.1f MiB (bbolt first reuses the pages the earlier drain freed)\n",
		float64(warm.live)/(1<<20), float64(p1.live-warm.live)/(1<<20), float64(p2.live-p1.live)/(1<<20),
		float64(p2.live-p1.live)/float64(max(p2.accepted-p1.accepted, 1)),
		float64(p1.rss-warm.rss)/1024, float64(p2.rss-p1.rss)/1024, float64(p2.files-warm.files)/(1<<20))
	fmt.Printf("   refused while the queue was full: %d spans\n", queued.refused-m.refused)
	downProbes.print()
	if err := eng.Restart(); err != nil {
		return err
	}
	start = time.Now()
	m, err = drain(g, eng.Endpoint, 600*time.Second)
	if err != nil {
		return err
	}
	fmt.Printf("   ClickHouse back: queue drained in %s; sent - refused - stored = %d (dropped after tail sampling: %d)\n", time.Since(start).Round(100*time.Millisecond),
		int64(m.accepted+m.refused)-int64(m.refused)-int64(m.stored), m.enqueueFailed)
	return nil
}

var heapAllocRE = regexp.MustCompile(`(?m)^# HeapAlloc = (\d+)$`)

// liveHeap forces a GC in the gateway (pprof's gc=1) and returns the heap left allocated: what is
// live, without the garbage that the heap gauge includes.
func liveHeap(pprofAddr string) (n int64, err error) {
	// Twice: sync.Pool contents survive one GC (the victim cache).
	for range 2 {
		if n, err = heapAfterGC(pprofAddr); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func heapAfterGC(pprofAddr string) (int64, error) {
	resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/heap?gc=1&debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	m := heapAllocRE.FindSubmatch(b)
	if m == nil {
		return 0, errors.New("pprof heap: no HeapAlloc line")
	}
	return strconv.ParseInt(string(m[1]), 10, 64)
}

func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

type lockedWriter struct{ g *gateway }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.g.mu.Lock()
	defer w.g.mu.Unlock()
	return w.g.logs.Write(p)
}

func numCPU() int {
	out, _ := exec.Command("nproc").Output()
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}

func waitHealthy(addr string, done chan struct{}) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("gateway exited at start")
		default:
		}
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("gateway not healthy within 60s")
}

var generatedRE = regexp.MustCompile(`traces generated.*"traces":\s*(\d+)`)

// telemetrygenRun runs -clients telemetrygen processes on -client-cpus and returns the spans they
// generated (their "traces generated" log lines; 2 spans per trace).
// spansPerSec is over all processes, 0 for unthrottled.
func telemetrygenRun(endpoint string, spansPerSec float64, d time.Duration) (int64, error) {
	w, rate := split(spansPerSec)
	args := []string{"traces", "--otlp-endpoint", endpoint, "--otlp-insecure",
		"--otlp-header", fmt.Sprintf(`Authorization="Bearer %s"`, apiKey),
		"--workers", strconv.Itoa(w), "--rate", strconv.FormatFloat(rate, 'f', 1, 64),
		"--duration", d.String(), "--child-spans", "1", "--batch-size", "500", "--interval", "1h"}
	val := strings.Repeat("v", *attrBytes)
	for i := 0; i < *spanAttrs; i++ {
		args = append(args, "--telemetry-attributes", fmt.Sprintf(`bench.attr%d="%s"`, i, val))
	}
	bin := *telemetrygen
	if *clientCPUs != "" {
		args = append([]string{"-c", *clientCPUs, bin}, args...)
		bin = "taskset"
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int64
		errs  []string
	)
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, args...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			mu.Lock()
			defer mu.Unlock()
			for _, m := range generatedRE.FindAllStringSubmatch(out.String(), -1) {
				n, _ := strconv.ParseInt(m[1], 10, 64)
				total += 2 * n
			}
			if err != nil {
				tail := out.String()
				if len(tail) > 400 {
					tail = tail[len(tail)-400:]
				}
				errs = append(errs, fmt.Sprintf("%v: ...%s", err, tail))
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return total, fmt.Errorf("%d of %d telemetrygen exited with an error; first: %s", len(errs), *clients, errs[0])
	}
	return total, nil
}

// split gives the workers per telemetrygen process and the spans/s of each for a total rate
// (telemetrygen's --rate is spans per second per worker: root and child span each wait on it).
func split(total float64) (workersPerClient int, perWorker float64) {
	if total == 0 {
		return *workers, 0
	}
	w := max(*workers, int(math.Ceil(total/float64(*clients) / *maxWorkerRate)))
	return w, total / float64(*clients*w)
}

// saveHeapProfiles fetches the gateway's heap profile every 2 s into -pprof-dir until stopped.
func saveHeapProfiles(addr string) (stop func()) {
	if *pprofDir == "" {
		return func() {}
	}
	_ = os.MkdirAll(*pprofDir, 0o755)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		for ctx.Err() == nil {
			if resp, err := http.Get("http://" + addr + "/debug/pprof/heap"); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				_ = os.WriteFile(filepath.Join(*pprofDir, fmt.Sprintf("heap-%03.0f.pb.gz", time.Since(start).Seconds())), b, 0o644)
			}
			time.Sleep(2 * time.Second)
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}

type monitor struct {
	cancel        context.CancelFunc
	wg            sync.WaitGroup
	rssKiB, heapB int64
	anonKiB       int64 // RssAnon at the RSS peak

	mu                  sync.Mutex
	phaseRSS, phaseAnon int64 // KiB, peaks since the last phase()
	phaseHeap           int64
}

// phase returns the peaks since the previous call (RSS and RssAnon at the RSS peak in KiB, heap in
// bytes) and starts a new phase: the unthrottled measurement and the 3x overload are told apart.
func (m *monitor) phase() (rssKiB, anonKiB, heapBytes int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rssKiB, anonKiB, heapBytes = m.phaseRSS, m.phaseAnon, m.phaseHeap
	m.phaseRSS, m.phaseAnon, m.phaseHeap = 0, 0, 0
	return rssKiB, anonKiB, heapBytes
}

// startMonitor samples the gateway's RSS every 100 ms and its Go heap (self-metrics) every second.
func startMonitor(g *gateway) *monitor {
	ctx, cancel := context.WithCancel(context.Background())
	m := &monitor{cancel: cancel}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		start := time.Now()
		var peakRSS, peakHeap int64 // since the last timeline line
		for i := 0; ctx.Err() == nil; i++ {
			r := rssKiB(g.cmd.Process.Pid)
			m.mu.Lock()
			if r > m.rssKiB {
				m.rssKiB, m.anonKiB = r, statusKiB(g.cmd.Process.Pid, "RssAnon:")
			}
			if r > m.phaseRSS {
				m.phaseRSS, m.phaseAnon = r, statusKiB(g.cmd.Process.Pid, "RssAnon:")
			}
			m.mu.Unlock()
			peakRSS = max(peakRSS, r)
			if i%10 == 0 {
				if c, err := scrape(g.selfAddr); err == nil {
					m.mu.Lock()
					m.heapB, m.phaseHeap, peakHeap = max(m.heapB, c.heap), max(m.phaseHeap, c.heap), max(peakHeap, c.heap)
					m.mu.Unlock()
					if *timeline > 0 && i%int(*timeline/(100*time.Millisecond)) == 0 {
						fmt.Printf("   [%4.0fs] peak RSS %4.0f MiB, peak heap %4.0f MiB; accepted %8d, refused %7d spans\n",
							time.Since(start).Seconds(), float64(peakRSS)/1024, float64(peakHeap)/(1<<20), c.accepted, c.refused)
						peakRSS, peakHeap = 0, 0
					}
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	return m
}

// printPhasePeaks prints the peaks of the phase that just ended against limit_mib and says whether
// RSS stayed under it.
func printPhasePeaks(mon *monitor, what string) (underBound bool) {
	rss, anon, heap := mon.phase()
	underBound = rss < int64(*memLimitMiB)*1024
	verdict := "under"
	if !underBound {
		verdict = "OVER"
	}
	fmt.Printf("   %s: peak RSS %.0f MiB (anonymous %.0f, mapped files %.0f), peak Go heap %.0f MiB: %s the %d MiB limit_mib\n",
		what, float64(rss)/1024, float64(anon)/1024, float64(rss-anon)/1024, float64(heap)/(1<<20), verdict, *memLimitMiB)
	return underBound
}

func (m *monitor) stop() (rssKiB, anonKiB, heapBytes int64) {
	m.cancel()
	m.wg.Wait()
	return m.rssKiB, m.anonKiB, m.heapB
}

func sortedKeys(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// counts are the gateway's own figures (receiver metrics, spans the storage queue could not take
// after tail sampling) and the stored rows.
type counts struct {
	accepted, refused, enqueueFailed, stored uint64
	heap                                     int64
	refusedBy                                map[string]uint64 // receiver/transport/signal: refused + failed items
}

var (
	refusedRE = regexp.MustCompile(`^otelcol_receiver_(?:refused|failed)_(spans|log_records|metric_points)(?:_total)?\{(.*)\} (\S+)$`)
	labelRE   = regexp.MustCompile(`(receiver|transport)="([^"]*)"`)
	heapRE    = regexp.MustCompile(`^otelcol_process_runtime_heap_alloc_bytes(?:\{[^}]*\})? (\S+)$`)
)

var metricRE = regexp.MustCompile(`^otelcol_(?:receiver_(accepted|refused|failed)|exporter_(enqueue_failed))_spans(?:_total)?\{[^}]*\} (\S+)$`)

func scrape(addr string) (counts, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return counts{}, err
	}
	defer resp.Body.Close()
	c := counts{refusedBy: map[string]uint64{}}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if m := heapRE.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			c.heap = int64(v)
		}
		if m := refusedRE.FindStringSubmatch(sc.Text()); m != nil {
			if v, _ := strconv.ParseFloat(m[3], 64); v > 0 {
				k := ""
				for _, l := range labelRE.FindAllStringSubmatch(m[2], -1) {
					k += l[2] + "/"
				}
				c.refusedBy[k+m[1]] += uint64(v)
			}
		}
		m := metricRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		switch {
		case m[1] == "accepted":
			c.accepted += uint64(v)
		case m[2] == "enqueue_failed":
			c.enqueueFailed += uint64(v)
		default: // refused (downstream said no) or failed (the receiver's own error): not accepted
			c.refused += uint64(v)
		}
	}
	return c, sc.Err()
}

func storedSpans(engine string) (uint64, error) {
	resp, err := http.Post(engine+"/?query="+strings.ReplaceAll("SELECT count() FROM overload.telemetry_spans", " ", "+"), "text/plain", nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}

// drain waits until the stored spans equal the accepted ones (the queue is empty).
func drain(g *gateway, engine string, timeout time.Duration) (counts, error) {
	deadline := time.Now().Add(timeout)
	var c counts
	for {
		var err error
		c, err = scrape(g.selfAddr)
		if err == nil {
			c.stored, err = storedSpans(engine)
		}
		if err == nil && c.stored+c.enqueueFailed >= c.accepted {
			return c, nil
		}
		if time.Now().After(deadline) {
			return c, fmt.Errorf("not drained after %s: accepted %d, stored %d (%v)", timeout, c.accepted, c.stored, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func rssKiB(pid int) int64 { return statusKiB(pid, "VmRSS:") }

// statusKiB reads one field of /proc/PID/status: VmRSS, or RssAnon (heap, stacks: what the Go
// runtime holds) and RssFile (mapped files: the binary and the bbolt queue file, reclaimable).
func statusKiB(pid int, field string) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// probes send one small request every 50 ms on each path and tally the answers.
type probes struct {
	mu      sync.Mutex
	answers map[string]int
}

func newProbes() *probes { return &probes{answers: map[string]int{}} }

func (p *probes) add(k string) { p.mu.Lock(); p.answers[k]++; p.mu.Unlock() }

func (p *probes) print() {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := make([]string, 0, len(p.answers))
	for k := range p.answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println("   probe answers (one small request every 50 ms per path):")
	for _, k := range keys {
		fmt.Printf("     %-60s %6d\n", k, p.answers[k])
	}
}

func probeTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "overload-probe")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("probe")
	sp.SetTraceID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, byte(time.Now().UnixNano())})
	sp.SetSpanID([8]byte{1, 2, 3, 4, 5, 6, 7, byte(time.Now().UnixNano())})
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	return td
}

func retryAfter(h http.Header) string {
	if v := h.Get("Retry-After"); v != "" {
		return "Retry-After: " + v
	}
	return "no Retry-After"
}

func (p *probes) otlpHTTP(ctx context.Context, addr string) {
	hc := &http.Client{Timeout: 10 * time.Second}
	for ctx.Err() == nil {
		body, _ := ptraceotlp.NewExportRequestFromTraces(probeTraces()).MarshalProto()
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/traces", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-protobuf")
		req.Header.Set("Authorization", "Bearer "+apiKey)
		resp, err := hc.Do(req)
		switch {
		case err != nil:
			p.add("OTLP/HTTP error: " + err.Error()[:min(40, len(err.Error()))])
		case resp.StatusCode == 200:
			p.add("OTLP/HTTP 200")
		default:
			p.add(fmt.Sprintf("OTLP/HTTP %d, %s", resp.StatusCode, retryAfter(resp.Header)))
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *probes) otlpGRPC(ctx context.Context, addr string) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		p.add("OTLP/gRPC dial error")
		return
	}
	defer conn.Close()
	client := ptraceotlp.NewGRPCClient(conn)
	for ctx.Err() == nil {
		cctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+apiKey), 10*time.Second)
		_, err := client.Export(cctx, ptraceotlp.NewExportRequestFromTraces(probeTraces()))
		cancel()
		if err == nil {
			p.add("OTLP/gRPC OK")
		} else if ctx.Err() == nil {
			s, _ := status.FromError(err)
			p.add(fmt.Sprintf("OTLP/gRPC %s, retry info in details: %v", s.Code(), len(s.Details()) > 0))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *probes) events(ctx context.Context, addr string) {
	hc := &http.Client{Timeout: 10 * time.Second}
	for ctx.Err() == nil {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/telemetry/events",
			strings.NewReader(`{"event_name":"overload_probe","properties":{"n":1}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+apiKey)
		resp, err := hc.Do(req)
		switch {
		case err != nil:
			p.add("events API error")
		case resp.StatusCode == 202:
			p.add("events API 202")
		default:
			p.add(fmt.Sprintf("events API %d, %s", resp.StatusCode, retryAfter(resp.Header)))
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
}
