package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// exportWeeks is how many weeks /mentor stats export writes: a year.
const exportWeeks = 52

// errStatsUsage answers `/mentor stats` followed by anything but `export`.
var errStatsUsage = mentoring.Errorf(mentoring.EINVALID,
	"Write `/mentor stats` for the figures, or `/mentor stats export` for a CSV file of every week.")

// statsExport handles `/mentor stats export` (admins; the router checks): it DMs the
// admin the programme's figures for each of the last 52 weeks as a CSV file (see
// trendCSV: one row per week, a figure drawn from answers left empty under the
// 5-person rule), with a short DM saying what it holds, and answers ephemerally.
//
// args is what followed `/mentor stats`: `export` in any case. Anything else is
// EINVALID, saying how to write both forms, so `/mentor stats` may route every
// non-empty args here.
func (b *Bot) statsExport(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	if !strings.EqualFold(strings.TrimSpace(args), "export") {
		return nil, errStatsUsage
	}
	tr, err := b.prog.Trend(ctx, cmd.UserID, exportWeeks)
	if err != nil {
		return nil, err
	}
	if len(tr.Weeks) == 0 {
		return ephemeral("There are no weekly figures to export yet."), nil
	}
	raw := trendCSV(tr)
	channel, err := b.client.dmChannel(ctx, cmd.UserID)
	if err != nil {
		return nil, fmt.Errorf("open DM: %w", err)
	}
	b.client.dm(ctx, cmd.UserID, exportText(tr))
	last := tr.Weeks[len(tr.Weeks)-1].Start.UTC()
	if _, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "mentorbot-weekly-figures-" + last.Format(time.DateOnly) + ".csv",
		Title:    "Programme figures by week",
		Reader:   bytes.NewReader(raw), FileSize: len(raw), Channel: channel,
	}); err != nil {
		return nil, fmt.Errorf("upload weekly figures: %w", err)
	}
	return ephemeral(fmt.Sprintf("I've sent you a DM with the programme's figures for each of the last %d %s, as a CSV file.",
		len(tr.Weeks), plural(len(tr.Weeks), "week", "weeks"))), nil
}

// exportText is the DM that comes with the CSV file: what it holds, with the weeks as
// words (each named by its Monday, UTC, as the file does).
func exportText(tr mentoring.Trend) string {
	first := tr.Weeks[0].Start.UTC()
	return fmt.Sprintf("*Programme figures by week*\nHere are the figures for each of the last %d %s, from the week of %s to this week, "+
		"one row per week with counts only; each week starts on Monday (UTC) and its row is named by that day.\n"+
		"A figure drawn from answers is left empty in a week when fewer than %d people gave them; "+
		"the `answers_hidden`, `proposals_hidden` and `fit_hidden` columns say which.",
		len(tr.Weeks), plural(len(tr.Weeks), "week", "weeks"), first.Format(yearLayout), mentoring.MinGroup)
}
