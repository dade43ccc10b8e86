// Package telemetryprovider is a confmap provider for the `telemetry:` scheme. It turns the spec's
// TELEMETRY_* environment variables into validated configuration values in the units stock components
// expect, e.g. `${telemetry:sampling_percentage}` is TELEMETRY_SAMPLE_RATE (0.0–1.0) times 100.
//
// Every variable is checked on first use, so one wrong value anywhere stops the collector at start
// with a message naming the variable, even if the configuration does not reference it.
package telemetryprovider // import "github.com/otelcol-telemetry/otelcol-telemetry/config/telemetryprovider"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/confmap"
)

const schemeName = "telemetry"

type provider struct {
	lookup func(string) (string, bool)

	once   sync.Once
	values map[string]any
	err    error
}

// NewFactory returns the factory of the `telemetry:` provider.
func NewFactory() confmap.ProviderFactory {
	return confmap.NewProviderFactory(func(confmap.ProviderSettings) confmap.Provider {
		return &provider{lookup: os.LookupEnv}
	})
}

func (p *provider) Retrieve(_ context.Context, uri string, _ confmap.WatcherFunc) (*confmap.Retrieved, error) {
	selector, ok := strings.CutPrefix(uri, schemeName+":")
	if !ok {
		return nil, fmt.Errorf("%q uri is not supported by %q provider", uri, schemeName)
	}
	// The environment does not change while the collector runs: read and check it once.
	p.once.Do(func() { p.values, p.err = resolve(p.lookup) })
	if p.err != nil {
		return nil, p.err
	}
	v, ok := p.values[selector]
	if !ok {
		return nil, fmt.Errorf("unknown selector %q in ${%s}: known selectors are %s", selector, uri, strings.Join(Selectors(), ", "))
	}
	if u, ok := v.(unset); ok {
		return nil, errors.New(u.why)
	}
	if s, ok := v.(string); ok {
		// Strings stay strings whatever they look like (an API key is never parsed as YAML).
		return confmap.NewRetrieved(s)
	}
	if l, ok := v.([]any); ok {
		// Lists (TELEMETRY_GATEWAYS) are a whole YAML value: `hostnames: ${telemetry:gateways}`.
		return confmap.NewRetrieved(l)
	}
	// Numbers and booleans go through YAML so the resolver keeps their text too: a string field
	// (a filter condition, a header) then gets "false", a numeric field gets false's typed value.
	text := fmt.Sprint(v)
	if f, ok := v.(float64); ok {
		text = strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(text, ".") {
			text += ".0" // stays a float in YAML
		}
	}
	return confmap.NewRetrievedFromYAML([]byte(text))
}

func (*provider) Scheme() string { return schemeName }

func (*provider) Shutdown(context.Context) error { return nil }

// Selectors lists every name usable after `telemetry:`.
func Selectors() []string {
	values, err := resolve(func(string) (string, bool) { return "", false })
	if err != nil {
		panic(err) // the defaults are part of this package: a failure is a programming error
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
