package bot

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Programme health over the last weeks (SPEC.md, Charts): drawn with Slack's
// data_visualization block for /mentor stats and an admin's Home, written out as text
// for clients that cannot draw it, and as CSV for /mentor stats export. Everything
// here is counts of the whole programme, never who; a figure drawn from answers
// follows the 5-person rule week by week (mentoring.Week.AnswersShown, FitShown).

// Slack's documented limits on a data_visualization block.
const (
	maxChartTitle  = 50 // title
	maxChartPoints = 20 // points in a series, so categories in a chart
	maxChartLabel  = 20 // a category or point label, a series name
)

// Block IDs of the charts, so that a test (or a later update) can find each one.
const (
	blockChartCheckins = "chart_checkins"
	blockChartAnswers  = "chart_answers"
	blockChartPairs    = "chart_pairs"
	blockChartKudos    = "chart_kudos_goals"
	blockChartNote     = "chart_note"
)

// chartWeeks is how many weeks the charts and their text show: the last TrendWeeks,
// never more than a series may hold.
const chartWeeks = min(mentoring.TrendWeeks, maxChartPoints)

// recentWeeks returns the last n weeks of tr (all of them when it has fewer).
func recentWeeks(tr mentoring.Trend, n int) []mentoring.Week {
	if len(tr.Weeks) <= n {
		return tr.Weeks
	}
	return tr.Weeks[len(tr.Weeks)-n:]
}

// weekLabels names each week by its Monday as words, "30 Nov", for chart categories
// (at most 20 characters, unique within a chart). Weeks a year apart would share a
// day and month, so then every label carries its year; a week given twice is
// numbered.
func weekLabels(weeks []mentoring.Week) []string {
	label := func(layout string) ([]string, bool) {
		out := make([]string, len(weeks))
		seen := map[string]bool{}
		unique := true
		for i, w := range weeks {
			out[i] = w.Start.UTC().Format(layout)
			unique = unique && !seen[out[i]]
			seen[out[i]] = true
		}
		return out, unique
	}
	out, unique := label("2 Jan")
	if unique {
		return out
	}
	out, unique = label("2 Jan 2006")
	if unique {
		return out
	}
	seen := map[string]int{}
	for i, l := range out {
		seen[l]++
		if n := seen[l]; n > 1 {
			out[i] = fmt.Sprintf("%s (%d)", l, n)
		}
	}
	return out
}

// weeksPhrase says which weeks a chart shows: "last 12 weeks", or "this week".
func weeksPhrase(n int) string {
	if n == 1 {
		return "this week"
	}
	return fmt.Sprintf("last %d weeks", n)
}

// chartSeries is one named line or set of bars: a figure of each week.
type chartSeries struct {
	name  string
	value func(mentoring.Week) int
}

// seriesChart draws series over the weeks that keep allows (all when keep is nil),
// one category per week. It returns nil when no week is left: Slack wants at least one
// category, and one point per category in every series, so a week that may not be
// shown is left out of the chart, never drawn as zero.
func seriesChart(id, title string, bar bool, weeks []mentoring.Week, labels []string, keep func(mentoring.Week) bool, yLabel string, series ...chartSeries) slack.Block {
	var cats []string
	var kept []mentoring.Week
	for i, w := range weeks {
		if keep == nil || keep(w) {
			cats = append(cats, labels[i])
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	axis := slack.NewDataVisualizationAxisConfig(cats...).WithXLabel("Week starting Monday").WithYLabel(yLabel)
	drawn := make([]slack.DataVisualizationDataSeries, len(series))
	for i, s := range series {
		points := make([]slack.DataVisualizationDataPoint, len(kept))
		for j, w := range kept {
			points[j] = slack.NewDataVisualizationDataPoint(cats[j], float64(s.value(w)))
		}
		drawn[i] = slack.NewDataVisualizationDataSeries(s.name, points...)
	}
	var chart slack.DataVisualizationChart = slack.NewDataVisualizationLineChart(axis, drawn...)
	if bar {
		chart = slack.NewDataVisualizationBarChart(axis, drawn...)
	}
	return slack.NewDataVisualizationBlock(title, chart, slack.DataVisualizationBlockOptionBlockID(id))
}

// chartBlocks draws the programme's last 12 weeks (the last weeks of tr, oldest on the
// left): check-ins sent; check-ins answered and meetings reported, in a chart of their
// own whose weeks are only those that pass the 5-person rule (none: no such chart); active
// pairs; kudos given and goals done. A context line says when weeks were left out of
// the answers chart. It returns nil for a trend without weeks.
func chartBlocks(tr mentoring.Trend) []slack.Block {
	weeks := recentWeeks(tr, chartWeeks)
	if len(weeks) == 0 {
		return nil
	}
	labels := weekLabels(weeks)
	span := weeksPhrase(len(weeks))
	var blocks []slack.Block
	add := func(b slack.Block) {
		if b != nil {
			blocks = append(blocks, b)
		}
	}
	add(seriesChart(blockChartCheckins, "Check-ins sent, "+span, false, weeks, labels, nil, "Check-ins",
		chartSeries{"Sent", func(w mentoring.Week) int { return w.CheckinsSent }}))
	add(seriesChart(blockChartAnswers, fmt.Sprintf("Answered and met, weeks with %d+ people", mentoring.MinGroup), false,
		weeks, labels, mentoring.Week.AnswersShown, "Check-ins",
		chartSeries{"Answered", func(w mentoring.Week) int { return w.CheckinsAnswered }},
		chartSeries{"Met", func(w mentoring.Week) int { return w.MeetingsReported }}))
	add(seriesChart(blockChartPairs, "Active pairs, "+span, false, weeks, labels, nil, "Pairs",
		chartSeries{"Active pairs", func(w mentoring.Week) int { return w.ActivePairs }}))
	add(seriesChart(blockChartKudos, "Kudos and goals done, "+span, true, weeks, labels, nil, "",
		chartSeries{"Kudos given", func(w mentoring.Week) int { return w.KudosGiven }},
		chartSeries{"Goals done", func(w mentoring.Week) int { return w.GoalsDone }}))
	if note := hiddenWeeksNote(weeks); note != "" {
		blocks = append(blocks, slack.NewContextBlock(blockChartNote, slack.NewTextBlockObject(slack.MarkdownType, note, false, false)))
	}
	return blocks
}

// hiddenWeeksNote says which weeks the answers chart leaves out, or "" when it shows
// them all.
func hiddenWeeksNote(weeks []mentoring.Week) string {
	hidden := 0
	for _, w := range weeks {
		if !w.AnswersShown() {
			hidden++
		}
	}
	switch {
	case hidden == 0:
		return ""
	case hidden == len(weeks) && len(weeks) == 1:
		return fmt.Sprintf("There is no chart of answers: fewer than %d people were sent check-ins this week, so what they answered stays hidden.", mentoring.MinGroup)
	case hidden == len(weeks):
		return fmt.Sprintf("There is no chart of answers: in each of the last %d weeks fewer than %d people were sent check-ins, so what they answered stays hidden.",
			len(weeks), mentoring.MinGroup)
	}
	return fmt.Sprintf("The chart of answers leaves out %d of the last %d weeks: in those, fewer than %d people were sent check-ins, so what they answered stays hidden.",
		hidden, len(weeks), mentoring.MinGroup)
}

// trendWeekLayout names a week in text by its Monday.
const trendWeekLayout = "2 January"

// trendText is what chartBlocks draws, as mrkdwn for clients that cannot draw charts:
// one line per week, oldest first, the week named by its Monday in words, and a
// figure drawn from answers reading "hidden: fewer than 5" in a week when fewer people
// were sent check-ins.
func trendText(tr mentoring.Trend) string {
	weeks := recentWeeks(tr, chartWeeks)
	if len(weeks) == 0 {
		return "There are no weekly figures yet: they start with the first week of the programme."
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Week by week, %s*", weeksPhrase(len(weeks)))
	for i, w := range weeks {
		name := "Week of " + w.Start.UTC().Format(trendWeekLayout)
		if i == len(weeks)-1 {
			name += " (so far)"
		}
		fmt.Fprintf(&sb, "\n• *%s:* %d %s sent", name, w.CheckinsSent, plural(w.CheckinsSent, "check-in", "check-ins"))
		if w.AnswersShown() {
			fmt.Fprintf(&sb, " · %d answered · %d %s reported", w.CheckinsAnswered, w.MeetingsReported, plural(w.MeetingsReported, "meeting", "meetings"))
		} else {
			fmt.Fprintf(&sb, " · answered %s · meetings reported %s", hiddenFigure, hiddenFigure)
		}
		fmt.Fprintf(&sb, " · %d active %s · %d kudos given · %d %s done", w.ActivePairs, plural(w.ActivePairs, "pair", "pairs"),
			w.KudosGiven, w.GoalsDone, plural(w.GoalsDone, "goal", "goals"))
	}
	fmt.Fprintf(&sb, "\nWeeks start on Monday (UTC), and the last one is still going. A figure drawn from answers is hidden in a week when fewer than %d people were sent check-ins.",
		mentoring.MinGroup)
	return sb.String()
}

// trendCSVHeader names the columns of trendCSV.
var trendCSVHeader = []string{
	"week", "checkins_sent", "checkins_answered", "meetings_reported", "active_pairs", "goals_set", "goals_done",
	"kudos_given", "proposals_accepted", "proposals_declined", "fit_yes", "fit_no", "cycles_finished", "cycles_continued",
	"answers_hidden", "proposals_hidden", "fit_hidden",
}

// weekProposalsShown reports whether a week's accepted and declined proposals (mentors'
// answers) may be shown. /mentor stats shows them once at least MinGroup distinct
// mentors decided. A Week counts decisions, not mentors; fewer than MinGroup decisions
// certainly means fewer than MinGroup mentors, so those weeks are hidden, but
// MinGroup decisions may still come from fewer mentors: the exact rule needs the
// week's count of deciding mentors.
func weekProposalsShown(w mentoring.Week) bool {
	return w.ProposalsAccepted+w.ProposalsDeclined >= mentoring.MinGroup
}

// trendCSV writes every week of tr as CSV, oldest first, under a header row: the week
// as its Monday (YYYY-MM-DD: a CSV is read by programs), then its counts. A figure
// drawn from answers is an empty cell when the 5-person rule hides it, and
// answers_hidden (check-ins answered, meetings reported), proposals_hidden (proposals
// accepted, declined) and fit_hidden (fit answers) say so.
func trendCSV(tr mentoring.Trend) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(trendCSVHeader) // writes to a bytes.Buffer do not fail
	n := strconv.Itoa
	shown := func(ok bool, v int) string {
		if !ok {
			return ""
		}
		return n(v)
	}
	for _, wk := range tr.Weeks {
		answers, proposals, fit := wk.AnswersShown(), weekProposalsShown(wk), wk.FitShown()
		_ = w.Write([]string{
			wk.Start.UTC().Format(time.DateOnly),
			n(wk.CheckinsSent), shown(answers, wk.CheckinsAnswered), shown(answers, wk.MeetingsReported),
			n(wk.ActivePairs), n(wk.GoalsSet), n(wk.GoalsDone), n(wk.KudosGiven),
			shown(proposals, wk.ProposalsAccepted), shown(proposals, wk.ProposalsDeclined), shown(fit, wk.FitYes), shown(fit, wk.FitNo),
			n(wk.CyclesFinished), n(wk.CyclesContinued),
			strconv.FormatBool(!answers), strconv.FormatBool(!proposals), strconv.FormatBool(!fit),
		})
	}
	w.Flush()
	return buf.Bytes()
}
