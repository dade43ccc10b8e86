package otelcoltelemetry_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const rootModule = "github.com/otelcol-telemetry/otelcol-telemetry"

type manifestModule struct {
	GoMod  string `yaml:"gomod"`
	Import string `yaml:"import"`
}

type manifest struct {
	Receivers  []manifestModule `yaml:"receivers"`
	Processors []manifestModule `yaml:"processors"`
	Exporters  []manifestModule `yaml:"exporters"`
	Extensions []manifestModule `yaml:"extensions"`
	Connectors []manifestModule `yaml:"connectors"`
	Providers  []manifestModule `yaml:"providers"`
	Converters []manifestModule `yaml:"converters"`
	Replaces   []string         `yaml:"replaces"`
}

func loadManifest(t *testing.T) manifest {
	t.Helper()
	raw, err := os.ReadFile("builder-config.yaml")
	require.NoError(t, err)
	var m manifest
	require.NoError(t, yaml.Unmarshal(raw, &m))
	return m
}

var newFactoryRe = regexp.MustCompile(`(?m)^func NewFactory\(`)

// ownComponents finds this repository's component packages of one kind: directories under kindDir
// whose non-test sources define NewFactory.
func ownComponents(t *testing.T, kindDir string) []string {
	t.Helper()
	var pkgs []string
	dirs, _ := filepath.Glob(filepath.Join(kindDir, "*"))
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			if newFactoryRe.Match(src) {
				pkgs = append(pkgs, rootModule+"/"+filepath.ToSlash(dir))
				break
			}
		}
	}
	sort.Strings(pkgs)
	return pkgs
}

func ownImports(mods []manifestModule) []string {
	var pkgs []string
	for _, m := range mods {
		if strings.HasPrefix(m.GoMod, rootModule+" ") {
			pkgs = append(pkgs, m.Import)
		}
	}
	sort.Strings(pkgs)
	return pkgs
}

// TestManifestListsExactlyOwnComponents keeps builder-config.yaml and the tree in step: a component
// written but not listed never reaches the binary, and a listed one that is gone breaks the build.
func TestManifestListsExactlyOwnComponents(t *testing.T) {
	m := loadManifest(t)
	f := func(kind string, listed []manifestModule, dir string) {
		t.Helper()
		assert.Equal(t, ownComponents(t, dir), ownImports(listed), "%s of this repository in builder-config.yaml", kind)
	}
	f("receivers", m.Receivers, "receiver")
	f("processors", m.Processors, "processor")
	f("exporters", m.Exporters, "exporter")
	f("extensions", m.Extensions, "extension")
	f("connectors", m.Connectors, "connector")
	f("providers", m.Providers, "config")
	f("converters", m.Converters, "converter")
	assert.Contains(t, m.Replaces, rootModule+" => ../", "own components must build from the working tree")
}

// TestManifestOneRelease: every upstream collector module stays at the one release the distribution is
// built from; mixing releases skews pdata and fails at run time, not at build time.
func TestManifestOneRelease(t *testing.T) {
	m := loadManifest(t)
	stable := regexp.MustCompile(`^go\.opentelemetry\.io/collector/(confmap/provider/\w+|pdata|component|consumer)\b`)
	var all []manifestModule
	for _, l := range [][]manifestModule{m.Receivers, m.Processors, m.Exporters, m.Extensions, m.Connectors, m.Providers, m.Converters} {
		all = append(all, l...)
	}
	for _, mod := range all {
		path, version, ok := strings.Cut(mod.GoMod, " ")
		require.True(t, ok, "gomod %q needs a version", mod.GoMod)
		switch {
		case path == rootModule:
			assert.Equal(t, "v0.0.0", version, path)
		case stable.MatchString(path):
			assert.Equal(t, "v1.67.0", version, path)
		case strings.HasPrefix(path, "go.opentelemetry.io/collector/"),
			strings.HasPrefix(path, "github.com/open-telemetry/opentelemetry-collector-contrib/"):
			assert.Equal(t, "v0.161.0", version, path)
		default:
			t.Errorf("unexpected module %q in the manifest", path)
		}
	}
}
