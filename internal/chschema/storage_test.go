package chschema

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientOptions(t *testing.T) {
	opt, err := ClientOptions("https://u:dsnpass@ch.example.com:8443/db?dial_timeout=5s", "otel", "explicit")
	require.NoError(t, err)
	assert.Equal(t, "otel", opt.Auth.Username, "explicit username wins")
	assert.Equal(t, "explicit", opt.Auth.Password, "explicit password wins")
	assert.Empty(t, opt.Auth.Database, "tables are always qualified")
	assert.NotNil(t, opt.TLS, "https implies TLS")
	assert.Equal(t, 5*time.Second, opt.DialTimeout)

	opt, err = ClientOptions("clickhouse://u:dsnpass@ch:9000", "", "")
	require.NoError(t, err)
	assert.Equal(t, "u", opt.Auth.Username)
	assert.Equal(t, "dsnpass", opt.Auth.Password)
	assert.Nil(t, opt.TLS)
}

func TestCheckEndpoint(t *testing.T) {
	f := func(endpoint, want string) {
		t.Helper()
		err := CheckEndpoint(endpoint)
		if want == "" {
			assert.NoError(t, err, endpoint)
			return
		}
		require.Error(t, err, endpoint)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), "s3cret", "a DSN's password is never repeated")
	}
	f("http://127.0.0.1:8123", "")
	f("tcp://ch:9000?dial_timeout=1s", "")
	f("ftp://u:s3cret@ch:21", `scheme "ftp" is not supported`)
	f("127.0.0.1:8123", "not a URL")
	f("clickhouse://u:s3cret@ch:9000?dial_timeout=soon", "not a valid ClickHouse DSN")
}

func TestStorageConfigValidate(t *testing.T) {
	ok := DefaultStorageConfig()
	ok.Endpoint = "http://127.0.0.1:8123"
	require.NoError(t, ok.Validate())
	empty := DefaultStorageConfig()
	require.NoError(t, empty.Validate(), "no endpoint: storage off")

	bad := StorageConfig{Endpoint: "ftp://x:1", Database: "", Timeout: 0}
	err := bad.Validate()
	require.Error(t, err)
	for _, key := range []string{"storage::endpoint", "storage::database", "storage::timeout"} {
		assert.Contains(t, err.Error(), key)
	}
}
