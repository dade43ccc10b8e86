package telemetryprovider

import (
	"context"
	"strings"

	"go.opentelemetry.io/collector/confmap"
)

// yamlProviderFactory is a minimal `yaml:` provider so the resolver test needs no other module.
func yamlProviderFactory() confmap.ProviderFactory {
	return confmap.NewProviderFactory(func(confmap.ProviderSettings) confmap.Provider { return yamlProvider{} })
}

type yamlProvider struct{}

func (yamlProvider) Retrieve(_ context.Context, uri string, _ confmap.WatcherFunc) (*confmap.Retrieved, error) {
	return confmap.NewRetrievedFromYAML([]byte(strings.TrimPrefix(uri, "yaml:")))
}
func (yamlProvider) Scheme() string                 { return "yaml" }
func (yamlProvider) Shutdown(context.Context) error { return nil }
