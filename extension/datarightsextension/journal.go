package datarightsextension

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// journalFile holds, under journal_directory, the requests accepted while ClickHouse could not store
// them, so a collector killed before ClickHouse returns still runs them after a restart.
const journalFile = "data_rights_pending.jsonl"

type journalEntry struct {
	Tenant     string `json:"tenant"`
	ID         string `json:"request_id"`
	Subject    string `json:"subject"`
	UserID     string `json:"user_id"`
	Actor      string `json:"actor"`
	AcceptedAt int64  `json:"accepted_at"`
	// From, To and EventID are a time-ranged or single-event request's scope: without them a replay
	// would erase (and suppress) the whole user.
	From    int64  `json:"from,omitempty"`
	To      int64  `json:"to,omitempty"`
	EventID string `json:"event_id,omitempty"`
}

// journal is a small file rewritten whole: it only holds requests waiting for ClickHouse.
type journal struct {
	path string
	mu   sync.Mutex
}

func newJournal(dir string) (*journal, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal_directory: %w", err)
	}
	return &journal{path: filepath.Join(dir, journalFile)}, nil
}

func (j *journal) load() ([]journalEntry, error) {
	f, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []journalEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e journalEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.ID != "" {
			out = append(out, e) // a torn last line (crash while writing) is skipped
		}
	}
	return out, sc.Err()
}

// write replaces the journal with entries (removing it when empty), durably.
func (j *journal) write(entries []journalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(entries) == 0 {
		err := os.Remove(j.path)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	tmp := j.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, e := range entries {
		b, _ := json.Marshal(e)
		_, _ = w.Write(append(b, '\n'))
	}
	if err := errors.Join(w.Flush(), f.Sync(), f.Close()); err != nil {
		return err
	}
	return os.Rename(tmp, j.path)
}

// syncJournal writes the requests that are accepted but not stored yet; call without x.mu held.
func (x *dataRights) syncJournal() {
	if x.journal == nil {
		return
	}
	x.mu.Lock()
	var entries []journalEntry
	for _, r := range x.byID {
		if !r.persisted && r.open() {
			entries = append(entries, journalEntry{Tenant: r.Tenant, ID: r.ID, Subject: r.Subject, UserID: r.UserID, Actor: r.Actor, AcceptedAt: r.AcceptedAt,
				From: r.From, To: r.To, EventID: r.EventID})
		}
	}
	x.mu.Unlock()
	if err := x.journal.write(entries); err != nil {
		x.logger.Error("journal of requests waiting for ClickHouse not written; they are lost if this collector stops before ClickHouse returns: " + err.Error())
	}
}
