package fleetstore

import (
	"context"
	"sort"
	"sync"
	"time"
)

// MemoryBackend keeps records in this process only: for tests and for a single collector without
// storage (the state is lost on restart).
type MemoryBackend struct {
	mu   sync.Mutex
	recs []Record
}

// NewMemoryBackend returns an empty backend.
func NewMemoryBackend() *MemoryBackend { return &MemoryBackend{} }

func (m *MemoryBackend) Insert(_ context.Context, r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Body = append([]byte(nil), r.Body...)
	m.recs = append(m.recs, r)
	return nil
}

func (m *MemoryBackend) Since(_ context.Context, since time.Time) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for _, r := range m.recs {
		if !r.UpdatedAt.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *MemoryBackend) History(_ context.Context, k Key, limit int) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for _, r := range m.recs {
		if r.KeyOf() == k {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version > out[j].Version })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (m *MemoryBackend) Close() error { return nil }
