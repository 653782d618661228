package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/store"
)

// maxPause is the longest pause: beyond a year, leaving is the honest choice.
const maxPause = 366 * 24 * time.Hour

var pauseFor = regexp.MustCompile(`^(\d{1,3})\s*(d|day|days|w|week|weeks)$`)

const pauseUsage = "Pause for a while, e.g. `/mentor pause 2w` or `/mentor pause 10d`, or until a date: `/mentor pause 2026-12-31`."

// parsePause reads "2w", "10d" or "YYYY-MM-DD" (midnight in loc) into the end of a
// pause starting at now.
func parsePause(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	var until time.Time
	if m := pauseFor.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		days := n
		if m[2][0] == 'w' {
			days = 7 * n
		}
		until = now.Add(time.Duration(days) * 24 * time.Hour)
	} else if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		until = d
	} else {
		return time.Time{}, mentoring.Errorf(mentoring.EINVALID, "%s", pauseUsage)
	}
	switch {
	case !until.After(now):
		return time.Time{}, mentoring.Errorf(mentoring.EINVALID, "That date has passed. %s", pauseUsage)
	case until.Sub(now) > maxPause:
		return time.Time{}, mentoring.Errorf(mentoring.EINVALID, "A pause can last up to a year. For longer, `/mentor leave` and join again later.")
	}
	return until, nil
}

func (b *Bot) pause(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	p, err := b.member(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	loc := b.location(p)
	until, err := parsePause(args, b.now(), loc)
	if err != nil {
		return nil, err
	}
	if _, err := b.update(ctx, cmd.UserID, func(p *mentoring.Participant) error { p.PausedUntil = &until; return nil }); err != nil {
		return nil, err
	}
	return ephemeral(fmt.Sprintf(":pause_button: Paused until %s: no check-ins, nudges, recognition prompts or new pairings until then. "+
		"Your pairings stay. `/mentor resume` to come back early.", until.In(loc).Format("Monday 2 January 2006"))), nil
}

func (b *Bot) resume(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	wasPaused := false
	now := b.now()
	if _, err := b.update(ctx, cmd.UserID, func(p *mentoring.Participant) error {
		wasPaused = p.PausedUntil != nil && now.Before(*p.PausedUntil)
		p.PausedUntil = nil
		return nil
	}); err != nil {
		return nil, err
	}
	if !wasPaused {
		return ephemeral("You weren't paused: everything is running as usual."), nil
	}
	return ephemeral(":arrow_forward: Welcome back! Check-ins, nudges and pairing rounds include you again."), nil
}

// mydata DMs the person everything stored about them, as text and as a JSON file.
func (b *Bot) mydata(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	d, err := b.store.PersonalData(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	if d.Participant == nil && len(d.Pairings) == 0 && len(d.KudosReceived) == 0 && len(d.KudosGiven) == 0 {
		return ephemeral("Nothing is stored about you."), nil
	}
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode personal data: %w", err)
	}
	channel, err := b.conversation(ctx, []string{cmd.UserID})
	if err != nil {
		return nil, fmt.Errorf("open DM: %w", err)
	}
	b.dm(ctx, cmd.UserID, b.personalDataText(cmd.UserID, d))
	if _, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "mentorbot-my-data.json", Title: "Everything mentorbot stores about you",
		Reader: strings.NewReader(string(raw)), FileSize: len(raw), Channel: channel,
	}); err != nil {
		return nil, fmt.Errorf("upload personal data: %w", err)
	}
	return ephemeral("I've sent you a DM with everything stored about you, as text and as a JSON file."), nil
}

// personalDataText is the readable half of /mentor mydata.
func (b *Bot) personalDataText(userID string, d store.PersonalData) string {
	var sb strings.Builder
	sb.WriteString("*Everything mentorbot stores about you*")
	if p := d.Participant; p != nil {
		fmt.Fprintf(&sb, "\n*Role:* %s · *capacity:* %d · *time zone:* %s · *joined:* %s", roleName(p.Role), p.Capacity,
			b.location(p), p.JoinedAt.Format(time.DateOnly))
		fmt.Fprintf(&sb, "\n*Topics:* %s", Escape(strings.Join(p.Topics, ", ")))
		if p.Team != "" {
			fmt.Fprintf(&sb, "\n*Team:* %s", Escape(p.Team))
		}
		if p.ManagerID != "" {
			fmt.Fprintf(&sb, "\n*Manager:* <@%s>", p.ManagerID)
		}
		if p.LeftAt != nil {
			fmt.Fprintf(&sb, "\n*Left:* %s", p.LeftAt.Format(time.DateOnly))
		}
		if p.PausedUntil != nil {
			fmt.Fprintf(&sb, "\n*Paused until:* %s", p.PausedUntil.Format(time.DateOnly))
		}
		fmt.Fprintf(&sb, "\n*Goals*\n%s", goalList(p.Goals))
	}
	fmt.Fprintf(&sb, "\n*Pairings:* %d", len(d.Pairings))
	for _, p := range d.Pairings {
		state := "active"
		if !p.Active() {
			state = "ended " + p.EndedAt.Format(time.DateOnly) + " (" + p.EndReason + ")"
		}
		partner := "someone who has since been forgotten"
		if id := p.Partner(userID); id != "" {
			partner = "<@" + id + ">"
		}
		fmt.Fprintf(&sb, "\n• with %s since %s, %s", partner, p.StartedAt.Format(time.DateOnly), state)
	}
	fmt.Fprintf(&sb, "\n*Kudos received:* %d · *kudos given:* %d", len(d.KudosReceived), len(d.KudosGiven))
	return sb.String()
}
