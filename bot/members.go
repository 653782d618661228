package bot

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// userRef matches a mention as Slack escapes it in a slash command's text
// (should_escape: true): <@U123|alice> or <@U123>.
var userRef = regexp.MustCompile(`^<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>`)

// parseUserRef splits a leading mention off s. ok is false when s does not start with one.
func parseUserRef(s string) (id, rest string, ok bool) {
	s = strings.TrimSpace(s)
	m := userRef.FindStringSubmatch(s)
	if m == nil {
		return "", s, false
	}
	return m[1], strings.TrimSpace(s[len(m[0]):]), true
}

// join handles `/mentor join` (opens the modal) and
// `/mentor join mentor|mentee|both [topic, topic, …]`.
func (b *Bot) join(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	if args == "" {
		if err := b.openJoinModal(ctx, cmd.TriggerID, cmd.UserID); err != nil {
			return nil, err
		}
		return ephemeral("I've opened the join form. Prefer typing? `/mentor join mentor|mentee|both topic, topic`"), nil
	}
	roleWord, topicText, _ := strings.Cut(args, " ")
	role, err := mentoring.ParseRole(roleWord)
	if err != nil {
		return nil, mentoring.Errorf(mentoring.EINVALID,
			"Start with your role: `/mentor join mentor|mentee|both [topic, topic, …]`, e.g. `/mentor join mentee go, public speaking`. Or type `/mentor join` for a form.")
	}
	var topics []string
	if t := strings.TrimSpace(fromSlack(topicText)); t != "" {
		if topics, err = mentoring.NormalizeTopics(strings.Split(t, ",")); err != nil {
			return nil, err
		}
	}
	before, after, err := b.saveJoin(ctx, cmd.UserID, func(p *mentoring.Participant) error {
		p.Role = role
		if topics != nil {
			p.Topics = topics
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ephemeral(joinSummary(before, after)), nil
}

// saveJoin makes userID a participant (or updates their membership) with change
// applied, refreshing what Slack owns (time zone) on the way. It returns the record
// before (nil when new or rejoining after leaving) and after.
func (b *Bot) saveJoin(ctx context.Context, userID string, change func(p *mentoring.Participant) error) (before, after *mentoring.Participant, err error) {
	prof, err := b.profiles.person(ctx, userID, "Your account")
	if err != nil {
		return nil, nil, err
	}
	now := b.now()
	after, err = b.store.UpdateParticipant(ctx, userID, true, func(p *mentoring.Participant, existed bool) error {
		if existed && p.LeftAt == nil {
			cp := *p
			cp.Topics = slices.Clone(p.Topics)
			before = &cp
		}
		if !existed || p.LeftAt != nil {
			p.JoinedAt, p.LeftAt = now, nil
		}
		if p.Capacity == 0 {
			p.Capacity = mentoring.DefaultCapacity
		}
		p.TimeZone = prof.TZ
		return change(p)
	})
	if err != nil {
		return nil, nil, err
	}
	b.refreshHome(ctx, userID)
	return before, after, nil
}

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

// update applies change to a joined person and republishes their Home tab.
func (b *Bot) update(ctx context.Context, userID string, change func(p *mentoring.Participant) error) (*mentoring.Participant, error) {
	p, err := b.store.UpdateParticipant(ctx, userID, false, func(p *mentoring.Participant, _ bool) error {
		if p.LeftAt != nil {
			return mentoring.Errorf(mentoring.ENOTFOUND, "You left the programme. Type `/mentor join` to join again.")
		}
		return change(p)
	})
	if err != nil {
		return nil, err
	}
	b.refreshHome(ctx, userID)
	return p, nil
}

func (b *Bot) capacity(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	n, err := strconv.Atoi(args)
	if err != nil || n < mentoring.MinCapacity || n > mentoring.MaxCapacity {
		return nil, mentoring.Errorf(mentoring.EINVALID,
			"Capacity is how many mentees you take at once: a whole number from %d to %d, e.g. `/mentor capacity 3`.",
			mentoring.MinCapacity, mentoring.MaxCapacity)
	}
	_, err = b.update(ctx, cmd.UserID, func(p *mentoring.Participant) error {
		if !p.Role.Mentors() {
			return mentoring.Errorf(mentoring.EINVALID,
				"Capacity is for mentors, and you joined as a mentee. To mentor too: `/mentor join both`.")
		}
		p.Capacity = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ephemeral(fmt.Sprintf("Done: you'll mentor at most *%d* %s at a time.", n, plural(n, "mentee", "mentees"))), nil
}

func (b *Bot) manager(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	if strings.EqualFold(args, "none") {
		if _, err := b.update(ctx, cmd.UserID, func(p *mentoring.Participant) error { p.ManagerID = ""; return nil }); err != nil {
			return nil, err
		}
		return ephemeral("Done: no manager recorded."), nil
	}
	id, rest, ok := parseUserRef(args)
	if !ok || rest != "" {
		return nil, mentoring.Errorf(mentoring.EINVALID,
			"Name your manager with an @mention: `/mentor manager @name` (or `/mentor manager none` to clear it).")
	}
	if id == cmd.UserID {
		return nil, mentoring.Errorf(mentoring.EINVALID, "You can't be your own manager. Name the person you report to: `/mentor manager @name`.")
	}
	if _, err := b.profiles.person(ctx, id, "That account"); err != nil {
		return nil, err
	}
	if _, err := b.update(ctx, cmd.UserID, func(p *mentoring.Participant) error { p.ManagerID = id; return nil }); err != nil {
		return nil, err
	}
	return ephemeral(fmt.Sprintf("Done: <@%s> is your manager. You'll never be paired with them.", id)), nil
}

func (b *Bot) team(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	name := strings.Join(strings.Fields(fromSlack(args)), " ")
	if name == "" {
		return nil, mentoring.Errorf(mentoring.EINVALID, "Name your team: `/mentor team <name>`, e.g. `/mentor team Payments`.")
	}
	if _, err := b.update(ctx, cmd.UserID, func(p *mentoring.Participant) error { p.Team = name; return nil }); err != nil {
		return nil, err
	}
	return ephemeral(fmt.Sprintf("Done: your team is *%s*. Pairs across teams score higher.", Escape(name))), nil
}

const goalUsage = "Goals: `/mentor goal add <text>`, `/mentor goal done <n>`, or `/mentor goals` to list them."

// goal handles `/mentor goal add <text>` and `/mentor goal done <n>`.
func (b *Bot) goal(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	verb, rest := splitCommand(args)
	switch verb {
	case "add":
		p, err := b.addGoal(ctx, cmd.UserID, fromSlack(rest))
		if err != nil {
			return nil, err
		}
		return ephemeral(fmt.Sprintf("Added goal %d: %s\n\n%s", len(p.Goals), Escape(p.Goals[len(p.Goals)-1].Text), goalList(p.Goals))), nil
	case "done":
		n, err := strconv.Atoi(rest)
		if err != nil {
			return nil, mentoring.Errorf(mentoring.EINVALID, "Say which goal by its number: `/mentor goal done 2`. `/mentor goals` lists them.")
		}
		p, err := b.finishGoal(ctx, cmd.UserID, n)
		if err != nil {
			return nil, err
		}
		return ephemeral(fmt.Sprintf(":tada: Goal %d done: %s\n\n%s", n, Escape(p.Goals[n-1].Text), goalList(p.Goals))), nil
	}
	return nil, mentoring.Errorf(mentoring.EINVALID, "%s", goalUsage)
}

// addGoal appends a goal; shared by the command and the Home tab's modal.
func (b *Bot) addGoal(ctx context.Context, userID, text string) (*mentoring.Participant, error) {
	text = strings.TrimSpace(clean(text))
	if text == "" {
		return nil, mentoring.Errorf(mentoring.EINVALID, "Say what the goal is: `/mentor goal add <text>`, e.g. `/mentor goal add give a talk at the team meeting`.")
	}
	if n := len([]rune(text)); n > mentoring.MaxGoalLen {
		return nil, mentoring.Errorf(mentoring.EINVALID, "A goal can be at most %d characters (yours has %d). Try a shorter one.", mentoring.MaxGoalLen, n)
	}
	now := b.now()
	return b.update(ctx, userID, func(p *mentoring.Participant) error {
		if len(p.Goals) >= mentoring.MaxGoals {
			return mentoring.Errorf(mentoring.EINVALID, "You already have %d goals, the most I keep.", mentoring.MaxGoals)
		}
		p.Goals = append(p.Goals, mentoring.Goal{Text: text, CreatedAt: now})
		return nil
	})
}

// finishGoal marks goal n (1-based) done; shared by the command and the Home tab.
func (b *Bot) finishGoal(ctx context.Context, userID string, n int) (*mentoring.Participant, error) {
	now := b.now()
	return b.update(ctx, userID, func(p *mentoring.Participant) error {
		switch {
		case len(p.Goals) == 0:
			return mentoring.Errorf(mentoring.EINVALID, "You have no goals yet. Add one with `/mentor goal add <text>`.")
		case n < 1 || n > len(p.Goals):
			return mentoring.Errorf(mentoring.EINVALID, "You have goals 1 to %d; there is no goal %d. `/mentor goals` lists them.", len(p.Goals), n)
		case p.Goals[n-1].Done():
			return mentoring.Errorf(mentoring.ECONFLICT, "Goal %d is already done. :white_check_mark:", n)
		}
		p.Goals[n-1].DoneAt = &now
		return nil
	})
}

func (b *Bot) goals(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	p, err := b.member(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	return ephemeral("*Your goals*\n" + goalList(p.Goals)), nil
}

// member returns a person who has joined and not left.
func (b *Bot) member(ctx context.Context, userID string) (*mentoring.Participant, error) {
	p, err := b.store.Participant(ctx, userID)
	if err == nil && p.LeftAt != nil {
		err = mentoring.Errorf(mentoring.ENOTFOUND, "You left the programme. Type `/mentor join` to join again.")
	}
	return p, err
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

func (b *Bot) status(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	p, err := b.member(ctx, cmd.UserID)
	if err != nil {
		return nil, err
	}
	text, err := b.profileText(ctx, p)
	if err != nil {
		return nil, err
	}
	return ephemeral(text), nil
}

// profileText is a person's own view of their membership, for /mentor status and the
// Home tab.
func (b *Bot) profileText(ctx context.Context, p *mentoring.Participant) (string, error) {
	active, err := b.store.ActivePairings(ctx, p.ID)
	if err != nil {
		return "", err
	}
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
	loc := b.location(p)
	fmt.Fprintf(&sb, "\n*Partners:* %s", partnersText(p.ID, active, loc))
	now := b.now()
	if p.PausedUntil != nil && now.Before(*p.PausedUntil) {
		fmt.Fprintf(&sb, "\n*Paused* until %s: no check-ins, nudges or new pairings.", p.PausedUntil.In(loc).Format("Monday 2 January"))
	}
	fmt.Fprintf(&sb, "\n*Next check-in:* %s (%s)", b.cfg.CheckinSchedule.Next(now.In(loc)).Format("Monday 2 January at 15:04"), loc)
	fmt.Fprintf(&sb, "\n\n*Goals*\n%s", goalList(p.Goals))
	return sb.String(), nil
}

// location is the person's time zone, or the configured default.
func (b *Bot) location(p *mentoring.Participant) *time.Location { return p.Location(b.cfg.DefaultZone) }

func (b *Bot) leave(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	if err := b.leaveProgramme(ctx, cmd.UserID); err != nil {
		return nil, err
	}
	return ephemeral("You've left the mentoring programme. Your history is kept; type `/mentor join` any time to come back. To erase everything about you instead, type `/mentor forget`."), nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
