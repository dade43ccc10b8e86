package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestKubernetesConfigsValidate runs `otelcol-telemetry validate` on every collector configuration
// the Kubernetes manifests embed (ConfigMap data), with the environment their pods get: literal
// values as written ($(POD_IP) expanded), the pod address and name from the downward API, and
// well-formed stand-ins for the Secret's keys. deploy/kubernetes's own test checks the manifests.
func TestKubernetesConfigsValidate(t *testing.T) {
	dir := filepath.Join(repoRoot, "deploy", "kubernetes")
	read := func(name string, v any) {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.NoError(t, yaml.Unmarshal(raw, v), name)
	}
	var gw appsv1.StatefulSet
	read("gateway-statefulset.yaml", &gw)
	var agent appsv1.DaemonSet
	read("agent-daemonset.yaml", &agent)
	pods := map[string]corev1.PodSpec{"otelcol-telemetry-gateway": gw.Spec.Template.Spec, "otelcol-telemetry-agent": agent.Spec.Template.Spec}

	for _, f := range []string{"gateway-configmap.yaml", "agent-configmap.yaml"} {
		var cm corev1.ConfigMap
		read(f, &cm)
		spec, ok := pods[cm.Name]
		require.True(t, ok, "no pod mounts ConfigMap %s", cm.Name)
		require.NotEmpty(t, cm.Data, f)
		for key, config := range cm.Data {
			t.Run(cm.Name+"/"+key, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), key)
				require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
				cmd := exec.Command(collectorBin, "validate", "--config", path)
				cmd.Env = append(os.Environ(), podEnv(spec.Containers[0])...)
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "validate %s of %s:\n%s", key, f, out)
			})
		}
	}
}

// podEnv is the container's environment as the kubelet would set it, for a pod at 10.0.0.7.
func podEnv(c corev1.Container) []string {
	vals := map[string]string{}
	var out []string
	for _, e := range c.Env {
		v := e.Value
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			v = map[string]string{"status.podIP": "10.0.0.7", "metadata.name": "otelcol-telemetry-gateway-1"}[e.ValueFrom.FieldRef.FieldPath]
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			// One stand-in per Secret key: gateways refuse an agent key equal to the admin key.
			v = "k8s-secret-stand-in-" + e.ValueFrom.SecretKeyRef.Key + "-0123456789abcdef0123456789"
		}
		for k, prev := range vals {
			v = strings.ReplaceAll(v, "$("+k+")", prev)
		}
		vals[e.Name] = v
		out = append(out, e.Name+"="+v)
	}
	return out
}
