// Command clickhouse-embedded serves ClickHouse's HTTP interface on top of
// the in-process chDB engine (libchdb), so that `make run` and end-to-end
// tests have a ClickHouse without Docker. For local development and tests
// only; production uses a real ClickHouse server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "clickhouse-embedded:", err)
		os.Exit(1)
	}
}

// defaultSessions lets a long statement (an erasure, a sampling decision)
// run beside the inserts instead of holding them back, as on a server.
const defaultSessions = 4

type options struct {
	listen   string
	path     string
	lib      string
	verbose  bool
	maxBody  int64
	cut      string
	sessions int
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("clickhouse-embedded", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8123", "address of the HTTP interface")
	fs.StringVar(&o.path, "path", "./_data/clickhouse", "data directory (kept across restarts)")
	fs.StringVar(&o.lib, "lib", defaultLib(), "path of libchdb.so (default: $CHDB_LIB_PATH, else _tools/chdb/libchdb.so)")
	fs.BoolVar(&o.verbose, "verbose", false, "log every query")
	fs.Int64Var(&o.maxBody, "max-body-bytes", defaultMaxBody, "largest request body accepted, after decompression (it is held in memory)")
	fs.IntVar(&o.sessions, "sessions", defaultSessions, "chDB sessions: statements that may run at once")
	fs.StringVar(&o.cut, "cut-insert-responses", "", "TESTS ONLY: <table>:<n> commits the first n INSERTs into tables whose name contains <table>, then closes the connection without answering")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if _, err := parseCut(o.cut); err != nil {
		return o, err
	}
	if o.sessions < 1 {
		return o, fmt.Errorf("--sessions must be at least 1, got %d", o.sessions)
	}
	if o.maxBody <= 0 {
		return o, fmt.Errorf("--max-body-bytes must be positive, got %d", o.maxBody)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return o, nil
}

func defaultLib() string {
	if p := os.Getenv("CHDB_LIB_PATH"); p != "" {
		return p
	}
	return filepath.Join("_tools", "chdb", "libchdb.so")
}

// checkLib fails clearly before dlopen, which would otherwise report a
// missing file as an obscure loader error.
func checkLib(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("libchdb not found at %s (set --lib or CHDB_LIB_PATH; the Makefile fetches it from npm @chdb/lib-linux-x64-gnu into _tools/chdb): %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("--lib %s is a directory, want the libchdb.so file", path)
	}
	return nil
}

func run(args []string, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := checkLib(o.lib); err != nil {
		return err
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// The engine reads TZ when it starts; ClickHouse servers in tests and
	// production run in UTC, so DateTime text must not follow the host.
	if err := os.Setenv("TZ", "UTC"); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	engs, err := openChdb(o.lib, o.path, o.sessions)
	if err != nil {
		ln.Close()
		return err
	}
	sessions := make([]engine, len(engs))
	for i, e := range engs {
		sessions[i] = e
	}
	hs := newServer("", logger, sessions...)
	defer hs.close()
	hs.maxBody = o.maxBody
	hs.cut, _ = parseCut(o.cut)
	if hs.cut != nil {
		logger.Warn("fault injection on: INSERT responses will be cut after the commit", "flag", o.cut)
	}
	srv := &http.Server{
		Handler:           hs.routes(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Plain line, not slog: scripts wait for this exact text.
	fmt.Fprintf(stderr, "clickhouse-embedded ready on http://%s (data %s)\n", ln.Addr(), o.path)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Closing the chDB sessions (deferred above) flushes data parts.
	return nil
}
