package telemetryapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// DecodeJSON reads r's body as one JSON value into v. On failure it answers the request itself and
// returns false: 415 when Content-Type is not application/json, 413 when the body exceeds the
// server's max_request_body_size (the extension's server wraps every body in http.MaxBytesReader),
// 400 when the JSON is malformed or followed by more data.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		WriteError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
		return false
	}
	dec := json.NewDecoder(r.Body)
	err = dec.Decode(v)
	if err == nil {
		// A second value (or garbage) after the first is a malformed request, not extra data to skip.
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		WriteError(w, http.StatusRequestEntityTooLarge, "payload_too_large",
			fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit))
		return false
	}
	WriteError(w, http.StatusBadRequest, "invalid_json", "request body is not valid JSON: "+err.Error())
	return false
}
