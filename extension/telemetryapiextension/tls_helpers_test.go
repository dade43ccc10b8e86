package telemetryapiextension

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/tlstest"
)

// writeSelfSignedCert writes a fresh certificate for 127.0.0.1 and returns its files and a pool
// trusting it.
func writeSelfSignedCert(t *testing.T) (string, string, *x509.CertPool) {
	return tlstest.WriteSelfSigned(t, "127.0.0.1")
}

func tlsServerConfig(certFile, keyFile string) configoptional.Optional[configtls.ServerConfig] {
	cfg := configtls.NewDefaultServerConfig()
	cfg.CertFile, cfg.KeyFile = certFile, keyFile
	return configoptional.Some(cfg)
}

func tlsClientConfig(pool *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func mustTCPAddr(s string) *net.TCPAddr {
	a, err := net.ResolveTCPAddr("tcp", s)
	if err != nil {
		panic(err)
	}
	return a
}
