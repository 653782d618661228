package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Buttons on the Home tab.
const (
	actionHomeJoin     = "home_join"
	actionHomeLeave    = "home_leave"
	actionHomeGoalAdd  = "home_goal_add"
	actionHomeGoalDone = "home_goal_done" // value: the goal's number
)

// appHomeOpened remembers that the person has opened their Home tab (so that changes
// republish it from now on) and publishes it ahead of any refresh waiting.
func (b *Bot) appHomeOpened(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || e.Tab != "home" {
		return nil
	}
	b.homes.opened(ctx, e.User)
	return nil
}

// refreshHome republishes a person's Home tab after a change, if they have ever opened
// it, without holding up the reply to what changed it: the refresher (homes.go)
// renders it when it publishes, one publish per person at a time.
func (b *Bot) refreshHome(userID string) { b.homes.refresh(userID) }

// publishHome builds and publishes userID's Home tab.
func (b *Bot) publishHome(ctx context.Context, userID string) error {
	blocks, err := b.homeBlocks(ctx, userID)
	if err != nil {
		return err
	}
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{
		UserID: userID,
		View:   slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}},
	}); err != nil {
		return fmt.Errorf("views.publish for %s: %w", userID, err)
	}
	return nil
}

// maxViewBlocks is Slack's limit on the blocks of a Home tab or modal.
const maxViewBlocks = 100

// maxHomeNote bounds how much of one note the Home tab shows; `/mentor mydata` has it all.
const maxHomeNote = 600

// maxEndedListed bounds how many ended pairings status and the Home tab list.
const maxEndedListed = 3

func (b *Bot) homeBlocks(ctx context.Context, userID string) ([]slack.Block, error) {
	h, err := b.prog.Home(ctx, userID)
	if err != nil {
		return nil, err
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Mentoring"))}
	var tail []slack.Block
	if !h.Joined {
		blocks = append(blocks,
			mrkdwnSection("Mentoring pairs you with a colleague who shares your interests, never your own manager, "+
				"and keeps you going with a short weekly check-in. What you write there stays between the two of you."),
			slack.NewActionBlock("home_actions", button(actionHomeJoin, "Join the programme", "", slack.StylePrimary)))
	} else {
		blocks = append(blocks, sections(profileText(h.Status))...)
		blocks = append(blocks, slack.NewDividerBlock())
		blocks = append(blocks, goalBlocks(h.Status.Participant.Goals)...)
		blocks = append(blocks, slack.NewDividerBlock())
		checkins := sections(recentCheckins(h.Checkins, h.Status.Location))
		tail = append(tail, slack.NewDividerBlock(), mrkdwnSection(kudosText(h.Kudos)))
		leave := button(actionHomeLeave, "Leave the programme", "", slack.StyleDanger)
		leave.Confirm = slack.NewConfirmationBlockObject(plain("Leave mentoring?"),
			plain("You'll get no more check-ins and won't be paired again. Your history is kept, and you can rejoin any time."),
			plain("Leave"), plain("Stay"))
		// A pause, their own or the programme's after unanswered check-ins, ends here
		// as with `/mentor resume`: then that is the button to press.
		var actions []slack.BlockElement
		addStyle := slack.StylePrimary
		if h.Status.PausedUntil != nil {
			actions = append(actions, button(actionResume, "Resume check-ins", "", slack.StylePrimary))
			addStyle = ""
		}
		actions = append(actions,
			button(actionHomeGoalAdd, "Add a goal", "", addStyle),
			button(actionKudosOpen, "Give kudos", "", ""),
			button(actionHomeJoin, "Edit my profile", "", ""),
			leave)
		tail = append(tail, slack.NewActionBlock("home_actions", actions...))
		if h.Stats != nil {
			tail = append(append(tail, slack.NewDividerBlock()), figureBlocks(*h.Stats, h.Trend)...)
		}
		// Many pairings with long notes could pass Slack's limit on blocks: the
		// check-ins give way, and say where the rest is.
		if room := maxViewBlocks - len(blocks) - len(tail); len(checkins) > room {
			checkins = append(checkins[:max(room-1, 0)],
				mrkdwnSection("There are more check-ins than fit here. `/mentor mydata` sends you all of them."))
		}
		return append(append(blocks, checkins...), tail...), nil
	}
	if h.Stats != nil {
		blocks = append(append(blocks, slack.NewDividerBlock()), figureBlocks(*h.Stats, h.Trend)...)
	}
	return blocks, nil
}

// goalBlocks lists a member's goals once, each with its state; an open goal has a
// button that marks it done.
func goalBlocks(goals []mentoring.Goal) []slack.Block {
	if len(goals) == 0 {
		return []slack.Block{mrkdwnSection("*Your goals*\nNo goals yet. Add one with *Add a goal* below.")}
	}
	blocks := []slack.Block{mrkdwnSection("*Your goals*")}
	for i, g := range goals {
		if g.Done() {
			blocks = append(blocks, mrkdwnSection(fmt.Sprintf(":white_check_mark: %d. %s", i+1, Escape(g.Text))))
			continue
		}
		blocks = append(blocks, slack.NewSectionBlock(
			slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf(":white_square: %d. %s", i+1, Escape(g.Text)), false, false), nil,
			slack.NewAccessory(button(actionHomeGoalDone, "Mark done", strconv.Itoa(i+1), ""))))
	}
	return blocks
}

// recentCheckins shows the last check-ins of each of the person's pairings: both
// members' answers and notes, in their own words. Only the two members of a pair see
// it (mentoring.Home gives nobody else's).
func recentCheckins(pairs []mentoring.PairCheckins, loc *time.Location) string {
	var sb strings.Builder
	sb.WriteString("*Last check-ins*")
	if len(pairs) == 0 {
		sb.WriteString("\nNone right now: they start once you're paired. Only you and your partner see them.")
	}
	for _, pc := range pairs {
		fmt.Fprintf(&sb, "\n\n*With <@%s>:*", pc.PartnerID)
		if len(pc.Weeks) == 0 {
			sb.WriteString("\nNo check-ins yet: the first comes with the next weekly check-in.")
		}
		for _, w := range pc.Weeks {
			fmt.Fprintf(&sb, "\n_%s:_", w.Start.In(loc).Format(dayLayout))
			writeCheckin(&sb, "You", w.Mine)
			writeCheckin(&sb, fmt.Sprintf("<@%s>", pc.PartnerID), w.Theirs)
		}
	}
	return sb.String()
}

// writeCheckin writes one person's check-in of a week: their answer in a few words,
// then their notes as they typed them, quoted.
func writeCheckin(sb *strings.Builder, who string, c *mentoring.Checkin) {
	fmt.Fprintf(sb, "\n• %s: %s", who, checkinSummary(c))
	if c == nil {
		return
	}
	for _, n := range []struct{ label, text string }{{"Discussed", c.Discussed}, {"Needs", c.Needs}} {
		if n.text != "" {
			text := Escape(truncate(n.text, maxHomeNote))
			fmt.Fprintf(sb, "\n>_%s:_ %s", n.label, strings.ReplaceAll(text, "\n", "\n>"))
		}
	}
}

// checkinSummary is one person's answer in a few words; notes count as an answer.
func checkinSummary(c *mentoring.Checkin) string {
	switch {
	case c == nil:
		return "not asked that week."
	case !c.Answered():
		return "no answer yet."
	}
	var parts []string
	switch c.Answer {
	case mentoring.AnswerMet:
		parts = append(parts, "met")
	case mentoring.AnswerNotMet:
		parts = append(parts, "did not meet")
	}
	if c.Progress != 0 {
		parts = append(parts, "progress "+progressText(c.Progress))
	}
	if len(parts) == 0 {
		parts = append(parts, "wrote notes")
	}
	return strings.Join(parts, " · ") + "."
}

// endedPairingsText lists the latest of a person's pairings that ended, for a Partners
// line that has no active one.
func endedPairingsText(userID string, ended []mentoring.Pairing, loc *time.Location) string {
	var parts []string
	for _, p := range ended[:min(len(ended), maxEndedListed)] {
		who := "a partner who has since left the programme"
		if id := p.Partner(userID); id != "" {
			who = fmt.Sprintf("<@%s>", id)
		}
		parts = append(parts, fmt.Sprintf("%s (%s to %s)", who,
			p.StartedAt.In(loc).Format(dayLayout), p.EndedAt.In(loc).Format(dayLayout)))
	}
	list := sentenceList(parts)
	if more := len(ended) - len(parts); more > 0 {
		list = strings.Join(parts, ", ") + fmt.Sprintf(" and %d more", more)
	}
	return "Your past " + plural(len(ended), "pairing", "pairings") + ": " + list + "."
}

// sentenceList joins phrases as a sentence does: "a", "a and b", "a, b and c".
func sentenceList(parts []string) string {
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func kudosText(kudos []mentoring.Kudos) string {
	if len(kudos) == 0 {
		return "*Kudos received*\nNone yet."
	}
	var sb strings.Builder
	sb.WriteString("*Kudos received*")
	for _, k := range kudos {
		fmt.Fprintf(&sb, "\n• from <@%s>: %s", k.FromID, Quote(k.Message, 200))
	}
	return sb.String()
}

func (b *Bot) homeJoin(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	return b.openJoinModal(ctx, cb.TriggerID, cb.User.ID)
}

func (b *Bot) homeLeave(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	if err := b.leaveProgramme(ctx, cb.User.ID); err != nil {
		return err
	}
	b.client.dm(ctx, cb.User.ID, "You've left the mentoring programme. Your history is kept; type `/mentor join` any time to come back.")
	return nil
}

func (b *Bot) homeGoalAdd(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	return b.openGoalModal(ctx, cb.TriggerID)
}

func (b *Bot) homeGoalDone(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	n, err := strconv.Atoi(a.Value)
	if err != nil {
		return mentoring.Errorf(mentoring.EINVALID, "That button is out of date. Reopen the Home tab.")
	}
	if _, err = b.prog.FinishGoal(ctx, cb.User.ID, n); err != nil {
		return err
	}
	b.refreshHome(cb.User.ID)
	return nil
}
