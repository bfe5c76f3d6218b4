package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Option changes how Open opens the file.
type Option func(*options)

type options struct {
	holder string // with Exclusive: who this process is
}

// Exclusive makes Open take the file for this process alone, for as long
// as the store is open, and say who holds it: holder describes this
// process, such as "industrybot serve on 127.0.0.1:8080". Another Open with
// Exclusive then fails at once with an *InUseError; an Open without it,
// such as `industrybot daily status` reading beside serve, works as ever.
//
// A serve keeps channel memory in memory and writes it behind its answers,
// so two of them on one file lose each other's writes: the lock keeps it
// to one. It is an flock(2) on a file beside the database (its name and
// ".lock"), which holds the holder's description; the kernel releases it
// when the process ends, however it ends. Where there is no flock (not
// Unix), Exclusive only records the holder.
func Exclusive(holder string) Option {
	return func(o *options) { o.holder = holder }
}

// InUseError is Open's error when another process holds the file
// exclusively.
type InUseError struct {
	Path   string // the database file
	Holder string // what the holder wrote in the lock file: its pid, host, start and role; "" if unknown
}

func (e *InUseError) Error() string {
	h := e.Holder
	if h == "" {
		h = "another process"
	}
	return fmt.Sprintf("sqlite: %s is in use by %s", e.Path, h)
}

// file is the database file a store opened: its lock, if it took one, and
// its identity, to notice the file being deleted or replaced under it.
type file struct {
	path string      // the file, symbolic links resolved; "" for a database in memory
	info os.FileInfo // the file as opened, once it exists
	lock *os.File    // the lock file, held, with Exclusive
}

// openFile finds the file of a DSN and, with Exclusive, takes its lock.
func openFile(dsn string, opts []Option) (*file, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	f := &file{path: filePath(dsn)}
	if f.path == "" || o.holder == "" {
		return f, nil
	}
	name := f.path + ".lock"
	l, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening the lock file: %w", err)
	}
	if err := flock(l); errors.Is(err, errLocked) {
		holder, _ := io.ReadAll(io.LimitReader(l, 1<<10))
		l.Close()
		return nil, &InUseError{Path: dsn, Holder: strings.TrimSpace(string(holder))}
	} else if err != nil {
		l.Close()
		return nil, fmt.Errorf("sqlite: locking %s: %w", name, err)
	}
	host, err := os.Hostname()
	if err != nil {
		host = "an unknown host"
	}
	desc := fmt.Sprintf("pid %d on %s since %s (%s)\n", os.Getpid(), host, time.Now().UTC().Format("2006-01-02 15:04:05 UTC"), o.holder)
	if err := l.Truncate(0); err == nil {
		_, err = l.WriteAt([]byte(desc), 0)
	}
	f.lock = l
	return f, nil
}

// filePath returns the file a DSN names, with its directory's symbolic
// links resolved, so that two names for one file find one lock; "" for a
// database in memory.
func filePath(dsn string) string {
	p := dsn
	if rest, ok := strings.CutPrefix(dsn, "file:"); ok {
		p, _, _ = strings.Cut(rest, "?")
		if q := strings.SplitN(dsn, "?", 2); len(q) == 2 {
			if v, err := url.ParseQuery(q[1]); err == nil && v.Get("mode") == "memory" {
				return ""
			}
		}
	}
	if p == "" || p == ":memory:" {
		return ""
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// opened records the file's identity, once SQLite has created it.
func (f *file) opened() error {
	if f.path == "" {
		return nil
	}
	info, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	f.info = info
	return nil
}

// kept returns an error when what is written no longer reaches the file at
// the path: it was deleted, its directory removed, or another file put in
// its place, while the store kept writing to the one it opened, which
// nobody will open again. A write must not be confirmed then, and the
// store is not ready.
func (f *file) kept() error {
	if f.info == nil {
		return nil
	}
	info, err := os.Stat(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sqlite: %s is gone: it was deleted or moved while in use, and what is written now is lost; put it back and restart", f.path)
	case err != nil:
		return fmt.Errorf("sqlite: %s cannot be checked: %w", f.path, err)
	case !os.SameFile(info, f.info):
		return fmt.Errorf("sqlite: %s is not the file this process opened: it was replaced while in use, and what is written now goes to the old one; restart", f.path)
	}
	return nil
}

// release lets the lock go.
func (f *file) release() error {
	if f == nil || f.lock == nil {
		return nil
	}
	err := f.lock.Close()
	f.lock = nil
	return err
}

// exec runs a write outside a transaction; like inTx, it fails when the
// write did not reach the file at the path.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := s.w.ExecContext(ctx, query, args...)
	if err != nil {
		return res, err
	}
	return res, s.file.kept()
}
