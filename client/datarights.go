package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// ErrInvalidUserID is returned for an empty user id (the server would answer 400).
var ErrInvalidUserID = errors.New("invalid user id")

// DeletionRequest is the state of a data-subject deletion request (GET /data/requests/{id}).
type DeletionRequest struct {
	RequestID  string     `json:"request_id"`
	Tenant     string     `json:"tenant"`
	Subject    string     `json:"subject"`
	Status     string     `json:"status"` // pending, running, completed or failed
	Reason     string     `json:"reason,omitempty"`
	Attempts   int        `json:"attempts"`
	AcceptedAt time.Time  `json:"accepted_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Persisted  bool       `json:"persisted"`
	LastError  string     `json:"last_error,omitempty"`
	// Receipt is the signed receipt once the request has finished, as the server sent it.
	Receipt json.RawMessage `json:"receipt,omitempty"`
	// Location is the status URL path (DeleteUserData only).
	Location string `json:"location,omitempty"`
	// Existing is true when DeleteUserData returned a request already open for the user.
	Existing bool `json:"existing,omitempty"`
}

// Done reports whether the request has ended (completed or failed).
func (d DeletionRequest) Done() bool { return d.Status == "completed" || d.Status == "failed" }

// DeleteUserData asks the collector to delete every stored record of userID (raw, as the
// application sends it) and to suppress the user's later data; it needs a key with the privacy
// role. The deletion runs in the background: poll DeletionStatus with the returned RequestID.
// A non-2xx answer is returned as the same error type as failed event batches (its message
// carries the HTTP status and the server's JSON error).
func (c *Client) DeleteUserData(ctx context.Context, userID string) (DeletionRequest, error) {
	if userID == "" {
		return DeletionRequest{}, ErrInvalidUserID
	}
	var out DeletionRequest
	err := c.apiJSON(ctx, http.MethodDelete, "/data/"+url.PathEscape(userID), http.StatusAccepted, &out)
	return out, err
}

// DeletionStatus returns the state of a deletion request and, once completed, its receipt.
func (c *Client) DeletionStatus(ctx context.Context, requestID string) (DeletionRequest, error) {
	var out DeletionRequest
	err := c.apiJSON(ctx, http.MethodGet, "/data/requests/"+url.PathEscape(requestID), http.StatusOK, &out)
	return out, err
}

// ExportUserData streams everything stored about userID (NDJSON: a header line, one line per row,
// a trailer with the row counts) to w, without holding it in memory.
func (c *Client) ExportUserData(ctx context.Context, userID string, w io.Writer) error {
	if userID == "" {
		return ErrInvalidUserID
	}
	resp, err := c.apiDo(ctx, http.MethodGet, "/data/"+url.PathEscape(userID)+"/export")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return readStatusError(resp)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("telemetry client: export: %w", err)
	}
	return nil
}

func (c *Client) apiDo(ctx context.Context, method, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, trimSlash(c.cfg.Endpoint)+"/api/v1/telemetry"+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "otelcol-telemetry-go-client/1")
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	return c.http.Do(req)
}

func (c *Client) apiJSON(ctx context.Context, method, path string, want int, out any) error {
	resp, err := c.apiDo(ctx, method, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return readStatusError(resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(out); err != nil {
		return fmt.Errorf("telemetry client: unreadable %d answer: %w", resp.StatusCode, err)
	}
	return nil
}

func readStatusError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return &statusError{status: resp.StatusCode, body: string(raw)}
}
