package mentoring_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

func TestPostKudosRefusesTheWholePost(t *testing.T) {
	many := make([]string, mentoring.MaxKudosPeople+1)
	for i := range many {
		many[i] = fmt.Sprintf("UPEER%02d", i)
	}
	tests := []struct {
		name    string
		to      []string
		message string
		field   string
		// who is the person a *RecipientError names, "" for none.
		who  string
		want string
	}{
		{"nobody", nil, "thanks", "to", "", "@mention"},
		{"not an id", []string{"alice"}, "thanks", "to", "", "@mention"},
		{"yourself among others", []string{"UBERT", "UALICE"}, "thanks", "to", "", "not yourself"},
		{"a bot among people", []string{"UBERT", "UROBOT", "UCHEN"}, "thanks", "to", "UROBOT", "is a bot"},
		{"a deactivated account", []string{"UGONE", "UBERT"}, "thanks", "to", "UGONE", "deactivated"},
		{"someone the workspace does not know", []string{"UBERT", "UNOBODY"}, "thanks", "to", "UNOBODY", "can find"},
		{"too many", many, "thanks", "to", "", "at most 10 people"},
		{"an empty message", []string{"UBERT", "UCHEN"}, " \n\t ", "message", "", "Add a message"},
		{"a message too long", []string{"UBERT"}, strings.Repeat("k", mentoring.MaxKudosLen+1), "message", "", "at most 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			published := 0
			post := mentoring.KudosPost{FromID: "UALICE", ToIDs: tt.to, Message: tt.message, Channel: "C1"}
			got, err := e.p.PostKudos(e.ctx, post, func(context.Context, mentoring.KudosPost) error { published++; return nil })
			wantErr(t, "PostKudos", err, mentoring.EINVALID, tt.field)
			if msg := mentoring.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("PostKudos message = %q, want it to say %q", msg, tt.want)
			}
			re, isRecipient := errors.AsType[*mentoring.RecipientError](err)
			switch {
			case tt.who == "" && isRecipient:
				t.Errorf("PostKudos error names %s, want nobody", re.ID)
			case tt.who != "" && (!isRecipient || re.ID != tt.who):
				t.Errorf("PostKudos error = %#v, want a *RecipientError naming %s", err, tt.who)
			}
			if published != 0 || got != nil {
				t.Errorf("PostKudos published %d times and returned %+v, want neither", published, got)
			}
			var stored int
			if err := e.store.View(e.ctx, func(tx mentoring.Tx) error {
				return tx.ForEachKudos(func(mentoring.Kudos) error { stored++; return nil })
			}); err != nil || stored != 0 {
				t.Errorf("after a refusal, %d kudos are stored (%v), want none", stored, err)
			}
		})
	}
}

func TestPostKudosOncePerPostRecordedForEach(t *testing.T) {
	e := newEnv(t)
	e.join("UBERT", mentoring.RoleMentee, "go")
	e.join("UDANA", mentoring.RoleMentee, "go")
	var posts []mentoring.KudosPost
	publish := func(_ context.Context, p mentoring.KudosPost) error { posts = append(posts, p); return nil }
	// Dana named twice counts once; the order named is kept.
	got, err := e.p.PostKudos(e.ctx, mentoring.KudosPost{
		FromID: "UALICE", ToIDs: []string{"UDANA", "UBERT", "UDANA"}, Message: "  thanks both 👩🏽‍💻 ", Channel: "CKUDOS",
	}, publish)
	if err != nil {
		t.Fatalf("PostKudos: %v", err)
	}
	wantTo := []string{"UDANA", "UBERT"}
	if len(posts) != 1 || !slices.Equal(posts[0].ToIDs, wantTo) || posts[0].Message != "thanks both 👩🏽‍💻" || !posts[0].At.Equal(start) {
		t.Errorf("published %+v, want one post for %v, the message trimmed, at %v", posts, wantTo, start)
	}
	if len(got) != 2 {
		t.Fatalf("PostKudos recorded %+v, want one kudos for each of %v", got, wantTo)
	}
	for i, k := range got {
		if k.ID == 0 || k.ToID != wantTo[i] || k.FromID != "UALICE" || k.Message != "thanks both 👩🏽‍💻" || k.Channel != "CKUDOS" {
			t.Errorf("recorded[%d] = %+v, want kudos for %s", i, k, wantTo[i])
		}
	}
	for _, id := range wantTo {
		if h := homeOf(t, e, id); len(h.Kudos) != 1 || h.Kudos[0].FromID != "UALICE" {
			t.Errorf("Home(%s).Kudos = %+v, want alice's", id, h.Kudos)
		}
	}
	if d, err := e.p.PersonalData(e.ctx, "UALICE"); err != nil || len(d.KudosGiven) != 2 {
		t.Errorf("PersonalData(alice).KudosGiven = %+v, %v; want two records", d.KudosGiven, err)
	}
}

func TestPostKudosRecordsNothingWhenThePostFails(t *testing.T) {
	e := newEnv(t)
	failed := errors.New("slack: not_in_channel")
	_, err := e.p.PostKudos(e.ctx, mentoring.KudosPost{FromID: "UALICE", ToIDs: []string{"UBERT", "UCHEN"}, Message: "thanks"},
		func(context.Context, mentoring.KudosPost) error { return failed })
	if !errors.Is(err, failed) {
		t.Errorf("PostKudos = %v, want the publish error", err)
	}
	for _, id := range []string{"UBERT", "UCHEN"} {
		if h := homeOf(t, e, id); len(h.Kudos) != 0 {
			t.Errorf("after a failed post, Home(%s).Kudos = %+v", id, h.Kudos)
		}
	}
}

// TestForgetOneOfSeveralThanked erases one of two people thanked in one post whose
// message names both by id (as Slack sends a mention without a label): the other keeps
// their kudos, and no record keeps the erased id.
func TestForgetOneOfSeveralThanked(t *testing.T) {
	e := newEnv(t)
	if _, err := e.p.PostKudos(e.ctx, mentoring.KudosPost{
		FromID: "UALICE", ToIDs: []string{"UBERT", "UDANA"}, Message: "thanks @UBERT and @UDANA (UDANA led it)",
	}, func(context.Context, mentoring.KudosPost) error { return nil }); err != nil {
		t.Fatalf("PostKudos: %v", err)
	}
	if _, err := e.p.Forget(e.ctx, "UDANA"); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	var left []mentoring.Kudos
	if err := e.store.View(e.ctx, func(tx mentoring.Tx) error {
		return tx.ForEachKudos(func(k mentoring.Kudos) error { left = append(left, k); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	if want := "thanks @UBERT and someone (someone led it)"; len(left) != 1 || left[0].ToID != "UBERT" || left[0].Message != want {
		t.Errorf("kudos after dana's erasure = %+v, want bert's alone, reading %q", left, want)
	}
	if d, err := e.p.PersonalData(e.ctx, "UDANA"); err != nil || !d.Empty() {
		t.Errorf("PersonalData(dana) after the erasure = %+v, %v; want nothing", d, err)
	}
}
