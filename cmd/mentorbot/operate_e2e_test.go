package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// oneLine returns the only line of out, failing t when there are more or none, or
// when out shows a panic or a stack trace.
func oneLine(t *testing.T, out string) string {
	t.Helper()
	for _, bad := range []string{"panic", "goroutine ", ".go:", "SIGSEGV", "SIGBUS"} {
		if strings.Contains(out, bad) {
			t.Errorf("output shows %q:\n%s", bad, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 || lines[0] == "" {
		t.Errorf("output has %d lines, want exactly one:\n%s", len(lines), out)
	}
	return lines[0]
}

// fillPeople writes people with long goals, roughly bytes of them, in transactions of
// about a megabyte; first numbers their ids.
func fillPeople(t testing.TB, st *store.Store, first, bytes int) {
	t.Helper()
	if err := addPeople(st, first, bytes); err != nil {
		t.Fatal(err)
	}
}

// addPeople is fillPeople for any goroutine.
func addPeople(st *store.Store, first, bytes int) error {
	long := strings.Repeat("grow a habit of writing things down, ", 9)[:mentoring.MaxGoalLen]
	const perPerson = 4 * mentoring.MaxGoalLen
	for done := 0; done < bytes; {
		err := st.Update(context.Background(), func(tx mentoring.Tx) error {
			for i := 0; i < 1<<20/perPerson && done < bytes; i++ {
				goals := make([]mentoring.Goal, 4)
				for g := range goals {
					goals[g] = mentoring.Goal{Text: long, CreatedAt: fixedNow}
				}
				p := mentoring.Participant{ID: fmt.Sprintf("UFILL%07d", first), Role: mentoring.RoleMentee, Capacity: 2,
					Topics: []string{"go"}, JoinedAt: fixedNow, Goals: goals}
				if err := tx.PutParticipant(&p); err != nil {
					return err
				}
				first++
				done += perPerson
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sampleFile is a closed database of about a megabyte, with where bbolt put its free
// list, one of its leaves and a branch, and how many pages it uses (the file is
// longer: bbolt grows it ahead of its data).
func sampleFile(t *testing.T) (raw []byte, pageSize, used, freelist, leaf, branch int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sample.db")
	st, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	fillPeople(t, st, 0, 1<<20)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pageSize = db.Info().PageSize
	var leaves []int
	if err := db.View(func(tx *bolt.Tx) error {
		used = int(tx.Size()) / pageSize
		for id := 2; id < used; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			switch p.Type {
			case "freelist":
				freelist = id
			case "leaf":
				leaves = append(leaves, id)
			case "branch":
				branch = id
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if freelist == 0 || len(leaves) == 0 || branch == 0 {
		t.Fatalf("sample has free list page %d and %d leaves", freelist, len(leaves))
	}
	raw, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw, pageSize, used, freelist, leaves[len(leaves)/2], branch
}

// TestDamagedDatabaseStopsWithOneLine runs the bot on files that are damaged or are
// not a mentorbot database at all. Each must stop it with exit status 1 and one line
// that says so and points to mentorbot restore, leaving the file as it was: no panic,
// no stack trace, no exit 2, and no new empty database in its place.
func TestDamagedDatabaseStopsWithOneLine(t *testing.T) {
	raw, ps, used, freelist, leaf, branch := sampleFile(t)
	zeroed := func(from, to int) []byte {
		b := bytes.Clone(raw)
		clear(b[from*ps : to*ps])
		return b
	}
	scribbled := func(page int) []byte {
		b := bytes.Clone(raw)
		rng := rand.New(rand.NewPCG(3, 4))
		for i := page * ps; i < (page+1)*ps; i++ {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	// A branch whose first child is a page far past the end of the file: reading it
	// through bbolt's mapping faults (SIGSEGV), past what recover() can catch unless
	// the reader asked for SetPanicOnFault.
	farChild := bytes.Clone(raw)
	binary.LittleEndian.PutUint64(farChild[branch*ps+16+8:], 1<<30)
	random := make([]byte, 256<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	sqlite := append([]byte("SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20"), make([]byte, 4*4096)...)
	tests := []struct {
		name string
		raw  []byte // nil: a directory
	}{
		{"empty", []byte{}},
		{"cut at 100 bytes", raw[:100]},
		{"cut after one page", raw[:ps]},
		{"cut after the meta pages", raw[:2*ps]},
		{"cut in half", raw[:used/2*ps]},
		{"cut by one page", raw[:(used-1)*ps]},
		{"cut mid-page", raw[:used*ps-ps/2]},
		{"meta pages zeroed", zeroed(0, 2)},
		{"free list zeroed", zeroed(freelist, freelist+1)},
		{"a leaf zeroed", zeroed(leaf, leaf+1)},
		{"a leaf scribbled over", scribbled(leaf)},
		{"all data zeroed", zeroed(2, used)},
		{"a branch pointing past the end", farChild},
		{"random bytes", random},
		{"a SQLite file", sqlite},
		{"a JSON file", []byte(`{"participants":[{"id":"UALICE","role":"mentor"}]}` + "\n")},
		{"a directory", nil},
	}
	srv := newSlack(t, slacktest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "mentorbot.db")
			if tt.raw == nil {
				if err := os.Mkdir(db, 0o700); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(db, tt.raw, 0o600); err != nil {
				t.Fatal(err)
			}
			p := runProc(t, botEnv(t, srv, db))
			out := p.stdout.String() + p.stderr.String()
			if p.code != exitFailure {
				t.Errorf("exit status %d, want 1; output:\n%s", p.code, out)
			}
			line := oneLine(t, out)
			if !strings.Contains(line, "mentorbot restore") ||
				!(strings.Contains(line, "damaged") || strings.Contains(line, "not a mentorbot database")) {
				t.Errorf("the line %q does not say the file is damaged and point to mentorbot restore", line)
			}
			t.Log(line)
			if tt.raw != nil {
				if got, err := os.ReadFile(db); err != nil || !bytes.Equal(got, tt.raw) {
					t.Errorf("the file changed: %d bytes, was %d (%v)", len(got), len(tt.raw), err)
				}
			}
		})
	}
}

// inode is the file at path's identity, failing t when it cannot be read.
func inode(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// TestStalledBackupReaderDoesNotHoldTheBot takes a backup over the running bot's
// socket, reads a few bytes and stops reading. The database then grows to more than
// twice its size, which makes bbolt remap it: a remap waits for every read
// transaction, so if the backup held one, every write, command and /readyz would wait
// for the reader. Then the bot stops within its 10 seconds, the reader still stalled.
func TestStalledBackupReaderDoesNotHoldTheBot(t *testing.T) {
	h := startMain(t, options{prepare: func(t testing.TB, h *harness, st *store.Store) {
		fillPeople(t, st, 0, 2<<20)
	}})
	h.say(t, "UALICE", "/mentor", "join mentor go")

	conn, err := net.Dial("unix", backupSocket(h.db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	head := make([]byte, 16)
	if _, err := io.ReadFull(conn, head); err != nil {
		t.Fatalf("read the start of a backup: %v", err)
	}
	// The reader stops here, holding the connection open.

	size := inode(t, h.db).Size()
	grown := make(chan error, 1)
	go func() { grown <- addPeople(h.m.store, 1_000_000, int(2*size+(1<<20))) }()
	select {
	case err := <-grown:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("writes growing the database waited 15 s behind a stalled backup reader")
	}
	if after := inode(t, h.db).Size(); after <= 2*size {
		t.Fatalf("the database grew from %d to %d bytes only: no remap was needed", size, after)
	}
	for range 3 {
		start := time.Now()
		code, body := h.readyz(t)
		if d := time.Since(start); code != http.StatusOK || d > time.Second {
			t.Errorf("/readyz = %d %q after %v, want 200 within 1 s", code, body, d)
		}
		contains(t, "/mentor status", h.say(t, "UALICE", "/mentor", "status"), "mentor")
		h.say(t, "UBERT", "/mentor", "join mentee go")
	}

	start := time.Now()
	h.stop(t)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the bot took %v to stop with a stalled backup reader, want at most 10 s", d)
	}
	// The bot hung up on the reader when it stopped.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Errorf("the backup connection was not closed by the stopping bot: %v", err)
	}
}

// TestBackupNeverReplacesLiveFiles points backup -o at the live database, its socket,
// the file an erasure rewrites into, and links to them, with the bot running and
// stopped: each is refused with exit status 2 and one line, and the bot goes on with
// the same file.
func TestBackupNeverReplacesLiveFiles(t *testing.T) {
	h := startMain(t, options{})
	h.say(t, "UALICE", "/mentor", "join mentor go")
	dir := filepath.Dir(h.db)
	links := t.TempDir()
	link := func(name, to string) string {
		p := filepath.Join(links, name)
		if err := os.Symlink(to, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hard := filepath.Join(dir, "hard-link.db")
	if err := os.Link(h.db, hard); err != nil {
		t.Fatal(err)
	}
	dirLink := link("dir", dir)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	targets := []string{
		h.db,
		backupSocket(h.db),
		h.db + ".compact",
		link("db-link", h.db),
		link("link-to-link", filepath.Join(links, "db-link")),
		link("socket-link", backupSocket(h.db)),
		link("dangling-link", h.db+".compact"),
		hard,
		filepath.Join(dirLink, "mentorbot.db"),
		filepath.Join(dirLink, "mentorbot.db.sock"),
		filepath.Join(dir, "sub", "..", "mentorbot.db"),
	}
	env := map[string]string{"MENTORBOT_DB_PATH": h.db}
	live := inode(t, h.db)
	liveRaw, err := os.ReadFile(h.db)
	if err != nil {
		t.Fatal(err)
	}
	refused := func(when string) {
		t.Helper()
		for _, target := range targets {
			p := runProc(t, env, "backup", "-o", target)
			out := p.stdout.String() + p.stderr.String()
			if p.code != exitConfig {
				t.Errorf("%s: backup -o %s: exit %d, want 2; output %q", when, target, p.code, out)
				continue
			}
			if line := oneLine(t, out); !strings.Contains(line, "choose another file") {
				t.Errorf("%s: backup -o %s: %q does not say to choose another file", when, target, line)
			}
		}
		if !os.SameFile(live, inode(t, h.db)) {
			t.Fatalf("%s: the database file was replaced", when)
		}
		if _, err := os.Stat(h.db + ".compact"); err == nil {
			t.Errorf("%s: a backup was written to the rewrite file", when)
		}
	}
	refused("bot running")
	if fi, err := os.Lstat(backupSocket(h.db)); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("the backup socket is gone or replaced: %v, %v", fi, err)
	}
	// The bot still works on the same file, and backups elsewhere still work.
	contains(t, "/mentor status", h.say(t, "UALICE", "/mentor", "status"), "mentor")
	if code, body := h.readyz(t); code != http.StatusOK {
		t.Errorf("/readyz = %d %q", code, body)
	}
	good := filepath.Join(t.TempDir(), "backup.db")
	if p := runProc(t, env, "backup", "-o", good); p.code != exitOK {
		t.Errorf("backup -o %s: exit %d, %s%s", good, p.code, p.stdout, p.stderr)
	}
	verifyDatabase(t, good)

	h.stop(t)
	liveRaw, err = os.ReadFile(h.db)
	if err != nil {
		t.Fatal(err)
	}
	refused("bot stopped")
	if got, err := os.ReadFile(h.db); err != nil || !bytes.Equal(got, liveRaw) {
		t.Errorf("the stopped bot's database changed (%v)", err)
	}
	if _, err := os.Lstat(backupSocket(h.db)); err == nil {
		t.Errorf("a backup was written where the next bot's socket goes")
	}
}

// seedEveryKind writes a record of each kind the store keeps: people with goals and a
// manager, pairings, a check-in, a mark of a handled period, kudos and notices queued
// for later (so that delivery leaves them be while the bot runs).
func seedEveryKind(t testing.TB, _ *harness, st *store.Store) {
	t.Helper()
	err := st.Update(context.Background(), func(tx mentoring.Tx) error {
		people := []mentoring.Participant{
			{ID: "UALICE", Role: mentoring.RoleMentor, Capacity: 3, Topics: []string{"go", "sql"}, Team: "core", JoinedAt: fixedNow},
			{ID: "UBERT", Role: mentoring.RoleMentee, Capacity: 2, Topics: []string{"go"}, ManagerID: "UCHEN", JoinedAt: fixedNow,
				Goals: []mentoring.Goal{{Text: "give a talk 🎤", CreatedAt: fixedNow}}},
			{ID: "UCHEN", Role: mentoring.RoleBoth, Capacity: 1, Topics: []string{"sql"}, JoinedAt: fixedNow},
		}
		for i := range people {
			if err := tx.PutParticipant(&people[i]); err != nil {
				return err
			}
		}
		pr := mentoring.Pairing{MentorID: "UALICE", MenteeID: "UBERT", StartedAt: fixedNow}
		if err := tx.PutPairing(&pr); err != nil {
			return err
		}
		if err := tx.PutCheckin(&mentoring.Checkin{PairingID: pr.ID, UserID: "UBERT", Period: "mentorbot_checkin/2026-11-23T10:00",
			SentAt: fixedNow, Answer: mentoring.AnswerMet, Discussed: "the talk outline", Progress: 4}); err != nil {
			return err
		}
		if err := tx.MarkHandled("UBERT", "mentorbot_checkin/2026-11-23T10:00"); err != nil {
			return err
		}
		for _, k := range []mentoring.Kudos{
			{FromID: "UALICE", ToID: "UBERT", Message: "great outline!", At: fixedNow},
			{FromID: "UCHEN", ToID: "UALICE", Message: "thanks for the intro", At: fixedNow},
		} {
			if err := tx.AddKudos(&k); err != nil {
				return err
			}
		}
		for _, to := range []string{"UALICE", "UBERT"} {
			if err := tx.Enqueue(mentoring.Notice{Kind: mentoring.KindNudge, To: []string{to}, Period: "mentorbot_nudge/2027-01-06T10:00",
				NotBefore: fixedNow.Add(1000 * time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// records is everything a database holds, read through the store.
type records struct {
	Participants []mentoring.Participant
	Pairings     []mentoring.Pairing
	Checkins     []mentoring.Checkin
	Kudos        []mentoring.Kudos
	Outbox       []mentoring.Notice
	Schema       uint64
}

// readRecords opens the database at path read-only, as a backup is (store.Open checks
// it whole), and reads every record.
func readRecords(t *testing.T, path string) records {
	t.Helper()
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer st.Close()
	var r records
	if err := st.View(context.Background(), func(tx mentoring.Tx) error {
		var err error
		if r.Participants, err = tx.Participants(); err != nil {
			return err
		}
		if r.Pairings, err = tx.Pairings(); err != nil {
			return err
		}
		if err := tx.ForEachCheckin(func(c mentoring.Checkin) error { r.Checkins = append(r.Checkins, c); return nil }); err != nil {
			return err
		}
		return tx.ForEachKudos(func(k mentoring.Kudos) error { r.Kudos = append(r.Kudos, k); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	st.Now = func() time.Time { return fixedNow.AddDate(10, 0, 0) } // every notice is due
	if r.Outbox, err = st.Due(context.Background(), 1000); err != nil {
		t.Fatal(err)
	}
	if r.Schema, err = st.SchemaVersion(); err != nil {
		t.Fatal(err)
	}
	return r
}

// rawRecords is every bucket's every key and value, nested buckets included, read
// with bbolt directly: what the store's methods do not list (handled periods,
// remembered conversations, learned limits) is compared too.
func rawRecords(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(prefix string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(prefix+string(k)+"/", b.Bucket(k))
			}
			out[prefix+string(k)] = string(v)
			return nil
		})
	}
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name)+"/", b) })
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBackupRestoreRoundTrip takes a backup from a running bot, is refused while that
// bot runs, and restores the backup into another (stopped) bot's database: the old
// file is kept, the restored one holds record for record what the original did, and a
// bot serves from it. Damaged inputs, files of other programs and bad arguments are
// refused with the database left as it was.
func TestBackupRestoreRoundTrip(t *testing.T) {
	h := startMain(t, options{prepare: seedEveryKind})
	backupFile := filepath.Join(t.TempDir(), "backup.db")
	if p := runProc(t, map[string]string{"MENTORBOT_DB_PATH": h.db}, "backup", "-o", backupFile); p.code != exitOK {
		t.Fatalf("backup: exit %d, %s%s", p.code, p.stdout, p.stderr)
	}

	// Refused while a bot holds the database.
	live := inode(t, h.db)
	p := runProc(t, map[string]string{"MENTORBOT_DB_PATH": h.db}, "restore", "-i", backupFile)
	if p.code != exitFailure {
		t.Errorf("restore while the bot runs: exit %d, want 1; %s%s", p.code, p.stdout, p.stderr)
	}
	if line := oneLine(t, p.stdout.String()+p.stderr.String()); !strings.Contains(line, "stop the bot first") {
		t.Errorf("restore while the bot runs says %q, want it to say to stop the bot first", line)
	}
	if !os.SameFile(live, inode(t, h.db)) {
		t.Fatal("restore replaced the database of a running bot")
	}
	contains(t, "/mentor status", h.say(t, "UBERT", "/mentor", "status"), "mentee")
	h.stop(t)
	original, originalRaw := readRecords(t, h.db), rawRecords(t, h.db)

	// Another bot's database, stopped, that has moved on.
	target := filepath.Join(t.TempDir(), "mentorbot.db")
	other, err := store.Open(target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fillPeople(t, other, 0, 10<<10)
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MENTORBOT_DB_PATH": target}

	// Refused: what is not a sound mentorbot database, and bad arguments.
	notMentorbot := filepath.Join(t.TempDir(), "other.db")
	odb, err := bolt.Open(notMentorbot, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := odb.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err }); err != nil {
		t.Fatal(err)
	}
	odb.Close()
	backupRaw, err := os.ReadFile(backupFile)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.db")
	if err := os.WriteFile(cut, backupRaw[:len(backupRaw)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-i", cut}, exitFailure, "damaged"},
		{[]string{"-i", garbage}, exitFailure, "damaged"},
		{[]string{"-i", notMentorbot}, exitFailure, "not a mentorbot database"},
		{[]string{"-i", filepath.Join(t.TempDir(), "missing.db")}, exitConfig, "cannot be read"},
		{[]string{"-i", target}, exitConfig, "the database itself"},
		{nil, exitConfig, "usage"},
		{[]string{"-i", backupFile, "extra"}, exitConfig, "usage"},
	} {
		p := runProc(t, env, append([]string{"restore"}, tt.args...)...)
		out := p.stdout.String() + p.stderr.String()
		if p.code != tt.code {
			t.Errorf("restore %v: exit %d, want %d; %s", tt.args, p.code, tt.code, out)
		}
		if line := oneLine(t, out); !strings.Contains(line, tt.want) {
			t.Errorf("restore %v says %q, want %q", tt.args, line, tt.want)
		}
		if got, err := os.ReadFile(target); err != nil || !bytes.Equal(got, before) {
			t.Fatalf("restore %v changed the database (%v)", tt.args, err)
		}
	}

	// Restored.
	p = runProc(t, env, "restore", "-i", backupFile)
	if p.code != exitOK {
		t.Fatalf("restore: exit %d, %s%s", p.code, p.stdout, p.stderr)
	}
	out := p.stdout.String()
	t.Log(out)
	contains(t, "restore's output", out, "restored "+target, "kept as "+target+".before-restore-")
	if n := strings.Count(strings.TrimSpace(out), "\n") + 1; n > 2 {
		t.Errorf("restore printed %d lines, want one or two", n)
	}
	kept, err := filepath.Glob(target + ".before-restore-*")
	if err != nil || len(kept) != 1 {
		t.Fatalf("kept files %v, %v; want one", kept, err)
	}
	if got, err := os.ReadFile(kept[0]); err != nil || !bytes.Equal(got, before) {
		t.Errorf("the kept file is not the database as it was before (%v)", err)
	}
	for _, f := range []string{target, kept[0]} {
		if fi := inode(t, f); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	if leftovers, _ := filepath.Glob(target + ".restore-*"); len(leftovers) > 0 {
		t.Errorf("restore left temporary files: %v", leftovers)
	}

	restored := readRecords(t, target)
	if len(original.Participants) != 3 || len(original.Pairings) != 1 || len(original.Checkins) != 1 ||
		len(original.Kudos) != 2 || len(original.Outbox) != 2 {
		t.Fatalf("the original lacks records of some kind: %+v", original)
	}
	if !reflect.DeepEqual(restored, original) {
		t.Errorf("restored records differ from the original:\n got %+v\nwant %+v", restored, original)
	}
	if restoredRaw := rawRecords(t, target); !reflect.DeepEqual(restoredRaw, originalRaw) {
		for k, v := range originalRaw {
			if restoredRaw[k] != v {
				t.Errorf("key %q: restored %q, original %q", k, restoredRaw[k], v)
			}
		}
		for k := range restoredRaw {
			if _, ok := originalRaw[k]; !ok {
				t.Errorf("key %q restored, not in the original", k)
			}
		}
	}

	// A bot serves from the restored file.
	srv := newSlack(t, slacktest.Options{})
	bot := startProc(t, botEnv(t, srv, target))
	waitStatus(t, "http://"+bot.addr(t)+"/readyz", http.StatusOK)
	ctx, cancel := context.WithTimeout(context.Background(), slackDeadline)
	defer cancel()
	ack, err := srv.SlashCommand(ctx, "UALICE", "/mentor", "status")
	if err != nil || !strings.Contains(string(ack.Payload), "mentor") {
		t.Errorf("/mentor status on the restored database: %s, %v", ack.Payload, err)
	}
	if err := bot.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := bot.wait(t, 10*time.Second); code != exitOK {
		t.Errorf("bot on the restored database exited %d; stderr:\n%s", code, bot.stderr)
	}
}

func TestUsageNamesBackupAndRestore(t *testing.T) {
	p := runProc(t, nil, "-h")
	contains(t, "mentorbot -h", p.stdout.String(), "mentorbot backup -o FILE", "mentorbot restore -i FILE", "bad arguments")
}

// TestBackupRefusesRelativeNames: with the default MENTORBOT_DB_PATH (mentorbot.db in
// the working directory), the likeliest slip is -o mentorbot.db itself.
func TestBackupRefusesRelativeNames(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "mentorbot.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("MENTORBOT_DB_PATH", "mentorbot.db")
	for _, target := range []string{"mentorbot.db", "./mentorbot.db", filepath.Join(dir, "mentorbot.db"), "mentorbot.db.sock"} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"backup", "-o", target}, &stdout, &stderr); code != exitConfig {
			t.Errorf("backup -o %s: exit %d, want 2; %s%s", target, code, &stdout, &stderr)
		}
	}
}
