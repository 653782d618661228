package store

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// clock sets s.Now to a fixed time and returns a pointer to move it.
func clock(s *Store) *time.Time {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return &now
}

func enqueue(t *testing.T, s *Store, ns ...mentoring.Notice) {
	t.Helper()
	update(t, s, func(tx mentoring.Tx) error {
		for _, n := range ns {
			if err := tx.Enqueue(n); err != nil {
				return err
			}
		}
		return nil
	})
}

func due(t *testing.T, s *Store, limit int) []mentoring.Notice {
	t.Helper()
	ns, err := s.Due(t.Context(), limit)
	if err != nil {
		t.Fatalf("Due: %v", err)
	}
	return ns
}

func ids(ns []mentoring.Notice) []uint64 {
	var out []uint64
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

func TestOutbox(t *testing.T) {
	s := openTest(t)
	now := clock(s)
	created := *now
	enqueue(t, s,
		mentoring.Notice{Kind: "a", To: []string{"U1"}, ID: 99, Attempts: 5},
		mentoring.Notice{Kind: "b", To: []string{"U2"}})
	*now = now.Add(time.Minute)
	enqueue(t, s, mentoring.Notice{Kind: "c", To: []string{"U3"}})
	got := due(t, s, 10)
	want := []mentoring.Notice{
		// Enqueue assigns ID and CreatedAt, whatever the caller set; it keeps the rest.
		{ID: 1, Kind: "a", To: []string{"U1"}, Attempts: 5, CreatedAt: created},
		{ID: 2, Kind: "b", To: []string{"U2"}, CreatedAt: created},
		{ID: 3, Kind: "c", To: []string{"U3"}, CreatedAt: created.Add(time.Minute)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Due = %+v\nwant  %+v", got, want)
	}

	before, ok, err := s.StartSend(t.Context(), 2)
	if err != nil || !ok || !reflect.DeepEqual(before, want[1]) {
		t.Fatalf("StartSend = %+v, %v, %v; want %+v", before, ok, err, want[1])
	}
	if again, ok, err := s.StartSend(t.Context(), 2); err != nil || !ok || again.Attempts != 1 {
		t.Errorf("second StartSend = %+v, %v, %v; want 1 attempt", again, ok, err)
	}
	if n := due(t, s, 10)[1]; n.Attempts != 2 {
		t.Errorf("Due after two StartSends: attempts %d, want 2", n.Attempts)
	}
	if err := s.Defer(t.Context(), 1, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.Sent(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	if got := ids(due(t, s, 10)); !slices.Equal(got, []uint64{3}) {
		t.Errorf("due after sending 2 and deferring 1 = %v, want [3]", got)
	}
	*now = now.Add(time.Minute) // exactly NotBefore: due
	if got := ids(due(t, s, 10)); !slices.Equal(got, []uint64{1, 3}) {
		t.Errorf("due once the deferral passed = %v, want [1 3]", got)
	}
	if _, ok, err := s.StartSend(t.Context(), 2); ok || err != nil {
		t.Errorf("StartSend of a sent notice = ok %v, %v; want not ok, no error", ok, err)
	}
	// Defer, Sent and Split of a notice no longer queued are no-ops.
	for name, call := range map[string]func() error{
		"Defer": func() error { return s.Defer(t.Context(), 2, *now) },
		"Sent":  func() error { return s.Sent(t.Context(), 2) },
		"Split": func() error { return s.Split(t.Context(), 2) },
	} {
		if err := call(); err != nil {
			t.Errorf("%s of a sent notice: %v", name, err)
		}
	}
	if got := ids(due(t, s, 10)); !slices.Equal(got, []uint64{1, 3}) {
		t.Errorf("due after no-ops on a sent notice = %v, want [1 3]", got)
	}
}

func TestDueLimitAndNotBefore(t *testing.T) {
	s := openTest(t)
	now := clock(s)
	later := now.Add(time.Hour)
	enqueue(t, s,
		mentoring.Notice{Kind: "a", To: []string{"U1"}, NotBefore: later},
		mentoring.Notice{Kind: "b", To: []string{"U2"}},
		mentoring.Notice{Kind: "c", To: []string{"U3"}, NotBefore: now.Add(-time.Hour)},
		mentoring.Notice{Kind: "d", To: []string{"U4"}},
	)
	tests := []struct {
		name  string
		at    time.Time
		limit int
		want  []uint64
	}{
		{"all due now", *now, 10, []uint64{2, 3, 4}},
		{"limit counts due ones only", *now, 2, []uint64{2, 3}},
		{"limit 1", *now, 1, []uint64{2}},
		{"limit 0", *now, 0, nil},
		{"after the deferral", later, 10, []uint64{1, 2, 3, 4}},
		{"after the deferral, limit 1", later, 1, []uint64{1}},
	}
	for _, tt := range tests {
		*now = tt.at
		if got := ids(due(t, s, tt.limit)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Due = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	s := openTest(t)
	now := clock(s)
	intro := &mentoring.Intro{PairingID: 7, MentorID: "UBERT", MenteeID: "UALICE",
		Reasons: mentoring.Reasons{SharedTopics: []string{"go"}, HoursApart: 2}, Goals: []string{"give a talk"}}
	about := []mentoring.About{{PairingID: 7, PartnerID: "UBERT", PartnerMentors: true}}
	enqueue(t, s,
		mentoring.Notice{Kind: mentoring.KindIntro, To: []string{"UALICE", "UBERT"}, Period: "p", About: about, Intro: intro},
		mentoring.Notice{Kind: mentoring.KindCheckin, To: []string{"UCAROL"}, Period: "p"},
	)
	for range 2 {
		if _, _, err := s.StartSend(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.StartSend(t.Context(), 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Defer(t.Context(), 1, *now); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Minute)
	for _, id := range []uint64{1, 2} {
		if err := s.Split(t.Context(), id); err != nil {
			t.Fatalf("Split(%d): %v", id, err)
		}
	}
	got := due(t, s, 10)
	want := []mentoring.Notice{
		// The one-recipient notice is left as it was.
		{ID: 2, Kind: mentoring.KindCheckin, To: []string{"UCAROL"}, Period: "p", Attempts: 2, CreatedAt: now.Add(-time.Minute)},
		// The group notice became one per recipient: same facts, no attempts yet.
		{ID: 3, Kind: mentoring.KindIntro, To: []string{"UALICE"}, Period: "p", About: about, Intro: intro, CreatedAt: *now},
		{ID: 4, Kind: mentoring.KindIntro, To: []string{"UBERT"}, Period: "p", About: about, Intro: intro, CreatedAt: *now},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Due after Split = %+v\nwant              %+v", got, want)
	}
	if _, ok, err := s.StartSend(t.Context(), 1); ok || err != nil {
		t.Errorf("StartSend of the split notice = ok %v, %v; want it gone", ok, err)
	}
}

func TestRedactNotices(t *testing.T) {
	s := openTest(t)
	now := clock(s)
	enqueue(t, s,
		// 1: to the erased person: dropped.
		mentoring.Notice{Kind: mentoring.KindCheckin, To: []string{"UBERT"}, About: []mentoring.About{{PairingID: 1, PartnerID: "UALICE"}}},
		// 2: tells Alice Bert left: kept, no longer naming him.
		mentoring.Notice{Kind: mentoring.KindPairingEnded, To: []string{"UALICE"},
			About: []mentoring.About{{PairingID: 1, PartnerID: "UBERT", PartnerMentors: true, EndReason: mentoring.EndLeft}}},
		// 3: introduces Bert to others: dropped.
		mentoring.Notice{Kind: mentoring.KindIntro, To: []string{"UALICE"},
			Intro: &mentoring.Intro{PairingID: 1, MentorID: "UBERT", MenteeID: "UALICE"}},
		// 4: a nudge about Bert and Dan: only Dan is left.
		mentoring.Notice{Kind: mentoring.KindNudge, To: []string{"UCAROL"},
			About: []mentoring.About{{PairingID: 2, PartnerID: "UBERT"}, {PairingID: 3, PartnerID: "UDAN"}}},
		// 5: not about Bert: unchanged.
		mentoring.Notice{Kind: mentoring.KindCheckin, To: []string{"UCAROL"}, About: []mentoring.About{{PairingID: 3, PartnerID: "UDAN"}}},
		// 6: an old rendered message naming Bert: dropped.
		mentoring.Notice{Kind: mentoring.KindIntro, To: []string{"UCAROL"}, Payload: json.RawMessage(`{"text":"meet <@UBERT>"}`)},
		// 7: a nudge about Bert alone: nothing left, dropped.
		mentoring.Notice{Kind: mentoring.KindNudge, To: []string{"UDAN"}, About: []mentoring.About{{PairingID: 2, PartnerID: "UBERT"}}},
	)
	var seen []uint64
	update(t, s, func(tx mentoring.Tx) error {
		return tx.RedactNotices(func(n *mentoring.Notice) bool {
			seen = append(seen, n.ID)
			return n.Redact("UBERT")
		})
	})
	if want := []uint64{1, 2, 3, 4, 5, 6, 7}; !slices.Equal(seen, want) {
		t.Errorf("RedactNotices showed fn %v, want %v", seen, want)
	}
	got := due(t, s, 10)
	want := []mentoring.Notice{
		{ID: 2, Kind: mentoring.KindPairingEnded, To: []string{"UALICE"}, CreatedAt: *now,
			About: []mentoring.About{{PairingID: 1, PartnerID: "", PartnerMentors: true, EndReason: mentoring.EndForgotten}}},
		{ID: 4, Kind: mentoring.KindNudge, To: []string{"UCAROL"}, CreatedAt: *now,
			About: []mentoring.About{{PairingID: 3, PartnerID: "UDAN"}}},
		{ID: 5, Kind: mentoring.KindCheckin, To: []string{"UCAROL"}, CreatedAt: *now,
			About: []mentoring.About{{PairingID: 3, PartnerID: "UDAN"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Due after redaction = %+v\nwant                  %+v", got, want)
	}

	// A redaction in a failed Update is rolled back.
	err := s.Update(t.Context(), func(tx mentoring.Tx) error {
		if err := tx.RedactNotices(func(*mentoring.Notice) bool { return false }); err != nil {
			return err
		}
		return errBoom
	})
	if err == nil {
		t.Fatal("Update returning an error succeeded")
	}
	if got := ids(due(t, s, 10)); !slices.Equal(got, []uint64{2, 4, 5}) {
		t.Errorf("Due after a rolled-back redaction = %v, want [2 4 5]", got)
	}
}

// TestOldOutboxEntriesStillDecode: an entry queued by the mentorbot before notices (a
// rendered Slack payload) is delivered as it is.
func TestOldOutboxEntriesStillDecode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	const payload = `{"text":"hi","blocks":[]}`
	old := []string{
		`{"id":1,"kind":"mentorbot_intro","to":["U1","U2"],"payload":` + payload + `,"attempts":0,"created_at":"2026-11-01T00:00:00Z"}`,
		`{"id":2,"kind":"mentorbot_partner_left","to":["U3"],"payload":{"text":"bye"},"attempts":2,"not_before":"2026-11-01T01:00:00Z","created_at":"2026-11-01T00:00:00Z"}`,
	}
	putRaw(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		for _, v := range old {
			// The old mentorbot numbered entries with the bucket's sequence too.
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			if err := b.Put(u64(id), []byte(v)); err != nil {
				return err
			}
		}
		return nil
	})
	s = openAt(t, path)
	clock(s)
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	want := []mentoring.Notice{
		{ID: 1, Kind: mentoring.KindIntro, To: []string{"U1", "U2"}, Payload: json.RawMessage(payload), CreatedAt: created},
		{ID: 2, Kind: "mentorbot_partner_left", To: []string{"U3"}, Payload: json.RawMessage(`{"text":"bye"}`),
			Attempts: 2, NotBefore: created.Add(time.Hour), CreatedAt: created},
	}
	if got := due(t, s, 10); !reflect.DeepEqual(got, want) {
		t.Fatalf("Due of old entries = %+v\nwant                %+v", got, want)
	}
	// It goes through delivery's steps with its payload intact.
	before, ok, err := s.StartSend(t.Context(), 1)
	if err != nil || !ok || !reflect.DeepEqual(before, want[0]) {
		t.Errorf("StartSend of an old entry = %+v, %v, %v", before, ok, err)
	}
	if err := s.Split(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	// New notices follow the old ones.
	enqueue(t, s, mentoring.Notice{Kind: mentoring.KindCheckin, To: []string{"U4"}})
	got := due(t, s, 10)
	var summary []string
	for _, n := range got {
		summary = append(summary, string(n.Payload)+" to "+n.To[0])
	}
	wantSummary := []string{`{"text":"bye"} to U3`, payload + " to U1", payload + " to U2", " to U4"}
	if !slices.Equal(summary, wantSummary) {
		t.Errorf("Due after Split and Enqueue = %q, want %q", summary, wantSummary)
	}
	if got := ids(got); !slices.Equal(got, []uint64{2, 3, 4, 5}) {
		t.Errorf("ids = %v, want [2 3 4 5]", got)
	}
}
