// Package kubernetes holds the Kubernetes manifests of a fleet (agent DaemonSet, gateway StatefulSet,
// headless Service, HPA, PodDisruptionBudget, ConfigMaps, Secret); this test decodes them strictly
// with the Kubernetes API types and checks that they fit together. The collector configurations
// they embed are checked by `otelcol-telemetry validate` in test/e2e (TestKubernetesConfigsValidate).
package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// manifests are the objects of every file, by kind and name.
type manifests struct {
	statefulSets map[string]*appsv1.StatefulSet
	daemonSets   map[string]*appsv1.DaemonSet
	services     map[string]*corev1.Service
	configMaps   map[string]*corev1.ConfigMap
	secrets      map[string]*corev1.Secret
	namespaces   map[string]*corev1.Namespace
	hpas         map[string]*autoscalingv2.HorizontalPodAutoscaler
	pdbs         map[string]*policyv1.PodDisruptionBudget
	files        []string
	kustomizeRes []string
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// strict decodes JSON into v, refusing fields the API type does not have (a typo in a manifest).
func strict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func load(t *testing.T) *manifests {
	t.Helper()
	m := &manifests{
		statefulSets: map[string]*appsv1.StatefulSet{}, daemonSets: map[string]*appsv1.DaemonSet{},
		services: map[string]*corev1.Service{}, configMaps: map[string]*corev1.ConfigMap{},
		secrets: map[string]*corev1.Secret{}, namespaces: map[string]*corev1.Namespace{},
		hpas: map[string]*autoscalingv2.HorizontalPodAutoscaler{}, pdbs: map[string]*policyv1.PodDisruptionBudget{},
	}
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		if f == "kustomization.yaml" {
			var k struct {
				APIVersion string   `json:"apiVersion"`
				Kind       string   `json:"kind"`
				Resources  []string `json:"resources"`
			}
			js, err := yaml.YAMLToJSON(raw)
			require.NoError(t, err)
			require.NoError(t, strict(js, &k), f)
			m.kustomizeRes = k.Resources
			continue
		}
		m.files = append(m.files, f)
		for i, doc := range docSeparator.Split(string(raw), -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			js, err := yaml.YAMLToJSON([]byte(doc))
			require.NoError(t, err, "%s document %d", f, i)
			var meta struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			require.NoError(t, json.Unmarshal(js, &meta))
			where := fmt.Sprintf("%s document %d (%s %s)", f, i, meta.APIVersion, meta.Kind)
			decode := func(v interface{ GetName() string }, into func(string)) {
				require.NoError(t, strict(js, v), where)
				require.NotEmpty(t, v.GetName(), where)
				into(v.GetName())
			}
			switch meta.APIVersion + " " + meta.Kind {
			case "apps/v1 StatefulSet":
				v := &appsv1.StatefulSet{}
				decode(v, func(n string) { m.statefulSets[n] = v })
			case "apps/v1 DaemonSet":
				v := &appsv1.DaemonSet{}
				decode(v, func(n string) { m.daemonSets[n] = v })
			case "v1 Service":
				v := &corev1.Service{}
				decode(v, func(n string) { m.services[n] = v })
			case "v1 ConfigMap":
				v := &corev1.ConfigMap{}
				decode(v, func(n string) { m.configMaps[n] = v })
			case "v1 Secret":
				v := &corev1.Secret{}
				decode(v, func(n string) { m.secrets[n] = v })
			case "v1 Namespace":
				v := &corev1.Namespace{}
				decode(v, func(n string) { m.namespaces[n] = v })
			case "autoscaling/v2 HorizontalPodAutoscaler":
				v := &autoscalingv2.HorizontalPodAutoscaler{}
				decode(v, func(n string) { m.hpas[n] = v })
			case "policy/v1 PodDisruptionBudget":
				v := &policyv1.PodDisruptionBudget{}
				decode(v, func(n string) { m.pdbs[n] = v })
			default:
				t.Fatalf("%s: kind not checked by this test", where)
			}
		}
	}
	return m
}

const (
	gatewayName = "otelcol-telemetry-gateway"
	agentName   = "otelcol-telemetry-agent"
	headless    = "otelcol-telemetry-gateway-headless"
	namespace   = "telemetry"
)

func TestManifestsDecodeAndKustomizationListsAll(t *testing.T) {
	m := load(t)
	assert.ElementsMatch(t, m.files, m.kustomizeRes, "kustomization.yaml lists every manifest")
	require.Contains(t, m.statefulSets, gatewayName)
	require.Contains(t, m.daemonSets, agentName)
	require.Contains(t, m.services, headless)
	require.Contains(t, m.namespaces, namespace)
	for _, objs := range []map[string]string{
		names(m.statefulSets), names(m.daemonSets), names(m.services), names(m.configMaps),
		names(m.secrets), names(m.hpas), names(m.pdbs),
	} {
		for n, ns := range objs {
			assert.Equal(t, namespace, ns, "%s is in namespace %s", n, namespace)
		}
	}
}

func names[T interface{ GetNamespace() string }](objs map[string]T) map[string]string {
	out := map[string]string{}
	for n, o := range objs {
		out[n] = o.GetNamespace()
	}
	return out
}

// envOf resolves a container's env: literal values with $(VAR) expanded as the kubelet does, and
// references kept as "fieldRef:<path>" or "secret:<name>/<key>".
func envOf(c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			env[e.Name] = "fieldRef:" + e.ValueFrom.FieldRef.FieldPath
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = "secret:" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		default:
			v := e.Value
			for k, prev := range env {
				v = strings.ReplaceAll(v, "$("+k+")", prev)
			}
			env[e.Name] = v
		}
	}
	return env
}

// checkPod checks what every collector pod needs: the config mounted from the ConfigMap it names,
// listeners on the pod address (the defaults are loopback), probes on the health port, resources,
// secrets that exist.
func checkPod(t *testing.T, m *manifests, what string, spec corev1.PodSpec, configKey string) map[string]string {
	t.Helper()
	require.Len(t, spec.Containers, 1, what)
	c := spec.Containers[0]
	env := envOf(c)

	assert.Equal(t, "fieldRef:status.podIP", env["POD_IP"], "%s: POD_IP from the downward API", what)
	assert.True(t, strings.HasPrefix(env["TELEMETRY_HEALTH_ENDPOINT"], "fieldRef:status.podIP"), what)
	assert.Equal(t, "$(POD_IP):13133", rawEnv(c, "TELEMETRY_HEALTH_ENDPOINT"), "%s: health on the pod address, port 13133", what)
	assert.Equal(t, "$(POD_IP):4317", rawEnv(c, "TELEMETRY_OTLP_GRPC_ENDPOINT"), what)
	assert.Equal(t, "$(POD_IP):4318", rawEnv(c, "TELEMETRY_OTLP_HTTP_ENDPOINT"), what)

	for name, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		require.NotNil(t, p, "%s: %s probe", what, name)
		require.NotNil(t, p.HTTPGet, "%s: %s probe is an HTTP GET", what, name)
		assert.Equal(t, 13133, p.HTTPGet.Port.IntValue(), "%s: %s probe on the health_check port", what, name)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, lim := c.Resources.Requests[r], c.Resources.Limits[r]
		assert.False(t, req.IsZero(), "%s: %s request", what, r)
		assert.False(t, lim.IsZero(), "%s: %s limit", what, r)
		assert.LessOrEqual(t, req.Cmp(lim), 0, "%s: %s request within the limit", what, r)
	}
	// GOMEMLIMIT below the memory limit: the Go runtime collects before the kernel kills.
	if gml := env["GOMEMLIMIT"]; gml != "" {
		q := c.Resources.Limits[corev1.ResourceMemory]
		assert.Less(t, parseMiB(t, gml), q.Value()/(1<<20), "%s: GOMEMLIMIT below the memory limit", what)
	}

	// Config: --config points into the mounted ConfigMap, which has that key.
	require.Len(t, c.Args, 2, what)
	assert.Equal(t, "--config", c.Args[0], what)
	dir, key := filepath.Split(c.Args[1])
	assert.Equal(t, configKey, key, what)
	var cmName string
	for _, vm := range c.VolumeMounts {
		if filepath.Clean(vm.MountPath) == filepath.Clean(dir) {
			for _, v := range spec.Volumes {
				if v.Name == vm.Name && v.ConfigMap != nil {
					cmName = v.ConfigMap.Name
				}
			}
		}
	}
	require.NotEmpty(t, cmName, "%s: %s is mounted from a ConfigMap", what, c.Args[1])
	require.Contains(t, m.configMaps, cmName, what)
	assert.Contains(t, m.configMaps[cmName].Data, key, what)

	// The queue directory is a mounted volume (not the container's writable layer).
	qdir := env["TELEMETRY_QUEUE_DIRECTORY"]
	require.NotEmpty(t, qdir, what)
	assert.True(t, slices.ContainsFunc(c.VolumeMounts, func(vm corev1.VolumeMount) bool { return vm.MountPath == qdir }),
		"%s: queue directory %s is a volume", what, qdir)

	for k, v := range env {
		if ref, ok := strings.CutPrefix(v, "secret:"); ok {
			name, skey, _ := strings.Cut(ref, "/")
			require.Contains(t, m.secrets, name, "%s: %s", what, k)
			assert.Contains(t, m.secrets[name].StringData, skey, "%s: %s", what, k)
		}
	}
	return env
}

func rawEnv(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func parseMiB(t *testing.T, s string) int64 {
	var n int64
	_, err := fmt.Sscanf(s, "%dMiB", &n)
	require.NoError(t, err, "GOMEMLIMIT %q in MiB", s)
	return n
}

func TestGateway(t *testing.T) {
	m := load(t)
	d := m.statefulSets[gatewayName]
	require.NotNil(t, d)
	labels := d.Spec.Template.Labels
	for k, v := range d.Spec.Selector.MatchLabels {
		assert.Equal(t, v, labels[k], "the StatefulSet's selector matches its pods")
	}
	env := checkPod(t, m, "gateway", d.Spec.Template.Spec, "gateway.yaml")
	assert.Equal(t, "fieldRef:metadata.name", env["TELEMETRY_GATEWAY_ID"], "rows name the pod that stored them")
	for _, k := range []string{"TELEMETRY_API_KEY", "TELEMETRY_AGENT_API_KEY", "TELEMETRY_HASH_KEY", "TELEMETRY_CLICKHOUSE_PASSWORD"} {
		assert.True(t, strings.HasPrefix(env[k], "secret:"), "%s comes from a Secret", k)
	}
	// The gateways accept the very key the agents send, and it is not the admin key.
	assert.Equal(t, agentKeyRef, env["TELEMETRY_AGENT_API_KEY"])
	assert.NotEqual(t, env["TELEMETRY_API_KEY"], env["TELEMETRY_AGENT_API_KEY"])
	checkGatewayMemory(t, m, d.Spec.Template.Spec.Containers[0], env)
	require.NotNil(t, d.Spec.Replicas)
	assert.GreaterOrEqual(t, *d.Spec.Replicas, int32(2))
	assert.Equal(t, appsv1.RollingUpdateStatefulSetStrategyType, d.Spec.UpdateStrategy.Type)
	assert.Nil(t, d.Spec.UpdateStrategy.RollingUpdate, "one pod at a time (the default), within the PodDisruptionBudget")
	assert.Equal(t, headless, d.Spec.ServiceName, "pods are named through the headless Service")
	checkGatewayQueueClaim(t, d)

	// Headless Service: one DNS record per ready gateway pod, the agents' resolver port.
	s := m.services[headless]
	assert.Equal(t, corev1.ClusterIPNone, s.Spec.ClusterIP)
	assert.Equal(t, d.Spec.Selector.MatchLabels, s.Spec.Selector, "the headless Service selects the gateway pods")
	assert.False(t, s.Spec.PublishNotReadyAddresses, "pods failing readiness leave the resolver's list")
	require.Len(t, s.Spec.Ports, 1)
	assert.Equal(t, int32(4317), s.Spec.Ports[0].Port)
	assert.Equal(t, "otlp-grpc", s.Spec.Ports[0].TargetPort.String())
	assert.True(t, slices.ContainsFunc(d.Spec.Template.Spec.Containers[0].Ports, func(p corev1.ContainerPort) bool {
		return p.Name == "otlp-grpc" && p.ContainerPort == 4317
	}))

	hpa := m.hpas[gatewayName]
	require.NotNil(t, hpa)
	assert.Equal(t, autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "StatefulSet", Name: gatewayName}, hpa.Spec.ScaleTargetRef)
	require.NotNil(t, hpa.Spec.MinReplicas)
	assert.Equal(t, *d.Spec.Replicas, *hpa.Spec.MinReplicas, "the HPA starts from the StatefulSet's replicas")
	assert.Greater(t, hpa.Spec.MaxReplicas, *hpa.Spec.MinReplicas)

	pdb := m.pdbs[gatewayName]
	require.NotNil(t, pdb)
	assert.Equal(t, d.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels, "the PDB covers the gateway pods")
	require.NotNil(t, pdb.Spec.MinAvailable)
	assert.Less(t, pdb.Spec.MinAvailable.IntValue(), int(*hpa.Spec.MinReplicas), "a node drain can still evict one gateway")
}

// checkGatewayQueueClaim: the queue directory is a volume claim of each pod, not an emptyDir, so
// what a gateway acknowledged outlives the pod; claims of scaled-down pods are kept, because a
// stopped collector leaves its queue on disk to be sent when a gateway of that name starts again.
func checkGatewayQueueClaim(t *testing.T, d *appsv1.StatefulSet) {
	t.Helper()
	for _, v := range d.Spec.Template.Spec.Volumes {
		assert.Nil(t, v.EmptyDir, "gateway volume %s: no emptyDir", v.Name)
	}
	var mount string
	for _, vm := range d.Spec.Template.Spec.Containers[0].VolumeMounts {
		if vm.MountPath == envOf(d.Spec.Template.Spec.Containers[0])["TELEMETRY_QUEUE_DIRECTORY"] {
			mount = vm.Name
		}
	}
	require.NotEmpty(t, mount, "the queue directory is mounted")
	i := slices.IndexFunc(d.Spec.VolumeClaimTemplates, func(c corev1.PersistentVolumeClaim) bool { return c.Name == mount })
	require.GreaterOrEqual(t, i, 0, "the queue mount %s is a volume claim template", mount)
	q := d.Spec.VolumeClaimTemplates[i].Spec.Resources.Requests[corev1.ResourceStorage]
	assert.False(t, q.IsZero(), "the queue claim requests storage")
	p := d.Spec.PersistentVolumeClaimRetentionPolicy
	require.NotNil(t, p, "a claim retention policy is set")
	assert.Equal(t, appsv1.RetainPersistentVolumeClaimRetentionPolicyType, p.WhenScaled, "a scaled-down gateway's queue is kept")
}

// Measured by bench/overload (bench/overload/README.md): RSS beyond the Go heap is up to this much
// in mapped files (the binary, the bbolt queue file), and the limiter needs this much headroom
// (spike) between where it refuses and its bound for those files and for what the storage exporter
// and tail sampling still take in after the first refusal.
const (
	mappedFilesMiB  = 160
	minGatewaySpike = 288
)

// checkGatewayMemory: the gateway's RSS stays under its memory_limiter bound at overload when the
// spike covers the headroom bench/overload measured and GOMEMLIMIT leaves room for mapped files,
// without being so low that the runtime collects continuously before the limiter refuses.
func checkGatewayMemory(t *testing.T, m *manifests, c corev1.Container, env map[string]string) {
	t.Helper()
	var cfg struct {
		Processors struct {
			MemoryLimiter struct {
				LimitPercentage      float64 `json:"limit_percentage"`
				SpikeLimitPercentage float64 `json:"spike_limit_percentage"`
			} `json:"memory_limiter"`
		} `json:"processors"`
	}
	raw := m.configMaps[gatewayName].Data["gateway.yaml"]
	js, err := yaml.YAMLToJSON([]byte(raw))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &cfg))
	ml := cfg.Processors.MemoryLimiter
	require.Positive(t, ml.LimitPercentage, "gateway memory_limiter uses limit_percentage")
	q := c.Resources.Limits[corev1.ResourceMemory]
	container := float64(q.Value()) / (1 << 20)
	limit, spike := container*ml.LimitPercentage/100, container*ml.SpikeLimitPercentage/100
	gml := float64(parseMiB(t, env["GOMEMLIMIT"]))
	assert.GreaterOrEqual(t, spike, float64(minGatewaySpike), "memory_limiter spike (MiB) covers mapped files and the pipeline's lag")
	assert.LessOrEqual(t, gml, limit-mappedFilesMiB, "GOMEMLIMIT leaves %d MiB of the %.0f MiB bound to mapped files", mappedFilesMiB, limit)
	assert.GreaterOrEqual(t, gml, limit-spike, "GOMEMLIMIT not under the limiter's refusal point (%.0f MiB)", limit-spike)
}

func TestAgent(t *testing.T) {
	m := load(t)
	ds := m.daemonSets[agentName]
	require.NotNil(t, ds)
	for k, v := range ds.Spec.Selector.MatchLabels {
		assert.Equal(t, v, ds.Spec.Template.Labels[k])
	}
	env := checkPod(t, m, "agent", ds.Spec.Template.Spec, "agent.yaml")
	assert.Equal(t, agentKeyRef, env["TELEMETRY_AGENT_API_KEY"], "the agent forwards with the ingest-only key")
	checkAgentHoldsNoAdminKey(t, m, ds.Spec.Template.Spec)

	// The agent resolves the headless Service of the gateways, on its port.
	u, err := url.Parse(env["TELEMETRY_ENDPOINT"])
	require.NoError(t, err)
	assert.Equal(t, headless+"."+namespace+".svc.cluster.local", u.Hostname())
	assert.Equal(t, "4317", u.Port())

	// Applications reach the node's agent through host ports.
	for _, p := range ds.Spec.Template.Spec.Containers[0].Ports {
		if p.Name == "otlp-grpc" || p.Name == "otlp-http" {
			assert.Equal(t, p.ContainerPort, p.HostPort, p.Name)
		}
	}
}

// TestConfigMapsMatchDeployConfigs: the ConfigMaps carry deploy/gateway.yaml and
// deploy/agent-dns.yaml verbatim (regenerate with scripts/k8s-configmaps.sh).
func TestConfigMapsMatchDeployConfigs(t *testing.T) {
	m := load(t)
	for cm, want := range map[string]struct{ key, file string }{
		gatewayName: {"gateway.yaml", "../gateway.yaml"},
		agentName:   {"agent.yaml", "../agent-dns.yaml"},
	} {
		raw, err := os.ReadFile(want.file)
		require.NoError(t, err)
		require.Contains(t, m.configMaps, cm)
		assert.Equal(t, string(raw), m.configMaps[cm].Data[want.key],
			"ConfigMap %s differs from %s: run scripts/k8s-configmaps.sh", cm, want.file)
	}
}

// agentKeyRef is where agents and gateways read TELEMETRY_AGENT_API_KEY: a Secret of its own.
const agentKeyRef = "secret:otelcol-telemetry-agent-key/agent-api-key"

// checkAgentHoldsNoAdminKey: every node runs an agent, and a node may read every Secret its pods
// reference (whole objects, not single keys), so the agent pod references only the Secret of the
// ingest-only key, and that Secret holds nothing else; the admin key never reaches the pod.
func checkAgentHoldsNoAdminKey(t *testing.T, m *manifests, spec corev1.PodSpec) {
	t.Helper()
	agentSecret, agentKey, _ := strings.Cut(strings.TrimPrefix(agentKeyRef, "secret:"), "/")
	var refs []string
	for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
		assert.Empty(t, c.EnvFrom, "agent container %s: no envFrom (it would take whole Secrets)", c.Name)
		assert.Empty(t, rawEnv(c, "TELEMETRY_API_KEY"), "agent container %s: no admin key", c.Name)
		for _, e := range c.Env {
			assert.NotEqual(t, "TELEMETRY_API_KEY", e.Name, "agent container %s: no admin key", c.Name)
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				refs = append(refs, e.ValueFrom.SecretKeyRef.Name+"/"+e.ValueFrom.SecretKeyRef.Key)
			}
		}
	}
	assert.Equal(t, []string{agentSecret + "/" + agentKey}, refs, "the agent reads only the ingest-only key")
	for _, v := range spec.Volumes {
		assert.Nil(t, v.Secret, "agent volume %s: no Secret volume", v.Name)
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				assert.Nil(t, src.Secret, "agent volume %s: no projected Secret", v.Name)
			}
		}
	}
	require.Contains(t, m.secrets, agentSecret)
	s := m.secrets[agentSecret]
	assert.Equal(t, []string{agentKey}, slices.Collect(maps.Keys(s.StringData)), "Secret %s holds only the agents' key", agentSecret)
	assert.Empty(t, s.Data, "Secret %s holds only the agents' key", agentSecret)
	for name, other := range m.secrets {
		if name != agentSecret {
			assert.NotContains(t, other.StringData, agentKey, "the agents' key lives in %s only", agentSecret)
		}
	}
	// And it is not the admin key's value (placeholders included).
	admin := m.secrets["otelcol-telemetry-keys"].StringData["api-key"]
	assert.NotEqual(t, admin, s.StringData[agentKey], "the agents' key differs from the admin key")
}
