package store

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

var errBoom = errors.New("boom")

func TestParticipantRoundTrip(t *testing.T) {
	s := openTest(t)
	done := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	paused := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	want := mentoring.Participant{
		ID: "UALICE", Role: mentoring.RoleBoth, Topics: []string{"go", "public speaking"}, Capacity: 3,
		ManagerID: "UBOSS", Team: "Platform", TimeZone: "Europe/Berlin",
		Goals: []mentoring.Goal{
			{Text: "give a talk", CreatedAt: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
			{Text: "review 10 PRs", CreatedAt: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), DoneAt: &done},
		},
		JoinedAt:    time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		PausedUntil: &paused,
	}
	view(t, s, func(tx mentoring.Tx) error {
		if _, err := tx.Participant("UALICE"); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
			t.Errorf("Participant before join: %v, want ENOTFOUND", err)
		}
		return nil
	})
	in := want
	update(t, s, func(tx mentoring.Tx) error { return tx.PutParticipant(&in) })
	view(t, s, func(tx mentoring.Tx) error {
		got, err := tx.Participant("UALICE")
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Participant = %+v\nwant          %+v", *got, want)
		}
		// The value is the caller's copy: changing it changes nothing stored.
		got.Team = "changed"
		again, err := tx.Participant("UALICE")
		if err != nil {
			return err
		}
		if again.Team != want.Team {
			t.Errorf("changing a returned participant changed the store: team %q", again.Team)
		}
		return nil
	})
	// A second Put overwrites.
	in.LeftAt = &done
	update(t, s, func(tx mentoring.Tx) error { return tx.PutParticipant(&in) })
	view(t, s, func(tx mentoring.Tx) error {
		got, err := tx.Participant("UALICE")
		if err != nil {
			return err
		}
		if got.LeftAt == nil || !got.LeftAt.Equal(done) {
			t.Errorf("LeftAt after the second Put = %v, want %v", got.LeftAt, done)
		}
		return nil
	})
}

// TestPutParticipantRejectsInvalid checks that PutParticipant itself saves nothing
// invalid: fn ignores the error and commits.
func TestPutParticipantRejectsInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *mentoring.Participant)
	}{
		{"bad id", func(p *mentoring.Participant) { p.ID = "alice" }},
		{"bad role", func(p *mentoring.Participant) { p.Role = "boss" }},
		{"capacity 0", func(p *mentoring.Participant) { p.Capacity = 0 }},
		{"capacity 99", func(p *mentoring.Participant) { p.Capacity = 99 }},
		{"own manager", func(p *mentoring.Participant) { p.ManagerID = p.ID }},
		{"manager not a user", func(p *mentoring.Participant) { p.ManagerID = "@bob" }},
		{"long team", func(p *mentoring.Participant) { p.Team = strings.Repeat("t", mentoring.MaxTeamLen+1) }},
		{"too many goals", func(p *mentoring.Participant) { p.Goals = make([]mentoring.Goal, mentoring.MaxGoals+1) }},
		{"too many topics", func(p *mentoring.Participant) { p.Topics = strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			// An existing record keeps its value when an invalid change of it is put.
			existing := person("UALICE", mentoring.RoleMentor)
			update(t, s, func(tx mentoring.Tx) error { return tx.PutParticipant(&existing) })

			for _, id := range []string{"UALICE", "UNEW"} {
				p := person(id, mentoring.RoleMentor)
				p.Team = "must not be saved"
				tt.change(&p)
				var putErr error
				update(t, s, func(tx mentoring.Tx) error {
					putErr = tx.PutParticipant(&p)
					return nil // commit whatever Put wrote
				})
				if got := mentoring.ErrorCode(putErr); got != mentoring.EINVALID {
					t.Errorf("PutParticipant(%s) error = %v, want code %q", id, putErr, mentoring.EINVALID)
				}
			}
			view(t, s, func(tx mentoring.Tx) error {
				all, err := tx.Participants()
				if err != nil {
					return err
				}
				if len(all) != 1 || !reflect.DeepEqual(all[0], existing) {
					t.Errorf("Participants after invalid puts = %+v, want only %+v", all, existing)
				}
				return nil
			})
		})
	}
}

func TestParticipantsSortedByID(t *testing.T) {
	s := openTest(t)
	update(t, s, func(tx mentoring.Tx) error {
		for _, id := range []string{"UCAROL", "UALICE", "WBERT", "UBERT", "UAL"} {
			p := person(id, mentoring.RoleMentee)
			if err := tx.PutParticipant(&p); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx mentoring.Tx) error {
		all, err := tx.Participants()
		if err != nil {
			return err
		}
		var got []string
		for _, p := range all {
			got = append(got, p.ID)
		}
		if want := []string{"UAL", "UALICE", "UBERT", "UCAROL", "WBERT"}; !slices.Equal(got, want) {
			t.Errorf("Participants ids = %v, want %v", got, want)
		}
		return nil
	})
}

func TestPairings(t *testing.T) {
	s := openTest(t)
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	in := []mentoring.Pairing{
		{MentorID: "UM1", MenteeID: "UE1", StartedAt: start, Score: 0.5,
			Reasons: mentoring.Reasons{SharedTopics: []string{"go"}, HoursApart: 1, DifferentTeams: true}},
		{MentorID: "UM1", MenteeID: "UE12", StartedAt: start},
		{MentorID: "UM2", MenteeID: "UE1", StartedAt: start},
	}
	var ids []uint64
	update(t, s, func(tx mentoring.Tx) error {
		for i := range in {
			if err := tx.PutPairing(&in[i]); err != nil {
				return err
			}
			ids = append(ids, in[i].ID)
		}
		return nil
	})
	// IDs keep increasing in a later transaction.
	fourth := mentoring.Pairing{MentorID: "UM2", MenteeID: "UE12", StartedAt: start}
	update(t, s, func(tx mentoring.Tx) error { return tx.PutPairing(&fourth) })
	ids = append(ids, fourth.ID)
	if want := []uint64{1, 2, 3, 4}; !slices.Equal(ids, want) {
		t.Fatalf("assigned ids %v, want %v", ids, want)
	}
	// Saving an existing pairing keeps its id and does not index it twice.
	ended := start.Add(24 * time.Hour)
	in[0].EndedAt, in[0].EndReason = &ended, mentoring.EndLeft
	update(t, s, func(tx mentoring.Tx) error { return tx.PutPairing(&in[0]) })
	if in[0].ID != 1 {
		t.Errorf("re-saved pairing got id %d, want 1", in[0].ID)
	}

	tests := []struct {
		user string
		want []uint64
	}{
		{"UM1", []uint64{1, 2}},
		{"UE1", []uint64{1, 3}}, // not UE12's
		{"UE12", []uint64{2, 4}},
		{"UM2", []uint64{3, 4}},
		{"UM", nil},
		{"UNOBODY", nil},
	}
	view(t, s, func(tx mentoring.Tx) error {
		for _, tt := range tests {
			ps, err := tx.PairingsOf(tt.user)
			if err != nil {
				return err
			}
			var got []uint64
			for _, p := range ps {
				got = append(got, p.ID)
				if !p.Member(tt.user) {
					t.Errorf("PairingsOf(%s) holds %+v", tt.user, p)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("PairingsOf(%s) = %v, want %v", tt.user, got, tt.want)
			}
		}
		all, err := tx.Pairings()
		if err != nil {
			return err
		}
		var got []uint64
		for _, p := range all {
			got = append(got, p.ID)
		}
		if want := []uint64{1, 2, 3, 4}; !slices.Equal(got, want) {
			t.Errorf("Pairings ids = %v, want %v", got, want)
		}
		p, err := tx.Pairing(1)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(*p, in[0]) {
			t.Errorf("Pairing(1) = %+v\nwant         %+v", *p, in[0])
		}
		if _, err := tx.Pairing(99); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
			t.Errorf("Pairing(99) error = %v, want ENOTFOUND", err)
		}
		return nil
	})
}

func TestPutPairingRejectsInvalid(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	before := start.Add(-time.Hour)
	tests := []struct {
		name string
		p    mentoring.Pairing
	}{
		{"no mentor", mentoring.Pairing{MenteeID: "UE1", StartedAt: start}},
		{"mentee not a user", mentoring.Pairing{MentorID: "UM1", MenteeID: "bob", StartedAt: start}},
		{"mentors themselves", mentoring.Pairing{MentorID: "UM1", MenteeID: "UM1", StartedAt: start}},
		{"ends before it starts", mentoring.Pairing{MentorID: "UM1", MenteeID: "UE1", StartedAt: start, EndedAt: &before}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			var putErr error
			p := tt.p
			update(t, s, func(tx mentoring.Tx) error {
				putErr = tx.PutPairing(&p)
				return nil
			})
			if mentoring.ErrorCode(putErr) != mentoring.EINVALID {
				t.Errorf("PutPairing error = %v, want EINVALID", putErr)
			}
			if p.ID != 0 {
				t.Errorf("rejected pairing was given id %d", p.ID)
			}
			view(t, s, func(tx mentoring.Tx) error {
				all, err := tx.Pairings()
				if err != nil {
					return err
				}
				if len(all) != 0 {
					t.Errorf("Pairings after a rejected put = %+v", all)
				}
				for _, u := range []string{tt.p.MentorID, tt.p.MenteeID} {
					if ps, err := tx.PairingsOf(u); err != nil || len(ps) != 0 {
						t.Errorf("PairingsOf(%q) after a rejected put = %+v, %v", u, ps, err)
					}
				}
				return nil
			})
		})
	}
}

func TestCheckins(t *testing.T) {
	s := openTest(t)
	const p1, p2 = "mentorbot_checkin/2026-11-02T10:00", "mentorbot_checkin/2026-11-09T10:00"
	sent := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	answered := sent.Add(time.Hour)
	in := []mentoring.Checkin{
		{PairingID: 1, UserID: "UE1", Period: p2, SentAt: sent.Add(7 * 24 * time.Hour)},
		{PairingID: 1, UserID: "UE1", Period: p1, SentAt: sent, Answer: mentoring.AnswerMet,
			Discussed: "goals", Needs: "time", Progress: 3, AnsweredAt: &answered},
		{PairingID: 1, UserID: "UM1", Period: p1, SentAt: sent},
		{PairingID: 1, UserID: "UE12", Period: p1, SentAt: sent},
		{PairingID: 2, UserID: "UE1", Period: p1, SentAt: sent},
		{PairingID: 256, UserID: "UE1", Period: p1, SentAt: sent},
	}
	update(t, s, func(tx mentoring.Tx) error {
		for i := range in {
			if err := tx.PutCheckin(&in[i]); err != nil {
				return err
			}
		}
		return nil
	})
	tests := []struct {
		pairing uint64
		user    string
		want    []string // periods
	}{
		{1, "UE1", []string{p1, p2}},
		{1, "UM1", []string{p1}},
		{1, "UE12", []string{p1}},
		{2, "UE1", []string{p1}},
		{256, "UE1", []string{p1}},
		{1, "UE", nil},
		{3, "UE1", nil},
	}
	view(t, s, func(tx mentoring.Tx) error {
		for _, tt := range tests {
			cs, err := tx.CheckinsOf(tt.pairing, tt.user)
			if err != nil {
				return err
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.Period)
				if c.PairingID != tt.pairing || c.UserID != tt.user {
					t.Errorf("CheckinsOf(%d, %s) holds %+v", tt.pairing, tt.user, c)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("CheckinsOf(%d, %s) periods = %v, want %v", tt.pairing, tt.user, got, tt.want)
			}
		}
		c, err := tx.Checkin(1, "UE1", p1)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(*c, in[1]) {
			t.Errorf("Checkin = %+v\nwant      %+v", *c, in[1])
		}
		for _, miss := range []struct {
			pairing      uint64
			user, period string
		}{{1, "UE1", "nope"}, {3, "UE1", p1}, {1, "UE", p1}} {
			if _, err := tx.Checkin(miss.pairing, miss.user, miss.period); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
				t.Errorf("Checkin(%v) error = %v, want ENOTFOUND", miss, err)
			}
		}
		n := 0
		if err := tx.ForEachCheckin(func(mentoring.Checkin) error { n++; return nil }); err != nil {
			return err
		}
		if n != len(in) {
			t.Errorf("ForEachCheckin saw %d check-ins, want %d", n, len(in))
		}
		calls := 0
		if err := tx.ForEachCheckin(func(mentoring.Checkin) error { calls++; return errBoom }); !errors.Is(err, errBoom) || calls != 1 {
			t.Errorf("ForEachCheckin with a failing fn: error %v after %d calls, want errBoom after 1", err, calls)
		}
		return nil
	})

	// An invalid check-in is refused and not saved.
	bad := mentoring.Checkin{PairingID: 1, UserID: "UE1", Period: "bad", Progress: 9}
	var putErr error
	update(t, s, func(tx mentoring.Tx) error { putErr = tx.PutCheckin(&bad); return nil })
	if mentoring.ErrorCode(putErr) != mentoring.EINVALID {
		t.Errorf("PutCheckin(progress 9) error = %v, want EINVALID", putErr)
	}
	view(t, s, func(tx mentoring.Tx) error {
		if _, err := tx.Checkin(1, "UE1", "bad"); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
			t.Errorf("rejected check-in was saved: %v", err)
		}
		return nil
	})
}

func TestHandled(t *testing.T) {
	s := openTest(t)
	const p1, p2 = "mentorbot_checkin/2026-11-02T10:00", "mentorbot_checkin/2026-11-09T10:00"
	update(t, s, func(tx mentoring.Tx) error { return tx.MarkHandled("UE1", p1) })
	// Marking twice is harmless.
	update(t, s, func(tx mentoring.Tx) error { return tx.MarkHandled("UE1", p1) })
	tests := []struct {
		user, period string
		want         bool
	}{
		{"UE1", p1, true},
		{"UE1", p2, false},
		{"UE12", p1, false},
		{"UE", p1, false},
		{"UE", "1" + p1, false}, // the same bytes as UE1's key, were there no separator
		{"UE1", "mentorbot_nudge/2026-11-02T10:00", false},
	}
	view(t, s, func(tx mentoring.Tx) error {
		for _, tt := range tests {
			got, err := tx.Handled(tt.user, tt.period)
			if err != nil {
				return err
			}
			if got != tt.want {
				t.Errorf("Handled(%s, %s) = %v, want %v", tt.user, tt.period, got, tt.want)
			}
		}
		return nil
	})
}

// TestHandledSeesMarkInSameTransaction: a transaction that marks a period handled and
// then asks must be told it is handled (the Tx contract has no exception for it).
func TestHandledSeesMarkInSameTransaction(t *testing.T) {
	s := openTest(t)
	const period = "mentorbot_checkin/2026-11-02T10:00"
	var before, after bool
	update(t, s, func(tx mentoring.Tx) error {
		var err error
		if before, err = tx.Handled("UE1", period); err != nil {
			return err
		}
		if err := tx.MarkHandled("UE1", period); err != nil {
			return err
		}
		after, err = tx.Handled("UE1", period)
		return err
	})
	if got, want := []bool{before, after}, []bool{false, true}; !slices.Equal(got, want) {
		t.Errorf("Handled before and after MarkHandled in one transaction = %v, want %v", got, want)
	}
}

func TestKudos(t *testing.T) {
	s := openTest(t)
	// U12 and U123 share a prefix: their kudos must not mix.
	var ids []uint64
	update(t, s, func(tx mentoring.Tx) error {
		for i, to := range []string{"U12", "U123", "U12", "U1234", "U12", "U123"} {
			k := mentoring.Kudos{FromID: "UFROM", ToID: to, Message: fmt.Sprint("m", i), At: time.Unix(int64(i), 0).UTC()}
			if err := tx.AddKudos(&k); err != nil {
				return err
			}
			ids = append(ids, k.ID)
		}
		return nil
	})
	// IDs keep increasing in a later transaction.
	update(t, s, func(tx mentoring.Tx) error {
		k := mentoring.Kudos{FromID: "U12", ToID: "UZZ", Message: "m6", Channel: "C1", At: time.Unix(6, 0).UTC()}
		err := tx.AddKudos(&k)
		ids = append(ids, k.ID)
		return err
	})
	if want := []uint64{1, 2, 3, 4, 5, 6, 7}; !slices.Equal(ids, want) {
		t.Fatalf("kudos ids = %v, want %v", ids, want)
	}
	tests := []struct {
		user  string
		limit int
		want  []string
	}{
		{"U12", 10, []string{"m4", "m2", "m0"}},
		{"U12", 2, []string{"m4", "m2"}},
		{"U12", 0, nil},
		{"U123", 10, []string{"m5", "m1"}},
		{"U1234", 10, []string{"m3"}},
		{"UZZ", 10, []string{"m6"}}, // the last receiver: nothing after it to seek to
		{"U1", 10, nil},
		{"U9", 10, nil},
		{"UZZZ", 10, nil},
	}
	view(t, s, func(tx mentoring.Tx) error {
		for _, tt := range tests {
			got, err := tx.KudosFor(tt.user, tt.limit)
			if err != nil {
				return err
			}
			var msgs []string
			for _, k := range got {
				msgs = append(msgs, k.Message)
				if k.ToID != tt.user {
					t.Errorf("KudosFor(%s) holds %+v", tt.user, k)
				}
			}
			if !slices.Equal(msgs, tt.want) {
				t.Errorf("KudosFor(%s, %d) = %v, want %v", tt.user, tt.limit, msgs, tt.want)
			}
		}
		var all []mentoring.Kudos
		if err := tx.ForEachKudos(func(k mentoring.Kudos) error { all = append(all, k); return nil }); err != nil {
			return err
		}
		var msgs []string
		for _, k := range all {
			msgs = append(msgs, k.Message)
		}
		if want := []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6"}; !slices.Equal(msgs, want) {
			t.Errorf("ForEachKudos = %v, want %v", msgs, want)
		}
		want := mentoring.Kudos{ID: 7, FromID: "U12", ToID: "UZZ", Message: "m6", Channel: "C1", At: time.Unix(6, 0).UTC()}
		if !reflect.DeepEqual(all[6], want) {
			t.Errorf("last kudos = %+v, want %+v", all[6], want)
		}
		calls := 0
		if err := tx.ForEachKudos(func(mentoring.Kudos) error { calls++; return errBoom }); !errors.Is(err, errBoom) || calls != 1 {
			t.Errorf("ForEachKudos with a failing fn: error %v after %d calls, want errBoom after 1", err, calls)
		}
		return nil
	})
}

func TestAddKudosRejectsInvalid(t *testing.T) {
	tests := []struct {
		name string
		k    mentoring.Kudos
	}{
		{"to oneself", mentoring.Kudos{FromID: "U12", ToID: "U12", Message: "me"}},
		{"no receiver", mentoring.Kudos{FromID: "U12", Message: "hi"}},
		{"blank message", mentoring.Kudos{FromID: "U12", ToID: "U123", Message: "  "}},
		{"long message", mentoring.Kudos{FromID: "U12", ToID: "U123", Message: strings.Repeat("x", mentoring.MaxKudosLen+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			k := tt.k
			var addErr error
			update(t, s, func(tx mentoring.Tx) error { addErr = tx.AddKudos(&k); return nil })
			if mentoring.ErrorCode(addErr) != mentoring.EINVALID {
				t.Errorf("AddKudos error = %v, want EINVALID", addErr)
			}
			view(t, s, func(tx mentoring.Tx) error {
				n := 0
				if err := tx.ForEachKudos(func(mentoring.Kudos) error { n++; return nil }); err != nil {
					return err
				}
				if n != 0 {
					t.Errorf("%d kudos stored after a rejected add", n)
				}
				return nil
			})
		})
	}
}

// TestUpdateErrorRollsBack: everything fn wrote before it failed is gone, including
// the id sequences it advanced.
func TestUpdateErrorRollsBack(t *testing.T) {
	const period = "mentorbot_checkin/2026-11-02T10:00"
	tests := []struct {
		name  string
		write func(tx mentoring.Tx) error
		// check reads the store after the failed Update and reports what is left.
		check func(tx mentoring.Tx) (string, error)
		// sameTx says check sees the write inside its own transaction; Handled does
		// not (see TestHandledSeesMarkInSameTransaction).
		sameTx bool
	}{
		{"PutParticipant", func(tx mentoring.Tx) error {
			p := person("UALICE", mentoring.RoleMentee)
			return tx.PutParticipant(&p)
		}, func(tx mentoring.Tx) (string, error) {
			all, err := tx.Participants()
			return fmt.Sprint(all), err
		}, true},
		{"PutPairing", func(tx mentoring.Tx) error {
			return tx.PutPairing(&mentoring.Pairing{MentorID: "UM1", MenteeID: "UE1"})
		}, func(tx mentoring.Tx) (string, error) {
			all, err := tx.Pairings()
			if err != nil || len(all) > 0 {
				return fmt.Sprint(all), err
			}
			of, err := tx.PairingsOf("UM1")
			return fmt.Sprint(of), err
		}, true},
		{"PutCheckin", func(tx mentoring.Tx) error {
			return tx.PutCheckin(&mentoring.Checkin{PairingID: 1, UserID: "UE1", Period: period})
		}, func(tx mentoring.Tx) (string, error) {
			cs, err := tx.CheckinsOf(1, "UE1")
			return fmt.Sprint(cs), err
		}, true},
		{"MarkHandled", func(tx mentoring.Tx) error {
			return tx.MarkHandled("UE1", period)
		}, func(tx mentoring.Tx) (string, error) {
			done, err := tx.Handled("UE1", period)
			if done {
				return "handled", err
			}
			return "[]", err
		}, false},
		{"AddKudos", func(tx mentoring.Tx) error {
			return tx.AddKudos(&mentoring.Kudos{FromID: "UM1", ToID: "UE1", Message: "thanks"})
		}, func(tx mentoring.Tx) (string, error) {
			ks, err := tx.KudosFor("UE1", 10)
			return fmt.Sprint(ks), err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			err := s.Update(t.Context(), func(tx mentoring.Tx) error {
				if err := tt.write(tx); err != nil {
					t.Fatalf("write: %v", err)
				}
				// fn sees its own write before it fails.
				if got, err := tt.check(tx); tt.sameTx && (err != nil || got == "[]") {
					t.Errorf("inside the transaction: %s, %v; want the write", got, err)
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("Update error = %v, want fn's error", err)
			}
			view(t, s, func(tx mentoring.Tx) error {
				got, err := tt.check(tx)
				if got != "[]" {
					t.Errorf("after the failed Update: %s, want nothing", got)
				}
				return err
			})
		})
	}
	t.Run("Enqueue", func(t *testing.T) {
		s := openTest(t)
		err := s.Update(t.Context(), func(tx mentoring.Tx) error {
			if err := tx.Enqueue(mentoring.Notice{Kind: mentoring.KindIntro, To: []string{"UE1"}}); err != nil {
				t.Fatal(err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Update error = %v, want fn's error", err)
		}
		due, err := s.Due(t.Context(), 10)
		if err != nil || len(due) != 0 {
			t.Errorf("outbox after the failed Update = %+v, %v; want empty", due, err)
		}
	})
	t.Run("sequences", func(t *testing.T) {
		s := openTest(t)
		err := s.Update(t.Context(), func(tx mentoring.Tx) error {
			if err := tx.PutPairing(&mentoring.Pairing{MentorID: "UM1", MenteeID: "UE1"}); err != nil {
				t.Fatal(err)
			}
			if err := tx.AddKudos(&mentoring.Kudos{FromID: "UM1", ToID: "UE1", Message: "thanks"}); err != nil {
				t.Fatal(err)
			}
			if err := tx.Enqueue(mentoring.Notice{Kind: mentoring.KindIntro}); err != nil {
				t.Fatal(err)
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Update error = %v, want fn's error", err)
		}
		p := mentoring.Pairing{MentorID: "UM1", MenteeID: "UE1"}
		k := mentoring.Kudos{FromID: "UM1", ToID: "UE1", Message: "thanks"}
		update(t, s, func(tx mentoring.Tx) error {
			if err := tx.PutPairing(&p); err != nil {
				return err
			}
			if err := tx.AddKudos(&k); err != nil {
				return err
			}
			return tx.Enqueue(mentoring.Notice{Kind: mentoring.KindIntro})
		})
		due, err := s.Due(t.Context(), 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("Due = %+v, %v", due, err)
		}
		if got, want := []uint64{p.ID, k.ID, due[0].ID}, []uint64{1, 1, 1}; !slices.Equal(got, want) {
			t.Errorf("ids after a rolled-back transaction = %v, want %v", got, want)
		}
	})
}

// TestViewCannotWrite: a read transaction refuses writes rather than losing them.
func TestViewCannotWrite(t *testing.T) {
	s := openTest(t)
	p := person("UALICE", mentoring.RoleMentee)
	err := s.View(t.Context(), func(tx mentoring.Tx) error { return tx.PutParticipant(&p) })
	if err == nil {
		t.Error("PutParticipant in a View succeeded")
	}
	view(t, s, func(tx mentoring.Tx) error {
		if _, err := tx.Participant("UALICE"); mentoring.ErrorCode(err) != mentoring.ENOTFOUND {
			t.Errorf("Participant after a write in a View: %v, want ENOTFOUND", err)
		}
		return nil
	})
}
