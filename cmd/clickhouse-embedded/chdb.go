package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"
)

// engine is the narrow view the HTTP handlers have of chDB, so that handler
// tests can run against a fake without the 500 MB library.
type engine interface {
	// Query runs one statement; format is the output format used when the
	// statement has no FORMAT clause of its own.
	Query(sql, format string) (result, error)
	Close() error
}

type result struct {
	Data      []byte
	RowsRead  uint64
	BytesRead uint64
	Elapsed   time.Duration
}

// chdbLib binds libchdb with purego directly instead of importing
// chdb-go's chdb-purego: that package dlopens the library in its init(), so
// it would run before --lib is parsed and panic when the file is absent.
type chdbLib struct {
	fnClose   func(conn *chdbConnection)
	fnQuery   func(conn unsafe.Pointer, query, format string) *chdbResult
	fnDestroy func(res *chdbResult)
	fnBuffer  func(res *chdbResult) *byte
	fnLen     func(res *chdbResult) uintptr
	fnElapsed func(res *chdbResult) float64
	fnRows    func(res *chdbResult) uint64
	fnBytes   func(res *chdbResult) uint64
	fnError   func(res *chdbResult) string
}

// chdbEngine is one connection (session) to the process's chDB engine.
// Since chDB 4 (libchdb 26.x) connections to the same data path are
// independent: each has its own USE/SET state and their queries run in
// parallel, as a server's sessions do.
type chdbEngine struct {
	*chdbLib
	mu   sync.Mutex // one query at a time per connection
	conn *chdbConnection
}

// chdbConnection mirrors chdb.h's `struct chdb_connection_ { void *internal_data; }`.
type chdbConnection struct{ internal unsafe.Pointer }

// chdbResult is opaque; only pointers to it cross the boundary.
type chdbResult struct{ _ unsafe.Pointer }

// openChdb loads the library at libPath and opens n persistent sessions on dataPath.
func openChdb(libPath, dataPath string, n int) ([]*chdbEngine, error) {
	abs, err := filepath.Abs(dataPath)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	lib, err := purego.Dlopen(libPath, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", libPath, err)
	}
	e := &chdbLib{}
	var connect func(argc int, argv []*byte) *chdbConnection
	syms := []struct {
		fn   any
		name string
	}{
		{&connect, "chdb_connect"},
		{&e.fnClose, "chdb_close_conn"},
		{&e.fnQuery, "chdb_query"},
		{&e.fnDestroy, "chdb_destroy_query_result"},
		{&e.fnBuffer, "chdb_result_buffer"},
		{&e.fnLen, "chdb_result_length"},
		{&e.fnElapsed, "chdb_result_elapsed"},
		{&e.fnRows, "chdb_result_rows_read"},
		{&e.fnBytes, "chdb_result_bytes_read"},
		{&e.fnError, "chdb_result_error"},
	}
	for _, s := range syms {
		if _, err := purego.Dlsym(lib, s.name); err != nil {
			return nil, fmt.Errorf("%s: symbol %s: %w (is this libchdb >= 3.0?)", libPath, s.name, err)
		}
		purego.RegisterLibFunc(s.fn, lib, s.name)
	}
	args := []string{"clickhouse", "--path=" + abs}
	argv := make([]*byte, len(args))
	for i, a := range args {
		b := append([]byte(a), 0)
		argv[i] = &b[0]
	}
	engs := make([]*chdbEngine, 0, n)
	for range n {
		conn := connect(len(argv), argv)
		if conn == nil {
			for _, o := range engs {
				o.Close()
			}
			return nil, errors.New("chdb_connect failed (is the data directory used by another process?)")
		}
		engs = append(engs, &chdbEngine{chdbLib: e, conn: conn})
	}
	return engs, nil
}

func (e *chdbEngine) Query(sql, format string) (result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn == nil {
		return result{}, errors.New("engine closed")
	}
	res := e.fnQuery(e.conn.internal, sql, format)
	if res == nil {
		return result{}, nil
	}
	defer e.fnDestroy(res)
	if msg := e.fnError(res); msg != "" {
		return result{}, errors.New(msg)
	}
	r := result{
		RowsRead:  e.fnRows(res),
		BytesRead: e.fnBytes(res),
		Elapsed:   time.Duration(e.fnElapsed(res) * float64(time.Second)),
	}
	if n := int(e.fnLen(res)); n > 0 {
		if buf := e.fnBuffer(res); buf != nil {
			r.Data = append([]byte(nil), unsafe.Slice(buf, n)...)
		}
	}
	return r, nil
}

// Close ends the session; closing the last one flushes pending parts to disk.
func (e *chdbEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.conn != nil {
		e.fnClose(e.conn)
		e.conn = nil
	}
	return nil
}
