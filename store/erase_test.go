package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// TestEraseLeavesNoTraceOnDisk reads the database file's raw bytes after an erasure.
func TestEraseLeavesNoTraceOnDisk(t *testing.T) {
	const (
		bert       = "UBERT"
		bertGoal   = "bert-private-goal-xyzzy"
		bertTeam   = "bert-secret-team-frotz"
		kudosFrom  = "kudos-written-by-bert-plugh"
		kudosTo    = "kudos-for-bert-plover"
		bertNote   = "bert-checkin-note-fee"
		period     = "mentorbot_checkin/2026-11-02T10:00"
		aliceGoal  = "alice-keeps-this-goal"
		aliceNote  = "alice-note-kept"
		carolKudos = "kudos-from-carol-kept"
	)
	needles := []string{bert, bertGoal, bertTeam, kudosFrom, kudosTo, bertNote}

	dir := t.TempDir()
	path := filepath.Join(dir, "test.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	now := clock(s)
	start := now.Add(-30 * 24 * time.Hour)
	reasons := mentoring.Reasons{SharedTopics: []string{"go"}, HoursApart: 1, DifferentTeams: true}

	alice := person("UALICE", mentoring.RoleMentee)
	alice.ManagerID = bert
	alice.Goals = []mentoring.Goal{{Text: aliceGoal, CreatedAt: start}}
	bertP := person(bert, mentoring.RoleMentor)
	bertP.Team = bertTeam
	bertP.Goals = []mentoring.Goal{{Text: bertGoal, CreatedAt: start}}
	carol := person("UCAROL", mentoring.RoleMentor)
	pairings := []mentoring.Pairing{
		{MentorID: bert, MenteeID: "UALICE", StartedAt: start, Score: 0.9, Reasons: reasons},
		{MentorID: "UCAROL", MenteeID: "UALICE", StartedAt: start, Score: 0.5, Reasons: reasons},
		{MentorID: bert, MenteeID: "UDAN", StartedAt: start, Score: 0.7, Reasons: reasons},
	}
	// Several transactions, so that freed pages hold old copies of Bert's records.
	steps := []func(tx mentoring.Tx) error{
		func(tx mentoring.Tx) error {
			for _, p := range []*mentoring.Participant{&bertP, &alice, &carol} {
				if err := tx.PutParticipant(p); err != nil {
					return err
				}
			}
			return nil
		},
		func(tx mentoring.Tx) error {
			for i := range pairings {
				if err := tx.PutPairing(&pairings[i]); err != nil {
					return err
				}
			}
			return nil
		},
		func(tx mentoring.Tx) error {
			for _, k := range []mentoring.Kudos{
				{FromID: bert, ToID: "UALICE", Message: kudosFrom},
				{FromID: "UALICE", ToID: bert, Message: kudosTo},
				{FromID: "UCAROL", ToID: "UALICE", Message: carolKudos},
			} {
				if err := tx.AddKudos(&k); err != nil {
					return err
				}
			}
			return nil
		},
		func(tx mentoring.Tx) error {
			for _, c := range []mentoring.Checkin{
				{PairingID: 1, UserID: bert, Period: period, Discussed: bertNote},
				{PairingID: 1, UserID: "UALICE", Period: period, Discussed: aliceNote},
				{PairingID: 2, UserID: "UALICE", Period: period},
			} {
				if err := tx.PutCheckin(&c); err != nil {
					return err
				}
			}
			for _, u := range []string{bert, "UALICE"} {
				if err := tx.MarkHandled(u, period); err != nil {
					return err
				}
			}
			if err := tx.Enqueue(mentoring.Notice{Kind: mentoring.KindCheckin, To: []string{bert}, Period: period}); err != nil {
				return err
			}
			return tx.Enqueue(mentoring.Notice{Kind: mentoring.KindPairingEnded, To: []string{"UALICE"},
				About: []mentoring.About{{PairingID: 1, PartnerID: bert, PartnerMentors: true, EndReason: mentoring.EndLeft}}})
		},
		func(tx mentoring.Tx) error {
			bertP.Goals[0].Text += "-edited" // the old version stays in a freed page
			return tx.PutParticipant(&bertP)
		},
	}
	for _, step := range steps {
		update(t, s, step)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range needles {
		if !bytes.Contains(raw, []byte(w)) {
			t.Fatalf("%q is not in the file before the erasure: the test would prove nothing", w)
		}
	}

	// What the core's Forget does: redact the outbox, then erase.
	update(t, s, func(tx mentoring.Tx) error {
		if err := tx.RedactNotices(func(n *mentoring.Notice) bool { return n.Redact(bert) }); err != nil {
			return err
		}
		return tx.Erase(bert)
	})

	raw, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range needles {
		if bytes.Contains(raw, []byte(w)) {
			t.Errorf("%q is still in the database file after the erasure", w)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"test.db"}; !slices.Equal(names, want) {
		t.Errorf("files beside the database after the erasure: %v, want %v", names, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten file: %v, %v; want mode 0600", fi, err)
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify after the erasure: %v", err)
	}

	wantAlice := alice
	wantAlice.ManagerID = ""
	blanked := pairings[0]
	blanked.MentorID, blanked.Reasons = "", mentoring.Reasons{}
	blankedDan := pairings[2]
	blankedDan.MentorID, blankedDan.Reasons = "", mentoring.Reasons{}
	checkAfter := func(t *testing.T, s *Store) {
		t.Helper()
		view(t, s, func(tx mentoring.Tx) error {
			if _, err := tx.Participant(bert); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
				t.Errorf("Participant(%s) after the erasure: %v, want ENOTFOUND", bert, err)
			}
			people, err := tx.Participants()
			if err != nil {
				return err
			}
			if want := []mentoring.Participant{wantAlice, carol}; !reflect.DeepEqual(people, want) {
				t.Errorf("Participants = %+v\nwant           %+v", people, want)
			}
			tests := []struct {
				user string
				want []mentoring.Pairing
			}{
				{"UALICE", []mentoring.Pairing{blanked, pairings[1]}},
				{"UDAN", []mentoring.Pairing{blankedDan}},
				{"UCAROL", []mentoring.Pairing{pairings[1]}},
				{bert, nil},
			}
			for _, tt := range tests {
				got, err := tx.PairingsOf(tt.user)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("PairingsOf(%s) = %+v\nwant %+v", tt.user, got, tt.want)
				}
			}
			var kudos []string
			if err := tx.ForEachKudos(func(k mentoring.Kudos) error { kudos = append(kudos, k.Message); return nil }); err != nil {
				return err
			}
			if want := []string{carolKudos}; !slices.Equal(kudos, want) {
				t.Errorf("kudos after the erasure = %v, want %v", kudos, want)
			}
			for user, want := range map[string]int{"UALICE": 1, bert: 0} {
				if ks, err := tx.KudosFor(user, 10); err != nil || len(ks) != want {
					t.Errorf("KudosFor(%s) = %+v, %v; want %d", user, ks, err, want)
				}
			}
			var checkins []string
			if err := tx.ForEachCheckin(func(c mentoring.Checkin) error {
				checkins = append(checkins, fmt.Sprint(c.PairingID, c.UserID, c.Discussed))
				return nil
			}); err != nil {
				return err
			}
			if want := []string{fmt.Sprint(1, "UALICE", aliceNote), fmt.Sprint(2, "UALICE", "")}; !slices.Equal(checkins, want) {
				t.Errorf("check-ins after the erasure = %q, want %q", checkins, want)
			}
			for user, want := range map[string]bool{"UALICE": true, bert: false} {
				if got, err := tx.Handled(user, period); err != nil || got != want {
					t.Errorf("Handled(%s) = %v, %v; want %v", user, got, err, want)
				}
			}
			return nil
		})
		notices, err := s.Due(t.Context(), 10)
		if err != nil {
			t.Fatal(err)
		}
		wantNotices := []mentoring.Notice{{ID: 2, Kind: mentoring.KindPairingEnded, To: []string{"UALICE"}, CreatedAt: *now,
			About: []mentoring.About{{PairingID: 1, PartnerMentors: true, EndReason: mentoring.EndForgotten}}}}
		if !reflect.DeepEqual(notices, wantNotices) {
			t.Errorf("outbox after the erasure = %+v\nwant %+v", notices, wantNotices)
		}
	}
	checkAfter(t, s)

	// The store keeps working on the rewritten file, and its id sequences went on.
	p := mentoring.Pairing{MentorID: "UCAROL", MenteeID: "UDAN", StartedAt: *now}
	k := mentoring.Kudos{FromID: "UALICE", ToID: "UCAROL", Message: "thanks"}
	update(t, s, func(tx mentoring.Tx) error {
		if err := tx.PutPairing(&p); err != nil {
			return err
		}
		if err := tx.AddKudos(&k); err != nil {
			return err
		}
		return tx.Enqueue(mentoring.Notice{Kind: mentoring.KindIntro, To: []string{"UCAROL", "UDAN"}})
	})
	notices, err := s.Due(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := []uint64{p.ID, k.ID, notices[len(notices)-1].ID}, []uint64{4, 4, 3}; !slices.Equal(got, want) {
		t.Errorf("pairing, kudos and notice ids after the rewrite = %v, want %v", got, want)
	}
	view(t, s, func(tx mentoring.Tx) error {
		got, err := tx.Pairing(4)
		if err != nil || got.MenteeID != "UDAN" {
			t.Errorf("Pairing(4) after the rewrite = %+v, %v", got, err)
		}
		return nil
	})
	var backup bytes.Buffer
	if _, err := s.Backup(t.Context(), &backup); err != nil {
		t.Errorf("Backup after the rewrite: %v", err)
	}
	if bytes.Contains(backup.Bytes(), []byte(bert)) || !bytes.Contains(backup.Bytes(), []byte(aliceGoal)) {
		t.Errorf("backup after the erasure: holds %s %v, holds Alice's goal %v; want false, true",
			bert, bytes.Contains(backup.Bytes(), []byte(bert)), bytes.Contains(backup.Bytes(), []byte(aliceGoal)))
	}
	if err := s.Check(t.Context()); err != nil {
		t.Errorf("Check after the rewrite: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The file at the path is the rewritten one, and it opens.
	s = openAt(t, path)
	clock(s)
	view(t, s, func(tx mentoring.Tx) error {
		ps, err := tx.PairingsOf("UDAN")
		if err != nil || len(ps) != 2 {
			t.Errorf("PairingsOf(UDAN) after reopening = %+v, %v; want 2", ps, err)
		}
		return nil
	})
}

// TestUpdateRewritesFileOnlyAfterErase tells a rewrite by the file's identity: the
// rewritten file replaces the old one.
func TestUpdateRewritesFileOnlyAfterErase(t *testing.T) {
	tests := []struct {
		name        string
		fn          func(tx mentoring.Tx) error
		wantErr     bool
		wantNewFile bool
		wantBert    bool
	}{
		{"no erasure", func(tx mentoring.Tx) error {
			return tx.MarkHandled("UALICE", "p")
		}, false, false, true},
		{"erasure", func(tx mentoring.Tx) error {
			return tx.Erase("UBERT")
		}, false, true, false},
		{"erasure of nobody", func(tx mentoring.Tx) error {
			return tx.Erase("UNOBODY")
		}, false, true, true},
		{"erasure, then fn fails", func(tx mentoring.Tx) error {
			if err := tx.Erase("UBERT"); err != nil {
				return err
			}
			return errBoom
		}, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			update(t, s, func(tx mentoring.Tx) error {
				for _, id := range []string{"UALICE", "UBERT"} {
					p := person(id, mentoring.RoleBoth)
					if err := tx.PutParticipant(&p); err != nil {
						return err
					}
				}
				return tx.PutPairing(&mentoring.Pairing{MentorID: "UALICE", MenteeID: "UBERT"})
			})
			before, err := os.Stat(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			err = s.Update(t.Context(), tt.fn)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Update error = %v, wantErr %v", err, tt.wantErr)
			}
			after, err := os.Stat(s.Path())
			if err != nil {
				t.Fatal(err)
			}
			if gotNew := !os.SameFile(before, after); gotNew != tt.wantNewFile {
				t.Errorf("file rewritten = %v, want %v", gotNew, tt.wantNewFile)
			}
			view(t, s, func(tx mentoring.Tx) error {
				_, err := tx.Participant("UBERT")
				if gotBert := err == nil; gotBert != tt.wantBert {
					t.Errorf("Bert still there = %v (%v), want %v", gotBert, err, tt.wantBert)
				}
				ps, err := tx.PairingsOf("UALICE")
				if err != nil {
					return err
				}
				if len(ps) != 1 || (ps[0].MenteeID == "UBERT") != tt.wantBert {
					t.Errorf("PairingsOf(UALICE) = %+v, want Bert named %v", ps, tt.wantBert)
				}
				return nil
			})
		})
	}
}

// TestEraseWhileOthersWork runs reads and writes alongside erasures, whose rewrite
// swaps the open file under them (run with -race).
func TestEraseWhileOthersWork(t *testing.T) {
	s := openTest(t)
	const people = 8
	update(t, s, func(tx mentoring.Tx) error {
		for i := range people {
			p := person(fmt.Sprintf("U%03d", i), mentoring.RoleBoth)
			if err := tx.PutParticipant(&p); err != nil {
				return err
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 3 {
		wg.Go(func() {
			for i := range 30 {
				var err error
				switch w {
				case 0:
					err = s.View(t.Context(), func(tx mentoring.Tx) error { _, err := tx.Participants(); return err })
				case 1:
					_, err = s.Due(t.Context(), 10)
				case 2:
					err = s.Update(t.Context(), func(tx mentoring.Tx) error {
						if err := tx.Enqueue(mentoring.Notice{Kind: mentoring.KindCheckin, To: []string{"UZZZ"}}); err != nil {
							return err
						}
						return tx.AddKudos(&mentoring.Kudos{FromID: "UZZZ", ToID: "UYYY", Message: fmt.Sprint("k", i)})
					})
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range people / 2 {
		if err := s.Update(t.Context(), func(tx mentoring.Tx) error { return tx.Erase(fmt.Sprintf("U%03d", i)) }); err != nil {
			errs <- err
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	view(t, s, func(tx mentoring.Tx) error {
		all, err := tx.Participants()
		if err != nil {
			return err
		}
		if len(all) != people/2 {
			t.Errorf("%d participants left, want %d", len(all), people/2)
		}
		ks, err := tx.KudosFor("UYYY", 100)
		if err != nil || len(ks) != 30 {
			t.Errorf("KudosFor(UYYY) = %d kudos, %v; want 30", len(ks), err)
		}
		return nil
	})
}
