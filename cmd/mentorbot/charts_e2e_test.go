package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// chartBlock is the part of a data_visualization block the test reads.
type chartBlock struct {
	Type    string `json:"type"`
	BlockID string `json:"block_id"`
	Title   string `json:"title"`
	Chart   struct {
		Series []struct {
			Name string `json:"name"`
			Data []struct {
				Label string  `json:"label"`
				Value float64 `json:"value"`
			} `json:"data"`
		} `json:"series"`
		AxisConfig struct {
			Categories []string `json:"categories"`
		} `json:"axis_config"`
	} `json:"chart"`
}

// TestChartsOverFourteenWeeks runs three pairs for 14 weeks on the injected clock:
// each Monday the scheduler sends the check-ins and some are answered; in one week two
// people are paused, so only four are asked and that week's answers must be left out.
// Then an admin's /mentor stats carries the charts of the last 12 weeks (the series
// are the weeks' real figures, the hidden week is not a category of the answers
// chart), the same figures as text, and /mentor stats export DMs a CSV with the
// hidden cells empty.
func TestChartsOverFourteenWeeks(t *testing.T) {
	first := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) // a Monday, after 10:00 UTC
	// Idle pauses off: people who leave check-ins unanswered keep being asked.
	h := startMain(t, options{now: first.AddDate(0, 0, -6), env: map[string]string{"MENTORBOT_IDLE_AFTER": "0"}})
	ctx := context.Background()
	var mentors, mentees []string
	for i := range 3 {
		m, e := fmt.Sprintf("UCM%d", i), fmt.Sprintf("UCE%d", i)
		for _, id := range []string{m, e} {
			h.srv.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), RealName: id, TZ: "UTC"})
		}
		h.say(t, m, "/mentor", "join mentor go")
		h.say(t, m, "/mentor", "capacity 1")
		h.say(t, e, "/mentor", "join mentee go")
		mentors, mentees = append(mentors, m), append(mentees, e)
	}
	contains(t, "round", h.say(t, "UADMIN", "/mentor", "pair"), "*3* new pairs")
	const hiddenWeek = 7
	type week struct{ sent, answered, met int }
	var want []week
	for k := range 14 {
		monday := first.AddDate(0, 0, 7*k)
		h.clock.set(monday)
		if k == hiddenWeek {
			for _, id := range []string{mentors[0], mentees[0]} {
				contains(t, "pause", h.say(t, id, "/mentor", "pause 3d"), "Paused until")
			}
		}
		if _, err := h.m.sched.RunOnce(ctx); err != nil {
			t.Fatalf("week %d: scheduler: %v", k, err)
		}
		period := mentoring.Period{Kind: mentoring.KindCheckin, Start: monday.Truncate(24 * time.Hour).Add(10 * time.Hour)}.Key()
		w := week{sent: 6}
		if k == hiddenWeek {
			w.sent = 4
		}
		// Week k: the first k%5 people asked report a meeting.
		asked := slices.Concat(mentors, mentees)
		if k == hiddenWeek {
			asked = slices.DeleteFunc(asked, func(id string) bool { return id == mentors[0] || id == mentees[0] })
		}
		for i, id := range asked[:k%5] {
			pr := h.activePairings(t, id)[0]
			if _, err := h.m.prog.AnswerCheckin(ctx, id, pr.ID, period, mentoring.AnswerMet); err != nil {
				t.Fatalf("week %d, answer %d: %v", k, i, err)
			}
			w.answered++
			w.met++
		}
		want = append(want, w)
	}
	shown := want[2:] // the last 12 weeks
	label := func(k int) string { return first.AddDate(0, 0, 7*k).Format("2 Jan") }

	ack := h.command(t, "UADMIN", "/mentor", "stats")
	var reply struct {
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(ack.Payload, &reply); err != nil {
		t.Fatalf("stats reply %s: %v", ack.Payload, err)
	}
	charts := map[string]chartBlock{}
	for _, raw := range reply.Blocks {
		var c chartBlock
		if json.Unmarshal(raw, &c) == nil && c.Type == "data_visualization" {
			charts[c.BlockID] = c
		}
	}
	sent, ok := charts["chart_checkins"]
	if !ok || len(sent.Chart.Series) != 1 || len(sent.Chart.Series[0].Data) != 12 {
		t.Fatalf("check-ins chart = %+v (charts %v)", sent, slices.Collect(func(yield func(string) bool) {
			for k := range charts {
				yield(k)
			}
		}))
	}
	for i, p := range sent.Chart.Series[0].Data {
		if p.Label != label(i+2) || int(p.Value) != shown[i].sent {
			t.Errorf("check-ins sent, point %d = %s %v, want %s %d", i, p.Label, p.Value, label(i+2), shown[i].sent)
		}
	}
	answers, ok := charts["chart_answers"]
	if !ok {
		t.Fatal("no answers chart")
	}
	wantCats := []string{}
	for i := range shown {
		if i+2 != hiddenWeek {
			wantCats = append(wantCats, label(i+2))
		}
	}
	if !slices.Equal(answers.Chart.AxisConfig.Categories, wantCats) {
		t.Errorf("answers chart categories %v, want %v (the week with four people asked left out)", answers.Chart.AxisConfig.Categories, wantCats)
	}
	for _, s := range answers.Chart.Series {
		if len(s.Data) != len(wantCats) {
			t.Errorf("series %q has %d points for %d categories", s.Name, len(s.Data), len(wantCats))
		}
		for j, p := range s.Data {
			k := slices.Index(wantCats, p.Label) + 2
			if k >= hiddenWeek {
				k++
			}
			if j < len(wantCats) && p.Label != wantCats[j] {
				t.Errorf("series %q point %d is %s, want %s", s.Name, j, p.Label, wantCats[j])
			}
			if s.Name == "Met" && int(p.Value) != want[k].met {
				t.Errorf("met in the week of %s = %v, want %d", p.Label, p.Value, want[k].met)
			}
		}
	}
	text := replyText(replyOf(t, ack))
	hiddenLine := "*Week of " + first.AddDate(0, 0, 7*hiddenWeek).Format("2 January") + ":*"
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, hiddenLine) && !strings.Contains(line, "hidden: fewer than 5") {
			t.Errorf("the text fallback shows the small week's answers: %s", line)
		}
	}
	contains(t, "text fallback", text, hiddenLine, "Week by week")

	start := h.seq()
	contains(t, "export", h.say(t, "UADMIN", "/mentor", "stats export"), "CSV")
	file := h.record(t, start, "the CSV file", func(r slacktest.Record) bool { return r.Kind == "file" && r.File != nil })
	rows, err := csv.NewReader(strings.NewReader(string(file.File.Content))).ReadAll()
	if err != nil || len(rows) < 15 {
		t.Fatalf("CSV = %d rows (%v):\n%s", len(rows), err, file.File.Content)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for k := range 14 {
		row := rows[len(rows)-14+k]
		if row[col["week"]] != mentoring.WeekKey(first.AddDate(0, 0, 7*k)) || row[col["checkins_sent"]] != fmt.Sprint(want[k].sent) {
			t.Errorf("CSV row of week %d = %v", k, row)
		}
		hidden := row[col["checkins_answered"]] == "" && row[col["meetings_reported"]] == ""
		if hidden != (k == hiddenWeek) {
			t.Errorf("CSV week %d: answered %q met %q, want hidden %v", k, row[col["checkins_answered"]], row[col["meetings_reported"]], k == hiddenWeek)
		}
		if !hidden && row[col["meetings_reported"]] != fmt.Sprint(want[k].met) {
			t.Errorf("CSV week %d meetings %s, want %d", k, row[col["meetings_reported"]], want[k].met)
		}
	}
}
