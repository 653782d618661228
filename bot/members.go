package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// join handles `/mentor join` (opens the modal) and
// `/mentor join mentor|mentee|both [topic, topic, …]`.
func (b *Bot) join(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	if args == "" {
		if err := b.openJoinModal(ctx, cmd.TriggerID, cmd.UserID); err != nil {
			return nil, err
		}
		return ephemeral("I've opened the join form. Prefer typing? `/mentor join mentor|mentee|both topic, topic`"), nil
	}
	roleWord, topicText, _ := strings.Cut(args, " ")
	j := mentoring.Join{Role: mentoring.Role(strings.ToLower(roleWord))}
	if t := strings.TrimSpace(fromSlack(topicText)); t != "" {
		j.Topics = strings.Split(t, ",")
	}
	before, after, err := b.prog.Join(ctx, cmd.UserID, j)
	if err != nil {
		return nil, err
	}
	b.refreshHome(cmd.UserID)
	return ephemeral(joinSummary(before, after)), nil
}

func (b *Bot) capacity(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	n, _ := strconv.Atoi(args) // not a number: 0, which the programme refuses with the rule
	if _, err := b.prog.SetCapacity(ctx, cmd.UserID, n); err != nil {
		return nil, err
	}
	b.refreshHome(cmd.UserID)
	return ephemeral(fmt.Sprintf("Done: you'll mentor at most *%d* %s at a time.", n, plural(n, "mentee", "mentees"))), nil
}

func (b *Bot) manager(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	id := ""
	if !strings.EqualFold(args, "none") {
		var rest string
		var ok bool
		if id, rest, ok = parseUserRef(args); !ok || rest != "" {
			return nil, mentoring.Errorf(mentoring.EINVALID,
				"Name your manager with an @mention, for example `/mentor manager @name`, or clear it with `/mentor manager none`.")
		}
	}
	if _, err := b.prog.SetManager(ctx, cmd.UserID, id); err != nil {
		return nil, err
	}
	b.refreshHome(cmd.UserID)
	if id == "" {
		return ephemeral("Done: you have no manager recorded now."), nil
	}
	return ephemeral(fmt.Sprintf("Done: <@%s> is your manager. You'll never be paired with them.", id)), nil
}

func (b *Bot) team(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	p, err := b.prog.SetTeam(ctx, cmd.UserID, fromSlack(args))
	if err != nil {
		return nil, err
	}
	b.refreshHome(cmd.UserID)
	return ephemeral(fmt.Sprintf("Done: your team is *%s*. Pairs across teams score higher.", Escape(p.Team))), nil
}

const goalUsage = "Goals: `/mentor goal add <text>`, `/mentor goal done <n>`, or `/mentor goals` to list them."

// goal handles `/mentor goal add <text>` and `/mentor goal done <n>`.
func (b *Bot) goal(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	verb, rest := splitCommand(args)
	switch verb {
	case "add":
		p, err := b.prog.AddGoal(ctx, cmd.UserID, clean(fromSlack(rest)))
		if err != nil {
			return nil, err
		}
		b.refreshHome(cmd.UserID)
		return ephemeral(fmt.Sprintf("Added goal %d: %s\n\n%s", len(p.Goals), Escape(p.Goals[len(p.Goals)-1].Text), goalList(p.Goals))), nil
	case "done":
		n, err := strconv.Atoi(rest)
		if err != nil {
			return nil, mentoring.Errorf(mentoring.EINVALID, "Say which goal by its number, for example `/mentor goal done 2`. Type `/mentor goals` to see the numbers.")
		}
		p, err := b.prog.FinishGoal(ctx, cmd.UserID, n)
		if err != nil {
			return nil, err
		}
		b.refreshHome(cmd.UserID)
		return ephemeral(fmt.Sprintf(":tada: Goal %d done: %s\n\n%s", n, Escape(p.Goals[n-1].Text), goalList(p.Goals))), nil
	}
	return nil, mentoring.Errorf(mentoring.EINVALID, "%s", goalUsage)
}

func (b *Bot) goals(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	p, err := b.prog.Member(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	return ephemeral("*Your goals*\n" + goalList(p.Goals)), nil
}

func (b *Bot) status(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	st, err := b.prog.Status(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	return ephemeral(statusText(st)), nil
}

func (b *Bot) leave(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	if err := b.leaveProgramme(ctx, cmd.UserID); err != nil {
		return nil, err
	}
	return ephemeral("You've left the mentoring programme. Your history is kept; type `/mentor join` any time to come back. To erase everything about you instead, type `/mentor forget`."), nil
}

// leaveProgramme is leaving, from the command and the Home tab.
func (b *Bot) leaveProgramme(ctx context.Context, userID string) error {
	ended, err := b.prog.Leave(ctx, userID)
	if err != nil {
		return err
	}
	b.refreshAfterEnding(userID, ended)
	return nil
}

// refreshAfterEnding refreshes the Home tabs of a person and the partners of the
// pairings that ended.
func (b *Bot) refreshAfterEnding(userID string, ended []mentoring.Pairing) {
	b.refreshHome(userID)
	for _, p := range ended {
		if partner := p.Partner(userID); partner != "" {
			b.refreshHome(partner)
		}
	}
}

func (b *Bot) rematch(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	partner := ""
	if args != "" {
		id, rest, ok := parseUserRef(args)
		if !ok || rest != "" {
			return nil, mentoring.Errorf(mentoring.EINVALID, "Name the partner with an @mention, for example `/mentor rematch @name`, or type just `/mentor rematch` if you have one partner.")
		}
		partner = id
	}
	ended, err := b.prog.Rematch(ctx, cmd.UserID, partner)
	if err != nil {
		return nil, err
	}
	b.refreshAfterEnding(cmd.UserID, []mentoring.Pairing{ended})
	return ephemeral(fmt.Sprintf("Done: your pairing with <@%s> has ended without blame, and they have been told. "+
		"You'll both be matched with someone new in the next round.", ended.Partner(cmd.UserID))), nil
}

// Buttons of the /mentor forget confirmation.
const (
	actionForgetConfirm = "forget_confirm"
	actionForgetCancel  = "forget_cancel"
)

// forget asks for confirmation before erasing.
func (b *Bot) forget(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	text := "*Erase everything stored about you?* Your profile, goals, check-ins and the kudos you received and wrote " +
		"are deleted for good, your pairings end and your partners are told (without your name). This cannot be undone. " +
		"To keep your history and just stop, use `/mentor leave` instead."
	confirm := button(actionForgetConfirm, "Erase everything", "", slack.StyleDanger)
	msg := ephemeral(text)
	msg.Blocks = append(msg.Blocks, slack.NewActionBlock("forget_actions", confirm, button(actionForgetCancel, "Cancel", "", "")))
	return msg, nil
}

// replaceOriginal replaces the ephemeral message a button was on.
func (b *Bot) replaceOriginal(ctx context.Context, cb *slack.InteractionCallback, mrkdwn string) {
	msg := ephemeral(mrkdwn)
	msg.ReplaceOriginal = true
	if err := b.postResponseURL(ctx, cb.ResponseURL, msg); err != nil {
		b.log.Warn("could not update the message", "user", cb.User.ID, "err", err)
		b.client.dm(ctx, cb.User.ID, mrkdwn)
	}
}

// pauseFor reads "2w" or "10d".
var pauseFor = regexp.MustCompile(`^(\d{1,3})\s*(d|day|days|w|week|weeks)$`)

// parsePause reads "2w", "10d" or "YYYY-MM-DD"; anything else is the zero length,
// which the programme answers with how to write it.
func parsePause(s string) mentoring.PauseLength {
	s = strings.ToLower(strings.TrimSpace(s))
	if m := pauseFor.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if m[2][0] == 'w' {
			n *= 7
		}
		return mentoring.PauseLength{Days: n}
	}
	if s == "" {
		return mentoring.PauseLength{}
	}
	return mentoring.PauseLength{Date: s}
}

func (b *Bot) pause(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	p, err := b.prog.Pause(ctx, cmd.UserID, parsePause(args))
	if err != nil {
		return nil, err
	}
	b.refreshHome(cmd.UserID)
	return ephemeral(fmt.Sprintf(":pause_button: Paused until %s: no check-ins, nudges, recognition prompts or new pairings until then. "+
		"Your pairings stay. Type `/mentor resume` to come back early.", p.PausedUntil.In(b.prog.Location(p)).Format(yearLayout))), nil
}

func (b *Bot) resume(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	wasPaused, err := b.prog.Resume(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	b.refreshHome(cmd.UserID)
	if !wasPaused {
		return ephemeral("You weren't paused, so nothing changed: check-ins, nudges and pairing rounds include you as usual."), nil
	}
	return ephemeral(":arrow_forward: Welcome back! Check-ins, nudges and pairing rounds include you again."), nil
}

// mydata DMs the person everything stored about them, as text and as a JSON file.
func (b *Bot) mydata(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	d, err := b.prog.PersonalData(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	if d.Empty() {
		return ephemeral("Nothing is stored about you."), nil
	}
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode personal data: %w", err)
	}
	channel, err := b.client.dmChannel(ctx, cmd.UserID)
	if err != nil {
		return nil, fmt.Errorf("open DM: %w", err)
	}
	loc := b.prog.Location(&mentoring.Participant{})
	if d.Participant != nil {
		loc = b.prog.Location(d.Participant)
	}
	b.client.dm(ctx, cmd.UserID, personalDataText(cmd.UserID, d, loc))
	if _, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "mentorbot-my-data.json", Title: "Everything mentorbot stores about you",
		Reader: strings.NewReader(string(raw)), FileSize: len(raw), Channel: channel,
	}); err != nil {
		return nil, fmt.Errorf("upload personal data: %w", err)
	}
	return ephemeral("I've sent you a DM with everything stored about you, as text and as a JSON file."), nil
}

// pair handles `/mentor pair` (admins) and `/mentor pair preview`.
func (b *Bot) pair(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	preview := false
	switch strings.ToLower(args) {
	case "":
	case "preview":
		preview = true
	default:
		return nil, mentoring.Errorf(mentoring.EINVALID, "Write `/mentor pair` to run a round now, or `/mentor pair preview` to see what it would do.")
	}
	plan, err := b.prog.PlanRound(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	if preview {
		return ephemeral("*Preview: nothing was stored and nobody was messaged.*\n" + roundSummary(plan)), nil
	}
	done, err := b.prog.ApplyRound(ctx, cmd.UserID, plan)
	if err != nil {
		return nil, err
	}
	for _, p := range done.Pairs {
		b.refreshHome(p.MenteeID)
		b.refreshHome(p.MentorID)
	}
	if done.Proposed && len(done.Pairs) > 0 {
		return ephemeral("*Pairing round done.* I've asked each mentor to accept their match; intros go out as they do.\n" + roundSummary(done)), nil
	}
	return ephemeral("*Pairing round done.* Intros are on their way.\n" + roundSummary(done)), nil
}

// stats handles `/mentor stats` (admins): the figures, the charts of the last weeks
// and the same weeks as text; `/mentor stats export` is statsExport's.
func (b *Bot) stats(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	if args != "" { // `export`, or anything else: statsExport says how to write both
		return b.statsExport(ctx, cmd, args)
	}
	st, err := b.prog.Stats(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	tr, err := b.prog.Trend(ctx, cmd.UserID, mentoring.TrendWeeks)
	if err != nil {
		return nil, err
	}
	msg := ephemeral(statsText(st))
	msg.Blocks = figureBlocks(st, &tr)
	return msg, nil
}

// figureBlocks are an admin's figures: the totals, the charts of the last weeks, and
// the same weeks as text for clients that cannot draw charts.
func figureBlocks(st mentoring.Stats, tr *mentoring.Trend) []slack.Block {
	blocks := sections(statsText(st))
	if tr != nil {
		blocks = append(blocks, chartBlocks(*tr)...)
		blocks = append(blocks, sections(trendText(*tr))...)
	}
	return blocks
}

// runScheduled handles /mentor run checkins|nudges|recognition (admins): what is due
// for the current period now, skipping anyone already sent this period.
func (b *Bot) runScheduled(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	kinds := map[string]mentoring.Kind{"checkins": mentoring.KindCheckin, "nudges": mentoring.KindNudge, "recognition": mentoring.KindRecognition}
	word := strings.ToLower(args)
	kind, ok := kinds[word]
	if !ok {
		return nil, mentoring.Errorf(mentoring.EINVALID, "Write `/mentor run checkins`, `/mentor run nudges` or `/mentor run recognition`.")
	}
	n, err := b.prog.RunNow(ctx, cmd.UserID, kind)
	names := map[string][2]string{"checkins": {"check-in", "check-ins"}, "nudges": {"nudge", "nudges"}, "recognition": {"recognition prompt", "recognition prompts"}}[word]
	if deferred := (*mentoring.DeferredError)(nil); errors.As(err, &deferred) {
		b.log.Warn("run now: some people deferred", "kind", kind, "err", err)
		return ephemeral(fmt.Sprintf("Queued *%d* %s for people due one this period. *%d* more %s waiting: Slack could not say whether they are away, "+
			"so nothing was sent or recorded for them. Run this again in a minute to send them.",
			n, plural(n, names[0], names[1]), deferred.Deferred, plural(deferred.Deferred, "is", "are"))), nil
	}
	if err != nil {
		return nil, err
	}
	return ephemeral(fmt.Sprintf("Queued *%d* %s for people due one this period; %s within a minute. "+
		"Everyone else already had theirs this period, is paused or away, or has nothing due. "+
		"(`/mentor stats` counts every check-in sent since the programme began.)",
		n, plural(n, names[0], names[1]), plural(n, "it goes out", "they go out"))), nil
}
