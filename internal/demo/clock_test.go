package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/scheduler"
)

func TestDemoParseSpan(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"7d", 7 * 24 * time.Hour, ""},
		{"2w", 14 * 24 * time.Hour, ""},
		{"1w2d", 9 * 24 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"3h", 3 * time.Hour, ""},
		{"90m", 90 * time.Minute, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"0d", 0, "only moves forward"},
		{"0s", 0, "only moves forward"},
		{"1y", 0, "is not a span"},
		{"d", 0, "is not a span"},
		{"7 d", 0, "is not a span"},
		{"-3h", 0, "is not a span"},
		{"60w", 0, "at most 400 days"},
	}
	for _, tt := range tests {
		got, err := parseSpan(tt.in)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseSpan(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			}
		case err != nil || got != tt.want:
			t.Errorf("parseSpan(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestDemoDefaultStart(t *testing.T) {
	tests := []struct{ now, want string }{
		{"2026-12-02T15:04:05Z", "2026-11-29T12:00:00Z"}, // a Wednesday
		{"2026-11-29T12:00:00Z", "2026-11-29T12:00:00Z"}, // that Sunday noon itself
		{"2026-11-29T11:59:00Z", "2026-11-22T12:00:00Z"}, // that Sunday morning
		{"2026-12-05T23:00:00-05:00", "2026-11-29T12:00:00Z"},
		{"2026-12-06T01:00:00+03:00", "2026-11-29T12:00:00Z"}, // Saturday 22:00 UTC
	}
	for _, tt := range tests {
		now, _ := time.Parse(time.RFC3339, tt.now)
		if got := DefaultStart(now).Format(time.RFC3339); got != tt.want {
			t.Errorf("DefaultStart(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
}

// defaultCalendar reads the default schedules of SPEC.md, as the bot does.
func defaultCalendar(t *testing.T) *scheduler.Calendar {
	t.Helper()
	specs := map[mentoring.Kind]string{
		mentoring.KindCheckin:     "0 10 * * MON",
		mentoring.KindNudge:       "0 10 * * WED",
		mentoring.KindRecognition: "0 15 * * FRI",
	}
	schedules := map[mentoring.Kind]cron.Schedule{}
	for k, spec := range specs {
		s, err := cron.ParseStandard(spec)
		if err != nil {
			t.Fatal(err)
		}
		schedules[k] = s
	}
	return scheduler.NewCalendar(schedules)
}

// playClock runs a session of lines with a stand-in bot whose tick sends each
// scheduled kind to each person at the start of its period in their zone, as far as
// send allows, and returns what each line printed and the times the bot ticked at.
func playClock(t *testing.T, lines []string, send func(k mentoring.Kind, p Person, now time.Time) bool) (printed map[string]string, ticks []time.Time) {
	t.Helper()
	clock := NewClock(sunday)
	srv, ws := newServerOn(t, clock.Now)
	cal := defaultCalendar(t)
	api := slack.New(slacktest.DefaultBotToken, slack.OptionAPIURL(srv.APIURL()))
	tick := func(ctx context.Context) error {
		now := clock.Now()
		ticks = append(ticks, now)
		for _, p := range ws.People {
			loc, err := time.LoadLocation(p.TZ)
			if err != nil {
				return err
			}
			for _, k := range mentoring.ScheduledKinds {
				if period, _, ok := cal.Current(k, now, loc); !ok || !period.Start.Equal(now) || !send(k, p, now) {
					continue
				}
				if _, _, err := api.PostMessageContext(ctx, p.ID, slack.MsgOptionText(string(k)+" for "+p.Name, false),
					slack.MsgOptionMetadata(slack.SlackMetadata{EventType: string(k), EventPayload: map[string]any{"id": "1"}})); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := Run(ctx, Config{In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: &out, Server: srv, Workspace: ws,
		Clock: clock, Calendar: cal, Tick: tick, Quiet: 20 * time.Millisecond})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	printed = map[string]string{}
	for _, part := range strings.Split("\n"+out.String(), "\n> ")[1:] {
		line, rest, _ := strings.Cut(part, "\n")
		printed[line] += rest
	}
	return printed, ticks
}

// wantInOrder fails t unless each of parts is in got, each after the one before.
func wantInOrder(t *testing.T, what, got string, parts ...string) {
	t.Helper()
	rest := got
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("%s: %q missing or out of order; it printed:\n%s", what, p, got)
			return
		}
		rest = rest[i+len(p):]
	}
}

// TestClockWalksThroughEveryMomentSomethingComesDue: moving the clock has the bot look
// at each moment a schedule fires in someone's zone, and prints what it sent there in
// time order, each person's time shown in their zone.
func TestDemoClockWalksThroughEveryMomentSomethingComesDue(t *testing.T) {
	firstWeek := sunday.AddDate(0, 0, 7)
	printed, ticks := playClock(t, []string{"clock", "clock +1d", "clock next nudge", "dms chen", "clock +90m"},
		func(k mentoring.Kind, p Person, now time.Time) bool {
			switch k {
			case mentoring.KindNudge: // nobody is stale in the first week
				return now.After(firstWeek)
			case mentoring.KindRecognition:
				return p.Name == "alice"
			}
			return true
		})

	wantInOrder(t, "clock", printed["clock"],
		"It is Sunday 3 January 2027, 12:00 UTC.",
		"next check-in time: Monday 4 January 2027, 02:00 UTC (chen Monday 10:00)",
		"next nudge time: Wednesday 6 January 2027, 02:00 UTC (chen Wednesday 10:00)",
		"next recognition prompt time: Friday 8 January 2027, 07:00 UTC (chen Friday 15:00)")

	wantInOrder(t, "clock +1d", printed["clock +1d"],
		"⏰ Monday 4 January 2027, 02:00 UTC — chen Monday 10:00\n── DM to chen · mentorbot_checkin ──\n  mentorbot_checkin for chen\n",
		"⏰ Monday 4 January 2027, 04:30 UTC — farah Monday 10:00\n",
		"⏰ Monday 4 January 2027, 09:00 UTC — alice Monday 10:00, emeka Monday 10:00\n",
		"⏰ Monday 4 January 2027, 10:00 UTC — dana Monday 10:00\n",
		"The clock is now Monday 4 January 2027, 12:00 UTC.")
	if strings.Contains(printed["clock +1d"], "bertram") {
		t.Errorf("clock +1d went past bertram's Monday 10:00 (15:00 UTC):\n%s", printed["clock +1d"])
	}

	// clock next nudge passes the first Wednesday, where nobody is due one, and the
	// rest of the week, and stops at the first nudge sent.
	next := printed["clock next nudge"]
	wantInOrder(t, "clock next nudge", next,
		"⏰ Monday 4 January 2027, 15:00 UTC — bertram Monday 10:00\n",
		"⏰ Friday 8 January 2027, 14:00 UTC — alice Friday 15:00\n── DM to alice · mentorbot_recognition ──\n",
		"⏰ Monday 11 January 2027, 02:00 UTC — chen Monday 10:00\n",
		"⏰ Wednesday 13 January 2027, 02:00 UTC — chen Wednesday 10:00\n── DM to chen · mentorbot_nudge ──\n",
		"The clock is now Wednesday 13 January 2027, 02:00 UTC.")
	if n := strings.Count(next, "· mentorbot_nudge ──"); n != 1 {
		t.Errorf("clock next nudge printed %d nudges, want 1 (it stops at the first):\n%s", n, next)
	}

	wantInOrder(t, "dms chen", printed["dms chen"],
		"── DM to chen · mentorbot_checkin · Monday 4 January, 10:00 ──",
		"── DM to chen · mentorbot_checkin · Monday 11 January, 10:00 ──",
		"── DM to chen · mentorbot_nudge · Wednesday 13 January, 10:00 ──")

	wantInOrder(t, "clock +90m", printed["clock +90m"], "(nothing came due)", "The clock is now Wednesday 13 January 2027, 03:30 UTC.")

	// The bot looked at each moment something came due, and where each move ended.
	var got []string
	for _, tk := range ticks[:6] {
		got = append(got, tk.UTC().Format("Mon 15:04"))
	}
	if want := []string{"Mon 02:00", "Mon 04:30", "Mon 09:00", "Mon 10:00", "Mon 12:00", "Mon 15:00"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the bot ticked at %v, want %v then on", got, want)
	}
	if last := ticks[len(ticks)-1]; !last.Equal(time.Date(2027, 1, 13, 3, 30, 0, 0, time.UTC)) {
		t.Errorf("the last tick was at %v, want where the clock stopped", last)
	}
}

// TestClockNextGivesUp: when nobody is sent the kind, clock next stops after
// nextPeriods firings of its schedule and says so.
func TestDemoClockNextGivesUp(t *testing.T) {
	printed, _ := playClock(t, []string{"clock next recognition", "clock next frobs", "clock +2", "clock"},
		func(mentoring.Kind, Person, time.Time) bool { return false })
	// Recognition fires on Fridays at five distinct moments across the team's zones:
	// the eighth is the third of the second Friday.
	wantInOrder(t, "clock next recognition", printed["clock next recognition"],
		"Nobody was due a recognition prompt in the next 8 times it came round.",
		"The clock is now Friday 15 January 2027, 14:00 UTC.")
	if strings.Contains(printed["clock next recognition"], "⏰") {
		t.Errorf("clock next recognition printed a time with nothing sent:\n%s", printed["clock next recognition"])
	}
	wantInOrder(t, "clock next frobs", printed["clock next frobs"], `error: "frobs" is not a kind of scheduled message`)
	wantInOrder(t, "clock +2", printed["clock +2"], `error: "+2" is not a span`)
	wantInOrder(t, "clock", printed["clock"], "It is Friday 15 January 2027, 14:00 UTC.")
}
