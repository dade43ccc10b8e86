package telemetryapiextension

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// spoolSubdir is the spool's directory under audit::spool_directory, so it can share the
// persistent queue's directory without touching its files.
const spoolSubdir = "telemetry_api_audit"

// spoolSegmentBytes is where a segment is sealed and the next one begun: the drainer reads and
// deletes whole segments, so this bounds what one drain step holds in memory.
const spoolSegmentBytes = 4 << 20

var errSpoolFull = errors.New("audit spool full")

// spool keeps audit records on disk while ClickHouse cannot take them: append-only segment files
// of JSON lines, each append fsynced, drained oldest first and deleted once inserted. A segment
// is never appended to after a restart (the next number is used), so a line torn by a crash can
// only be a segment's last and is skipped when read. Only the auditor's goroutine uses it.
type spool struct {
	dir      string
	maxBytes int64
	bytes    int64 // sum of every segment's size
	sealed   []spoolSegment
	cur      *os.File
	curSeg   spoolSegment
	next     uint64
}

type spoolSegment struct {
	name string
	size int64
}

// spooledRecord is the on-disk form of an auditRecord.
type spooledRecord struct {
	Time       string            `json:"time"`
	RequestID  string            `json:"request_id"`
	Tenant     string            `json:"tenant"`
	KeyID      string            `json:"key_id"`
	ActorType  string            `json:"actor_type"`
	Action     string            `json:"action"`
	TargetType string            `json:"target_type,omitempty"`
	TargetID   string            `json:"target_id,omitempty"`
	Outcome    string            `json:"outcome"`
	Details    map[string]string `json:"details,omitempty"`
}

// openSpool creates the directory and takes over the segments a previous run left.
func openSpool(dir string, maxBytes int64) (*spool, error) {
	dir = filepath.Join(dir, spoolSubdir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit::spool_directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit::spool_directory: %w", err)
	}
	s := &spool{dir: dir, maxBytes: maxBytes, next: 1}
	for _, e := range entries {
		seq, ok := segmentSeq(e.Name())
		if !ok || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("audit::spool_directory: %w", err)
		}
		s.sealed = append(s.sealed, spoolSegment{name: e.Name(), size: info.Size()})
		s.bytes += info.Size()
		s.next = max(s.next, seq+1)
	}
	slices.SortFunc(s.sealed, func(a, b spoolSegment) int { return strings.Compare(a.name, b.name) })
	return s, nil
}

func segmentName(seq uint64) string { return fmt.Sprintf("%020d.jsonl", seq) }

func segmentSeq(name string) (uint64, bool) {
	base, ok := strings.CutSuffix(name, ".jsonl")
	if !ok || len(base) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(base, 10, 64)
	return n, err == nil
}

// empty reports whether no record waits on disk.
func (s *spool) empty() bool { return len(s.sealed) == 0 && s.cur == nil }

// write appends recs durably, or returns errSpoolFull without writing any of them.
func (s *spool) write(recs []auditRecord) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range recs {
		if err := enc.Encode(toSpooled(r)); err != nil {
			return err
		}
	}
	if s.bytes+int64(buf.Len()) > s.maxBytes {
		return errSpoolFull
	}
	if s.cur == nil || s.curSeg.size >= spoolSegmentBytes {
		if err := s.seal(); err != nil {
			return err
		}
		name := segmentName(s.next)
		f, err := os.OpenFile(filepath.Join(s.dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		s.next++
		s.cur, s.curSeg = f, spoolSegment{name: name}
		// The new file's directory entry must survive a crash too.
		if err := syncDir(s.dir); err != nil {
			return err
		}
	}
	before := s.curSeg.size
	n, err := s.cur.Write(buf.Bytes())
	if err == nil {
		err = s.cur.Sync()
	}
	if err != nil {
		// The caller keeps all of recs and tries again: cut what was written of them, so no
		// record is both spooled and retried. If even that fails, the segment keeps them (and they
		// may be stored twice); it is sealed so nothing is appended after a torn line.
		if terr := s.cur.Truncate(before); terr != nil {
			s.curSeg.size += int64(n)
			s.bytes += int64(n)
			err = errors.Join(err, terr)
		}
		_ = s.seal()
		return err
	}
	s.curSeg.size += int64(n)
	s.bytes += int64(n)
	return nil
}

// writeSegment writes recs as a segment of their own (sealed before and after), so draining it
// inserts exactly these records again.
func (s *spool) writeSegment(recs []auditRecord) error {
	if err := s.seal(); err != nil {
		return err
	}
	if err := s.write(recs); err != nil {
		return err
	}
	// The records are synced; a failing close must not make the caller keep them as well.
	_ = s.seal()
	return nil
}

// seal closes the segment being appended to; it becomes the newest drainable one.
func (s *spool) seal() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.Close()
	s.sealed = append(s.sealed, s.curSeg)
	s.cur, s.curSeg = nil, spoolSegment{}
	return err
}

// oldest seals the current segment if it is the only one and returns the oldest segment's
// records (lines that do not parse, a torn last line, are counted in corrupt).
func (s *spool) oldest() (seg spoolSegment, recs []auditRecord, corrupt int, err error) {
	if len(s.sealed) == 0 {
		if err := s.seal(); err != nil {
			return seg, nil, 0, err
		}
	}
	if len(s.sealed) == 0 {
		return seg, nil, 0, nil
	}
	seg = s.sealed[0]
	f, err := os.Open(filepath.Join(s.dir, seg.name))
	if err != nil {
		return seg, nil, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), spoolSegmentBytes+(1<<20))
	for sc.Scan() {
		var sr spooledRecord
		if json.Unmarshal(sc.Bytes(), &sr) != nil || sr.RequestID == "" {
			corrupt++
			continue
		}
		rec, ok := fromSpooled(sr)
		if !ok {
			corrupt++
			continue
		}
		recs = append(recs, rec)
	}
	return seg, recs, corrupt, sc.Err()
}

// remove deletes a drained segment.
func (s *spool) remove(seg spoolSegment) error {
	if len(s.sealed) == 0 || s.sealed[0].name != seg.name {
		return fmt.Errorf("audit spool: %s is not the oldest segment", seg.name)
	}
	if err := os.Remove(filepath.Join(s.dir, seg.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	s.sealed = s.sealed[1:]
	s.bytes -= seg.size
	return nil
}

func (s *spool) close() error { return s.seal() }

func toSpooled(r auditRecord) spooledRecord {
	return spooledRecord{
		Time: r.Time.UTC().Format(time.RFC3339Nano), RequestID: r.RequestID, Tenant: r.Tenant, KeyID: r.KeyID,
		ActorType: r.ActorType, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID,
		Outcome: r.Outcome, Details: r.Details,
	}
}

func fromSpooled(sr spooledRecord) (auditRecord, bool) {
	t, err := time.Parse(time.RFC3339Nano, sr.Time)
	if err != nil {
		return auditRecord{}, false
	}
	return auditRecord{
		Time: t.UTC(), RequestID: sr.RequestID, Tenant: sr.Tenant, KeyID: sr.KeyID, ActorType: sr.ActorType,
		Action: sr.Action, TargetType: sr.TargetType, TargetID: sr.TargetID, Outcome: sr.Outcome, Details: sr.Details,
	}, true
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
