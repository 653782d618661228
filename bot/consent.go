package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Names fixed by SPEC.md ("Consent, fit and cycles").
const (
	actionProposalAccept  = "proposal_accept"  // value: the proposal's id
	actionProposalDecline = "proposal_decline" // value: the proposal's id
	actionFitYes          = "fit_yes"          // value: the pairing's id
	actionFitNo           = "fit_no"           // value: the pairing's id
	actionCycleContinue   = "cycle_continue"   // value: the pairing's id
	actionCycleEnd        = "cycle_end"        // value: the pairing's id
	actionClosingSurvey   = "closing_survey"   // value: the pairing's id; opens the modal
	actionResume          = "resume"           // ends a pause
	callbackClosingSurvey = "closing_survey"   // the closing survey modal
)

// Blocks and inputs of the closing survey modal.
const (
	inputSurveyValue   = "survey_value"
	inputSurveyLearned = "survey_learned"
)

// surveyValues say what each step of "how valuable was it" means.
var surveyValues = [mentoring.MaxSurveyValue - mentoring.MinSurveyValue + 1]string{
	"Not much", "A little", "Somewhat", "Very", "Extremely",
}

// whenText is a deadline or a date and time as words in zone (an IANA name; UTC when
// it cannot be read): "Friday 4 December, 12:00".
func whenText(t time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		loc = time.UTC
	}
	return t.In(loc).Format("Monday 2 January, 15:04")
}

// partnerOf is the reader's partner as a mention, or words when they were erased.
func partnerOf(a mentoring.About) string {
	if a.PartnerID == "" {
		return "your partner"
	}
	return "<@" + a.PartnerID + ">"
}

// proposalMessage asks a mentor whether they will mentor someone, with Accept and
// Not now.
func proposalMessage(n mentoring.Notice) message {
	ask := n.Proposal
	var sb strings.Builder
	fmt.Fprintf(&sb, ":handshake: *Would you mentor <@%s>?* I think you'd be a good match: %s.", ask.MenteeID, reasonsText(ask.Reasons))
	if len(ask.Goals) > 0 {
		fmt.Fprintf(&sb, "\n*Their goals:*")
		for i, g := range ask.Goals {
			fmt.Fprintf(&sb, "\n%d. %s", i+1, Escape(g))
		}
	}
	fmt.Fprintf(&sb, "\nIf you accept, I'll introduce you both. If now isn't a good time, choose *Not now*: "+
		"they won't learn who was asked or why, and I won't suggest you two again. "+
		"Please answer by %s; after that it counts as not now.", whenText(ask.Until, n.Zone))
	text := sb.String()
	id := strconv.FormatUint(ask.ID, 10)
	blocks := append(sections(text), slack.NewActionBlock("proposal_"+id,
		button(actionProposalAccept, "Accept", id, slack.StylePrimary),
		button(actionProposalDecline, "Not now", id, "")))
	return message{Text: truncate(text, maxSectionText), Blocks: slack.Blocks{BlockSet: blocks}}
}

// consentMessage words the notices of consent, fit, cycles and idleness.
func consentMessage(n mentoring.Notice) (message, bool) {
	var a mentoring.About
	if len(n.About) > 0 {
		a = n.About[0]
	}
	id := strconv.FormatUint(a.PairingID, 10)
	withButtons := func(text, blockID string, buttons ...slack.BlockElement) message {
		blocks := append(sections(text), slack.NewActionBlock(blockID, buttons...))
		return message{Text: truncate(text, maxSectionText), Blocks: slack.Blocks{BlockSet: blocks}}
	}
	switch {
	case n.Kind == mentoring.KindProposal && n.Step == mentoring.StepAsk && n.Proposal != nil:
		return proposalMessage(n), true
	case n.Kind == mentoring.KindProposal && n.Step == mentoring.StepBackInPool:
		return textMessage(":hourglass_flowing_sand: No match just yet, so you're back in the pool. " +
			"The next pairing round will look for a mentor for you again; there's nothing you need to do."), true
	case n.Kind == mentoring.KindFit && n.Step == mentoring.StepAsk && len(n.About) > 0:
		text := fmt.Sprintf(":thinking_face: *Is this a good fit?* You've had your first meeting with %s. "+
			"Your answer is private: %s won't see it. If it isn't working, I'll end the pairing without blame "+
			"and look for someone new for you both.", partnerOf(a), partnerOf(a))
		return withButtons(text, "fit_"+id,
			button(actionFitYes, "Yes, it's a good fit", id, slack.StylePrimary),
			button(actionFitNo, "Not really", id, "")), true
	case n.Kind == mentoring.KindFit && n.Step == mentoring.StepEnded && len(n.About) > 0:
		return textMessage(fmt.Sprintf(":arrows_counterclockwise: Your pairing with %s has ended after the fit check. "+
			"No blame: not every match clicks. You're back in the pool, and the next round will look for a better fit.", partnerOf(a))), true
	case n.Kind == mentoring.KindCycle && n.Step == mentoring.StepAsk && len(n.About) > 0:
		until := ""
		if n.Until != nil {
			until = " by " + whenText(*n.Until, n.Zone)
		}
		text := fmt.Sprintf(":hourglass: *Your mentoring cycle with %s is complete.* Would you like to keep going for another one? "+
			"The pairing goes on only if you both choose *Keep going*%s; otherwise it wraps up, with thanks. "+
			"You can also tell me how it went in a short, private closing survey.", partnerOf(a), until)
		return withButtons(text, "cycle_"+id,
			button(actionCycleContinue, "Keep going", id, slack.StylePrimary),
			button(actionCycleEnd, "Wrap up", id, ""),
			button(actionClosingSurvey, "Closing survey", id, "")), true
	case n.Kind == mentoring.KindCycle && n.Step == mentoring.StepContinued && len(n.About) > 0:
		return textMessage(fmt.Sprintf(":seedling: You and %s both chose to keep going, so another cycle starts now. "+
			"Check-ins carry on as before.", partnerOf(a))), true
	case n.Kind == mentoring.KindCycle && n.Step == mentoring.StepEnded && len(n.About) > 0:
		text := fmt.Sprintf(":sparkles: Your mentoring cycle with %s has wrapped up. Thank you for the time and care you gave each other! "+
			"You're both back in the pool, and you may be paired again in a later cycle. "+
			"If you haven't yet, the closing survey is still open.", partnerOf(a))
		return withButtons(text, "cycle_"+id, button(actionClosingSurvey, "Closing survey", id, "")), true
	case n.Kind == mentoring.KindIdle && n.Step == mentoring.StepPaused:
		text := ":zzz: I've paused your mentoring check-ins, because the last few went unanswered. " +
			"No worries: your pairings stay, and nothing else changes. Whenever you're ready, choose *Resume*, or type `/mentor resume`."
		return withButtons(text, "idle", button(actionResume, "Resume", "", slack.StylePrimary)), true
	case n.Kind == mentoring.KindIdle && n.Step == mentoring.StepPartnerPaused && len(n.About) > 0:
		return textMessage(fmt.Sprintf(":palm_tree: %s is taking a break from mentoring for now, so their check-ins are paused. "+
			"Your pairing stays, and things pick up again when they're back.", partnerOf(a))), true
	}
	return message{}, false
}

// settle replaces the message a button was on with what the click did, without its
// buttons: the person sees their answer where they gave it.
func (b *Bot) settle(ctx context.Context, cb *slack.InteractionCallback, mrkdwn string) {
	if cb.View.Type == slack.VTHomeTab {
		return // the Home tab is published again with the new state
	}
	if cb.Channel.ID == "" || cb.Message.Timestamp == "" {
		b.client.dm(ctx, cb.User.ID, mrkdwn)
		return
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, cb.Channel.ID, cb.Message.Timestamp,
		slack.MsgOptionText(truncate(mrkdwn, maxSectionText), false), slack.MsgOptionBlocks(sections(mrkdwn)...)); err != nil {
		b.log.Warn("message not updated after a click", "channel", cb.Channel.ID, "err", err)
		b.client.dm(ctx, cb.User.ID, mrkdwn)
	}
}

// idValue reads the id a button carries.
func idValue(a *slack.BlockAction) (uint64, error) {
	id, err := strconv.ParseUint(a.Value, 10, 64)
	if err != nil {
		return 0, mentoring.Errorf(mentoring.EINVALID, "That button is out of date. `/mentor status` shows where things stand.")
	}
	return id, nil
}

// proposalAnswer handles Accept and Not now on a proposal.
func (b *Bot) proposalAnswer(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := idValue(a)
	if err != nil {
		return err
	}
	accept := a.ActionID == actionProposalAccept
	pr, err := b.prog.AnswerProposal(ctx, cb.User.ID, id, accept)
	switch {
	case mentoring.ErrorCode(err) == mentoring.ECONFLICT || mentoring.ErrorCode(err) == mentoring.ENOTFOUND:
		b.settle(ctx, cb, words(err))
		return nil
	case err != nil:
		return err
	case accept:
		b.refreshHome(pr.MentorID)
		b.refreshHome(pr.MenteeID)
		b.settle(ctx, cb, fmt.Sprintf(":white_check_mark: You accepted: you're now mentoring <@%s>. Your intro is on its way.", pr.MenteeID))
	default:
		b.refreshHome(pr.MentorID)
		b.settle(ctx, cb, fmt.Sprintf("Thanks for letting me know. You chose not now, so I won't suggest you and <@%s> again; "+
			"they're back in the pool and won't be told who was asked.", pr.MenteeID))
	}
	return nil
}

// fitAnswer handles the fit check's buttons.
func (b *Bot) fitAnswer(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := idValue(a)
	if err != nil {
		return err
	}
	fits := a.ActionID == actionFitYes
	pr, err := b.prog.AnswerFit(ctx, cb.User.ID, id, fits)
	if ce, closed := errors.AsType[*mentoring.ClosedError](err); closed {
		b.settle(ctx, cb, closedText(ce.PartnerID))
		return nil
	}
	if err != nil {
		return err
	}
	partner := pr.Partner(cb.User.ID)
	if fits {
		b.settle(ctx, cb, fmt.Sprintf(":white_check_mark: Glad to hear it! Your answer stays between you and me. Enjoy your time with <@%s>.", partner))
		return nil
	}
	b.refreshAfterEnding(cb.User.ID, []mentoring.Pairing{*pr})
	b.settle(ctx, cb, fmt.Sprintf("Thank you for saying so. Your pairing with <@%s> has ended without blame, "+
		"and they haven't been told who said no. You're both back in the pool.", partner))
	return nil
}

// cycleAnswer handles Keep going and Wrap up.
func (b *Bot) cycleAnswer(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := idValue(a)
	if err != nil {
		return err
	}
	keep := a.ActionID == actionCycleContinue
	pr, err := b.prog.AnswerCycle(ctx, cb.User.ID, id, keep)
	if ce, closed := errors.AsType[*mentoring.ClosedError](err); closed {
		b.settle(ctx, cb, closedText(ce.PartnerID)+" The closing survey is still open: `/mentor status` shows your pairings.")
		return nil
	}
	if mentoring.ErrorCode(err) == mentoring.ECONFLICT {
		b.settle(ctx, cb, words(err))
		return nil
	}
	if err != nil {
		return err
	}
	partner := pr.Partner(cb.User.ID)
	survey := button(actionClosingSurvey, "Closing survey", strconv.FormatUint(pr.ID, 10), "")
	var text string
	switch {
	case !keep || !pr.Active():
		b.refreshAfterEnding(cb.User.ID, []mentoring.Pairing{*pr})
		text = fmt.Sprintf(":sparkles: Your cycle with <@%s> has wrapped up. Thank you both! You're back in the pool for the next round.", partner)
	case pr.CycleAskedAt == nil:
		text = fmt.Sprintf(":seedling: You both chose to keep going: another cycle with <@%s> starts now.", partner)
	default:
		text = fmt.Sprintf("You chose *Keep going*. I'll let you know once <@%s> has answered too.", partner)
	}
	b.refreshHome(cb.User.ID)
	blocks := append(sections(text), slack.NewActionBlock("cycle_"+strconv.FormatUint(pr.ID, 10), survey))
	if _, _, _, err := b.api.UpdateMessageContext(ctx, cb.Channel.ID, cb.Message.Timestamp,
		slack.MsgOptionText(truncate(text, maxSectionText), false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.log.Warn("cycle message not updated", "err", err)
		b.client.dm(ctx, cb.User.ID, text)
	}
	return nil
}

// surveyMeta travels in the closing survey's private_metadata.
type surveyMeta struct {
	Pairing uint64 `json:"pairing"`
}

// closingSurvey opens the closing survey modal.
func (b *Bot) closingSurvey(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	id, err := idValue(a)
	if err != nil {
		return err
	}
	meta, _ := json.Marshal(surveyMeta{Pairing: id})
	var opts []*slack.OptionBlockObject
	for i, label := range surveyValues {
		v := strconv.Itoa(i + mentoring.MinSurveyValue)
		opts = append(opts, slack.NewOptionBlockObject(v, plain(v+" – "+label), nil))
	}
	value := slack.NewInputBlock(inputSurveyValue, plain("How valuable was it?"), nil,
		slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose 1 to 5"), inputSurveyValue, opts...))
	value.Optional = true
	learnedInput := slack.NewPlainTextInputBlockElement(plain("For example: how to run a design review"), inputSurveyLearned)
	learnedInput.Multiline = true
	learnedInput.MaxLength = mentoring.MaxLearnedLen
	learned := slack.NewInputBlock(inputSurveyLearned, plain("What did you learn?"), nil, learnedInput)
	learned.Optional = true
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackClosingSurvey,
		Title:           plain("Closing survey"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			mrkdwnSection("Your answers are private: your partner and the admins see only totals across the programme. Both questions are optional."),
			value, learned,
		}},
	}
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		return fmt.Errorf("open closing survey: %w", err)
	}
	return nil
}

// surveyFields maps the programme's field names to the survey's inputs.
var surveyFields = map[string]string{"value": inputSurveyValue, "learned": inputSurveyLearned}

// surveySubmitted saves a closing survey.
func (b *Bot) surveySubmitted(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	var meta surveyMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Pairing == 0 {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{inputSurveyValue: "This form is out of date. Open the survey again from its message."}), nil
	}
	values := cb.View.State.Values
	value := 0
	if v := values[inputSurveyValue][inputSurveyValue].SelectedOption.Value; v != "" {
		value, _ = strconv.Atoi(v)
	}
	learned := values[inputSurveyLearned][inputSurveyLearned].Value
	if err := b.prog.SaveSurvey(ctx, cb.User.ID, meta.Pairing, value, learned); err != nil {
		if resp := formErrors(err, surveyFields, inputSurveyValue); resp != nil {
			return resp, nil
		}
		return nil, err
	}
	b.inflight.Go(func() {
		b.client.dm(context.WithoutCancel(ctx), cb.User.ID, ":pray: Thank you! Your closing survey is saved. It stays private: admins see only totals across the programme.")
	})
	return nil, nil
}

// resumeClicked ends a pause from the idle notice's button.
func (b *Bot) resumeClicked(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	wasPaused, err := b.prog.Resume(ctx, cb.User.ID)
	if err != nil {
		return err
	}
	b.refreshHome(cb.User.ID)
	if !wasPaused {
		b.settle(ctx, cb, "You're not paused, so nothing changed: check-ins and pairing rounds include you as usual.")
		return nil
	}
	b.settle(ctx, cb, ":arrow_forward: Welcome back! Check-ins, nudges and pairing rounds include you again.")
	return nil
}

// avoid handles `/mentor avoid @user` and the bare `/mentor avoid`, which lists.
func (b *Bot) avoid(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	if args == "" {
		list, err := b.prog.AvoidList(ctx, cmd.UserID)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return ephemeral("Your avoid list is empty. To never be paired with someone, type `/mentor avoid @name`; they won't be told."), nil
		}
		var sb strings.Builder
		fmt.Fprintf(&sb, "*Your avoid list* (only you can see it): you're never paired with %s, either way round.", plural(len(list), "this person", "these people"))
		for _, id := range list {
			fmt.Fprintf(&sb, "\n• <@%s>", id)
		}
		sb.WriteString("\nTo take someone off, type `/mentor unavoid @name`.")
		return ephemeral(sb.String()), nil
	}
	id, rest, ok := parseUserRef(args)
	if !ok || rest != "" {
		return nil, mentoring.Errorf(mentoring.EINVALID, "Name one person with an @mention, for example `/mentor avoid @name`. Type `/mentor avoid` alone to see your list.")
	}
	added, err := b.prog.Avoid(ctx, cmd.UserID, id)
	if err != nil {
		return nil, err
	}
	if !added {
		return ephemeral(fmt.Sprintf("<@%s> is already on your avoid list, so nothing changed.", id)), nil
	}
	b.refreshHome(cmd.UserID)
	return ephemeral(fmt.Sprintf("Done: you'll never be paired with <@%s>, either way round, and they won't be told. "+
		"If you're paired with them now, that pairing goes on; `/mentor rematch @name` ends it.", id)), nil
}

// unavoid handles `/mentor unavoid @user`.
func (b *Bot) unavoid(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	id, rest, ok := parseUserRef(args)
	if !ok || rest != "" {
		return nil, mentoring.Errorf(mentoring.EINVALID, "Name one person with an @mention, for example `/mentor unavoid @name`.")
	}
	removed, err := b.prog.Unavoid(ctx, cmd.UserID, id)
	if err != nil {
		return nil, err
	}
	if !removed {
		return ephemeral("That person isn't on your avoid list, so nothing changed. Type `/mentor avoid` to see it."), nil
	}
	b.refreshHome(cmd.UserID)
	return ephemeral(fmt.Sprintf("Done: <@%s> is off your avoid list, so a later round may pair you.", id)), nil
}
