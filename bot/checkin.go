package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/scheduler"
	"github.com/mentorbot/mentorbot/store"
)

// Names fixed by SPEC.md.
const (
	actionCheckinMet    = "checkin_met"
	actionCheckinNotMet = "checkin_not_met"
	actionCheckinNotes  = "checkin_notes"
	callbackNotes       = "checkin_notes"
)

// Inputs of the check-in notes modal.
const (
	inputDiscussed = "discussed"
	inputProgress  = "progress"
	inputNeeds     = "needs"
)

// awayStatus matches a Slack status that says the person is away.
var awayStatus = regexp.MustCompile(`(?i)vacation|holiday|out of (the )?office|\booo\b|on leave|parental leave|\bpto\b|sick|away|:palm_tree:|:desert_island:|:beach_with_umbrella:|:airplane:|:face_with_thermometer:|:mask:`)

// Queue renders due scheduled messages and queues them; it implements
// scheduler.Queuer. People whose Slack status says they are away get no check-in or
// nudge this period, when MENTORBOT_RESPECT_STATUS is on.
func (b *Bot) Queue(ctx context.Context, due []scheduler.Due) (int, error) {
	items := make([]store.Scheduled, 0, len(due))
	for _, d := range due {
		it := store.Scheduled{UserID: d.UserID, Period: d.Period.Key()}
		if len(d.Pairings) > 0 && !b.skipAway(ctx, d) {
			var text string
			var blocks []slack.Block
			switch d.Kind {
			case mentoring.KindCheckin:
				text, blocks = checkinMessage(d)
				for _, p := range d.Pairings {
					it.Checkins = append(it.Checkins, mentoring.Checkin{PairingID: p.ID, UserID: d.UserID, Period: d.Period.Key(), SentAt: b.now()})
				}
			case mentoring.KindNudge:
				text = nudgeText(d)
				blocks = sections(text)
			case mentoring.KindRecognition:
				text, blocks = recognitionMessage(d)
			}
			payload, err := json.Marshal(outMessage{Text: truncate(text, maxSectionText), Blocks: slack.Blocks{BlockSet: blocks}})
			if err != nil {
				return 0, fmt.Errorf("render %s: %w", d.Kind, err)
			}
			it.Message = &store.Outgoing{Kind: string(d.Kind), To: []string{d.UserID}, Payload: payload}
		}
		items = append(items, it)
	}
	n, err := b.store.QueueScheduled(ctx, items)
	if n > 0 {
		b.wakeSender()
	}
	return n, err
}

// skipAway reports whether d should not go out because its person is away.
func (b *Bot) skipAway(ctx context.Context, d scheduler.Due) bool {
	if !b.cfg.RespectStatus || d.Kind == mentoring.KindRecognition {
		return false
	}
	p, err := b.profiles.get(ctx, d.UserID)
	if err != nil {
		b.log.Warn("status unknown; sending anyway", "user", d.UserID, "err", err)
		return false
	}
	away := p.Status != "" && awayStatus.MatchString(p.Status) &&
		(p.StatusExpiration == 0 || p.StatusExpiration > b.now().Unix())
	if away {
		b.log.Info("skipped: away", "user", d.UserID, "kind", d.Kind, "period", d.Period.Key())
	}
	return away
}

// checkinRef identifies a check-in in a button's value: pairing id and period key.
func checkinRef(pairingID uint64, period string) string {
	return strconv.FormatUint(pairingID, 10) + "|" + period
}

func parseCheckinRef(s string) (uint64, string, error) {
	id, period, ok := strings.Cut(s, "|")
	n, err := strconv.ParseUint(id, 10, 64)
	if !ok || err != nil || period == "" {
		return 0, "", mentoring.Errorf(mentoring.EINVALID, "That check-in button is out of date.")
	}
	return n, period, nil
}

func checkinBlockID(pairingID uint64) string { return "checkin_" + strconv.FormatUint(pairingID, 10) }

// checkinMessage asks about each of the person's pairings, with the three buttons.
func checkinMessage(d scheduler.Due) (string, []slack.Block) {
	text := ":calendar: *Weekly check-in.* Your answers are seen only by you and your partner."
	blocks := []slack.Block{mrkdwnSection(text)}
	for _, p := range d.Pairings {
		ref := checkinRef(p.ID, d.Period.Key())
		q := fmt.Sprintf("How did it go with <@%s> this week?", p.Partner(d.UserID))
		text += "\n" + q
		blocks = append(blocks, mrkdwnSection(q), slack.NewActionBlock(checkinBlockID(p.ID),
			button(actionCheckinMet, "We met", ref, slack.StylePrimary),
			button(actionCheckinNotMet, "Not this week", ref, ""),
			button(actionCheckinNotes, "Add notes", ref, "")))
	}
	return text, blocks
}

func nudgeText(d scheduler.Due) string {
	var who []string
	for _, p := range d.Pairings {
		who = append(who, "<@"+p.Partner(d.UserID)+">")
	}
	return fmt.Sprintf(":wave: It's been a while since you and %s last reported a meeting. "+
		"How about booking 30 minutes this week? A short walk-and-talk counts too, and "+
		"click *We met* on your next check-in when you do.", strings.Join(who, " and "))
}

// recognitionMessage suggests public kudos for each mentee who did something.
func recognitionMessage(d scheduler.Due) (string, []slack.Block) {
	text := ":star2: *Your mentees had a good week.* A public thank-you goes a long way."
	blocks := []slack.Block{mrkdwnSection(text)}
	for _, p := range d.Pairings {
		line := fmt.Sprintf("<@%s> %s.", p.MenteeID, Escape(strings.Join(d.Achievements[p.MenteeID], ", ")))
		text += "\n" + line
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(line, maxSectionText), false, false),
			nil, slack.NewAccessory(button(actionKudosOpen, "Give kudos", p.MenteeID, slack.StylePrimary))))
	}
	return text, blocks
}

// checkinAnswer records a click on We met / Not this week and shows it in the message.
func (b *Bot) checkinAnswer(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	pairingID, period, err := parseCheckinRef(a.Value)
	if err != nil {
		return err
	}
	answer := mentoring.AnswerMet
	if a.ActionID == actionCheckinNotMet {
		answer = mentoring.AnswerNotMet
	}
	c, err := b.store.AnswerCheckin(ctx, pairingID, cb.User.ID, period, func(c *mentoring.Checkin) error {
		c.Answer = answer
		return nil
	})
	if err != nil {
		return err
	}
	b.showAnswer(ctx, cb.Channel.ID, cb.Message.Timestamp, cb.Message.Blocks.BlockSet, pairingID, c)
	return nil
}

// showAnswer updates a check-in message: under the pairing's buttons, a line with the
// answer (the buttons stay, so a second click changes it).
func (b *Bot) showAnswer(ctx context.Context, channel, ts string, blocks []slack.Block, pairingID uint64, c *mentoring.Checkin) {
	if channel == "" || ts == "" || len(blocks) == 0 {
		return
	}
	answer := map[mentoring.Answer]string{mentoring.AnswerMet: ":white_check_mark: We met", mentoring.AnswerNotMet: ":heavy_minus_sign: Not this week"}[c.Answer]
	parts := []string{}
	if answer != "" {
		parts = append(parts, "Your answer: *"+answer+"*")
	}
	if c.Progress > 0 || c.Discussed != "" || c.Needs != "" {
		parts = append(parts, fmt.Sprintf("notes saved (progress %d/5)", c.Progress))
	}
	if len(parts) == 0 {
		return
	}
	answerID := checkinBlockID(pairingID) + "_answer"
	line := slack.NewContextBlock(answerID, slack.NewTextBlockObject(slack.MarkdownType, strings.Join(parts, " · ")+". Click again to change it.", false, false))
	var out []slack.Block
	for _, blk := range blocks {
		if blk.ID() == answerID {
			continue
		}
		out = append(out, blk)
		if blk.ID() == checkinBlockID(pairingID) {
			out = append(out, line)
		}
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionBlocks(out...),
		slack.MsgOptionText(":calendar: Weekly check-in: "+strings.Join(parts, " · "), false)); err != nil {
		b.log.Warn("check-in message not updated", "user", c.UserID, "err", err)
	}
}

// notesMeta travels in the notes modal's private_metadata: which check-in, and the
// message to update afterwards.
type notesMeta struct {
	Ref     string `json:"ref"`
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

func (b *Bot) checkinNotes(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	if _, _, err := parseCheckinRef(a.Value); err != nil {
		return err
	}
	meta, _ := json.Marshal(notesMeta{Ref: a.Value, Channel: cb.Channel.ID, TS: cb.Message.Timestamp})
	multiline := func(id, hint string) *slack.PlainTextInputBlockElement {
		in := slack.NewPlainTextInputBlockElement(plain(hint), id)
		in.Multiline, in.MaxLength = true, mentoring.MaxNoteLen
		return in
	}
	var opts []*slack.OptionBlockObject
	for n := mentoring.MinProgress; n <= mentoring.MaxProgress; n++ {
		opts = append(opts, slack.NewOptionBlockObject(strconv.Itoa(n), plain(fmt.Sprintf("%d of %d", n, mentoring.MaxProgress)), nil))
	}
	optional := func(blk *slack.InputBlock) *slack.InputBlock { blk.Optional = true; return blk }
	_, err := b.api.OpenViewContext(ctx, cb.TriggerID, slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackNotes,
		Title:           plain("Check-in notes"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			mrkdwnSection("Only you and your partner can see these notes."),
			optional(slack.NewInputBlock(inputDiscussed, plain("What did you discuss?"), nil, multiline(inputDiscussed, "Topics, decisions, next steps"))),
			optional(slack.NewInputBlock(inputProgress, plain("Progress towards your goals"), nil,
				slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("1 (none) to 5 (great)"), inputProgress, opts...))),
			optional(slack.NewInputBlock(inputNeeds, plain("Anything you need?"), nil, multiline(inputNeeds, "Help, introductions, resources"))),
		}},
	})
	if err != nil {
		return fmt.Errorf("open notes modal: %w", err)
	}
	return nil
}

func (b *Bot) notesSubmitted(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	var meta notesMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
		return nil, fmt.Errorf("notes modal metadata: %w", err)
	}
	pairingID, period, err := parseCheckinRef(meta.Ref)
	if err != nil {
		return nil, err
	}
	v := cb.View.State.Values
	progress := 0
	if s := v[inputProgress][inputProgress].SelectedOption.Value; s != "" {
		progress, _ = strconv.Atoi(s)
	}
	c, err := b.store.AnswerCheckin(ctx, pairingID, cb.User.ID, period, func(c *mentoring.Checkin) error {
		c.Discussed = strings.TrimSpace(clean(v[inputDiscussed][inputDiscussed].Value))
		c.Needs = strings.TrimSpace(clean(v[inputNeeds][inputNeeds].Value))
		c.Progress = progress
		return nil
	})
	if err != nil {
		if mentoring.ErrorCode(err) == mentoring.EINTERNAL {
			return nil, err
		}
		return slack.NewErrorsViewSubmissionResponse(map[string]string{inputDiscussed: PlainText(mentoring.ErrorMessage(err), maxFieldError)}), nil
	}
	b.inflight.Go(func() {
		// The message's blocks are not in a view submission: read them back.
		hist, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: meta.Channel, Latest: meta.TS, Oldest: meta.TS, Inclusive: true, Limit: 1})
		if err != nil || len(hist.Messages) == 0 {
			return
		}
		b.showAnswer(ctx, meta.Channel, meta.TS, hist.Messages[0].Blocks.BlockSet, pairingID, c)
	})
	return nil, nil
}

// runScheduled handles /mentor run checkins|nudges|recognition (admins): what is due
// for the current period now, skipping anyone already sent this period.
func (b *Bot) runScheduled(ctx context.Context, cmd *slack.SlashCommand, args string) (*slack.Msg, error) {
	kinds := map[string]mentoring.Kind{"checkins": mentoring.KindCheckin, "nudges": mentoring.KindNudge, "recognition": mentoring.KindRecognition}
	word := strings.ToLower(args)
	kind, ok := kinds[word]
	if !ok {
		return nil, mentoring.Errorf(mentoring.EINVALID, "Write `/mentor run checkins`, `/mentor run nudges` or `/mentor run recognition`.")
	}
	if b.cfg.Scheduler == nil {
		return nil, mentoring.Errorf(mentoring.ECONFLICT, "The scheduler is not running.")
	}
	n, err := b.cfg.Scheduler.RunNow(ctx, kind)
	if err != nil {
		return nil, err
	}
	names := map[string][2]string{"checkins": {"check-in", "check-ins"}, "nudges": {"nudge", "nudges"}, "recognition": {"recognition prompt", "recognition prompts"}}[word]
	return ephemeral(fmt.Sprintf("Queued *%d* %s for the current period. Everyone else already had theirs this period, is paused or away, or has nothing due.",
		n, plural(n, names[0], names[1]))), nil
}
