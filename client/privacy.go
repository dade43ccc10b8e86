package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// PrivacyPolicy is a tenant's privacy policy, the spec's configure_privacy: it tightens the
// collector operator's configuration (empty fields keep it; field lists add to it).
type PrivacyPolicy struct {
	Mode             string            `json:"mode,omitempty"` // strict, balanced or minimal
	PIIFields        []string          `json:"pii_fields,omitempty"`
	PIIFieldsAction  string            `json:"pii_fields_action,omitempty"` // remove, redact or hash
	IdentifierFields []string          `json:"identifier_fields,omitempty"`
	HashIdentifiers  *bool             `json:"hash_identifiers,omitempty"`
	AnonymizeIPs     *bool             `json:"anonymize_ips,omitempty"`
	Actions          map[string]string `json:"actions,omitempty"`
	// AttributeAllowlist: only these record attribute keys are stored (fail-closed).
	AttributeAllowlist []string `json:"attribute_allowlist,omitempty"`
	// ConsentDefault for users without a consent record: opt_in or opt_out.
	ConsentDefault string `json:"consent_default,omitempty"`
	// Purposes maps the tenant's records to consent purposes (empty fields keep the operator's).
	Purposes *PurposeMapping `json:"purposes,omitempty"`
	// RetentionDays per signal: traces, logs, metrics, events.
	RetentionDays map[string]int `json:"retention_days,omitempty"`
}

// PurposeMapping is the consent purpose of each signal, of product events, and of events by name
// prefix (the longest matching prefix wins).
type PurposeMapping struct {
	Traces        string               `json:"traces,omitempty"`
	Metrics       string               `json:"metrics,omitempty"`
	Logs          string               `json:"logs,omitempty"`
	Events        string               `json:"events,omitempty"`
	EventPrefixes []PurposeEventPrefix `json:"event_prefixes,omitempty"`
}

// PurposeEventPrefix maps events whose name starts with Prefix to Purpose.
type PurposeEventPrefix struct {
	Prefix  string `json:"prefix"`
	Purpose string `json:"purpose"`
}

// PolicyState is the policy in effect for the key's tenant.
type PolicyState struct {
	Tenant    string        `json:"tenant"`
	Version   uint64        `json:"version"`
	Policy    PrivacyPolicy `json:"policy"`
	UpdatedAt *time.Time    `json:"updated_at,omitempty"`
	UpdatedBy string        `json:"updated_by,omitempty"`
	// Default is true while the tenant has no policy of its own.
	Default bool `json:"default"`
	// ETag is what ConfigurePrivacy takes to refuse a lost update.
	ETag string `json:"-"`
}

// ErrPolicyChanged is returned by ConfigurePrivacy when ifMatch is not the current version
// (someone else changed the policy: read it again).
var ErrPolicyChanged = errors.New("telemetry client: the privacy policy was changed by someone else")

// PrivacyPolicy returns the privacy policy of the key's tenant (privacy role).
func (c *Client) PrivacyPolicy(ctx context.Context) (PolicyState, error) {
	var out PolicyState
	h, err := c.apiSend(ctx, http.MethodGet, "/privacy/policy", nil, nil, http.StatusOK, &out)
	out.ETag = h.Get("ETag")
	return out, err
}

// ConfigurePrivacy sets the privacy policy of the key's tenant (admin role). ifMatch, when not
// empty, is the ETag of the state it was read from: a concurrent change then fails with
// ErrPolicyChanged instead of being overwritten. A policy the collector refuses (below the
// operator's floor, an unknown field) is an error naming the field.
func (c *Client) ConfigurePrivacy(ctx context.Context, p PrivacyPolicy, ifMatch string) (PolicyState, error) {
	var hdr map[string]string
	if ifMatch != "" {
		hdr = map[string]string{"If-Match": ifMatch}
	}
	var out PolicyState
	h, err := c.apiSend(ctx, http.MethodPut, "/privacy/policy", p, hdr, http.StatusOK, &out)
	var se *statusError
	if errors.As(err, &se) && se.status == http.StatusPreconditionFailed {
		return out, fmt.Errorf("%w: %s", ErrPolicyChanged, se.body)
	}
	out.ETag = h.Get("ETag")
	return out, err
}

// PolicyTestResult is a dry run's answer.
type PolicyTestResult struct {
	// Record is the sample as it would be stored (OTLP JSON).
	Record  json.RawMessage `json:"record"`
	Changes []struct {
		Field    string `json:"field"`
		Action   string `json:"action"`
		Detector string `json:"detector,omitempty"`
		Before   string `json:"before"`
		After    string `json:"after,omitempty"`
	} `json:"changes"`
	Detectors []string `json:"detectors"`
	Stored    bool     `json:"stored"`
}

// TestPrivacyPolicy runs sample (an OTLP JSON export request of signal traces, logs or metrics, or
// for signal "events" one event as TrackEvent sends it)
// through draft, or the tenant's policy in effect when draft is nil, and returns the record as it
// would be stored and every change. Nothing is stored.
func (c *Client) TestPrivacyPolicy(ctx context.Context, signal string, sample json.RawMessage, draft *PrivacyPolicy) (PolicyTestResult, error) {
	body := map[string]any{"signal": signal, "sample": sample}
	if draft != nil {
		body["policy"] = draft
	}
	var out PolicyTestResult
	_, err := c.apiSend(ctx, http.MethodPost, "/privacy/policy/test", body, nil, http.StatusOK, &out)
	return out, err
}

// APIKey is a key of the tenant. Key holds the secret only in the answer of CreateAPIKey and
// RotateAPIKey: it is shown once and stored by the collector as a digest only.
type APIKey struct {
	ID                 string     `json:"id"`
	Tenant             string     `json:"tenant"`
	Roles              []string   `json:"roles"`
	Source             string     `json:"source"`
	CreatedAt          *time.Time `json:"created_at,omitempty"`
	RotatedAt          *time.Time `json:"rotated_at,omitempty"`
	LastUsedAt         *time.Time `json:"last_used_at,omitempty"`
	Key                string     `json:"key,omitempty"`
	PreviousValidUntil *time.Time `json:"previous_valid_until,omitempty"`
}

// CreateAPIKey creates a key of the caller's tenant with roles (admin role).
func (c *Client) CreateAPIKey(ctx context.Context, id string, roles ...string) (APIKey, error) {
	var out APIKey
	_, err := c.apiSend(ctx, http.MethodPost, "/admin/keys", map[string]any{"id": id, "roles": roles}, nil, http.StatusCreated, &out)
	return out, err
}

// APIKeys lists the tenant's keys, never their secrets.
func (c *Client) APIKeys(ctx context.Context) ([]APIKey, error) {
	var out struct {
		Keys []APIKey `json:"keys"`
	}
	_, err := c.apiSend(ctx, http.MethodGet, "/admin/keys", nil, nil, http.StatusOK, &out)
	return out.Keys, err
}

// RotateAPIKey replaces the key's secret; the old one keeps working for overlap (0: refused at once).
func (c *Client) RotateAPIKey(ctx context.Context, id string, overlap time.Duration) (APIKey, error) {
	var out APIKey
	_, err := c.apiSend(ctx, http.MethodPost, "/admin/keys/"+url.PathEscape(id)+"/rotate", map[string]any{"overlap": overlap.String()}, nil, http.StatusOK, &out)
	return out, err
}

// RevokeAPIKey revokes the key on every collector of the fleet.
func (c *Client) RevokeAPIKey(ctx context.Context, id string) error {
	_, err := c.apiSend(ctx, http.MethodDelete, "/admin/keys/"+url.PathEscape(id), nil, nil, http.StatusNoContent, nil)
	return err
}

// apiSend does one API call with a JSON body (nil: none) and decodes a JSON answer into out.
func (c *Client) apiSend(ctx context.Context, method, path string, body any, headers map[string]string, want int, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return http.Header{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, trimSlash(c.cfg.Endpoint)+"/api/v1/telemetry"+path, rd)
	if err != nil {
		return http.Header{}, err
	}
	req.Header.Set("User-Agent", "otelcol-telemetry-go-client/1")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return http.Header{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return resp.Header, readStatusError(resp)
	}
	if out != nil {
		if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(out); err != nil {
			return resp.Header, fmt.Errorf("telemetry client: unreadable %d answer: %w", resp.StatusCode, err)
		}
	}
	return resp.Header, nil
}
