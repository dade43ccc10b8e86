package chschema

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.opentelemetry.io/collector/config/configopaque"
)

// Schemes are the DSN schemes of a ClickHouse endpoint: native protocol or HTTP interface.
var Schemes = []string{"clickhouse", "tcp", "http", "https"}

// CheckEndpoint reports what is wrong with a ClickHouse DSN. The message never repeats the DSN, which
// may carry a password; callers prefix it with their YAML key.
func CheckEndpoint(endpoint string) error {
	_, err := parseEndpoint(endpoint)
	return err
}

// ClientOptions turns a DSN plus explicit credentials into clickhouse-go options. Explicit credentials
// win over the DSN's, so secrets can stay out of the endpoint. No default database is set: every
// statement names its tables as `database`.`table`, and the database may not exist yet.
func ClientOptions(endpoint, username string, password configopaque.String) (*clickhouse.Options, error) {
	opt, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if username != "" {
		opt.Auth.Username = username
	}
	if password != "" {
		opt.Auth.Password = string(password)
	}
	opt.Auth.Database = ""
	return opt, nil
}

func parseEndpoint(endpoint string) (*clickhouse.Options, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, errors.New("is not a URL with a host")
	}
	if !slices.Contains(Schemes, strings.ToLower(u.Scheme)) {
		return nil, fmt.Errorf("scheme %q is not supported, use one of %v", u.Scheme, Schemes)
	}
	// clickhouse-go wants secure=true for TLS; an https endpoint should not need it spelled out.
	if strings.EqualFold(u.Scheme, "https") && !u.Query().Has("secure") {
		q := u.Query()
		q.Set("secure", "true")
		u.RawQuery = q.Encode()
	}
	opt, err := clickhouse.ParseDSN(u.String())
	if err != nil {
		return nil, errors.New("is not a valid ClickHouse DSN")
	}
	return opt, nil
}

// StorageConfig is the `storage` block of components that read or write the Telemetry Module tables
// without owning them (consent, audit): the same keys as the telemetry_storage exporter, whose
// migrations create the tables.
type StorageConfig struct {
	// Endpoint is the ClickHouse DSN (clickhouse://, tcp://, http://, https://). Default: none.
	Endpoint string `mapstructure:"endpoint"`
	// Database holding the tables. Default "telemetry".
	Database string `mapstructure:"database"`
	// Username overrides a user in the DSN. Default: none.
	Username string `mapstructure:"username"`
	// Password overrides a password in the DSN. Default: none.
	Password configopaque.String `mapstructure:"password"`
	// Timeout of each query and insert. Default 10s.
	Timeout time.Duration `mapstructure:"timeout"`
}

// DefaultStorageConfig is the StorageConfig defaults.
func DefaultStorageConfig() StorageConfig {
	return StorageConfig{Database: DefaultDatabase, Timeout: 10 * time.Second}
}

// Validate checks every field, naming keys under `storage::`. An empty endpoint is valid: the
// component then runs without storage where it can.
func (s *StorageConfig) Validate() error {
	var errs []error
	if s.Endpoint != "" {
		if err := CheckEndpoint(s.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("storage::endpoint %w", err))
		}
	}
	if s.Database == "" {
		errs = append(errs, errors.New("storage::database must not be empty"))
	} else if _, err := New(Options{Database: s.Database}); err != nil {
		errs = append(errs, fmt.Errorf("storage::%w", err))
	}
	if s.Timeout <= 0 {
		errs = append(errs, errors.New("storage::timeout must be positive"))
	}
	return errors.Join(errs...)
}

// ClientOptions gives the clickhouse-go options of this storage.
func (s *StorageConfig) ClientOptions() (*clickhouse.Options, error) {
	opt, err := ClientOptions(s.Endpoint, s.Username, s.Password)
	if err != nil {
		return nil, fmt.Errorf("storage::endpoint %w", err)
	}
	return opt, nil
}
