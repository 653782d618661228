package bot

import (
	"context"
	"encoding/json"
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
	c, err := b.prog.AnswerCheckin(ctx, cb.User.ID, pairingID, period, answer)
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
	c, err := b.prog.SaveNotes(ctx, cb.User.ID, pairingID, period, mentoring.Notes{
		Discussed: strings.TrimSpace(clean(v[inputDiscussed][inputDiscussed].Value)),
		Needs:     strings.TrimSpace(clean(v[inputNeeds][inputNeeds].Value)),
		Progress:  progress,
	})
	if err != nil {
		if resp := formErrors(err, nil, inputDiscussed); resp != nil {
			return resp, nil
		}
		return nil, err
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
