package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// Traces of the person erased in the crash test: none may survive anywhere.
const (
	erasedID    = "UBERT"
	erasedGoal  = "bertram-secret-goal-ship-the-thing"
	erasedKudos = "bertram-secret-kudos-text"
	erasedNote  = "bertram-secret-checkin-note"
)

// seedBig writes a database of at least minBytes: many people with long goals, their
// pairings and kudos, and bertram with distinctive texts, paired with alice.
func seedBig(t *testing.T, path string, minBytes int64) (people int) {
	t.Helper()
	st, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	long := strings.Repeat("practise the long game of mentoring, ", 9)[:mentoring.MaxGoalLen]
	err = st.Update(context.Background(), func(tx mentoring.Tx) error {
		add := func(p mentoring.Participant) error {
			people++
			return tx.PutParticipant(&p)
		}
		if err := add(mentoring.Participant{ID: "UALICE", Role: mentoring.RoleMentor, Capacity: 3, Topics: []string{"go"}, JoinedAt: now}); err != nil {
			return err
		}
		if err := add(mentoring.Participant{ID: erasedID, Role: mentoring.RoleMentee, Capacity: 2, Topics: []string{"go"}, JoinedAt: now,
			Goals: []mentoring.Goal{{Text: erasedGoal, CreatedAt: now}}}); err != nil {
			return err
		}
		pr := mentoring.Pairing{MentorID: "UALICE", MenteeID: erasedID, StartedAt: now}
		if err := tx.PutPairing(&pr); err != nil {
			return err
		}
		if err := tx.PutCheckin(&mentoring.Checkin{PairingID: pr.ID, UserID: erasedID, Period: "mentorbot_checkin/2026-11-30T10:00",
			SentAt: now, Answer: mentoring.AnswerMet, Discussed: erasedNote}); err != nil {
			return err
		}
		for _, k := range []mentoring.Kudos{{FromID: "UALICE", ToID: erasedID, Message: erasedKudos, At: now}, {FromID: erasedID, ToID: "UALICE", Message: erasedKudos, At: now}} {
			if err := tx.AddKudos(&k); err != nil {
				return err
			}
		}
		for i := 0; i < 12000; i++ {
			goals := make([]mentoring.Goal, 4)
			for g := range goals {
				goals[g] = mentoring.Goal{Text: long, CreatedAt: now}
			}
			if err := add(mentoring.Participant{ID: fmt.Sprintf("U%08d", i), Role: mentoring.RoleBoth, Capacity: 2,
				Topics: []string{"go", "sql"}, Team: "team", JoinedAt: now, Goals: goals}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() < minBytes {
		t.Fatalf("seeded database is %v bytes (%v), want at least %d", fi.Size(), err, minBytes)
	}
	return people
}

// TestErasureSurvivesSIGKILL confirms an erasure on a database of more than 20 MB,
// kills the bot at a moment after the click's ack (right away, mid-rewrite, after the
// person was told, or a little later), restarts it, and checks that the erasure
// finished before the bot served: no byte of the person in any file beside the
// database, the person told exactly once, everyone else intact.
func TestErasureSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 20 MB database per case")
	}
	seeded := filepath.Join(t.TempDir(), "seed.db")
	people := seedBig(t, seeded, 20<<20)
	raw, err := os.ReadFile(seeded)
	if err != nil {
		t.Fatal(err)
	}

	moments := []struct {
		name string
		// kill waits, after the click was acknowledged, for the moment to kill.
		kill func(t *testing.T, srv *slacktest.Server, db string)
	}{
		{"at the ack", func(*testing.T, *slacktest.Server, string) {}},
		{"during the rewrite", func(t *testing.T, _ *slacktest.Server, db string) {
			waitFor(t, "the rewrite to start", func() bool { _, err := os.Stat(db + ".compact"); return err == nil })
		}},
		// Fixed delays land on whatever step is running then; the sleep is the moment
		// under test, not a synchronisation.
		{"20 ms after the ack", func(*testing.T, *slacktest.Server, string) { time.Sleep(20 * time.Millisecond) }},
		{"100 ms after the ack", func(*testing.T, *slacktest.Server, string) { time.Sleep(100 * time.Millisecond) }},
		{"after the person was told", func(t *testing.T, srv *slacktest.Server, _ string) {
			waitFor(t, "the erased DM", func() bool { return erasedDMs(srv) > 0 })
		}},
	}
	for _, mo := range moments {
		t.Run(mo.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "mentorbot.db")
			if err := os.WriteFile(db, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			srv := newSlack(t, slacktest.Options{})
			srv.AddUser(slacktest.User{ID: erasedID, Name: "bertram", RealName: "Bertram", TZ: "America/New_York"})
			env := botEnv(t, srv, db)

			p := startProc(t, env)
			base := "http://" + p.addr(t)
			waitStatus(t, base+"/readyz", http.StatusOK)
			clickForget(t, srv)
			mo.kill(t, srv, db)
			if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			p.wait(t, 10*time.Second)

			// The restarted bot finishes the erasure before it serves.
			p = startProc(t, env)
			base = "http://" + p.addr(t)
			waitStatus(t, base+"/readyz", http.StatusOK)
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t, 10*time.Second); code != exitOK {
				t.Fatalf("exit %d after SIGTERM; stderr:\n%s", code, p.stderr)
			}

			if n := erasedDMs(srv); n != 1 {
				t.Errorf("the person was told %d times, want once", n)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				content, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					continue // the socket
				}
				for _, trace := range []string{erasedID, erasedGoal, erasedKudos, erasedNote} {
					if bytes.Contains(content, []byte(trace)) {
						t.Errorf("%q is still in %s", trace, e.Name())
					}
				}
			}
			checkOthersIntact(t, db, people-1)
		})
	}
}

// clickForget has bertram ask to be erased and confirm it.
func clickForget(t *testing.T, srv *slacktest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := len(srv.Records())
	if _, err := srv.SlashCommand(ctx, erasedID, "/mentor", "forget"); err != nil {
		t.Fatal(err)
	}
	ask, err := srv.WaitRecordAfter(ctx, start, func(r slacktest.Record) bool {
		return r.Kind == "ephemeral" && r.User == erasedID && strings.Contains(string(r.Blocks), actionForgetConfirm)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.BlockAction(ctx, erasedID, slacktest.BlockActionSpec{ActionID: actionForgetConfirm, MessageTS: ask.TS, ChannelID: ask.Channel}); err != nil {
		t.Fatal(err)
	}
}

// erasedDMs counts the DMs telling bertram his erasure is finished.
func erasedDMs(srv *slacktest.Server) int {
	n := 0
	for _, r := range srv.Records() {
		if r.Kind == "message" && r.Channel == srv.DMChannelID(erasedID) && bytes.Contains(r.Metadata, []byte(mentoring.KindErased)) {
			n++
		}
	}
	return n
}

// checkOthersIntact opens the database and checks its structure and that everyone
// else is still there, alice's pairing with the erased person blanked on his side.
func checkOthersIntact(t *testing.T, db string, want int) {
	t.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Error(err)
	}
	err = st.View(context.Background(), func(tx mentoring.Tx) error {
		people, err := tx.Participants()
		if err != nil {
			return err
		}
		if len(people) != want {
			t.Errorf("%d people after the erasure, want %d", len(people), want)
		}
		pairs, err := tx.PairingsOf("UALICE")
		if err != nil {
			return err
		}
		if len(pairs) != 1 || pairs[0].MenteeID != "" || pairs[0].Active() {
			t.Errorf("alice's pairings = %+v, want one ended, with the mentee blanked", pairs)
		}
		pending, err := tx.Erasures()
		if len(pending) != 0 {
			t.Errorf("erasures still pending: %d", len(pending))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
