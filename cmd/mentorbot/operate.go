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
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/mentorbot/mentorbot/store"
)

// healthcheck exits 0 when /healthz on MENTORBOT_HTTP_ADDR answers 200. It reads only
// that setting, so it works in an image with no shell and no tokens in its env.
func healthcheck(ctx context.Context, stderr io.Writer) int {
	var s struct {
		HTTPAddr HTTPAddr `envconfig:"MENTORBOT_HTTP_ADDR" default:"127.0.0.1:8080"`
	}
	if err := envconfig.Process("", &s); err != nil {
		fmt.Fprintln(stderr, "mentorbot healthcheck: setting MENTORBOT_HTTP_ADDR:", err)
		return exitConfig
	}
	if s.HTTPAddr == "" {
		fmt.Fprintln(stderr, "mentorbot healthcheck: MENTORBOT_HTTP_ADDR is empty, so there is no /healthz to check")
		return exitFailure
	}
	host, port, _ := net.SplitHostPort(string(s.HTTPAddr))
	if host == "" || host == "0.0.0.0" || host == "::" {
		// Listening on every interface: loopback reaches it.
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot healthcheck:", err)
		return exitFailure
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot healthcheck:", err)
		return exitFailure
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "mentorbot healthcheck: %s answered %s\n", url, resp.Status)
		return exitFailure
	}
	return exitOK
}

// backupSocket is where a running bot serves consistent copies of its database. The
// bot holds bbolt's exclusive lock, so no other process can read the file itself; the
// socket is mode 0600, so only the bot's own user can take a copy.
func backupSocket(dbPath string) string { return dbPath + ".sock" }

// backupIdle is how long a backup connection may take no bytes before the bot hangs
// up: a reader that stopped reading holds a snapshot's disk space, never the database.
const backupIdle = time.Minute

// serveBackups answers each connection on the backup socket with a copy of st. Each
// copy is a snapshot taken at once (store.Snapshot), so a reader as slow as it likes
// holds no transaction; stop hangs up on readers still reading.
func serveBackups(ctx context.Context, st *store.Store, log *slog.Logger) (stop func(), err error) {
	path := backupSocket(st.Path())
	// We hold the database lock, so a socket file left here is from a bot that died.
	_ = os.Remove(path)
	ln, err := (&net.ListenConfig{}).Listen(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on backup socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restrict backup socket %s: %w", path, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				defer context.AfterFunc(ctx, func() { conn.Close() })()
				n, err := st.Backup(ctx, idleWriter{conn})
				if err != nil {
					log.Error("backup failed", "err", err)
					return
				}
				log.Info("backup served", "bytes", n)
			})
		}
	})
	return func() {
		cancel()
		ln.Close() // also removes the socket file
		wg.Wait()
	}, nil
}

// idleWriter fails a write to its connection that makes no progress for backupIdle.
type idleWriter struct{ conn net.Conn }

func (w idleWriter) Write(p []byte) (int, error) {
	if err := w.conn.SetWriteDeadline(time.Now().Add(backupIdle)); err != nil {
		return 0, err
	}
	return w.conn.Write(p)
}

// backup writes a consistent copy of the database to -o FILE (or standard output for
// "-"): from the running bot when one holds the file, else from the file itself.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the copy to this `FILE`")
	if err := fs.Parse(args); err != nil {
		return exitConfig
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "mentorbot backup: usage: mentorbot backup -o FILE (or -o - for standard output)")
		return exitConfig
	}
	dbPath, err := dbPathSetting()
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot backup:", err)
		return exitConfig
	}
	if *out == "-" {
		// Streaming serves images with no shell or tar, where kubectl cp cannot fetch a file.
		n, from, err := copyDatabase(ctx, dbPath, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "mentorbot backup:", err)
			return exitFailure
		}
		fmt.Fprintf(stderr, "backup of %s (%s) written to standard output: %d bytes\n", dbPath, from, n)
		return exitOK
	}
	if what := liveFile(dbPath, *out); what != "" {
		fmt.Fprintf(stderr, "mentorbot backup: %s is %s, which a backup must never replace: choose another file for the copy\n", *out, what)
		return exitConfig
	}
	n, from, err := writeBackup(ctx, dbPath, *out)
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot backup:", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "backup of %s (%s) written to %s: %d bytes\n", dbPath, from, *out, n)
	return exitOK
}

// dbPathSetting reads MENTORBOT_DB_PATH alone, so that the operator commands run
// with no tokens in their environment.
func dbPathSetting() (string, error) {
	var s struct {
		DBPath string `envconfig:"MENTORBOT_DB_PATH" default:"mentorbot.db"`
	}
	if err := envconfig.Process("", &s); err != nil {
		return "", err
	}
	return s.DBPath, nil
}

// liveFile says which of the files a bot on dbPath uses target is ("the live
// database …"), or "" when it is none of them. Links are followed (symbolic ones even
// when dangling) and files compared by device and inode; a target that does not
// exist yet is one of them when it would be created under the same name in the same
// directory.
func liveFile(dbPath, target string) string {
	live := []struct{ path, what string }{
		{dbPath, "the live database " + dbPath},
		{backupSocket(dbPath), "the running bot's backup socket " + backupSocket(dbPath)},
	}
	for _, p := range store.Companions(dbPath) {
		live = append(live, struct{ path, what string }{p, "a file the bot keeps beside its database (" + p + ")"})
	}
	t := followLinks(target)
	ti, terr := os.Stat(t)
	for _, l := range live {
		p := followLinks(l.path)
		if pi, err := os.Stat(p); err == nil && terr == nil && os.SameFile(ti, pi) {
			return l.what
		}
		if filepath.Base(t) != filepath.Base(p) {
			continue
		}
		td, err1 := os.Stat(filepath.Dir(t))
		pd, err2 := os.Stat(filepath.Dir(p))
		if err1 == nil && err2 == nil && os.SameFile(td, pd) {
			return l.what
		}
	}
	return ""
}

// followLinks follows path while it is a symbolic link, also to a target that does
// not exist, and returns where it ends.
func followLinks(path string) string {
	for range 40 { // as many as Linux follows
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return path
}

// copyDatabase writes a consistent copy of the database at dbPath to w: from the file
// when no bot holds it, else from the running bot's backup socket. from says which.
func copyDatabase(ctx context.Context, dbPath string, w io.Writer) (n int64, from string, err error) {
	if _, err := os.Stat(dbPath); err != nil {
		return 0, "", fmt.Errorf("database %s: %w", dbPath, err)
	}
	st, err := store.Open(dbPath, store.Options{ReadOnly: true, LockTimeout: 500 * time.Millisecond})
	switch {
	case err == nil:
		// Snapshot, then let go of the file before streaming: a bot may start meanwhile.
		f, _, err := st.Snapshot(ctx)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, "", err
		}
		defer f.Close()
		n, err = io.Copy(w, f)
		return n, "file", err
	case errors.Is(err, store.ErrInUse):
		n, err = fetchBackup(ctx, backupSocket(dbPath), w)
		return n, "running bot", err
	}
	return 0, "", err
}

// writeBackup copies the database into a temporary file beside out, syncs it, checks
// that it is a sound database, and only then renames it to out: a failed backup never
// leaves a half-written file under the name an operator restores from.
func writeBackup(ctx context.Context, dbPath, out string) (n int64, from string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".tmp-*")
	if err != nil {
		return 0, "", fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	defer tmp.Close()
	if n, from, err = copyDatabase(ctx, dbPath, tmp); err != nil {
		return 0, "", err
	}
	if err := tmp.Sync(); err != nil {
		return 0, "", fmt.Errorf("sync backup file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, "", fmt.Errorf("close backup file: %w", err)
	}
	// Open checks the whole file (store.Open); a copy cut short by a bot that stopped
	// mid-way fails here.
	check, err := store.Open(tmp.Name(), store.Options{ReadOnly: true})
	if err != nil {
		return 0, "", fmt.Errorf("the copy is not a sound database, so %s was not written: %w", out, err)
	}
	check.Close()
	if err := os.Rename(tmp.Name(), out); err != nil {
		return 0, "", fmt.Errorf("rename backup into place: %w", err)
	}
	return n, from, nil
}

func fetchBackup(ctx context.Context, socket string, w io.Writer) (int64, error) {
	conn, err := (&net.Dialer{Timeout: 3 * time.Second}).DialContext(ctx, "unix", socket)
	if err != nil {
		return 0, fmt.Errorf("the database is in use, and the running bot's backup socket %s does not answer: %w", socket, err)
	}
	defer conn.Close()
	n, err := io.Copy(w, conn)
	if err != nil {
		return n, fmt.Errorf("read backup from the running bot: %w", err)
	}
	return n, nil
}

// restore checks the backup -i FILE and puts it in place of the database, keeping the
// old file beside it; refused while a bot holds the database (store.Restore).
func restore(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("i", "", "put the backup `FILE` in place of the database")
	if err := fs.Parse(args); err != nil {
		return exitConfig
	}
	if *in == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "mentorbot restore: usage: mentorbot restore -i FILE (with the bot stopped)")
		return exitConfig
	}
	dbPath, err := dbPathSetting()
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot restore:", err)
		return exitConfig
	}
	if fi, err := os.Stat(*in); err != nil {
		fmt.Fprintf(stderr, "mentorbot restore: the backup %s cannot be read: %v\n", *in, err)
		return exitConfig
	} else if di, err := os.Stat(dbPath); err == nil && os.SameFile(fi, di) {
		fmt.Fprintf(stderr, "mentorbot restore: %s is the database itself; name a backup to restore from\n", *in)
		return exitConfig
	}
	done, err := store.Restore(*in, dbPath, time.Now())
	switch {
	case err == nil:
	case errors.Is(err, store.ErrInUse):
		fmt.Fprintf(stderr, "mentorbot restore: the database %s is in use by a running mentorbot (or another process): stop the bot first, then run mentorbot restore again; nothing was changed\n", dbPath)
		return exitFailure
	case errors.Is(err, store.ErrDamaged):
		fmt.Fprintf(stderr, "mentorbot restore: the backup %s is damaged or is not a mentorbot database (%s); nothing was changed\n", *in, damageReason(err))
		return exitFailure
	case done.Bytes == 0:
		fmt.Fprintf(stderr, "mentorbot restore: %v; the database %s is as it was\n", err, dbPath)
		return exitFailure
	default:
		fmt.Fprintln(stderr, "mentorbot restore:", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "restored %s from %s (%d bytes, schema version %d)\n", dbPath, *in, done.Bytes, done.Schema)
	if done.Kept != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s; delete it once the bot runs well\n", done.Kept)
	}
	return exitOK
}

// damageReason is the one-line reason a store.ErrDamaged error gives.
func damageReason(err error) string {
	if d, ok := errors.AsType[*store.DamagedError](err); ok {
		return d.Reason
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
