package main

import (
	"strings"
	"sync"
)

// fakeEngine records statements and answers them with respond.
type fakeEngine struct {
	mu      sync.Mutex
	calls   []fakeCall
	respond func(sql, format string) (result, error)
	closed  bool
}

type fakeCall struct{ sql, format string }

func (f *fakeEngine) Query(sql, format string) (result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{sql, format})
	if f.respond == nil || strings.HasPrefix(sql, "USE ") || strings.HasPrefix(sql, "SET ") {
		return result{}, nil
	}
	return f.respond(sql, format)
}

func (f *fakeEngine) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *fakeEngine) statements() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.sql
	}
	return out
}
