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

// serveBackups answers each connection on the backup socket with a copy of st.
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
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				n, err := st.Backup(ctx, conn)
				if err != nil {
					log.Error("backup failed", "err", err)
					return
				}
				log.Info("backup served", "bytes", n)
			})
		}
	})
	return func() {
		ln.Close() // also removes the socket file
		wg.Wait()
	}, nil
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
	var s struct {
		DBPath string `envconfig:"MENTORBOT_DB_PATH" default:"mentorbot.db"`
	}
	if err := envconfig.Process("", &s); err != nil {
		fmt.Fprintln(stderr, "mentorbot backup:", err)
		return exitConfig
	}
	if *out == "-" {
		// Streaming serves images with no shell or tar, where kubectl cp cannot fetch a file.
		n, from, err := copyDatabase(ctx, s.DBPath, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "mentorbot backup:", err)
			return exitFailure
		}
		fmt.Fprintf(stderr, "backup of %s (%s) written to standard output: %d bytes\n", s.DBPath, from, n)
		return exitOK
	}
	n, from, err := writeBackup(ctx, s.DBPath, *out)
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot backup:", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "backup of %s (%s) written to %s: %d bytes\n", s.DBPath, from, *out, n)
	return exitOK
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
		n, err = st.Backup(ctx, w)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
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
	check, err := store.Open(tmp.Name(), store.Options{ReadOnly: true})
	if err != nil {
		return 0, "", fmt.Errorf("the copy does not open as a database: %w", err)
	}
	err = check.Verify()
	check.Close()
	if err != nil {
		return 0, "", fmt.Errorf("the copy is damaged: %w", err)
	}
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
