package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// cutAfterCommit is the test-only fault of --cut-insert-responses: the first n INSERTs into a
// table whose name contains match are executed (their rows are committed) and then the connection
// is closed without a response, the way a timeout or a network cut after the commit looks to a
// client. End-to-end tests use it to prove a retried batch is stored once.
type cutAfterCommit struct {
	mu    sync.Mutex
	match string
	left  int
}

// parseCut reads "<table>:<count>"; empty means no fault.
func parseCut(v string) (*cutAfterCommit, error) {
	if v == "" {
		return nil, nil
	}
	table, count, ok := strings.Cut(v, ":")
	n, err := strconv.Atoi(count)
	if !ok || table == "" || err != nil || n <= 0 {
		return nil, fmt.Errorf("--cut-insert-responses wants <table>:<count> with count > 0, got %q", v)
	}
	return &cutAfterCommit{match: table, left: n}, nil
}

// take reports whether the response to this committed statement is to be cut.
func (c *cutAfterCommit) take(text []byte) bool {
	if c == nil {
		return false
	}
	head := text[:min(len(text), 512)]
	if !bytes.HasPrefix(bytes.ToUpper(bytes.TrimSpace(head)), []byte("INSERT")) || !bytes.Contains(head, []byte(c.match)) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left == 0 {
		return false
	}
	c.left--
	return true
}

// cut closes the client's connection without writing a response.
func cut(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // HTTP/2 or a wrapped writer: abort the stream instead
}
