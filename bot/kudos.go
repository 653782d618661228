package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Names fixed by SPEC.md.
const (
	actionKudosOpen = "kudos_open" // button in a recognition prompt; value: the mentee's id
	callbackKudos   = "kudos"      // the kudos modal
)

// Block and action ids inside the kudos modal.
const (
	blockKudosTo      = "kudos_to"
	blockKudosMessage = "kudos_message"
	blockKudosChannel = "kudos_channel"
)

// kudosPerson matches a mention as Slack escapes it in a slash command's text
// (should_escape: true), <@U123|alice> or <@U123>, with the id and the label.
var kudosPerson = regexp.MustCompile(`<@([UW][A-Z0-9]{2,20})(?:\|([^>]*))?>`)

// kudosSeparator is what may stand between the people kudos start with: spaces,
// commas, "&" (as Slack sends it) and "and".
var kudosSeparator = regexp.MustCompile(`^(?:\s|,|&amp;|\band\b)*`)

// kudosPunctuation is what may stand between the people kudos start with and the
// message, and is not part of the message.
const kudosPunctuation = " \t\n,:;-–—"

// maxName bounds a person's name as a reply repeats it.
const maxName = 40

// kudosDraft is kudos as the giver wrote them, before the programme checks them.
type kudosDraft struct {
	// to are the people named, in order; the programme drops repeats.
	to []string
	// names are how the giver wrote those people (@alice), where Slack said so.
	names map[string]string
	// message is what the giver meant, for the record: nothing in it is live.
	message string
	// body is the message as mrkdwn for the post: escaped, with the people named in
	// it mentioned.
	body string
}

// parseKudos reads `/kudos` text as Slack sends it. The people thanked are those it
// starts with (`@chen @dana thanks both`) and those named in the message (`thanks @ana
// for the review`); the message keeps the second kind, which the post shows as
// mentions. Anything else that could notify (@channel, a user group) is shown as text.
func parseKudos(text string) kudosDraft {
	d := kudosDraft{names: map[string]string{}}
	rest := strings.TrimSpace(clean(text))
	for first := true; ; first = false {
		next := rest
		if !first {
			next = rest[len(kudosSeparator.FindString(rest)):]
		}
		m := kudosPerson.FindStringSubmatchIndex(next)
		if m == nil || m[0] != 0 {
			break
		}
		d.named(next, m)
		rest = strings.TrimSpace(next[m[1]:])
	}
	if len(d.to) > 0 {
		// "@chen, thanks" and "@chen: thanks" say "thanks".
		rest = strings.TrimLeft(rest, kudosPunctuation)
	}
	for _, m := range kudosPerson.FindAllStringSubmatchIndex(rest, -1) {
		d.named(rest, m)
	}
	d.message, d.body = fromSlack(rest), kudosBody(rest)
	return d
}

// named adds the person of the kudosPerson match m in s.
func (d *kudosDraft) named(s string, m []int) {
	id := s[m[2]:m[3]]
	d.to = append(d.to, id)
	if m[4] >= 0 && m[5] > m[4] {
		d.names[id] = PlainText(fromSlack(s[m[0]:m[1]]), maxName)
	}
}

// refused says who a refusal is about as the giver wrote them, when Slack told us.
func (d kudosDraft) refused(err error) error {
	re, ok := errors.AsType[*mentoring.RecipientError](err)
	if !ok || d.names[re.ID] == "" {
		return err
	}
	return mentoring.FieldErrorf("to", mentoring.EINVALID, "You named %s, who %s, so nothing was posted. %s", d.names[re.ID], re.Why, re.Next)
}

// kudosBody renders a message as Slack sent it for the post: every user mention in it
// stays live (parseKudos makes each of them one of the people thanked), and the rest is
// escaped.
func kudosBody(raw string) string {
	var sb strings.Builder
	last := 0
	for _, m := range kudosPerson.FindAllStringSubmatchIndex(raw, -1) {
		sb.WriteString(Escape(fromSlack(raw[last:m[0]])))
		sb.WriteString("<@" + raw[m[2]:m[3]] + ">")
		last = m[1]
	}
	sb.WriteString(Escape(fromSlack(raw[last:])))
	return sb.String()
}

// kudosCommand handles `/kudos @user [@user …] <message>`, and a bare `/kudos`, which
// opens the kudos modal.
func (b *Bot) kudosCommand(ctx context.Context, cmd *slack.SlashCommand) (*reply, error) {
	if strings.TrimSpace(clean(cmd.Text)) == "" {
		if err := b.openKudosModal(ctx, cmd.TriggerID, nil, cmd.ChannelID); err != nil {
			return nil, err
		}
		return ephemeral("I've opened the kudos form. Prefer typing? Write `/kudos @name thanks for the review`."), nil
	}
	d := parseKudos(cmd.Text)
	ks, err := b.postKudos(ctx, cmd.UserID, d, b.kudosChannel(cmd.ChannelID))
	if err != nil {
		return nil, d.refused(err)
	}
	return ephemeral(kudosPosted(ks)), nil
}

// kudosChannel is where kudos go: the configured channel, or fallback.
func (b *Bot) kudosChannel(fallback string) string {
	if b.cfg.KudosChannel != "" {
		return b.cfg.KudosChannel
	}
	return fallback
}

// kudosPosted confirms posted kudos to the giver, naming everyone thanked.
func kudosPosted(ks []mentoring.Kudos) string {
	to := make([]string, len(ks))
	for i, k := range ks {
		to[i] = k.ToID
	}
	return fmt.Sprintf("Your kudos for %s are posted in <#%s>. Thank you for noticing!", mentions(to), ks[0].Channel)
}

// kudosPostError is a channel Slack would not let us post in, with how to fix it.
func kudosPostError(channel string, err error) error {
	switch err.Error() {
	case "not_in_channel", "channel_not_found", "is_archived", "restricted_action":
		return mentoring.FieldErrorf("channel", mentoring.EINVALID,
			"I couldn't post the kudos in that channel (%s), so nothing was recorded. "+
				"Invite me there with `/invite @mentorbot`, or ask an admin to set MENTORBOT_KUDOS_CHANNEL to a channel I'm in.", err.Error())
	}
	return fmt.Errorf("post kudos in %s: %w", channel, err)
}

// postKudos posts d publicly in channel, once, naming everyone thanked, and records it
// for each of them, through the programme's rules: nothing is posted when anyone is
// refused, and nothing is recorded when the post fails. Shared by the command and the
// modal.
func (b *Bot) postKudos(ctx context.Context, from string, d kudosDraft, channel string) ([]mentoring.Kudos, error) {
	post := mentoring.KudosPost{FromID: from, ToIDs: d.to, Message: d.message, Channel: channel}
	ks, err := b.prog.PostKudos(ctx, post, func(ctx context.Context, post mentoring.KudosPost) error {
		text := fmt.Sprintf(":tada: *Kudos to %s* from <@%s>\n>%s", mentions(post.ToIDs), post.FromID,
			strings.ReplaceAll(strings.TrimSpace(d.body), "\n", "\n>"))
		_, _, err := b.api.PostMessageContext(ctx, channel,
			slack.MsgOptionText(truncate(text, maxSectionText), false),
			slack.MsgOptionBlocks(sections(text)...))
		if err != nil {
			return kudosPostError(channel, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		b.refreshHome(k.ToID)
	}
	return ks, nil
}

// kudosMeta travels in the kudos modal's private_metadata.
type kudosMeta struct {
	Channel string `json:"channel,omitempty"`
}

// openKudosModal opens the kudos modal with the people in to chosen already.
func (b *Bot) openKudosModal(ctx context.Context, triggerID string, to []string, channel string) error {
	meta, _ := json.Marshal(kudosMeta{Channel: channel})
	toSelect := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("Choose people"), blockKudosTo)
	toSelect.InitialUsers = to
	most := mentoring.MaxKudosPeople
	toSelect.MaxSelectedItems = &most
	msg := slack.NewPlainTextInputBlockElement(plain("What did they do well?"), blockKudosMessage)
	msg.Multiline = true
	msg.MaxLength = mentoring.MaxKudosLen
	blocks := []slack.Block{
		slack.NewInputBlock(blockKudosTo, plain("Kudos for"), plain(fmt.Sprintf("Up to %d people, thanked in one post.", mentoring.MaxKudosPeople)), toSelect),
		slack.NewInputBlock(blockKudosMessage, plain("Message"), plain("Posted publicly, with your name."), msg),
	}
	if b.cfg.KudosChannel == "" {
		ch := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plain("Choose a channel"), blockKudosChannel)
		if strings.HasPrefix(channel, "C") || strings.HasPrefix(channel, "G") {
			ch.InitialConversation = channel
		}
		ch.Filter = &slack.SelectBlockElementFilter{Include: []string{"public", "private"}, ExcludeBotUsers: true}
		blocks = append(blocks, slack.NewInputBlock(blockKudosChannel, plain("Post in"), nil, ch))
	}
	_, err := b.api.OpenViewContext(ctx, triggerID, slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackKudos,
		Title:           plain("Give kudos"),
		Submit:          plain("Post kudos"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	})
	if err != nil {
		return fmt.Errorf("open kudos modal: %w", err)
	}
	return nil
}

// kudosOpen handles the kudos_open button: the modal opens with the mentee chosen.
func (b *Bot) kudosOpen(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	var to []string
	if mentoring.ValidUserID(a.Value) {
		to = []string{a.Value}
	}
	return b.openKudosModal(ctx, cb.TriggerID, to, cb.Channel.ID)
}

// kudosSubmitted handles the kudos modal: field errors go back into the modal, a
// success closes it and confirms in a DM.
func (b *Bot) kudosSubmitted(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	values := cb.View.State.Values
	chosen := values[blockKudosTo][blockKudosTo]
	to := chosen.SelectedUsers
	if chosen.SelectedUser != "" {
		// A modal opened before the form took several people (users_select).
		to = append(to, chosen.SelectedUser)
	}
	message := strings.TrimSpace(clean(values[blockKudosMessage][blockKudosMessage].Value))
	var meta kudosMeta
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
	channel := b.kudosChannel(values[blockKudosChannel][blockKudosChannel].SelectedConversation)
	if channel == "" {
		channel = meta.Channel
	}
	// Typed into a plain-text input, the message holds no Slack markup: all of it is text.
	ks, err := b.postKudos(ctx, cb.User.ID, kudosDraft{to: to, message: message, body: Escape(message)}, channel)
	if err != nil {
		fields := map[string]string{"to": blockKudosTo, "message": blockKudosMessage}
		if b.cfg.KudosChannel == "" {
			// Only then does the modal ask for a channel; otherwise a channel's error
			// shows under the message.
			fields["channel"] = blockKudosChannel
		}
		if resp := formErrors(err, fields, blockKudosMessage); resp != nil {
			return resp, nil
		}
		return nil, err
	}
	b.client.dm(ctx, cb.User.ID, kudosPosted(ks))
	return nil, nil
}
