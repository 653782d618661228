package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
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

// progressSteps say what each progress step means, from MinProgress to MaxProgress.
var progressSteps = [mentoring.MaxProgress - mentoring.MinProgress + 1]string{
	"Just getting started", "Taking first steps", "Making steady progress", "Nearly there", "Goal reached",
}

// progressText is a progress step in words: "4 of 5 (Nearly there)".
func progressText(n int) string {
	if n < mentoring.MinProgress || n > mentoring.MaxProgress {
		return fmt.Sprintf("%d of %d", n, mentoring.MaxProgress)
	}
	return fmt.Sprintf("%d of %d (%s)", n, mentoring.MaxProgress, progressSteps[n-mentoring.MinProgress])
}

// closedText tells someone who answered about a pairing that has ended (a check-in,
// a fit check) that nothing was recorded: words shows it for a *mentoring.ClosedError.
func closedText(partnerID string) string {
	if partnerID == "" {
		return "Your partner has left the programme, so your pairing has ended and nothing was recorded."
	}
	return fmt.Sprintf("Your pairing with <@%s> has ended, so nothing was recorded. `/mentor status` shows your partners.", partnerID)
}

// answerLine is what a check-in message shows under the pairing's buttons once the
// person answered: their answer, their notes' progress, and how to change them. It is
// "" before any answer.
func answerLine(c *mentoring.Checkin) string {
	var parts []string
	switch c.Answer {
	case mentoring.AnswerMet:
		parts = append(parts, "Your answer: *:white_check_mark: We met*.")
	case mentoring.AnswerNotMet:
		parts = append(parts, "Your answer: *:heavy_minus_sign: Not this week*.")
	}
	notes := c.Discussed != "" || c.Needs != "" || c.Progress != 0
	if notes {
		saved := "Notes saved"
		if c.Progress != 0 {
			saved += ", progress " + progressText(c.Progress)
		}
		parts = append(parts, saved+".")
	}
	switch {
	case len(parts) == 0:
		return ""
	case !notes:
		parts = append(parts, "Click the other button to change it.")
	case c.Answer == mentoring.AnswerNone:
		parts = append(parts, "To change them, click *Add notes* again.")
	default:
		parts = append(parts, "Click a button again to change your answer or your notes.")
	}
	return strings.Join(parts, " ")
}

// checkinAnswer records a click on We met / Not this week and shows it in the message.
// A click on a pairing that has ended records nothing and says so in the message.
func (b *Bot) checkinAnswer(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	pairingID, period, err := parseCheckinRef(a.Value)
	if err != nil {
		return err
	}
	answer := mentoring.AnswerMet
	if a.ActionID == actionCheckinNotMet {
		answer = mentoring.AnswerNotMet
	}
	c, err := b.prog.AnswerCheckin(ctx, cb.User.ID, pairingID, period, answer)
	if _, closed := errors.AsType[*mentoring.ClosedError](err); closed {
		b.markCheckin(ctx, cb.Channel.ID, cb.Message.Timestamp, cb.Message.Blocks.BlockSet, pairingID, words(err), false)
		return nil
	}
	if err != nil {
		return err
	}
	b.markCheckin(ctx, cb.Channel.ID, cb.Message.Timestamp, cb.Message.Blocks.BlockSet, pairingID, answerLine(c), true)
	b.refreshPair(ctx, cb.User.ID, pairingID, period, "")
	return nil
}

// refreshPair republishes the Home tabs of both members of a pairing after one of them
// answered a check-in; partnerID may be "" when the caller does not know it.
func (b *Bot) refreshPair(ctx context.Context, userID string, pairingID uint64, period, partnerID string) {
	b.refreshHome(userID)
	if partnerID == "" {
		_, partnerID, _ = b.prog.OpenCheckin(ctx, userID, pairingID, period)
	}
	if partnerID != "" {
		b.refreshHome(partnerID)
	}
}

// markCheckin updates a check-in message: under the pairing's question, line replaces
// the one shown before. While the pairing is open its buttons stay, so a second click
// changes the answer; once it has ended they go.
func (b *Bot) markCheckin(ctx context.Context, channel, ts string, blocks []slack.Block, pairingID uint64, line string, open bool) {
	if channel == "" || ts == "" || len(blocks) == 0 || line == "" {
		return
	}
	buttonsID := checkinBlockID(pairingID)
	answerID := buttonsID + "_answer"
	mark := slack.NewContextBlock(answerID, slack.NewTextBlockObject(slack.MarkdownType, truncate(line, maxSectionText), false, false))
	var out []slack.Block
	for _, blk := range blocks {
		switch blk.ID() {
		case answerID:
			continue
		case buttonsID:
			if open {
				out = append(out, blk)
			}
			out = append(out, mark)
			continue
		}
		out = append(out, blk)
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionBlocks(out...),
		slack.MsgOptionText(truncate(":calendar: Weekly check-in. "+line, maxSectionText), false)); err != nil {
		b.log.Warn("check-in message not updated", "channel", channel, "err", err)
	}
}

// markCheckinLater is markCheckin from a modal's submission, which does not carry the
// message: it reads the message back first, without holding up the submission's ack.
func (b *Bot) markCheckinLater(ctx context.Context, meta notesMeta, pairingID uint64, line string, open bool) {
	b.inflight.Go(func() {
		hist, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: meta.Channel, Latest: meta.TS, Oldest: meta.TS, Inclusive: true, Limit: 1})
		if err != nil || len(hist.Messages) == 0 {
			return
		}
		b.markCheckin(ctx, meta.Channel, meta.TS, hist.Messages[0].Blocks.BlockSet, pairingID, line, open)
	})
}

// notesMeta travels in the notes modal's private_metadata: which check-in, the
// partner it is about, and the message to update afterwards.
type notesMeta struct {
	Ref     string `json:"ref"`
	Partner string `json:"partner,omitempty"`
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// notesFields maps the programme's field names to the notes form's inputs.
var notesFields = map[string]string{"discussed": inputDiscussed, "needs": inputNeeds, "progress": inputProgress}

// checkinNotes opens the notes form of a check-in, filled in with the notes saved
// before. On a pairing that has ended it opens nothing and says so in the message.
func (b *Bot) checkinNotes(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	pairingID, period, err := parseCheckinRef(a.Value)
	if err != nil {
		return err
	}
	c, partner, err := b.prog.OpenCheckin(ctx, cb.User.ID, pairingID, period)
	if _, closed := errors.AsType[*mentoring.ClosedError](err); closed {
		b.markCheckin(ctx, cb.Channel.ID, cb.Message.Timestamp, cb.Message.Blocks.BlockSet, pairingID, words(err), false)
		return nil
	}
	if err != nil {
		return err
	}
	meta, _ := json.Marshal(notesMeta{Ref: a.Value, Partner: partner, Channel: cb.Channel.ID, TS: cb.Message.Timestamp})
	multiline := func(id, hint, value string) *slack.PlainTextInputBlockElement {
		in := slack.NewPlainTextInputBlockElement(plain(hint), id)
		in.Multiline, in.MaxLength, in.InitialValue = true, mentoring.MaxNoteLen, value
		return in
	}
	var opts []*slack.OptionBlockObject
	for n := mentoring.MinProgress; n <= mentoring.MaxProgress; n++ {
		opts = append(opts, slack.NewOptionBlockObject(strconv.Itoa(n),
			plain(PlainText(fmt.Sprintf("%d – %s", n, progressSteps[n-mentoring.MinProgress]), maxButtonText)), nil))
	}
	progress := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick a step"), inputProgress, opts...)
	if c.Progress >= mentoring.MinProgress && c.Progress <= mentoring.MaxProgress {
		progress.InitialOption = opts[c.Progress-mentoring.MinProgress]
	}
	optional := func(blk *slack.InputBlock) *slack.InputBlock { blk.Optional = true; return blk }
	_, err = b.api.OpenViewContext(ctx, cb.TriggerID, slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackNotes,
		Title:           plain("Check-in notes"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			mrkdwnSection(fmt.Sprintf("*Your week with <@%s>*\nOnly you and <@%s> can see these notes. Fill in any of them.", partner, partner)),
			optional(slack.NewInputBlock(inputDiscussed, plain("What did you discuss?"), nil, multiline(inputDiscussed, "Topics, decisions, next steps", c.Discussed))),
			optional(slack.NewInputBlock(inputProgress, plain("Progress towards your goals"), nil, progress)),
			optional(slack.NewInputBlock(inputNeeds, plain("Anything you need?"), nil, multiline(inputNeeds, "Help, introductions, resources", c.Needs))),
		}},
	})
	if err != nil {
		return fmt.Errorf("open notes modal: %w", err)
	}
	return nil
}

// notesSubmitted saves the notes and shows them in the check-in message; what the
// programme refuses goes back under its input.
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
		if progress, _ = strconv.Atoi(s); progress == 0 {
			progress = -1 // not a number: refused by the programme's rule
		}
	}
	c, err := b.prog.SaveNotes(ctx, cb.User.ID, pairingID, period, mentoring.Notes{
		Discussed: clean(v[inputDiscussed][inputDiscussed].Value),
		Needs:     clean(v[inputNeeds][inputNeeds].Value),
		Progress:  progress,
	})
	if err != nil {
		if _, closed := errors.AsType[*mentoring.ClosedError](err); closed {
			b.markCheckinLater(ctx, meta, pairingID, words(err), false)
		}
		if resp := formErrors(err, notesFields, inputDiscussed); resp != nil {
			return resp, nil
		}
		return nil, err
	}
	b.markCheckinLater(ctx, meta, pairingID, answerLine(c), true)
	b.refreshPair(ctx, cb.User.ID, pairingID, period, meta.Partner)
	return nil, nil
}
