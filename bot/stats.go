package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

func (b *Bot) stats(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	st, err := b.store.Stats(ctx)
	if err != nil {
		return nil, err
	}
	return ephemeral(statsText(st)), nil
}

// hiddenFigure stands in for a figure drawn from fewer than MinGroup people's answers.
var hiddenFigure = fmt.Sprintf("hidden: fewer than %d", mentoring.MinGroup)

// statsText renders the programme figures: counts and rates only, never a name.
func statsText(st mentoring.Stats) string {
	var sb strings.Builder
	sb.WriteString("*Programme figures*")
	fmt.Fprintf(&sb, "\n*People:* %d %s · %d %s · %d both", st.Mentors, plural(st.Mentors, "mentor", "mentors"),
		st.Mentees, plural(st.Mentees, "mentee", "mentees"), st.Both)
	if st.Paused > 0 {
		fmt.Fprintf(&sb, " (%d paused)", st.Paused)
	}
	fmt.Fprintf(&sb, "\n*Pairs:* %d active · %d unmatched %s", st.ActivePairs, st.UnmatchedMentees, plural(st.UnmatchedMentees, "mentee", "mentees"))
	if st.AnswersShown() {
		fmt.Fprintf(&sb, "\n*Check-ins:* %d sent · %d answered (%s) · %d meetings reported",
			st.CheckinsSent, st.CheckinsAnswered, rate(st.CheckinsAnswered, st.CheckinsSent), st.MeetingsReported)
	} else {
		fmt.Fprintf(&sb, "\n*Check-ins:* %d sent · answered %s · meetings reported %s", st.CheckinsSent, hiddenFigure, hiddenFigure)
	}
	fmt.Fprintf(&sb, "\n*Goals:* %d set · %d done (%s)", st.GoalsSet, st.GoalsDone, rate(st.GoalsDone, st.GoalsSet))
	fmt.Fprintf(&sb, "\n*Kudos given:* %d", st.KudosGiven)
	return sb.String()
}

func rate(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(whole))
}
