package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Slash commands, as declared in deploy/slack-app-manifest.yaml.
const (
	cmdMentor = "/mentor"
	cmdKudos  = "/kudos"
)

// subcommand is one `/mentor <name>`. Its run returns the ephemeral reply, or an error
// whose mentoring.ErrorMessage is shown instead.
type subcommand struct {
	admin bool
	run   func(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error)
}

// routes registers every handler. Later capabilities add theirs here.
func (b *Bot) routes() {
	b.commands = map[string]subcommand{
		"help":     {run: b.help},
		"join":     {run: b.join},
		"capacity": {run: b.capacity},
		"manager":  {run: b.manager},
		"team":     {run: b.team},
		"goal":     {run: b.goal},
		"goals":    {run: b.goals},
		"status":   {run: b.status},
		"leave":    {run: b.leave},
		"rematch":  {run: b.rematch},
		"forget":   {run: b.forget},
		"pause":    {run: b.pause},
		"resume":   {run: b.resume},
		"mydata":   {run: b.mydata},
		"run":      {admin: true, run: b.runScheduled},
		"stats":    {admin: true, run: b.stats},
		"pair":     {admin: true, run: b.pair},
		"avoid":    {run: b.avoid},
		"unavoid":  {run: b.unavoid},
	}
	b.actions = map[string]actionFunc{
		actionKudosOpen:     b.kudosOpen,
		actionHomeJoin:      b.homeJoin,
		actionHomeLeave:     b.homeLeave,
		actionHomeGoalAdd:   b.homeGoalAdd,
		actionHomeGoalDone:  b.homeGoalDone,
		actionForgetConfirm: b.forgetConfirmed,
		actionCheckinMet:    b.checkinAnswer,
		actionCheckinNotMet: b.checkinAnswer,
		actionCheckinNotes:  b.checkinNotes,
		actionForgetCancel:  b.forgetCancelled,

		actionProposalAccept:  b.proposalAnswer,
		actionProposalDecline: b.proposalAnswer,
		actionFitYes:          b.fitAnswer,
		actionFitNo:           b.fitAnswer,
		actionCycleContinue:   b.cycleAnswer,
		actionCycleEnd:        b.cycleAnswer,
		actionClosingSurvey:   b.closingSurvey,
		actionResume:          b.resumeClicked,
	}
	b.views = map[string]viewFunc{
		callbackJoin:    b.joinSubmitted,
		callbackKudos:   b.kudosSubmitted,
		callbackGoalAdd: b.goalSubmitted,
		callbackNotes:   b.notesSubmitted,

		callbackClosingSurvey: b.surveySubmitted,
	}
	b.events = map[string]eventFunc{
		string(slackevents.AppHomeOpened): b.appHomeOpened,
	}
}

// slashCommand answers one slash command with the ephemeral reply for its ack.
func (b *Bot) slashCommand(ctx context.Context, cmd slack.SlashCommand) *reply {
	label := "other"
	var answer *reply
	err := b.protect(cmd.Command, func() error {
		var err error
		label, answer, err = b.runCommand(ctx, &cmd)
		return err
	})
	outcome := outcomeOf(err)
	b.m.Commands.WithLabelValues(label, outcome).Inc()
	if err != nil {
		if outcome == "error" || outcome == "panic" {
			b.log.Error("command failed", "user", cmd.UserID, "command", label, "err", err)
		}
		return ephemeral(words(err))
	}
	return answer
}

// words turns an error into what the person reads, in mrkdwn: the one place where
// errors become words, for commands, buttons and modals alike. Internal errors read as
// an apology; they are logged where they happen.
func words(err error) string {
	if pe, ok := errors.AsType[*mentoring.PartnerError](err); ok {
		if pe.Named != "" {
			return fmt.Sprintf("<@%s> is not your partner, so nothing ended. Your partners are %s.", pe.Named, mentions(pe.Partners))
		}
		return fmt.Sprintf("You have %d partners, %s, so nothing ended. Name the one whose pairing should end, for example `/mentor rematch @name`.",
			len(pe.Partners), mentions(pe.Partners))
	}
	if ce, ok := errors.AsType[*mentoring.ClosedError](err); ok {
		return closedText(ce.PartnerID)
	}
	return Escape(mentoring.ErrorMessage(err))
}

// formErrors shows err under the input it is about, or under fallback: the modal's
// answer to a submission it refuses. It returns nil for an internal error.
func formErrors(err error, fields map[string]string, fallback string) *slack.ViewSubmissionResponse {
	if mentoring.ErrorCode(err) == mentoring.EINTERNAL {
		return nil
	}
	all, ok := errors.AsType[mentoring.Invalid](err)
	if !ok {
		all = mentoring.Invalid{{Field: mentoring.ErrorField(err), Message: mentoring.ErrorMessage(err)}}
	}
	shown := map[string]string{}
	for _, fe := range all {
		block, ok := fields[fe.Field]
		if !ok {
			block = fallback
		}
		if _, taken := shown[block]; !taken {
			shown[block] = PlainText(fe.Message, maxFieldError)
		}
	}
	return slack.NewErrorsViewSubmissionResponse(shown)
}

// mentions lists people as mentions: "<@A>, <@B> and <@C>".
func mentions(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "<@" + id + ">"
	}
	if len(out) < 2 {
		return strings.Join(out, "")
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}

// runCommand routes cmd and returns a bounded metrics label for it with the reply.
func (b *Bot) runCommand(ctx context.Context, cmd *slack.SlashCommand) (string, *reply, error) {
	switch cmd.Command {
	case cmdKudos:
		answer, err := b.kudosCommand(ctx, cmd)
		return cmdKudos, answer, err
	case cmdMentor:
	default:
		return "other", nil, mentoring.Errorf(mentoring.EINVALID,
			"I don't know the command %s. Type `/mentor help` to see what you can do.", truncate(clean(cmd.Command), 40))
	}
	sub, args := splitCommand(cmd.Text)
	if sub == "" {
		sub = "help"
	}
	sc, ok := b.commands[sub]
	if !ok {
		return cmdMentor + " unknown", nil, mentoring.Errorf(mentoring.EINVALID,
			"I don't know `/mentor %s`. Type `/mentor help` to see every command and how to write it.",
			strings.ReplaceAll(PlainText(fromSlack(sub), 40), "`", "'"))
	}
	label := cmdMentor + " " + sub
	if sc.admin {
		if err := b.prog.CheckAdmin(cmd.UserID, cmdMentor+" "+sub); err != nil {
			return label, nil, err
		}
	}
	answer, err := sc.run(ctx, cmd, args)
	return label, answer, err
}

// outcomeOf is the metrics outcome of a handler's error.
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case err == errPanic:
		return "panic"
	}
	switch mentoring.ErrorCode(err) {
	case mentoring.EINVALID:
		return "invalid"
	case mentoring.EFORBIDDEN:
		return "forbidden"
	case mentoring.ENOTFOUND:
		return "not_found"
	case mentoring.ECONFLICT:
		return "conflict"
	}
	return "error"
}

// helpText lists every command of the SPEC; admin commands only for admins.
const helpText = "Here is what you can do with mentorbot.\n\n*Getting started*\n" +
	"`/mentor join` opens a short form to join as mentor, mentee or both\n" +
	"`/mentor join mentor|mentee|both [topic, topic, …]` joins directly with your topics\n\n" +
	"*Your profile*\n" +
	"`/mentor capacity N` how many mentees you take at once (1–10, default 2)\n" +
	"`/mentor manager @user` records your manager: you are never paired with them\n" +
	"`/mentor team &lt;name&gt;` records your team: pairs across teams score higher\n" +
	"`/mentor goal add &lt;text&gt;` · `/mentor goal done &lt;n&gt;` · `/mentor goals` your numbered goals\n" +
	"`/mentor status` your role, topics, partners, goals and next check-in\n\n" +
	"*Breaks, changes and leaving*\n" +
	"`/mentor pause &lt;2w|YYYY-MM-DD&gt;` · `/mentor resume` no check-ins, nudges or new pairings until then\n" +
	"`/mentor rematch [@partner]` ends your pairing without blame; you are both matched anew\n" +
	"`/mentor avoid @user` · `/mentor unavoid @user` · `/mentor avoid` never pair you with someone (they aren't told); the list is yours alone\n" +
	"`/mentor leave` leaves the programme; your partners are told, history is kept\n\n" +
	"*Your data*\n" +
	"`/mentor mydata` sends you everything stored about you\n" +
	"`/mentor forget` erases everything stored about you (asks first)\n\n" +
	"*Kudos*\n" +
	"`/kudos @user [@user …] &lt;message&gt;` thanks people publicly, or `/kudos` alone opens a form"

const adminHelpText = "*For admins*\n" +
	"`/mentor pair` runs a pairing round now · `/mentor pair preview` shows what it would do\n" +
	"`/mentor stats` programme figures, counts only, with charts of the last 12 weeks · `/mentor stats export` the weekly figures as a CSV file\n" +
	"`/mentor run checkins|nudges|recognition` sends what is due this period now"

func (b *Bot) help(ctx context.Context, cmd *slack.SlashCommand, args string) (*reply, error) {
	text := helpText
	if b.prog.IsAdmin(cmd.UserID) {
		text += "\n\n" + adminHelpText
	}
	return ephemeral(text), nil
}

// respond delivers a slash command's reply that missed the ack through its
// response_url, falling back to chat.postEphemeral.
func (b *Bot) respond(ctx context.Context, cmd slack.SlashCommand, msg *reply) {
	err := b.postResponseURL(ctx, cmd.ResponseURL, msg)
	if err == nil {
		return
	}
	b.log.Warn("response_url failed; replying with chat.postEphemeral", "user", cmd.UserID, "err", err)
	if _, err := b.api.PostEphemeralContext(ctx, cmd.ChannelID, cmd.UserID,
		slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)); err != nil {
		b.log.Error("reply lost", "user", cmd.UserID, "err", err)
	}
}

func (b *Bot) postResponseURL(ctx context.Context, url string, msg *reply) error {
	if url == "" {
		return fmt.Errorf("no response_url")
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("response_url request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.client.http.Do(req)
	if err != nil {
		return fmt.Errorf("post response_url: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("post response_url: %s", resp.Status)
	}
	return nil
}

// interaction handles a block action (buttons, menus). Its ack has already gone.
func (b *Bot) interaction(ctx context.Context, cb *slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, a := range cb.ActionCallback.BlockActions {
		fn, ok := b.actions[a.ActionID]
		if !ok {
			b.log.Debug("block action with no handler", "action", a.ActionID)
			continue
		}
		if err := b.protect(a.ActionID, func() error { return fn(ctx, cb, a) }); err != nil {
			b.tell(ctx, cb.User.ID, cb.Channel.ID, err)
		}
	}
}

// viewSubmission returns the ack payload for a submitted modal.
func (b *Bot) viewSubmission(ctx context.Context, cb *slack.InteractionCallback) *slack.ViewSubmissionResponse {
	fn, ok := b.views[cb.View.CallbackID]
	if !ok {
		b.log.Debug("view submission with no handler", "callback", cb.View.CallbackID)
		return nil
	}
	var resp *slack.ViewSubmissionResponse
	if err := b.protect(cb.View.CallbackID, func() error {
		var err error
		resp, err = fn(ctx, cb)
		return err
	}); err != nil {
		b.tell(ctx, cb.User.ID, "", err)
		return nil
	}
	return resp
}

// eventsAPI handles an Events API event. Its ack has already gone.
func (b *Bot) eventsAPI(ctx context.Context, ev slackevents.EventsAPIEvent) {
	fn, ok := b.events[ev.InnerEvent.Type]
	if !ok {
		return
	}
	if err := b.protect(ev.InnerEvent.Type, func() error { return fn(ctx, ev) }); err != nil {
		b.log.Error("event handler failed", "event", ev.InnerEvent.Type, "err", err)
	}
}

// tell shows a person the message of err: ephemerally in channel when there is one,
// else in a DM. Internal errors are logged and shown as an apology.
func (b *Bot) tell(ctx context.Context, userID, channelID string, err error) {
	if code := mentoring.ErrorCode(err); code == mentoring.EINTERNAL {
		b.log.Error("request failed", "user", userID, "err", err)
	}
	text := words(err)
	if channelID != "" {
		if _, perr := b.api.PostEphemeralContext(ctx, channelID, userID, slack.MsgOptionText(text, false)); perr == nil {
			return
		}
	}
	if _, _, perr := b.api.PostMessageContext(ctx, userID, slack.MsgOptionText(text, false)); perr != nil {
		b.log.Error("could not tell the person what went wrong", "user", userID, "err", perr)
	}
}
