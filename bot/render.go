package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// maxListedPairs bounds how many pairs a round's summary lists.
const maxListedPairs = 40

// joinSummary tells a person what joining did: a welcome, or what changed.
func joinSummary(before, after *mentoring.Participant) string {
	topics := "no topics yet"
	if len(after.Topics) > 0 {
		topics = Escape(strings.Join(after.Topics, ", "))
	}
	if before == nil {
		return fmt.Sprintf(":wave: Welcome to the mentoring programme! You joined as *%s* with %s.\n"+
			"Next: add a goal with `/mentor goal add &lt;text&gt;`, tell me your team with `/mentor team &lt;name&gt;`, "+
			"and see everything with `/mentor status`.", roleName(after.Role), topics)
	}
	var changes []string
	if before.Role != after.Role {
		changes = append(changes, fmt.Sprintf("role %s → *%s*", roleName(before.Role), roleName(after.Role)))
	}
	if !slices.Equal(before.Topics, after.Topics) {
		changes = append(changes, "topics are now "+topics)
	}
	if len(changes) == 0 {
		return fmt.Sprintf("You're already in as *%s* with %s: nothing changed.", roleName(after.Role), topics)
	}
	return "Updated your membership: " + strings.Join(changes, "; ") + "."
}

func roleName(r mentoring.Role) string {
	if r == mentoring.RoleBoth {
		return "mentor and mentee"
	}
	return string(r)
}

// goalList renders goals numbered, done ones ticked.
func goalList(goals []mentoring.Goal) string {
	if len(goals) == 0 {
		return "No goals yet. Add one with `/mentor goal add &lt;text&gt;`."
	}
	var sb strings.Builder
	for i, g := range goals {
		mark := ":white_square:"
		if g.Done() {
			mark = ":white_check_mark:"
		}
		fmt.Fprintf(&sb, "%s %d. %s\n", mark, i+1, Escape(g.Text))
	}
	return strings.TrimSuffix(sb.String(), "\n")
}

// Date and time layouts: as words, in the reader's zone.
const (
	dayLayout     = "Monday 2 January"
	dayTimeLayout = "Monday 2 January at 15:04"
)

// statusText is a person's own view of their membership, for /mentor status and the
// Home tab.
func statusText(st mentoring.Status) string {
	p, loc := st.Participant, st.Location
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Role:* %s", roleName(p.Role))
	if p.Role.Mentors() {
		fmt.Fprintf(&sb, " (up to %d %s)", p.Capacity, plural(p.Capacity, "mentee", "mentees"))
	}
	topics := "none yet (`/mentor join " + string(p.Role) + " topic, topic`)"
	if len(p.Topics) > 0 {
		topics = Escape(strings.Join(p.Topics, ", "))
	}
	fmt.Fprintf(&sb, "\n*Topics:* %s", topics)
	if p.Team != "" {
		fmt.Fprintf(&sb, "\n*Team:* %s", Escape(p.Team))
	}
	if p.ManagerID != "" {
		fmt.Fprintf(&sb, "\n*Manager:* <@%s> (never your partner)", p.ManagerID)
	}
	fmt.Fprintf(&sb, "\n*Partners:* %s", partnersText(p.ID, st.Pairings, loc))
	if st.PausedUntil != nil {
		fmt.Fprintf(&sb, "\n*Paused* until %s: no check-ins, nudges or new pairings.", st.PausedUntil.In(loc).Format(dayLayout))
	}
	if !st.NextCheckin.IsZero() {
		fmt.Fprintf(&sb, "\n*Next check-in:* %s (%s)", st.NextCheckin.In(loc).Format(dayTimeLayout), loc)
	}
	fmt.Fprintf(&sb, "\n\n*Goals*\n%s", goalList(p.Goals))
	return sb.String()
}

// partnersText lists a person's partners for status and the Home tab.
func partnersText(userID string, active []mentoring.Pairing, loc *time.Location) string {
	if len(active) == 0 {
		return "none yet: you'll be introduced after the next pairing round."
	}
	var parts []string
	for _, p := range active {
		role := "your mentor"
		if p.MentorID == userID {
			role = "your mentee"
		}
		parts = append(parts, fmt.Sprintf("<@%s> (%s, since %s)", p.Partner(userID), role, p.StartedAt.In(loc).Format("2 January")))
	}
	return strings.Join(parts, ", ")
}

// roundSummary is what an admin sees of a round: counts, mean score, and the pairs
// with their reasons.
func roundSummary(r mentoring.Round) string {
	var sb strings.Builder
	mean := 0.0
	if len(r.Pairs) > 0 {
		mean = r.Total / float64(len(r.Pairs))
	}
	fmt.Fprintf(&sb, "*%d* new %s · *%d* unmatched · mean score %.1f", len(r.Pairs), plural(len(r.Pairs), "pair", "pairs"), len(r.Unmatched), mean)
	for i, p := range r.Pairs {
		if i == maxListedPairs {
			fmt.Fprintf(&sb, "\n…and %d more", len(r.Pairs)-i)
			break
		}
		fmt.Fprintf(&sb, "\n• <@%s> mentors <@%s>: %s", p.MentorID, p.MenteeID, reasonsText(p.Reasons))
	}
	for i, u := range r.Unmatched {
		if i == maxListedPairs {
			fmt.Fprintf(&sb, "\n…and %d more unmatched", len(r.Unmatched)-i)
			break
		}
		fmt.Fprintf(&sb, "\n• <@%s> unmatched: %s", u.MenteeID, Escape(u.Reason))
	}
	return sb.String()
}

// reasonsText explains a match in a line.
func reasonsText(r mentoring.Reasons) string {
	parts := []string{"share " + Escape(strings.Join(r.SharedTopics, ", "))}
	switch {
	case r.HoursApart < 0.5:
		parts = append(parts, "same time zone")
	default:
		parts = append(parts, fmt.Sprintf("%.0f %s apart", r.HoursApart, plural(int(r.HoursApart+0.5), "hour", "hours")))
	}
	if r.DifferentTeams {
		parts = append(parts, "different teams")
	}
	return strings.Join(parts, " · ")
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

// personalDataText is the readable half of /mentor mydata.
func personalDataText(userID string, d mentoring.PersonalData, loc *time.Location) string {
	var sb strings.Builder
	sb.WriteString("*Everything mentorbot stores about you*")
	if p := d.Participant; p != nil {
		fmt.Fprintf(&sb, "\n*Role:* %s · *capacity:* %d · *time zone:* %s · *joined:* %s", roleName(p.Role), p.Capacity,
			loc, p.JoinedAt.In(loc).Format(time.DateOnly))
		fmt.Fprintf(&sb, "\n*Topics:* %s", Escape(strings.Join(p.Topics, ", ")))
		if p.Team != "" {
			fmt.Fprintf(&sb, "\n*Team:* %s", Escape(p.Team))
		}
		if p.ManagerID != "" {
			fmt.Fprintf(&sb, "\n*Manager:* <@%s>", p.ManagerID)
		}
		if p.LeftAt != nil {
			fmt.Fprintf(&sb, "\n*Left:* %s", p.LeftAt.In(loc).Format(time.DateOnly))
		}
		if p.PausedUntil != nil {
			fmt.Fprintf(&sb, "\n*Paused until:* %s", p.PausedUntil.In(loc).Format(time.DateOnly))
		}
		fmt.Fprintf(&sb, "\n*Goals*\n%s", goalList(p.Goals))
	}
	fmt.Fprintf(&sb, "\n*Pairings:* %d", len(d.Pairings))
	for _, p := range d.Pairings {
		state := "active"
		if !p.Active() {
			state = "ended " + p.EndedAt.In(loc).Format(time.DateOnly) + " (" + p.EndReason + ")"
		}
		partner := "someone who has since been forgotten"
		if id := p.Partner(userID); id != "" {
			partner = "<@" + id + ">"
		}
		fmt.Fprintf(&sb, "\n• with %s since %s, %s", partner, p.StartedAt.In(loc).Format(time.DateOnly), state)
	}
	fmt.Fprintf(&sb, "\n*Kudos received:* %d · *kudos given:* %d · *check-ins:* %d", len(d.KudosReceived), len(d.KudosGiven), len(d.Checkins))
	return sb.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
