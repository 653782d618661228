package bot

import (
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// startStatsBot runs a bot whose `/mentor stats` routes as bot/members.go is to: any
// words after it go to statsExport.
func startStatsBot(t *testing.T) *harness {
	t.Helper()
	return startBot(t, func(b *Bot) {
		b.commands["stats"] = subcommand{admin: true, run: func(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
			if args != "" {
				return b.statsExport(ctx, cmd, args)
			}
			return b.stats(ctx, cmd, args)
		}}
	})
}

func TestStatsExport(t *testing.T) {
	h := startStatsBot(t)
	// Something to count this week: kudos for one person.
	if text := replyText(replyOf(t, h.command(t, "UBERT", "/kudos", "<@UALICE|alice> thanks for the review"))); strings.Contains(text, "nothing was posted") {
		t.Fatalf("kudos refused: %s", text)
	}
	before := len(h.srv.Records())

	asked := time.Now()
	reply := replyText(replyOf(t, h.command(t, "UADMIN", "/mentor", "stats EXPORT")))
	answered := time.Now()
	if !strings.Contains(reply, "I've sent you a DM") || !strings.Contains(reply, "52 weeks") {
		t.Errorf("reply %q, want it to say a DM with 52 weeks was sent", reply)
	}
	dm := h.srv.DMChannelID("UADMIN")
	var file *slacktest.File
	var text string
	for _, r := range h.srv.Records()[before:] {
		switch {
		case r.Kind == "file" && r.Channel == dm:
			file = r.File
		case r.Kind == "message" && r.Channel == dm:
			text = slacktest.RecordText(r)
		case r.Kind == "error":
			t.Errorf("Slack showed an error: %s", r.Text)
		}
		for _, p := range slacktest.VoiceProblems(r) {
			t.Error(p)
		}
	}
	if file == nil {
		t.Fatal("no file was shared in the admin's DM")
	}
	if !strings.HasSuffix(file.Name, ".csv") || file.Title == "" {
		t.Errorf("file %q titled %q, want a .csv with a title", file.Name, file.Title)
	}
	if !strings.Contains(text, "Programme figures by week") || !strings.Contains(text, "52 weeks") || !strings.Contains(text, "`answers_hidden`") {
		t.Errorf("DM text %q does not say what the file holds", text)
	}

	rows, err := csv.NewReader(strings.NewReader(string(file.Content))).ReadAll()
	if err != nil {
		t.Fatalf("the file is not CSV: %v\n%s", err, file.Content)
	}
	if len(rows) != exportWeeks+1 || strings.Join(rows[0], ",") != strings.Join(trendCSVHeader, ",") {
		t.Fatalf("%d rows under %v, want %d weeks under the header", len(rows)-1, rows[0], exportWeeks)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	// The last row is this week (whichever side of a Monday midnight the export fell).
	last, err := time.Parse(time.DateOnly, rows[len(rows)-1][col["week"]])
	if err != nil || !last.Equal(mentoring.WeekOf(asked)) && !last.Equal(mentoring.WeekOf(answered)) {
		t.Errorf("the last row is the week of %v (%v), want this week's Monday, %s", last, err, mentoring.WeekOf(asked).Format(time.DateOnly))
	}
	kudos := 0
	for i, row := range rows[1:] {
		want := last.AddDate(0, 0, -7*(exportWeeks-1-i)).Format(time.DateOnly)
		if row[col["week"]] != want {
			t.Errorf("row %d is the week of %s, want %s (one row per week, oldest first)", i, row[col["week"]], want)
		}
		if n, err := strconv.Atoi(row[col["kudos_given"]]); err != nil {
			t.Errorf("row %d kudos_given %q is not a count", i, row[col["kudos_given"]])
		} else {
			kudos += n
		}
		// Nobody was sent a check-in: every answer figure is hidden, never 0.
		if row[col["checkins_answered"]] != "" || row[col["meetings_reported"]] != "" || row[col["answers_hidden"]] != "true" {
			t.Errorf("row %d shows answers from fewer than 5 people: %v", i, row)
		}
	}
	if kudos != 1 {
		t.Errorf("the year's kudos_given add up to %d, want the 1 given", kudos)
	}
}

func TestStatsExportRefused(t *testing.T) {
	h := startStatsBot(t)
	tests := []struct {
		name, user, text, want string
	}{
		{"unknown word", "UADMIN", "stats foo", "Write `/mentor stats` for the figures, or `/mentor stats export` for a CSV file of every week."},
		{"export and more", "UADMIN", "stats export now", "Write `/mentor stats` for the figures, or `/mentor stats export` for a CSV file of every week."},
		{"not an admin", "UALICE", "stats export", "admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.srv.Records())
			reply := replyText(replyOf(t, h.command(t, tt.user, "/mentor", tt.text)))
			if !strings.Contains(reply, tt.want) {
				t.Errorf("reply %q, want %q", reply, tt.want)
			}
			for _, r := range h.srv.Records()[before:] {
				if r.Kind == "file" || r.Kind == "message" {
					t.Errorf("something was sent: %s %s", r.Kind, slacktest.RecordText(r))
				}
			}
		})
	}
}
