package bot

import (
	"context"
	"fmt"
	"slices"
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

// homeKudos is how many received kudos the Home tab shows.
const homeKudos = 5

func (b *Bot) appHomeOpened(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || e.Tab != "home" {
		return nil
	}
	return b.publishHome(ctx, e.User)
}

// refreshHome republishes a person's Home tab after a change, without holding up the
// reply to what changed it.
func (b *Bot) refreshHome(ctx context.Context, userID string) {
	b.inflight.Go(func() {
		if err := b.protect("refresh home", func() error { return b.publishHome(ctx, userID) }); err != nil {
			b.log.Warn("home tab not refreshed", "user", userID, "err", err)
		}
	})
}

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
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Mentoring"))}
	p, err := b.member(ctx, userID)
	switch {
	case mentoring.ErrorCode(err) == mentoring.ENOTFOUND:
		blocks = append(blocks,
			mrkdwnSection("Mentoring pairs you with a colleague who shares your interests, never your own manager, "+
				"and keeps you going with a short weekly check-in. What you write there stays between the two of you."),
			slack.NewActionBlock("home_actions", button(actionHomeJoin, "Join the programme", "", slack.StylePrimary)))
	case err != nil:
		return nil, err
	default:
		text, err := b.profileText(ctx, p)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, sections(text)...)
		for i, g := range p.Goals {
			if !g.Done() {
				blocks = append(blocks, slack.NewSectionBlock(
					slack.NewTextBlockObject(slack.MarkdownType, fmt.Sprintf("Goal %d: %s", i+1, Escape(g.Text)), false, false), nil,
					slack.NewAccessory(button(actionHomeGoalDone, "Mark done", strconv.Itoa(i+1), ""))))
			}
		}
		recent, err := b.recentCheckins(ctx, userID)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, slack.NewDividerBlock(), mrkdwnSection(recent))
		kudos, err := b.store.KudosFor(ctx, userID, homeKudos)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, slack.NewDividerBlock(), mrkdwnSection(kudosText(kudos)))
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
	if b.isAdmin(userID) {
		st, err := b.store.Stats(ctx)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, slack.NewDividerBlock(), mrkdwnSection(statsText(st)))
	}
	return blocks, nil
}

// homeCheckins is how many recent periods of check-ins the Home tab shows per pairing.
const homeCheckins = 3

// recentCheckins shows the last check-ins of each of the person's pairings, both
// members' answers: the two of them are the only ones who see a Home tab with them.
func (b *Bot) recentCheckins(ctx context.Context, userID string) (string, error) {
	active, err := b.store.ActivePairings(ctx, userID)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.WriteString("*Last check-ins*")
	if len(active) == 0 {
		sb.WriteString("\nNone yet: they start once you're paired.")
	}
	for _, p := range active {
		partner := p.Partner(userID)
		mine, err := b.store.CheckinsOf(ctx, p.ID, userID)
		if err != nil {
			return "", err
		}
		theirs, err := b.store.CheckinsOf(ctx, p.ID, partner)
		if err != nil {
			return "", err
		}
		answers := map[string][2]*mentoring.Checkin{}
		var periods []string
		for i, list := range [][]mentoring.Checkin{mine, theirs} {
			for j := range list {
				c := &list[j]
				a, seen := answers[c.Period]
				if !seen {
					periods = append(periods, c.Period)
				}
				a[i] = c
				answers[c.Period] = a
			}
		}
		slices.Sort(periods)
		if len(periods) > homeCheckins {
			periods = periods[len(periods)-homeCheckins:]
		}
		fmt.Fprintf(&sb, "\nWith <@%s>:", partner)
		if len(periods) == 0 {
			sb.WriteString(" none yet.")
		}
		for k := len(periods) - 1; k >= 0; k-- {
			a := answers[periods[k]]
			_, day, _ := strings.Cut(periods[k], "/")
			day, _, _ = strings.Cut(day, "T")
			fmt.Fprintf(&sb, "\n• %s: you %s · <@%s> %s", day, checkinSummary(a[0]), partner, checkinSummary(a[1]))
		}
	}
	return sb.String(), nil
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
	b.dm(ctx, cb.User.ID, "You've left the mentoring programme. Your history is kept; type `/mentor join` any time to come back.")
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
	_, err = b.finishGoal(ctx, cb.User.ID, n)
	return err
}

func button(actionID, text, value string, style slack.Style) *slack.ButtonBlockElement {
	btn := slack.NewButtonBlockElement(actionID, value, plain(PlainText(text, maxButtonText)))
	btn.Style = style
	return btn
}

func mrkdwnSection(mrkdwn string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(mrkdwn, maxSectionText), false, false), nil, nil)
}
