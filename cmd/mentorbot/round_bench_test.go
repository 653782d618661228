package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// roundMeter is how the fake Slack meters each method a pairing round may call in
// BenchmarkRound: Slack's tiers scaled down, so that the limits, not the bot's speed,
// set the pace.
var roundMeter = []struct {
	method    string
	perSecond float64
	burst     int
}{
	{"chat.postMessage", 50, 10},
	{"views.publish", 20, 5},
	{"conversations.open", 10, 3},
	{"users.info", 20, 5},
}

// roundSeed adds pairs mentors and pairs mentees to the fake Slack and the store, all
// in UTC, with capacity 1; mentor i and mentee i share topic i%50 (so each topic has
// pairs/50 of each side and a round pairs everyone). All of them have opened their
// Home tab (remembered in the store, as the bot does when they open it), so the round
// republishes every one.
func roundSeed(tb testing.TB, srv *slacktest.Server, st *store.Store, pairs int) (everyone []string) {
	tb.Helper()
	joined := fanPairedAt
	var people []*mentoring.Participant
	for i := range pairs {
		topic := []string{fmt.Sprintf("topic%02d", i%50)}
		people = append(people,
			&mentoring.Participant{ID: fmt.Sprintf("URM%05d", i), Role: mentoring.RoleMentor, Capacity: 1, Topics: topic, Team: "platform", TimeZone: "UTC", JoinedAt: joined},
			&mentoring.Participant{ID: fmt.Sprintf("URE%05d", i), Role: mentoring.RoleMentee, Capacity: 1, Topics: topic, Team: "product", TimeZone: "UTC", JoinedAt: joined})
	}
	for _, p := range people {
		srv.AddUser(slacktest.User{ID: p.ID, Name: strings.ToLower(p.ID), RealName: p.ID, TZ: "UTC"})
		everyone = append(everyone, p.ID)
	}
	ctx := context.Background()
	if err := st.Update(ctx, func(tx mentoring.Tx) error {
		for _, p := range people {
			if err := tx.PutParticipant(p); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	for _, id := range everyone {
		if err := st.AddHomeViewer(ctx, id); err != nil {
			tb.Fatal(err)
		}
	}
	return everyone
}

// introLine finds who an intro introduces: "<@MENTEE>, meet <@MENTOR>".
var introLine = regexp.MustCompile(`<@([UW][A-Z0-9]+)>, meet <@([UW][A-Z0-9]+)>`)

// roundProgress follows what a round has delivered, record by record.
type roundProgress struct {
	partner map[string]string // each person's new partner
	// reached: who has had their intro, in a group DM with their partner or a DM.
	reached map[string]bool
	intros  int             // intro messages
	homeOK  map[string]bool // whether the person's latest Home view shows their partner
	homes   int             // how many latest Home views show the partner
	last    time.Time       // the fake's clock at the last record counted
}

func (p *roundProgress) add(srv *slacktest.Server, r slacktest.Record) {
	switch r.Kind {
	case "message":
		m := introLine.FindStringSubmatch(r.Text)
		if m == nil || !strings.Contains(string(r.Metadata), string(mentoring.KindIntro)) {
			return
		}
		p.intros++
		p.last = r.At
		switch r.Channel {
		case srv.DMChannelID(m[1]):
			p.reached[m[1]] = true
		case srv.DMChannelID(m[2]):
			p.reached[m[2]] = true
		default: // the group DM of the two
			p.reached[m[1]], p.reached[m[2]] = true, true
		}
	case "view_publish":
		partner, ok := p.partner[r.User]
		if !ok {
			return
		}
		p.last = r.At
		shows := strings.Contains(slacktest.RecordText(r), "*Partners:* <@"+partner+">")
		switch was := p.homeOK[r.User]; {
		case shows && !was:
			p.homes++
		case !shows && was:
			p.homes--
		}
		p.homeOK[r.User] = shows
	}
}

// BenchmarkRound measures a pairing round of 1,000 pairs (1,000 mentors, 1,000
// mentees, everyone's Home tab opened) through the real Main, with every method the
// round calls metered like Slack at scaled-down tiers (roundMeter) on a fresh database
// (nothing learned): from /mentor pair, typed by an admin, until every intro is
// delivered (in the pair's group DM, or a DM to each) and every Home tab's latest
// view shows the new partner. It reports the total time (round-s), the least the
// limits allow (floor-s: the slowest method's calls, less its burst, at its rate),
// their ratio, the ack latency of /mentor pair, and for each metered method the % of
// its calls answered 429. Run it with -benchtime 1x: one round takes over 100 s.
func BenchmarkRound(b *testing.B) {
	const pairs = 1000
	b.StopTimer()
	for range b.N {
		var everyone []string
		h := startMain(b, options{now: fanStart, prepare: func(tb testing.TB, h *harness, st *store.Store) {
			everyone = roundSeed(tb, h.srv, st, pairs)
		}})
		fanSchedulerIdle(b)
		stopClock := fanLiveClock(b, h.clock, fanMonday)
		skip := map[string]int{}
		for _, m := range roundMeter {
			h.srv.Meter(m.method, m.perSecond, m.burst)
			skip[m.method] = len(h.srv.Calls(m.method))
		}
		start := h.seq()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		b.StartTimer()
		t0 := time.Now()
		ack, err := h.srv.SlashCommand(ctx, "UADMIN", "/mentor", "pair")
		if err != nil {
			b.Fatalf("/mentor pair: %v", err)
		}
		// The reply comes in the ack, or through response_url when the round took longer
		// than the ack may wait.
		reply := ""
		if msg, _ := ack.Reply(); msg != nil {
			reply = replyText(msg)
		}
		if !strings.Contains(reply, "Pairing round done") {
			r, err := h.srv.WaitRecordAfter(ctx, start, func(r slacktest.Record) bool {
				return r.Kind == "ephemeral" && r.User == "UADMIN" && strings.Contains(r.Text, "Pairing round done")
			})
			if err != nil {
				b.Fatalf("no reply to /mentor pair (ack %s): %v", ack.Payload, err)
			}
			reply = r.Text
		}
		applied := time.Since(t0)
		if !strings.Contains(reply, fmt.Sprintf("*%d* new pairs", pairs)) {
			b.Fatalf("the round did not make %d pairs: %s", pairs, reply)
		}
		p := &roundProgress{partner: map[string]string{}, reached: map[string]bool{}, homeOK: map[string]bool{}}
		h.view(b, func(tx mentoring.Tx) error {
			all, err := tx.Pairings()
			for _, pr := range all {
				p.partner[pr.MentorID], p.partner[pr.MenteeID] = pr.MenteeID, pr.MentorID
			}
			return err
		})
		if len(p.partner) != len(everyone) {
			b.Fatalf("%d people paired, want %d", len(p.partner), len(everyone))
		}
		if _, err := h.srv.WaitRecordAfter(ctx, start, func(r slacktest.Record) bool {
			p.add(h.srv, r)
			return len(p.reached) == len(everyone) && p.homes == len(everyone)
		}); err != nil {
			b.Fatalf("after %v: %d of %d people have had their intro, %d of %d Home tabs show the partner: %v",
				time.Since(t0), len(p.reached), len(everyone), p.homes, len(everyone), err)
		}
		total := time.Since(t0)
		b.StopTimer()
		cancel()
		stopClock()

		// The least time the limits allow: the slowest method's calls, past its burst.
		floor := 0.0
		b.ReportMetric(ack.Latency.Seconds()*1000, "ack-ms")
		for _, m := range roundMeter {
			calls, refused := fanRefused(h.srv, m.method)
			early := 0 // refusals among the method's first 40 calls: the unpaced start
			for i, c := range h.srv.Calls(m.method) {
				if i < skip[m.method]+40 && c.Status == http.StatusTooManyRequests {
					early++
				}
			}
			calls -= skip[m.method]
			ok := calls - refused
			floor = max(floor, float64(ok-m.burst)/m.perSecond)
			b.ReportMetric(100*float64(refused)/float64(max(calls, 1)), "pct-429-"+m.method)
			b.Logf("%s: %d calls, %d answered 429 (%.2f%%; %d of them among the first 40 calls), %d accepted: %.1f s at %g/s",
				m.method, calls, refused, 100*float64(refused)/float64(max(calls, 1)), early, ok, float64(ok)/m.perSecond, m.perSecond)
		}
		b.ReportMetric(total.Seconds(), "round-s")
		b.ReportMetric(floor, "floor-s")
		b.ReportMetric(total.Seconds()/floor, "x-floor")
		b.Logf("/mentor pair: ack after %v, round applied after %v; %d intro messages; all delivered and shown after %v (limits' floor %.1f s)",
			ack.Latency.Round(time.Millisecond), applied.Round(time.Millisecond), p.intros, total.Round(time.Millisecond), floor)
		h.stop(b)
		h.srv.Close()
	}
}
