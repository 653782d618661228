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
		topics = "the " + plural(len(after.Topics), "topic", "topics") + " " + Escape(strings.Join(after.Topics, ", "))
	}
	// A pair must share a topic: without one, say so rather than promise an intro.
	next := "I'll introduce you after the next pairing round."
	if len(after.Topics) == 0 {
		next = fmt.Sprintf("Add at least one topic so I can match you, for example `/mentor join %s go, public speaking`.", after.Role)
	}
	if before == nil {
		return fmt.Sprintf(":wave: Welcome to the mentoring programme! You joined as *%s* with %s. %s\n"+
			"Next, add a goal with `/mentor goal add &lt;text&gt;`, tell me your team with `/mentor team &lt;name&gt;`, "+
			"and see everything with `/mentor status`.", roleName(after.Role), topics, next)
	}
	var changes []string
	if before.Role != after.Role {
		changes = append(changes, fmt.Sprintf("your role is now *%s* (was %s)", roleName(after.Role), roleName(before.Role)))
	}
	if !slices.Equal(before.Topics, after.Topics) {
		now := "none"
		if len(after.Topics) > 0 {
			now = Escape(strings.Join(after.Topics, ", "))
		}
		changes = append(changes, "your topics are now "+now)
	}
	if len(changes) == 0 {
		return fmt.Sprintf("You're already in as *%s* with %s, so nothing changed.", roleName(after.Role), topics)
	}
	reply := "Updated your membership: " + strings.Join(changes, "; ") + "."
	if len(after.Topics) == 0 {
		reply += " " + next
	}
	return reply
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

// statusText is a person's own view of their membership, for /mentor status.
func statusText(st mentoring.Status) string {
	return profileText(st) + "\n\n*Goals*\n" + goalList(st.Participant.Goals)
}

// profileText is statusText without the goals, which the Home tab shows with buttons.
func profileText(st mentoring.Status) string {
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
	partners := partnersText(p.ID, st.Pairings, st.Ended, loc)
	if st.FindingMentor {
		partners = findingMentorText(p.ID, st.Pairings, st.Ended, loc)
	}
	fmt.Fprintf(&sb, "\n*Partners:* %s", partners)
	for _, pr := range st.Pairings {
		if cs, ok := st.Cycles[pr.ID]; ok {
			fmt.Fprintf(&sb, "\n*Cycle with <@%s>:* %s", pr.Partner(p.ID), cycleStatusText(cs, loc))
		}
	}
	sb.WriteString(proposalsWaitingText(st.Proposals, loc))
	if st.Avoiding > 0 {
		fmt.Fprintf(&sb, "\n*Avoiding:* %d %s (only you see this; `/mentor avoid` lists them)", st.Avoiding, plural(st.Avoiding, "person", "people"))
	}
	switch {
	case st.Idle:
		sb.WriteString("\n*Paused by mentorbot* after your last few check-ins went unanswered: no check-ins, nudges or new pairings for now. " +
			"Your pairings stay. Whenever you're ready, type `/mentor resume` to pick up again.")
	case st.PausedUntil != nil:
		fmt.Fprintf(&sb, "\n*Paused* until %s, as you asked: no check-ins, nudges or new pairings. Type `/mentor resume` to come back early.",
			st.PausedUntil.In(loc).Format(dayLayout))
	}
	if !st.NextCheckin.IsZero() {
		fmt.Fprintf(&sb, "\n*Next check-in:* %s (%s)", st.NextCheckin.In(loc).Format(dayTimeLayout), loc)
	}
	return sb.String()
}

// partnersText lists a person's partners for status and the Home tab: the active
// ones, or, when none is, that they have none yet or none right now and the latest
// pairings that ended (see endedPairingsText in home.go).
func partnersText(userID string, active, ended []mentoring.Pairing, loc *time.Location) string {
	switch {
	case len(active) == 0 && len(ended) == 0:
		return "none yet: you'll be introduced after the next pairing round."
	case len(active) == 0:
		return "none right now: you're in the pool for the next pairing round. " + endedPairingsText(userID, ended, loc)
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

// findingMentorText is the Partners line of someone whose proposal as a mentee waits
// for a mentor's answer: that a mentor is being found, and nothing of who was asked.
func findingMentorText(userID string, active, ended []mentoring.Pairing, loc *time.Location) string {
	const finding = "We're finding you a mentor; you'll hear soon."
	switch {
	case len(active) == 0 && len(ended) == 0:
		return "none yet. " + finding
	case len(active) == 0:
		return "none right now. " + finding + " " + endedPairingsText(userID, ended, loc)
	}
	return partnersText(userID, active, ended, loc) + ". " + finding
}

// whenLayout is a deadline as words in the reader's zone: "Friday 4 December, 12:00".
const whenLayout = "Monday 2 January, 15:04"

// cycleStatusText says where a pairing's cycle stands for one of its members: when it
// ends or, while the end-of-cycle question is open, by when to answer and what they
// answered so far. Their own answers only: the partner's are theirs alone.
func cycleStatusText(cs mentoring.CycleStatus, loc *time.Location) string {
	survey := ""
	if cs.Surveyed {
		survey = " Your closing survey is saved."
	}
	if cs.AnswerBy == nil {
		if cs.Ends.IsZero() {
			return "it runs until one of you ends it." + survey
		}
		return fmt.Sprintf("this cycle ends %s; then I'll ask you both whether to keep going.%s", cs.Ends.In(loc).Format(whenLayout), survey)
	}
	by := cs.AnswerBy.In(loc).Format(whenLayout)
	switch cs.Answer {
	case mentoring.CycleContinue:
		return fmt.Sprintf("this cycle is complete and you chose *Keep going*. Another cycle starts if you both choose it by %s.%s", by, survey)
	case mentoring.CycleEnd:
		return fmt.Sprintf("this cycle is complete and you chose *Wrap up*.%s", survey)
	}
	return fmt.Sprintf("this cycle is complete. Choose *Keep going* or *Wrap up* in the DM I sent, by %s; "+
		"you haven't answered yet.%s", by, survey)
}

// proposalsWaitingText lists a mentor's open proposals, each with when to answer by,
// as lines to add to their profile; "" when none waits.
func proposalsWaitingText(open []mentoring.Proposal, loc *time.Location) string {
	ask := func(pr mentoring.Proposal) string {
		return fmt.Sprintf("would you mentor <@%s>? Answer in the DM I sent, by %s.", pr.MenteeID, pr.Until.In(loc).Format(whenLayout))
	}
	switch len(open) {
	case 0:
		return ""
	case 1:
		return "\n*Waiting for your answer:* " + ask(open[0])
	}
	var sb strings.Builder
	sb.WriteString("\n*Waiting for your answer:*")
	for _, pr := range open {
		a := ask(pr)
		sb.WriteString("\n• " + strings.ToUpper(a[:1]) + a[1:])
	}
	return sb.String()
}

// roundSummary is what an admin sees of a round: counts, mean score, and the pairs
// with their reasons.
func roundSummary(r mentoring.Round) string {
	var sb strings.Builder
	mean := 0.0
	if len(r.Pairs) > 0 {
		mean = r.Total / float64(len(r.Pairs))
	}
	if len(r.Pairs) == 0 {
		sb.WriteString("No new pairs")
	} else {
		fmt.Fprintf(&sb, "*%d* new %s (mean match score %.1f)", len(r.Pairs), plural(len(r.Pairs), "pair", "pairs"), mean)
	}
	switch len(r.Unmatched) {
	case 0:
		sb.WriteString(", and every waiting mentee has a mentor.")
	default:
		fmt.Fprintf(&sb, "; *%d* %s still %s a mentor and %s told why.", len(r.Unmatched),
			plural(len(r.Unmatched), "mentee", "mentees"), plural(len(r.Unmatched), "needs", "need"), plural(len(r.Unmatched), "is", "are"))
	}
	for i, p := range r.Pairs {
		if i == maxListedPairs {
			fmt.Fprintf(&sb, "\n…and %d more %s.", len(r.Pairs)-i, plural(len(r.Pairs)-i, "pair", "pairs"))
			break
		}
		fmt.Fprintf(&sb, "\n• <@%s> mentors <@%s>: %s", p.MentorID, p.MenteeID, reasonsLine(p.Reasons))
	}
	for i, u := range r.Unmatched {
		if i == maxListedPairs {
			fmt.Fprintf(&sb, "\n…and %d more %s without a mentor.", len(r.Unmatched)-i, plural(len(r.Unmatched)-i, "mentee", "mentees"))
			break
		}
		fmt.Fprintf(&sb, "\n• <@%s> has no mentor yet: %s", u.MenteeID, Escape(u.Reason))
	}
	return sb.String()
}

// CloseHours is how near two people's zones must be for an intro to name it as a
// reason they were matched: the score rewards closeness up to 8 hours, but only a
// few hours apart share most of a working day.
const CloseHours = 3

// FarHours is how far apart two people's zones are when they rarely share a working
// hour (the score gives closeness nothing from here on).
const FarHours = 8

// reasonsText says why two people were matched: what the score rewarded (shared
// topics, close time zones, different teams), as one phrase. How far apart they are
// is information, not a reason: apartText says it.
func reasonsText(r mentoring.Reasons) string {
	parts := []string{"you share an interest in " + andList(escapeAll(r.SharedTopics))}
	switch {
	case r.HoursApart < 0.5:
		parts = append(parts, "you work in the same time zone")
	case r.HoursApart <= CloseHours:
		parts = append(parts, "your time zones are close")
	}
	if r.DifferentTeams {
		parts = append(parts, "you're in different teams, which widens both your networks")
	}
	return andList(parts)
}

// reasonsLine is reasonsText for an admin's list of pairs: "share go, design · same
// time zone · different teams", with how far apart they are.
func reasonsLine(r mentoring.Reasons) string {
	parts := []string{"share " + Escape(strings.Join(r.SharedTopics, ", ")), apartText(r.HoursApart)}
	if r.DifferentTeams {
		parts = append(parts, "different teams")
	}
	return strings.Join(parts, " · ")
}

// apartText says how far apart two people's clocks are.
func apartText(hours float64) string {
	h := int(hours + 0.5)
	switch {
	case hours < 0.5:
		return "same time zone"
	case hours != float64(int(hours)):
		return fmt.Sprintf("%s hours apart", strconvHours(hours))
	}
	return fmt.Sprintf("%d %s apart", h, plural(h, "hour", "hours"))
}

// strconvHours writes a time difference such as 5.5 or 5.75 hours without trailing
// zeros.
func strconvHours(h float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", h), "0"), ".")
}

// andList joins phrases as a sentence does: "a", "a and b", "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func escapeAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = Escape(s)
	}
	return out
}

// hiddenFigure stands in for a figure drawn from fewer than MinGroup people's answers.
var hiddenFigure = fmt.Sprintf("hidden: fewer than %d", mentoring.MinGroup)

// statsText renders the programme figures: counts and rates only, never a name. Each
// line says what it counts: people and pairs now, check-ins, goals and kudos since the
// programme began. Proposals show while mentor approval is on or left proposals
// behind, cycles while cycles are on or left any behind; the fit check is always part
// of the programme. A figure drawn from answers (proposals accepted or declined, fit
// answers, the closing surveys' mean) follows the 5-person rule; open proposals and
// cycles completed are head counts of pairs and always show.
func statsText(st mentoring.Stats) string {
	var sb strings.Builder
	sb.WriteString("*Programme figures*")
	fmt.Fprintf(&sb, "\n*People in the programme now:* %d %s · %d %s · %d both", st.Mentors, plural(st.Mentors, "mentor", "mentors"),
		st.Mentees, plural(st.Mentees, "mentee", "mentees"), st.Both)
	if st.Paused > 0 {
		fmt.Fprintf(&sb, " (%d paused)", st.Paused)
	}
	fmt.Fprintf(&sb, "\n*Pairs now:* %d active · %d %s waiting for a mentor", st.ActivePairs, st.UnmatchedMentees, plural(st.UnmatchedMentees, "mentee", "mentees"))
	if st.AnswersShown() {
		fmt.Fprintf(&sb, "\n*Check-ins since the start:* %d sent · %d answered (%s) · %d %s reported",
			st.CheckinsSent, st.CheckinsAnswered, rate(st.CheckinsAnswered, st.CheckinsSent), st.MeetingsReported, plural(st.MeetingsReported, "meeting", "meetings"))
	} else {
		fmt.Fprintf(&sb, "\n*Check-ins since the start:* %d sent · answered %s · meetings reported %s", st.CheckinsSent, hiddenFigure, hiddenFigure)
	}
	if st.ProposalsApply() {
		if st.ProposalsShown() {
			fmt.Fprintf(&sb, "\n*Proposals to mentors since the start:* %d accepted · %d declined or lapsed · %d still open now",
				st.ProposalsAccepted, st.ProposalsDeclined, st.ProposalsOpen)
		} else {
			fmt.Fprintf(&sb, "\n*Proposals to mentors since the start:* accepted %s · declined or lapsed %s · %d still open now",
				hiddenFigure, hiddenFigure, st.ProposalsOpen)
		}
	}
	if st.FitShown() {
		fmt.Fprintf(&sb, "\n*Fit checks since the start:* %d said yes, a good fit · %d said no", st.FitYes, st.FitNo)
	} else {
		fmt.Fprintf(&sb, "\n*Fit checks since the start:* answers %s", hiddenFigure)
	}
	if st.CyclesApply() {
		survey := "closing surveys' mean value " + hiddenFigure
		if st.SurveyShown() {
			survey = fmt.Sprintf("closing surveys' mean value %.1f out of %d", st.SurveyMean, mentoring.MaxSurveyValue)
		}
		fmt.Fprintf(&sb, "\n*Cycles since the start:* %d completed · %d ended with the pair wrapping up · %d went on for another cycle · %s",
			st.CyclesCompleted(), st.CyclesEnded, st.CyclesContinued, survey)
	}
	fmt.Fprintf(&sb, "\n*Goals since the start:* %d set · %d done (%s)", st.GoalsSet, st.GoalsDone, rate(st.GoalsDone, st.GoalsSet))
	fmt.Fprintf(&sb, "\n*Kudos since the start:* %d given", st.KudosGiven)
	sb.WriteString("\nCounts only: nobody's answers or notes are shown, and a figure drawn from answers is hidden while fewer than " +
		fmt.Sprint(mentoring.MinGroup) + " people gave them.")
	return sb.String()
}

func rate(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part)/float64(whole))
}

// personalDataText is the readable half of /mentor mydata. Dates are words in the
// reader's zone.
func personalDataText(userID string, d mentoring.PersonalData, loc *time.Location) string {
	var sb strings.Builder
	sb.WriteString("*Everything mentorbot stores about you*")
	day := func(t time.Time) string { return t.In(loc).Format(yearLayout) }
	if p := d.Participant; p != nil {
		fmt.Fprintf(&sb, "\n*Role:* %s · *capacity:* %d · *time zone:* %s · *joined:* %s", roleName(p.Role), p.Capacity,
			loc, day(p.JoinedAt))
		topics := "none"
		if len(p.Topics) > 0 {
			topics = Escape(strings.Join(p.Topics, ", "))
		}
		fmt.Fprintf(&sb, "\n*Topics:* %s", topics)
		if p.Team != "" {
			fmt.Fprintf(&sb, "\n*Team:* %s", Escape(p.Team))
		}
		if p.ManagerID != "" {
			fmt.Fprintf(&sb, "\n*Manager:* <@%s>", p.ManagerID)
		}
		if p.LeftAt != nil {
			fmt.Fprintf(&sb, "\n*Left:* %s", day(*p.LeftAt))
		}
		if p.PausedUntil != nil {
			why := "your own pause"
			if p.Idle {
				why = "paused by mentorbot after check-ins went unanswered; `/mentor resume` ends it"
			}
			fmt.Fprintf(&sb, "\n*Paused until:* %s (%s)", day(*p.PausedUntil), why)
		}
		if len(p.Avoid) > 0 {
			mentions := make([]string, len(p.Avoid))
			for i, id := range p.Avoid {
				mentions[i] = "<@" + id + ">"
			}
			fmt.Fprintf(&sb, "\n*Your avoid list* (only you see it): %s", strings.Join(mentions, ", "))
		}
		fmt.Fprintf(&sb, "\n*Goals*\n%s", goalList(p.Goals))
	}
	fmt.Fprintf(&sb, "\n*Pairings:* %d", len(d.Pairings))
	for _, p := range d.Pairings {
		state := "still going"
		if !p.Active() {
			state = "ended " + day(*p.EndedAt) + " (" + endReasonText(p.EndReason) + ")"
		}
		partner := "someone who has since been forgotten"
		if id := p.Partner(userID); id != "" {
			partner = "<@" + id + ">"
		}
		fmt.Fprintf(&sb, "\n• With %s since %s, %s.", partner, day(p.StartedAt), state)
		if p.Cycles > 0 {
			fmt.Fprintf(&sb, " You both chose to go on for another cycle %s.", plural(p.Cycles, "once", fmt.Sprintf("%d times", p.Cycles)))
		}
		if side := p.SideOf(userID); side != nil {
			sb.WriteString(sideText(*side, day))
		}
	}
	if len(d.Proposals) > 0 {
		fmt.Fprintf(&sb, "\n*Proposals to mentor someone:* %d", len(d.Proposals))
		for _, pr := range d.Proposals {
			who := "someone who has since been forgotten"
			if pr.MenteeID != "" {
				who = "<@" + pr.MenteeID + ">"
			}
			fmt.Fprintf(&sb, "\n• %s, proposed %s: %s", who, day(pr.ProposedAt), proposalStateText(pr, loc))
		}
	}
	fmt.Fprintf(&sb, "\n*Kudos received:* %d · *kudos given:* %d · *check-ins:* %d", len(d.KudosReceived), len(d.KudosGiven), len(d.Checkins))
	return sb.String()
}

// sideText is a person's own answers about one of their pairings (fit check, end of
// cycle, closing survey), as sentences to follow its line in /mentor mydata; "" when
// they gave none. Only ever their own side: a partner's answers are theirs alone.
func sideText(s mentoring.Side, day func(time.Time) string) string {
	var sb strings.Builder
	switch s.Fit {
	case mentoring.FitYes:
		sb.WriteString(" Your fit check: a good fit.")
	case mentoring.FitNo:
		sb.WriteString(" Your fit check: not a good fit.")
	}
	switch s.Cycle {
	case mentoring.CycleContinue:
		sb.WriteString(" At the end of the cycle you chose to keep going.")
	case mentoring.CycleEnd:
		sb.WriteString(" At the end of the cycle you chose to wrap up.")
	}
	if sv := s.Survey; sv != nil {
		var parts []string
		if sv.Value != 0 {
			parts = append(parts, fmt.Sprintf("you valued it %d out of %d", sv.Value, mentoring.MaxSurveyValue))
		}
		if sv.Learned != "" {
			parts = append(parts, "what you learned: “"+Quote(sv.Learned, maxHomeNote)+"”")
		}
		fmt.Fprintf(&sb, " Your closing survey, saved %s: %s.", day(sv.At), strings.Join(parts, "; "))
	}
	return sb.String()
}

// proposalStateText says what became of a proposal to a mentor, in their words.
func proposalStateText(pr mentoring.Proposal, loc *time.Location) string {
	switch pr.State {
	case mentoring.ProposalOpen:
		return "waiting for your answer, by " + pr.Until.In(loc).Format(whenLayout) + "."
	case mentoring.ProposalAccepted:
		return "you accepted."
	case mentoring.ProposalDeclined:
		return "you chose not now."
	}
	return "it lapsed, as it wasn't answered in time."
}

// yearLayout is a date as words with its year, for records that span years.
const yearLayout = "Monday 2 January 2006"

// endReasonText says in words why a pairing ended.
func endReasonText(reason string) string {
	switch reason {
	case mentoring.EndLeft:
		return "one of you left the programme"
	case mentoring.EndRematch:
		return "a rematch"
	case mentoring.EndForgotten:
		return "your partner's data was erased"
	case mentoring.EndFit:
		return "after the fit check"
	case mentoring.EndCycle:
		return "wrapped up at the end of a cycle"
	}
	return "ended"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
