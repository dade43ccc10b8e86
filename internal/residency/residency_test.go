package residency

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

func TestRegionOfAndStorage(t *testing.T) {
	c := Config{
		Regions: map[string]Region{
			"eu": {Endpoint: "http://ch-eu:8123"},
			"us": {Endpoint: "http://ch-us:8123", Database: "tel_us", Username: "us", Password: "pw"},
		},
		Tenants: map[string]string{"acme-gmbh": "eu", "acme-inc": "us"},
	}
	require.NoError(t, c.Validate())
	assert.True(t, c.Enabled())
	assert.Equal(t, "eu", c.RegionOf("acme-gmbh"))
	assert.Equal(t, "us", c.RegionOf("acme-inc"))
	assert.Equal(t, "", c.RegionOf("other"), "unlisted tenants stay in the component's store")
	c.Unlisted = "eu"
	assert.Equal(t, "eu", c.RegionOf("other"))

	base := chschema.StorageConfig{Endpoint: "http://ch:8123", Database: "telemetry", Username: "u", Password: "p"}
	eu := c.Storage("eu", base)
	assert.Equal(t, chschema.StorageConfig{Endpoint: "http://ch-eu:8123", Database: "telemetry", Username: "u", Password: "p"}, eu)
	us := c.Storage("us", base)
	assert.Equal(t, chschema.StorageConfig{Endpoint: "http://ch-us:8123", Database: "tel_us", Username: "us", Password: "pw"}, us)
	assert.Equal(t, base, c.Storage("", base))
}

func TestValidateNamesKeys(t *testing.T) {
	c := Config{
		Regions: map[string]Region{
			"eu": {},
			"us": {Endpoint: "ftp://x:1", Database: "bad-name"},
		},
		Tenants:  map[string]string{"t1": "apac"},
		Unlisted: "mars",
	}
	err := c.Validate()
	require.Error(t, err)
	for _, want := range []string{
		"residency::regions::eu::endpoint must be set",
		"residency::regions::us::endpoint scheme",
		"residency::regions::us::",
		`residency::tenants::t1: region "apac"`,
		`residency::unlisted: region "mars"`,
	} {
		assert.Contains(t, err.Error(), want)
	}

	assert.NoError(t, (&Config{}).Validate(), "residency is off by default")
	assert.False(t, (&Config{}).Enabled())
	assert.ErrorContains(t, (&Config{Tenants: map[string]string{"a": "eu"}}).Validate(), "need residency::regions")
}
