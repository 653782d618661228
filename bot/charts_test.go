package bot

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// firstMonday is the first week of the test trends: Monday 1 September 2025.
var firstMonday = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)

// Figures of a week whose answers may not be shown: the secret values must never
// reach a chart, a text or a CSV cell.
const (
	secretAnswered = 777
	secretMet      = 778
)

// shownWeek has 6 people asked, so its answers show; hiddenWeek has 4.
func shownWeek(i int) mentoring.Week {
	return mentoring.Week{CheckinsSent: 10 + i, CheckinsAnswered: 7, MeetingsReported: 5, CheckinPeople: 6,
		ActivePairs: 3 + i%2, KudosGiven: i, GoalsDone: 1}
}

func hiddenWeek(i int) mentoring.Week {
	return mentoring.Week{CheckinsSent: 4, CheckinsAnswered: secretAnswered, MeetingsReported: secretMet, CheckinPeople: 4,
		ActivePairs: 2, KudosGiven: i}
}

// trendOf is n consecutive weeks from start, the i-th made by week.
func trendOf(n int, start time.Time, week func(i int) mentoring.Week) mentoring.Trend {
	tr := mentoring.Trend{}
	for i := range n {
		tr.Weeks = append(tr.Weeks, startingOn(week(i), start.AddDate(0, 0, 7*i)))
	}
	return tr
}

// startingOn is w as the week starting on start.
func startingOn(w mentoring.Week, start time.Time) mentoring.Week {
	w.Start = start
	return w
}

// chartsByID decodes blocks as Slack receives them (JSON, through slack-go's own
// decoding) and returns the charts by block_id, failing on any chart Slack would
// refuse.
func chartsByID(t *testing.T, blocks []slack.Block) map[string]*slack.DataVisualizationBlock {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var decoded slack.Blocks
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatalf("blocks do not decode: %v\n%s", err, raw)
	}
	out := map[string]*slack.DataVisualizationBlock{}
	for _, b := range decoded.BlockSet {
		dv, ok := b.(*slack.DataVisualizationBlock)
		if !ok {
			continue
		}
		if err := dv.Validate(); err != nil {
			t.Errorf("chart %q would be refused by Slack: %v", dv.BlockID, err)
		}
		if out[dv.BlockID] != nil {
			t.Errorf("two charts with block_id %q", dv.BlockID)
		}
		out[dv.BlockID] = dv
	}
	// The blocks as built, not only as sent, pass too.
	for _, b := range blocks {
		if dv, ok := b.(*slack.DataVisualizationBlock); ok {
			if err := dv.Validate(); err != nil {
				t.Errorf("chart %q as built: %v", dv.BlockID, err)
			}
		}
	}
	return out
}

// axis returns a series chart's categories and series.
func axis(t *testing.T, dv *slack.DataVisualizationBlock) ([]string, []slack.DataVisualizationDataSeries) {
	t.Helper()
	switch c := dv.Chart.(type) {
	case *slack.DataVisualizationLineChart:
		return c.AxisConfig.Categories, c.Series
	case *slack.DataVisualizationBarChart:
		return c.AxisConfig.Categories, c.Series
	}
	t.Fatalf("chart %q is a %T, want a line or bar chart", dv.BlockID, dv.Chart)
	return nil, nil
}

// values is a series' values by label.
func values(s slack.DataVisualizationDataSeries) map[string]float64 {
	out := map[string]float64{}
	for _, p := range s.Data {
		out[p.Label] = p.Value
	}
	return out
}

func TestChartBlocks(t *testing.T) {
	someHidden := func(i int) mentoring.Week {
		if i%3 == 1 {
			return hiddenWeek(i)
		}
		return shownWeek(i)
	}
	tests := []struct {
		name  string
		trend mentoring.Trend
		// cats are the weeks every chart shows but the answers chart; answerCats the
		// answers chart's (nil: no answers chart).
		cats, answerCats []string
		note             string // a piece of the context note; "" for no note
	}{
		{"no weeks", mentoring.Trend{}, nil, nil, ""},
		{"no data", trendOf(12, firstMonday, func(int) mentoring.Week { return mentoring.Week{} }),
			[]string{"1 Sep", "8 Sep", "15 Sep", "22 Sep", "29 Sep", "6 Oct", "13 Oct", "20 Oct", "27 Oct", "3 Nov", "10 Nov", "17 Nov"}, nil,
			"in each of the last 12 weeks fewer than 5 people"},
		{"all shown", trendOf(12, firstMonday, shownWeek),
			[]string{"1 Sep", "8 Sep", "15 Sep", "22 Sep", "29 Sep", "6 Oct", "13 Oct", "20 Oct", "27 Oct", "3 Nov", "10 Nov", "17 Nov"},
			[]string{"1 Sep", "8 Sep", "15 Sep", "22 Sep", "29 Sep", "6 Oct", "13 Oct", "20 Oct", "27 Oct", "3 Nov", "10 Nov", "17 Nov"}, ""},
		{"all hidden", trendOf(12, firstMonday, hiddenWeek),
			[]string{"1 Sep", "8 Sep", "15 Sep", "22 Sep", "29 Sep", "6 Oct", "13 Oct", "20 Oct", "27 Oct", "3 Nov", "10 Nov", "17 Nov"}, nil,
			"There is no chart of answers"},
		{"some hidden", trendOf(12, firstMonday, someHidden),
			[]string{"1 Sep", "8 Sep", "15 Sep", "22 Sep", "29 Sep", "6 Oct", "13 Oct", "20 Oct", "27 Oct", "3 Nov", "10 Nov", "17 Nov"},
			[]string{"1 Sep", "15 Sep", "22 Sep", "6 Oct", "13 Oct", "27 Oct", "3 Nov", "17 Nov"}, "leaves out 4 of the last 12 weeks"},
		{"exactly 5 people show", trendOf(3, firstMonday, func(i int) mentoring.Week { w := shownWeek(i); w.CheckinPeople = 5 - i%2; return w }),
			[]string{"1 Sep", "8 Sep", "15 Sep"}, []string{"1 Sep", "15 Sep"}, "leaves out 1 of the last 3 weeks"},
		{"52 weeks passed in: the last 12", trendOf(52, firstMonday, someHidden),
			[]string{"8 Jun", "15 Jun", "22 Jun", "29 Jun", "6 Jul", "13 Jul", "20 Jul", "27 Jul", "3 Aug", "10 Aug", "17 Aug", "24 Aug"},
			[]string{"15 Jun", "22 Jun", "6 Jul", "13 Jul", "27 Jul", "3 Aug", "17 Aug", "24 Aug"}, "leaves out 4 of the last 12 weeks"},
		{"one week", trendOf(1, firstMonday, shownWeek), []string{"1 Sep"}, []string{"1 Sep"}, ""},
		{"one hidden week", trendOf(1, firstMonday, hiddenWeek), []string{"1 Sep"}, nil, "fewer than 5 people were sent check-ins this week"},
		{"across the new year", trendOf(12, time.Date(2025, 11, 10, 0, 0, 0, 0, time.UTC), shownWeek),
			[]string{"10 Nov", "17 Nov", "24 Nov", "1 Dec", "8 Dec", "15 Dec", "22 Dec", "29 Dec", "5 Jan", "12 Jan", "19 Jan", "26 Jan"},
			[]string{"10 Nov", "17 Nov", "24 Nov", "1 Dec", "8 Dec", "15 Dec", "22 Dec", "29 Dec", "5 Jan", "12 Jan", "19 Jan", "26 Jan"}, ""},
		{"weeks years apart share a day and month", mentoring.Trend{Weeks: []mentoring.Week{
			startingOn(shownWeek(0), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)),
			startingOn(shownWeek(1), time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)),
		}}, []string{"1 Jan 2024", "1 Jan 2029"}, []string{"1 Jan 2024", "1 Jan 2029"}, ""},
		{"the same week twice", mentoring.Trend{Weeks: []mentoring.Week{
			startingOn(shownWeek(0), firstMonday),
			startingOn(shownWeek(1), firstMonday),
		}}, []string{"1 Sep 2025", "1 Sep 2025 (2)"}, []string{"1 Sep 2025", "1 Sep 2025 (2)"}, ""},
		{"huge counts", trendOf(12, firstMonday, func(i int) mentoring.Week {
			return mentoring.Week{CheckinsSent: 1 << 30, CheckinsAnswered: 1 << 29, MeetingsReported: 1 << 28, CheckinPeople: 1 << 30,
				ActivePairs: 1 << 29, KudosGiven: 1 << 30, GoalsDone: 1 << 30}
		}), []string{"1 Sep", "8 Sep", "15 Sep", "22 Sep", "29 Sep", "6 Oct", "13 Oct", "20 Oct", "27 Oct", "3 Nov", "10 Nov", "17 Nov"},
			[]string{"1 Sep", "8 Sep", "15 Sep", "22 Sep", "29 Sep", "6 Oct", "13 Oct", "20 Oct", "27 Oct", "3 Nov", "10 Nov", "17 Nov"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := chartBlocks(tt.trend)
			if tt.cats == nil {
				if blocks != nil {
					t.Fatalf("a trend without weeks drew %d blocks", len(blocks))
				}
				return
			}
			charts := chartsByID(t, blocks)
			want := []string{blockChartCheckins, blockChartPairs, blockChartKudos}
			if tt.answerCats != nil {
				want = append(want, blockChartAnswers)
			}
			got := make([]string, 0, len(charts))
			for id := range charts {
				got = append(got, id)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("charts %v, want %v", got, want)
			}
			recent := tt.trend.Weeks[max(0, len(tt.trend.Weeks)-mentoring.TrendWeeks):]
			byLabel := map[string]mentoring.Week{}
			for i, l := range tt.cats {
				byLabel[l] = recent[i]
			}
			for id, dv := range charts {
				if n := utf8.RuneCountInString(dv.Title); n > maxChartTitle {
					t.Errorf("chart %q title %q has %d characters", id, dv.Title, n)
				}
				cats, series := axis(t, dv)
				wantCats := tt.cats
				if id == blockChartAnswers {
					wantCats = tt.answerCats
				}
				if !slices.Equal(cats, wantCats) {
					t.Errorf("chart %q weeks %q, want %q", id, cats, wantCats)
				}
				for _, s := range series {
					if len(s.Data) > maxChartPoints {
						t.Errorf("chart %q series %q has %d points", id, s.Name, len(s.Data))
					}
					for _, p := range s.Data {
						if p.Value == secretAnswered || p.Value == secretMet {
							t.Errorf("chart %q series %q draws a hidden week's answers (%v at %s)", id, s.Name, p.Value, p.Label)
						}
					}
				}
			}
			// Each series draws its own figure of each week.
			figures := map[string]map[string]func(mentoring.Week) int{
				blockChartCheckins: {"Sent": func(w mentoring.Week) int { return w.CheckinsSent }},
				blockChartAnswers: {"Answered": func(w mentoring.Week) int { return w.CheckinsAnswered },
					"Met": func(w mentoring.Week) int { return w.MeetingsReported }},
				blockChartPairs: {"Active pairs": func(w mentoring.Week) int { return w.ActivePairs }},
				blockChartKudos: {"Kudos given": func(w mentoring.Week) int { return w.KudosGiven },
					"Goals done": func(w mentoring.Week) int { return w.GoalsDone }},
			}
			for id, dv := range charts {
				_, series := axis(t, dv)
				if len(series) != len(figures[id]) {
					t.Errorf("chart %q has %d series, want %d", id, len(series), len(figures[id]))
				}
				for _, s := range series {
					figure, ok := figures[id][s.Name]
					if !ok {
						t.Errorf("chart %q has an unexpected series %q", id, s.Name)
						continue
					}
					for label, v := range values(s) {
						if want := float64(figure(byLabel[label])); v != want {
							t.Errorf("chart %q series %q at %s = %v, want %v", id, s.Name, label, v, want)
						}
					}
				}
			}
			note := contextTexts(blocks)
			switch {
			case tt.note == "" && note != "":
				t.Errorf("unexpected note %q", note)
			case !strings.Contains(note, tt.note):
				t.Errorf("note %q, want it to say %q", note, tt.note)
			}
			raw, _ := json.Marshal(blocks)
			for _, p := range slacktest.VoiceProblems(slacktest.Record{Kind: "message", Text: "Programme figures", Blocks: raw}) {
				t.Error(p)
			}
		})
	}
}

// contextTexts joins the texts of the context blocks.
func contextTexts(blocks []slack.Block) string {
	var out []string
	for _, b := range blocks {
		if c, ok := b.(*slack.ContextBlock); ok {
			for _, e := range c.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					out = append(out, t.Text)
				}
			}
		}
	}
	return strings.Join(out, "\n")
}

var isoDay = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

func TestTrendText(t *testing.T) {
	someHidden := func(i int) mentoring.Week {
		if i%3 == 1 {
			return hiddenWeek(i)
		}
		return shownWeek(i)
	}
	tests := []struct {
		name  string
		trend mentoring.Trend
		lines []string // each must be a line of the text
	}{
		{"no weeks", mentoring.Trend{}, []string{"There are no weekly figures yet: they start with the first week of the programme."}},
		{"some hidden", trendOf(12, firstMonday, someHidden), []string{
			"*Week by week, last 12 weeks*",
			"• *Week of 1 September:* 10 check-ins sent · 7 answered · 5 meetings reported · 3 active pairs · 0 kudos given · 1 goal done",
			"• *Week of 8 September:* 4 check-ins sent · answered hidden: fewer than 5 · meetings reported hidden: fewer than 5 · 2 active pairs · 1 kudos given · 0 goals done",
			"• *Week of 17 November (so far):* 21 check-ins sent · 7 answered · 5 meetings reported · 4 active pairs · 11 kudos given · 1 goal done",
		}},
		{"singular counts", trendOf(1, firstMonday, func(int) mentoring.Week {
			return mentoring.Week{CheckinsSent: 1, CheckinsAnswered: 1, MeetingsReported: 1, CheckinPeople: 5, ActivePairs: 1, KudosGiven: 1, GoalsDone: 2}
		}), []string{
			"*Week by week, this week*",
			"• *Week of 1 September (so far):* 1 check-in sent · 1 answered · 1 meeting reported · 1 active pair · 1 kudos given · 2 goals done",
		}},
		{"52 weeks: the last 12", trendOf(52, firstMonday, someHidden), []string{
			"• *Week of 24 August (so far):* 61 check-ins sent · 7 answered · 5 meetings reported · 4 active pairs · 51 kudos given · 1 goal done",
		}},
		{"all hidden, huge counts", trendOf(12, firstMonday, func(i int) mentoring.Week {
			return mentoring.Week{CheckinsSent: 1 << 30, CheckinsAnswered: secretAnswered, MeetingsReported: secretMet, CheckinPeople: 4,
				ActivePairs: 1 << 30, KudosGiven: 1 << 30, GoalsDone: 1 << 30}
		}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := trendText(tt.trend)
			lines := strings.Split(text, "\n")
			for _, want := range tt.lines {
				if !slices.Contains(lines, want) {
					t.Errorf("no line %q in:\n%s", want, text)
				}
			}
			weeks := len(tt.trend.Weeks)
			if want := min(weeks, mentoring.TrendWeeks); weeks > 0 && strings.Count(text, "\n• ") != want {
				t.Errorf("%d week lines, want %d:\n%s", strings.Count(text, "\n• "), want, text)
			}
			for _, secret := range []string{fmt.Sprint(secretAnswered), fmt.Sprint(secretMet)} {
				if strings.Contains(text, secret) {
					t.Errorf("the text shows a hidden week's answers (%s):\n%s", secret, text)
				}
			}
			if d := isoDay.FindString(text); d != "" {
				t.Errorf("week %s is not in words:\n%s", d, text)
			}
			if n := utf8.RuneCountInString(text); n > maxSectionText {
				t.Errorf("the text has %d characters, more than a section holds (%d)", n, maxSectionText)
			}
			for _, p := range slacktest.VoiceProblems(slacktest.Record{Kind: "ephemeral", Text: text}) {
				t.Error(p)
			}
		})
	}
}

func TestTrendCSV(t *testing.T) {
	header := "week,checkins_sent,checkins_answered,meetings_reported,active_pairs,goals_set,goals_done,kudos_given," +
		"proposals_accepted,proposals_declined,fit_yes,fit_no,cycles_finished,cycles_continued,answers_hidden,proposals_hidden,fit_hidden"
	full := mentoring.Week{CheckinsSent: 12, CheckinsAnswered: 9, MeetingsReported: 7, CheckinPeople: 5, ActivePairs: 6, GoalsSet: 4, GoalsDone: 2,
		KudosGiven: 3, ProposalsAccepted: 4, ProposalsDeclined: 1, FitYes: 4, FitNo: 1, FitPeople: 5, CyclesFinished: 2, CyclesContinued: 1}
	few := full
	few.CheckinPeople, few.CheckinsAnswered, few.MeetingsReported = 4, secretAnswered, secretMet
	few.FitPeople, few.FitYes, few.FitNo = 4, secretAnswered, secretMet
	few.ProposalsAccepted, few.ProposalsDeclined = 3, 1 // 4 decisions: fewer than 5 mentors decided
	fewFit := full
	fewFit.FitPeople = 4
	tests := []struct {
		name  string
		trend mentoring.Trend
		rows  map[int]string // row index (0 is the first week) -> the whole row
		n     int
	}{
		{"no weeks", mentoring.Trend{}, nil, 0},
		{"shown and hidden", mentoring.Trend{Weeks: []mentoring.Week{
			startingOn(full, firstMonday),
			startingOn(few, firstMonday.AddDate(0, 0, 7)),
			startingOn(fewFit, firstMonday.AddDate(0, 0, 14)),
			{Start: firstMonday.AddDate(0, 0, 21)},
		}}, map[int]string{
			0: "2025-09-01,12,9,7,6,4,2,3,4,1,4,1,2,1,false,false,false",
			1: "2025-09-08,12,,,6,4,2,3,,,,,2,1,true,true,true",
			2: "2025-09-15,12,9,7,6,4,2,3,4,1,,,2,1,false,false,true",
			3: "2025-09-22,0,,,0,0,0,0,,,,,0,0,true,true,true",
		}, 4},
		{"a year: every week, not the last 12", trendOf(52, firstMonday, shownWeek), map[int]string{
			0:  "2025-09-01,10,7,5,3,0,1,0,,,,,0,0,false,true,true",
			51: "2026-08-24,61,7,5,4,0,1,51,,,,,0,0,false,true,true",
		}, 52},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := trendCSV(tt.trend)
			records, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v\n%s", err, raw)
			}
			if len(records) == 0 || strings.Join(records[0], ",") != header {
				t.Fatalf("header %v, want %s", records, header)
			}
			if got := len(records) - 1; got != tt.n {
				t.Errorf("%d rows, want %d", got, tt.n)
			}
			for i, want := range tt.rows {
				if got := strings.Join(records[i+1], ","); got != want {
					t.Errorf("row %d = %s, want %s", i, got, want)
				}
			}
			for _, secret := range []string{fmt.Sprint(secretAnswered), fmt.Sprint(secretMet)} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("the CSV shows a hidden figure (%s):\n%s", secret, raw)
				}
			}
		})
	}
}

// TestChartsReachSlack sends the charts through the fake Slack, as a command's reply,
// a DM and a Home tab, so that the fake checks them as Slack would and the conformance
// gate (MENTORBOT_PAYLOAD_DIR) sees a chart payload of each kind.
func TestChartsReachSlack(t *testing.T) {
	tr := trendOf(mentoring.TrendWeeks, firstMonday, func(i int) mentoring.Week {
		if i%4 == 2 {
			return hiddenWeek(i)
		}
		return shownWeek(i)
	})
	blocks := func() []slack.Block { return append(chartBlocks(tr), sections(trendText(tr))...) }
	h := startBot(t, func(b *Bot) {
		b.commands["charts"] = subcommand{admin: true, run: func(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
			return &reply{ResponseType: slack.ResponseTypeEphemeral, Text: "Programme figures, last 12 weeks", Blocks: blocks()}, nil
		}}
	})
	msg := replyOf(t, h.command(t, "UADMIN", "/mentor", "charts"))
	charts := 0
	for _, b := range msg.Blocks.BlockSet {
		if dv, ok := b.(*slack.DataVisualizationBlock); ok {
			charts++
			if err := dv.Validate(); err != nil {
				t.Errorf("chart %q: %v", dv.BlockID, err)
			}
		}
	}
	if charts != 4 {
		t.Errorf("the reply has %d charts, want 4: %s", charts, replyText(msg))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := h.bot.api.PostMessageContext(ctx, "UADMIN", slack.MsgOptionText("Programme figures, last 12 weeks", false),
		slack.MsgOptionBlocks(blocks()...)); err != nil {
		t.Fatalf("chat.postMessage with charts: %v", err)
	}
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks()}}
	if _, err := h.bot.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "UADMIN", View: home}); err != nil {
		t.Fatalf("views.publish with charts: %v", err)
	}
	kinds := map[string]bool{}
	for _, r := range h.srv.Records() {
		if r.Kind == "error" {
			t.Errorf("Slack showed an error: %s", r.Text)
		}
		if strings.Contains(string(r.Blocks)+string(r.View), `"type":"data_visualization"`) {
			kinds[r.Kind] = true
		}
		for _, p := range slacktest.VoiceProblems(r) {
			t.Error(p)
		}
	}
	for _, k := range []string{"ephemeral", "message", "view_publish"} {
		if !kinds[k] {
			t.Errorf("no %s record with a chart; got %v", k, kinds)
		}
	}
}
