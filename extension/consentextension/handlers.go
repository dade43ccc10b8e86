package consentextension

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"unicode/utf8"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// Limits of the API contract (README "Endpoints").
const (
	maxUserIDLen        = 256 // as the events receiver
	maxSourceLen        = 128
	maxPolicyVersionLen = 64
	defaultSource       = "api"
	// maxPeek bounds how much of an update body TargetUser reads for the audit trail.
	maxPeek = 64 << 10
)

// routes are the consent endpoints, relative to telemetryapi.BasePath.
func (s *Store) routes() []telemetryapi.Route {
	return []telemetryapi.Route{
		{
			Method: http.MethodGet, Path: "/consent/status", Role: telemetryapi.RolePrivacy,
			Handler:    http.HandlerFunc(s.handleStatus),
			TargetUser: func(r *http.Request) string { return r.URL.Query().Get("user_id") },
		},
		{
			Method: http.MethodPost, Path: "/consent/update", Role: telemetryapi.RolePrivacy,
			Handler:    http.HandlerFunc(s.handleUpdate),
			TargetUser: peekUserID,
		},
	}
}

func writeFieldError(w http.ResponseWriter, field, message string) {
	telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: telemetryapi.ErrorDetail{
		Code: "invalid_field", Message: message, Field: field,
	}})
}

// checkText validates a free-text field; "" when valid, else the message.
func checkText(field, v string, max int, required bool) string {
	switch {
	case v == "" && required:
		return field + " is required"
	case len(v) > max:
		return fmt.Sprintf("%s must be at most %d bytes", field, max)
	case !utf8.ValidString(v):
		return field + " must be valid UTF-8"
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return field + " must not contain control characters"
		}
	}
	return ""
}

func (s *Store) handleStatus(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user_id")
	if msg := checkText("user_id", user, maxUserIDLen, true); msg != "" {
		writeFieldError(w, "user_id", msg)
		return
	}
	telemetryapi.WriteJSON(w, http.StatusOK, s.Get(telemetryapi.EffectiveTenant(r), user))
}

// handleUpdate reads the body as raw fields first, so every error names the field at fault
// (purposes.analytics rather than a decoder message about Go types).
func (s *Store) handleUpdate(w http.ResponseWriter, r *http.Request) {
	var raw map[string]json.RawMessage
	if !telemetryapi.DecodeJSON(w, r, &raw) {
		return
	}
	if raw == nil {
		writeFieldError(w, "", "request body must be a JSON object")
		return
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	u := Update{Tenant: telemetryapi.EffectiveTenant(r), Source: defaultSource, Purposes: map[string]bool{}}
	if p, ok := telemetryapi.PrincipalFrom(r.Context()); ok {
		u.Actor = p.KeyID
	}
	for _, k := range keys {
		v := raw[k]
		var (
			msg string
			err error
		)
		switch k {
		case "user_id":
			if err = json.Unmarshal(v, &u.UserID); err == nil {
				msg = checkText(k, u.UserID, maxUserIDLen, true)
			}
		case "source":
			if err = json.Unmarshal(v, &u.Source); err == nil {
				msg = checkText(k, u.Source, maxSourceLen, true)
			}
		case "policy_version":
			if err = json.Unmarshal(v, &u.PolicyVersion); err == nil {
				msg = checkText(k, u.PolicyVersion, maxPolicyVersionLen, false)
			}
		case "purposes":
			if field, m := s.decodePurposes(v, u.Purposes); m != "" {
				writeFieldError(w, field, m)
				return
			}
		default:
			writeFieldError(w, k, fmt.Sprintf("unknown field %q; allowed: user_id, purposes, source, policy_version", k))
			return
		}
		if err != nil {
			writeFieldError(w, k, k+" must be a string")
			return
		}
		if msg != "" {
			writeFieldError(w, k, msg)
			return
		}
	}
	if _, ok := raw["user_id"]; !ok {
		writeFieldError(w, "user_id", "user_id is required")
		return
	}
	if _, ok := raw["purposes"]; !ok {
		writeFieldError(w, "purposes", fmt.Sprintf("purposes is required: an object of purpose -> true/false, purposes: %v", s.purposes))
		return
	}
	state, err := s.Update(r.Context(), u)
	switch {
	case errors.Is(err, ErrStoreFull):
		telemetryapi.WriteError(w, http.StatusInsufficientStorage, "consent_store_full", err.Error())
	case errors.Is(err, ErrStorage):
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_unavailable",
			"the consent change could not be stored; nothing changed, retry later")
	case err != nil:
		telemetryapi.WriteError(w, http.StatusInternalServerError, "internal_error", err.Error())
	default:
		telemetryapi.WriteJSON(w, http.StatusOK, state)
	}
}

// decodePurposes fills into from {"purpose": bool, ...}; on error it returns the field and message.
func (s *Store) decodePurposes(v json.RawMessage, into map[string]bool) (string, string) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil || m == nil {
		return "purposes", "purposes must be an object of purpose -> true/false"
	}
	if len(m) == 0 {
		return "purposes", "purposes must name at least one purpose"
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		field := "purposes." + k
		if _, ok := s.index[k]; !ok {
			return field, fmt.Sprintf("unknown purpose %q; configured purposes: %v", k, s.purposes)
		}
		// *bool: JSON null decodes without error into a bool as false, which would record a denial.
		var b *bool
		if err := json.Unmarshal(m[k], &b); err != nil || b == nil {
			return field, field + " must be true (granted) or false (denied)"
		}
		into[k] = *b
	}
	return "", ""
}

// peekUserID names the data subject of an update for the audit trail. It reads the body and puts
// it back, so the extension must call TargetUser with the request it then passes to the handler.
func peekUserID(r *http.Request) string {
	if r.Body == nil {
		return ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPeek))
	rest := r.Body
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), rest), rest}
	if err != nil {
		return ""
	}
	var v struct {
		UserID string `json:"user_id"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.UserID
}
