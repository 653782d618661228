package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/match"
	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/store"
)

// Kinds of queued messages (their metadata event_type).
const (
	kindIntro        = "mentorbot_intro"
	kindUnmatched    = "mentorbot_unmatched"
	kindPartnerEnded = "mentorbot_pairing_ended"
)

// Buttons of the /mentor forget confirmation.
const (
	actionForgetConfirm = "forget_confirm"
	actionForgetCancel  = "forget_cancel"
)

// maxListedPairs bounds how many pairs a round's summary lists.
const maxListedPairs = 40

// round computes a pairing round over everyone free to pair now. It changes nothing.
func (b *Bot) round(ctx context.Context) (match.Result, map[string]*mentoring.Participant, error) {
	people, err := b.store.Participants(ctx)
	if err != nil {
		return match.Result{}, nil, err
	}
	pairings, err := b.store.Pairings(ctx)
	if err != nil {
		return match.Result{}, nil, err
	}
	now := b.now()
	in := match.Input{Previous: map[match.Key]bool{}, Blocked: map[match.Key]bool{}}
	pairedMentee, load := map[string]bool{}, map[string]int{}
	for _, p := range pairings {
		if p.MenteeID == "" || p.MentorID == "" {
			continue // one side was forgotten
		}
		key := match.Key{Mentee: p.MenteeID, Mentor: p.MentorID}
		in.Previous[key] = true
		if p.EndReason == "rematch" {
			in.Blocked[key] = true
		}
		if p.Active() {
			pairedMentee[p.MenteeID] = true
			load[p.MentorID]++
		}
	}
	byID := make(map[string]*mentoring.Participant, len(people))
	for i := range people {
		p := &people[i]
		byID[p.ID] = p
		if !p.Active(now) {
			continue
		}
		_, offset := now.In(b.location(p)).Zone()
		if p.Role.Mentored() && !pairedMentee[p.ID] {
			in.Mentees = append(in.Mentees, match.Mentee{ID: p.ID, Topics: p.Topics, ManagerID: p.ManagerID, Team: p.Team, Offset: offset / 60})
		}
		if p.Role.Mentors() {
			in.Mentors = append(in.Mentors, match.Mentor{ID: p.ID, Topics: p.Topics, ManagerID: p.ManagerID, Team: p.Team,
				Offset: offset / 60, Capacity: p.Capacity - load[p.ID]})
		}
	}
	return match.Solve(in), byID, nil
}

// pair handles `/mentor pair` (admins) and `/mentor pair preview`.
func (b *Bot) pair(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	preview := false
	switch strings.ToLower(args) {
	case "":
	case "preview":
		preview = true
	default:
		return nil, mentoring.Errorf(mentoring.EINVALID, "Write `/mentor pair` to run a round now, or `/mentor pair preview` to see what it would do.")
	}
	res, people, err := b.round(ctx)
	if err != nil {
		return nil, err
	}
	if preview {
		return ephemeral("*Preview: nothing was stored and nobody was messaged.*\n" + roundSummary(res.Pairs, res.Unmatched, res.Total)), nil
	}
	now := b.now()
	pairs := make([]store.RoundPair, 0, len(res.Pairs))
	for _, p := range res.Pairs {
		pairs = append(pairs, store.RoundPair{
			Pairing: mentoring.Pairing{MentorID: p.MentorID, MenteeID: p.MenteeID, StartedAt: now, Score: p.Score, Reasons: p.Reasons},
			Intro:   outgoing(kindIntro, introText(p, people[p.MenteeID], people[p.MentorID]), p.MenteeID, p.MentorID),
		})
	}
	notices := make([]store.Outgoing, 0, len(res.Unmatched))
	for _, u := range res.Unmatched {
		notices = append(notices, outgoing(kindUnmatched,
			":hourglass_flowing_sand: No mentor for you in this pairing round. "+Escape(u.Reason)+
				"\nAdding topics (`/mentor join mentee topic, topic`) widens your chances.", u.MenteeID))
	}
	made, err := b.store.ApplyRound(ctx, pairs, notices)
	if err != nil {
		return nil, err
	}
	b.wakeSender()
	for _, p := range made {
		b.refreshHome(ctx, p.MenteeID)
		b.refreshHome(ctx, p.MentorID)
	}
	var madePairs []match.Pair
	total := 0.0
	for _, p := range made {
		madePairs = append(madePairs, match.Pair{MenteeID: p.MenteeID, MentorID: p.MentorID, Score: p.Score, Reasons: p.Reasons})
		total += p.Score
	}
	return ephemeral("*Pairing round done.* Intros are on their way.\n" + roundSummary(madePairs, res.Unmatched, total)), nil
}

// roundSummary is what an admin sees of a round: counts, mean score, and the pairs
// with their reasons.
func roundSummary(pairs []match.Pair, unmatched []match.Unmatched, total float64) string {
	var sb strings.Builder
	mean := 0.0
	if len(pairs) > 0 {
		mean = total / float64(len(pairs))
	}
	fmt.Fprintf(&sb, "*%d* new %s · *%d* unmatched · mean score %.1f", len(pairs), plural(len(pairs), "pair", "pairs"), len(unmatched), mean)
	for i, p := range pairs {
		if i == maxListedPairs {
			fmt.Fprintf(&sb, "\n…and %d more", len(pairs)-i)
			break
		}
		fmt.Fprintf(&sb, "\n• <@%s> mentors <@%s>: %s", p.MentorID, p.MenteeID, reasonsText(p.Reasons))
	}
	for i, u := range unmatched {
		if i == maxListedPairs {
			fmt.Fprintf(&sb, "\n…and %d more unmatched", len(unmatched)-i)
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

// introText introduces a new pair in their group DM.
func introText(p match.Pair, mentee, mentor *mentoring.Participant) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, ":wave: *<@%s>, meet <@%s>, your mentor!*\n", p.MenteeID, p.MentorID)
	fmt.Fprintf(&sb, "*Why you were matched:* you %s.", reasonsText(p.Reasons))
	if mentee != nil && mentor != nil && p.Reasons.DifferentTeams {
		fmt.Fprintf(&sb, " (%s and %s: a wider network for you both.)", Escape(mentee.Team), Escape(mentor.Team))
	}
	goals := "none yet: agreeing on a few is a great first step."
	if mentee != nil && len(mentee.Goals) > 0 {
		goals = "\n" + goalList(mentee.Goals)
	}
	fmt.Fprintf(&sb, "\n*<@%s>'s goals:* %s", p.MenteeID, goals)
	fmt.Fprintf(&sb, "\n*A first agenda:*\n"+
		"1. Introduce yourselves: your roles, your teams, what you each hope to get from mentoring.\n"+
		"2. Agree on 1–3 goals for <@%s> that line up with their team's and the organisation's goals.\n"+
		"3. Pick a regular time to meet. I'll send you both a short check-in each week.", p.MenteeID)
	return sb.String()
}

// leaveProgramme ends a person's membership and pairings, telling each partner;
// shared by the command and the Home tab.
func (b *Bot) leaveProgramme(ctx context.Context, userID string) error {
	ended, err := b.store.Leave(ctx, userID, func(partner string, p mentoring.Pairing) store.Outgoing {
		return outgoing(kindPartnerEnded, fmt.Sprintf(
			":wave: <@%s> has left the mentoring programme, so your pairing has ended. Thank you for the time you spent together!\n"+
				"You're back in the pool and will be matched again in the next round.", userID), partner)
	})
	if err != nil {
		return err
	}
	b.afterEnding(ctx, userID, ended)
	return nil
}

// afterEnding wakes the sender and refreshes the Home tabs of everyone involved.
func (b *Bot) afterEnding(ctx context.Context, userID string, ended []mentoring.Pairing) {
	b.wakeSender()
	b.refreshHome(ctx, userID)
	for _, p := range ended {
		if partner := p.Partner(userID); partner != "" {
			b.refreshHome(ctx, partner)
		}
	}
}

func (b *Bot) rematch(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	if _, err := b.member(ctx, cmd.UserID); err != nil {
		return nil, err
	}
	ended, err := b.store.Rematch(ctx, cmd.UserID, func(partner string, p mentoring.Pairing) store.Outgoing {
		return outgoing(kindPartnerEnded, fmt.Sprintf(
			":arrows_counterclockwise: Your pairing with <@%s> has ended: no blame, sometimes a fresh match works better. "+
				"You're both back in the pool and will each be matched with someone new in the next round.", cmd.UserID), partner)
	})
	if err != nil {
		return nil, err
	}
	if len(ended) == 0 {
		return nil, mentoring.Errorf(mentoring.EINVALID, "You have no active pairing to end. `/mentor status` shows your partners.")
	}
	b.afterEnding(ctx, cmd.UserID, ended)
	return ephemeral("Done: your pairing has ended without blame, and your partner has been told. " +
		"You'll both be matched with someone new in the next round."), nil
}

// forget asks for confirmation before erasing.
func (b *Bot) forget(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	text := "*Erase everything stored about you?* Your profile, goals, check-ins and the kudos you received and wrote " +
		"are deleted for good, your pairings end and your partners are told (without your name). This cannot be undone. " +
		"To keep your history and just stop, use `/mentor leave` instead."
	confirm := button(actionForgetConfirm, "Erase everything", "", slack.StyleDanger)
	msg := ephemeral(text)
	msg.Blocks.BlockSet = append(msg.Blocks.BlockSet, slack.NewActionBlock("forget_actions", confirm, button(actionForgetCancel, "Cancel", "", "")))
	return msg, nil
}

func (b *Bot) forgetConfirmed(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	userID := cb.User.ID
	if err := b.store.Forget(ctx, userID, func(partner string) store.Outgoing {
		return outgoing(kindPartnerEnded, ":wave: Your mentoring partner has left the programme, so your pairing has ended. "+
			"Thank you for the time you spent together! You're back in the pool and will be matched again in the next round.", partner)
	}); err != nil {
		return err
	}
	b.wakeSender()
	b.refreshHome(ctx, userID)
	b.replaceOriginal(ctx, cb, "Done: everything stored about you has been erased. You're welcome back any time with `/mentor join`.")
	return nil
}

func (b *Bot) forgetCancelled(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	b.replaceOriginal(ctx, cb, "Cancelled: nothing was erased.")
	return nil
}

// replaceOriginal replaces the ephemeral message a button was on.
func (b *Bot) replaceOriginal(ctx context.Context, cb *slack.InteractionCallback, mrkdwn string) {
	msg := ephemeral(mrkdwn)
	msg.ReplaceOriginal = true
	if err := b.postResponseURL(ctx, cb.ResponseURL, msg); err != nil {
		b.log.Warn("could not update the message", "user", cb.User.ID, "err", err)
		b.dm(ctx, cb.User.ID, mrkdwn)
	}
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
