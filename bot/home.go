package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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

func (b *Bot) homeBlocks(ctx context.Context, userID string) ([]slack.Block, error) {
	h, err := b.prog.Home(ctx, userID)
	if err != nil {
		return nil, err
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Mentoring"))}
	if !h.Joined {
		blocks = append(blocks,
			mrkdwnSection("Mentoring pairs you with a colleague who shares your interests, never your own manager, "+
				"and keeps you going with a short weekly check-in. What you write there stays between the two of you."),
			slack.NewActionBlock("home_actions", button(actionHomeJoin, "Join the programme", "", slack.StylePrimary)))
	} else {
		blocks = append(blocks, sections(statusText(h.Status))...)
		for i, g := range h.Status.Participant.Goals {
			if !g.Done() {
				blocks = append(blocks, slack.NewSectionBlock(
					slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf("Goal %d: %s", i+1, Escape(g.Text)), false, false), nil,
					slack.NewAccessory(button(actionHomeGoalDone, "Mark done", strconv.Itoa(i+1), ""))))
			}
		}
		blocks = append(blocks, slack.NewDividerBlock(), mrkdwnSection(recentCheckins(h.Checkins)))
		blocks = append(blocks, slack.NewDividerBlock(), mrkdwnSection(kudosText(h.Kudos)))
		leave := button(actionHomeLeave, "Leave the programme", "", slack.StyleDanger)
		leave.Confirm = slack.NewConfirmationBlockObject(plain("Leave mentoring?"),
			plain("You'll get no more check-ins and won't be paired again. Your history is kept, and you can rejoin any time."),
			plain("Leave"), plain("Stay"))
		blocks = append(blocks, slack.NewActionBlock("home_actions",
			button(actionHomeGoalAdd, "Add a goal", "", slack.StylePrimary),
			button(actionKudosOpen, "Give kudos", "", ""),
			button(actionHomeJoin, "Edit my profile", "", ""),
			leave))
	}
	if h.Stats != nil {
		blocks = append(blocks, slack.NewDividerBlock(), mrkdwnSection(statsText(*h.Stats)))
	}
	return blocks, nil
}

// recentCheckins shows the last check-ins of each of the person's pairings, both
// members' answers, without their notes' text.
func recentCheckins(pairs []mentoring.PairCheckins) string {
	var sb strings.Builder
	sb.WriteString("*Last check-ins*")
	if len(pairs) == 0 {
		sb.WriteString("\nNone yet: they start once you're paired.")
	}
	for _, pc := range pairs {
		fmt.Fprintf(&sb, "\nWith <@%s>:", pc.PartnerID)
		if len(pc.Weeks) == 0 {
			sb.WriteString(" none yet.")
		}
		for _, w := range pc.Weeks {
			_, day, _ := strings.Cut(w.Period, "/")
			day, _, _ = strings.Cut(day, "T")
			fmt.Fprintf(&sb, "\n• %s: you %s · <@%s> %s", day, checkinSummary(w.Mine), pc.PartnerID, checkinSummary(w.Theirs))
		}
	}
	return sb.String()
}

// checkinSummary is one person's answer in a few words, without their notes' text.
func checkinSummary(c *mentoring.Checkin) string {
	if c == nil {
		return "not asked"
	}
	s := map[mentoring.Answer]string{mentoring.AnswerMet: "met", mentoring.AnswerNotMet: "did not meet", mentoring.AnswerNone: "no answer yet"}[c.Answer]
	if c.Progress > 0 {
		s += fmt.Sprintf(" (progress %d/5)", c.Progress)
	}
	return s
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
