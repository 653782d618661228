package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// message is what chat.postMessage sends for a notice.
type message struct {
	Text   string       `json:"text"`
	Blocks slack.Blocks `json:"blocks"`
}

// textMessage is a message of mrkdwn sections.
func textMessage(mrkdwn string) message {
	return message{Text: truncate(mrkdwn, maxSectionText), Blocks: slack.Blocks{BlockSet: sections(mrkdwn)}}
}

// renderNotice words a notice for its reader, at the moment it is sent.
func renderNotice(n mentoring.Notice) (message, error) {
	switch {
	case len(n.Payload) > 0:
		var m message
		if err := json.Unmarshal(n.Payload, &m); err != nil {
			return m, fmt.Errorf("decode queued message %d: %w", n.ID, err)
		}
		return m, nil
	case n.Kind == mentoring.KindIntro && n.Intro != nil:
		return textMessage(introText(n.Intro)), nil
	case n.Kind == mentoring.KindUnmatched && n.Unmatched != nil:
		return textMessage(unmatchedText(n.Unmatched)), nil
	case n.Kind == mentoring.KindPairingEnded && len(n.About) > 0:
		return textMessage(endedText(n.About[0])), nil
	case n.Kind == mentoring.KindCheckin:
		return checkinMessage(n), nil
	case n.Kind == mentoring.KindNudge:
		return textMessage(nudgeText(n)), nil
	case n.Kind == mentoring.KindRecognition:
		return recognitionMessage(n), nil
	case n.Kind == mentoring.KindProposal || n.Kind == mentoring.KindFit || n.Kind == mentoring.KindCycle || n.Kind == mentoring.KindIdle:
		if m, ok := consentMessage(n); ok {
			return m, nil
		}
	case n.Kind == mentoring.KindErased:
		return textMessage("Done: everything stored about you has been erased, from the database file itself. " +
			"You're welcome back any time with `/mentor join`."), nil
	}
	return message{}, fmt.Errorf("notice %d: nothing to say for kind %q", n.ID, n.Kind)
}

// introText introduces a new pair in their group DM (or to each).
func introText(in *mentoring.Intro) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, ":wave: *<@%s>, meet <@%s>, your mentor!*\n", in.MenteeID, in.MentorID)
	fmt.Fprintf(&sb, "*Why you were matched:* %s.", reasonsText(in.Reasons))
	if in.Reasons.DifferentTeams {
		fmt.Fprintf(&sb, " (%s and %s.)", Escape(in.MenteeTeam), Escape(in.MentorTeam))
	}
	fmt.Fprintf(&sb, "\n*Time zones:* %s.", zonesText(in.Reasons.HoursApart))
	if in.MenteeZone != "" && in.MentorZone != "" {
		sb.WriteString("\n" + meetText(in.Meet, []string{in.MenteeID, in.MentorID}, []string{in.MenteeZone, in.MentorZone}))
	}
	goals := "none yet: agreeing on a few is a great first step."
	if len(in.Goals) > 0 {
		var list strings.Builder
		for i, g := range in.Goals {
			fmt.Fprintf(&list, "\n%d. %s", i+1, Escape(g))
		}
		goals = list.String()
	}
	fmt.Fprintf(&sb, "\n*<@%s>'s goals:* %s", in.MenteeID, goals)
	fmt.Fprintf(&sb, "\n*A first agenda:*\n"+
		"1. Introduce yourselves: your roles, your teams, what you each hope to get from mentoring.\n"+
		"2. Agree on 1–3 goals for <@%s> that line up with their team's and the organisation's goals.\n"+
		"3. Pick a regular time to meet. I'll send you both a short check-in each week.", in.MenteeID)
	return sb.String()
}

// zonesText says how far apart a pair's clocks are, as information for planning.
func zonesText(hours float64) string {
	switch {
	case hours < 0.5:
		return "you're in the same time zone, so any shared working hour suits you both"
	case hours >= FarHours:
		return "you're " + apartText(hours) + ", so pick a time at the edge of one of your days, or meet every other week at a time you swap"
	}
	return "you're " + apartText(hours) + ", so look for a time that falls in both your working days"
}

// meetText names the stretches of the coming week inside both members' working hours,
// in each reader's own zone, or says plainly that their working days do not overlap.
// ids and zones are the readers: one, or both of a pair.
func meetText(windows []mentoring.Window, ids, zones []string) string {
	if len(windows) == 0 {
		return "*Meeting times:* your working days don't overlap this week, so pick a time at the edge of one of your days that suits you both."
	}
	if len(ids) == 1 {
		return "*Times in both your working days:* " + windowsText(windows, zones[0]) + " (your time)."
	}
	var sb strings.Builder
	sb.WriteString("*Times in both your working days:*")
	for i, id := range ids {
		fmt.Fprintf(&sb, "\n• <@%s>: %s (%s)", id, windowsText(windows, zones[i]), zones[i])
	}
	return sb.String()
}

// windowsText lists windows in zone: "Tuesday 8 December, 15:00–17:00; …".
func windowsText(windows []mentoring.Window, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	parts := make([]string, len(windows))
	for i, w := range windows {
		s, e := w.Start.In(loc), w.End.In(loc)
		if s.YearDay() == e.YearDay() || e.Hour() == 0 && e.Minute() == 0 && e.Sub(s) <= 24*time.Hour {
			parts[i] = s.Format("Monday 2 January, 15:04") + "–" + e.Format("15:04")
		} else {
			parts[i] = s.Format("Monday 2 January, 15:04") + " to " + e.Format("Monday 2 January, 15:04")
		}
	}
	return strings.Join(parts, "; ")
}

// unmatchedText tells a mentee why no mentor was found, with advice that keeps their role.
func unmatchedText(u *mentoring.Unmatched) string {
	return ":hourglass_flowing_sand: I couldn't find you a mentor in this pairing round. " + Escape(u.Reason) +
		"\nYou stay in the pool for the next round, and adding topics widens your chances, for example `/mentor join " + string(u.Role) + " go, public speaking, design`."
}

// endedText tells a partner their pairing ended, and why, without blame.
func endedText(a mentoring.About) string {
	switch {
	case a.PartnerID == "" || a.EndReason == mentoring.EndForgotten:
		return ":wave: Your mentoring partner has left the programme, so your pairing has ended. " +
			"Thank you for the time you spent together! You're back in the pool and will be matched again in the next round."
	case a.EndReason == mentoring.EndRematch:
		return fmt.Sprintf(":arrows_counterclockwise: Your pairing with <@%s> has ended: no blame, sometimes a fresh match works better. "+
			"You're both back in the pool and will each be matched with someone new in the next round.", a.PartnerID)
	}
	return fmt.Sprintf(":wave: <@%s> has left the mentoring programme, so your pairing has ended. Thank you for the time you spent together!\n"+
		"You're back in the pool and will be matched again in the next round.", a.PartnerID)
}

// checkinMessage asks about each of the person's pairings, with the three buttons.
func checkinMessage(n mentoring.Notice) message {
	text := ":calendar: *Weekly check-in.* Your answers are seen only by you and your partner."
	blocks := []slack.Block{mrkdwnSection(text)}
	for _, a := range n.About {
		ref := checkinRef(a.PairingID, n.Period)
		q := fmt.Sprintf("How did it go with <@%s> this week?", a.PartnerID)
		text += "\n" + q
		blocks = append(blocks, mrkdwnSection(q), slack.NewActionBlock(checkinBlockID(a.PairingID),
			button(actionCheckinMet, "We met", ref, slack.StylePrimary),
			button(actionCheckinNotMet, "Not this week", ref, ""),
			button(actionCheckinNotes, "Add notes", ref, "")))
	}
	return message{Text: truncate(text, maxSectionText), Blocks: slack.Blocks{BlockSet: blocks}}
}

func nudgeText(n mentoring.Notice) string {
	who := make([]string, len(n.About))
	for i, a := range n.About {
		who[i] = a.PartnerID
	}
	text := fmt.Sprintf(":wave: It's been a while since you and %s last reported a meeting. "+
		"How about booking 30 minutes this week? A short walk-and-talk counts too, and "+
		"click *We met* on your next check-in when you do.", mentions(who))
	if n.Zone != "" && len(n.About) == 1 {
		text += "\n" + meetText(n.About[0].Meet, []string{n.To[0]}, []string{n.Zone})
	}
	return text
}

// recognitionMessage suggests public kudos for each mentee who did something.
func recognitionMessage(n mentoring.Notice) message {
	text := ":star2: *Your mentees had a good week.* A public thank-you goes a long way."
	blocks := []slack.Block{mrkdwnSection(text)}
	for _, a := range n.About {
		line := fmt.Sprintf("<@%s> %s.", a.PartnerID, Escape(andList(didText(a.Did))))
		text += "\n" + line
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(line, maxSectionText), false, false),
			nil, slack.NewAccessory(button(actionKudosOpen, "Give kudos", a.PartnerID, slack.StylePrimary))))
	}
	return message{Text: truncate(text, maxSectionText), Blocks: slack.Blocks{BlockSet: blocks}}
}

// didText words a mentee's achievements, one phrase each.
func didText(d *mentoring.Achievements) []string {
	if d == nil {
		return nil
	}
	var out []string
	if d.Met {
		out = append(out, "met with you")
	}
	if d.Progress > 0 {
		out = append(out, "reported progress of "+progressText(d.Progress))
	}
	for _, g := range d.GoalsDone {
		out = append(out, "finished the goal “"+g+"”")
	}
	return out
}
