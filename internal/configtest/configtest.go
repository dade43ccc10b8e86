// Package configtest loads a component's section of its testdata/config.yaml for config tests, the
// way every component of this distribution lays its tests out (config_test.go + testdata/config.yaml).
package configtest // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// Unmarshal reads testdata/config.yaml of the calling package and unmarshals the section of the
// component typ (name "" is the section `typ`, otherwise `typ/name`) into cfg, normally the
// factory's default config. A missing file or section fails the test; the unmarshal error is
// returned, for tests of invalid configurations.
func Unmarshal(t testing.TB, typ component.Type, name string, cfg component.Config) error {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(typ, name).String())
	require.NoError(t, err)
	return sub.Unmarshal(cfg)
}
