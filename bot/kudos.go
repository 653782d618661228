package bot

import (
	"context"
	"encoding/json"
	"fmt"
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

const kudosUsage = "Write it as `/kudos @name <message>`, e.g. `/kudos @alice thanks for the brilliant review!`"

// kudosCommand handles `/kudos @user <message>`.
func (b *Bot) kudosCommand(ctx context.Context, cmd *slack.SlashCommand) (*reply, error) {
	to, message, ok := parseUserRef(cmd.Text)
	if !ok {
		return nil, mentoring.Errorf(mentoring.EINVALID, "Say who the kudos are for with an @mention. %s", kudosUsage)
	}
	channel := b.cfg.KudosChannel
	if channel == "" {
		channel = cmd.ChannelID
	}
	k, err := b.giveKudos(ctx, cmd.UserID, to, fromSlack(message), channel)
	if err != nil {
		return nil, err
	}
	return ephemeral(fmt.Sprintf("Your kudos for <@%s> are posted in <#%s>. Thank you for noticing!", k.ToID, k.Channel)), nil
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

// giveKudos posts kudos publicly in channel and records them, through the programme's
// rule: nothing is recorded when the post fails. Shared by the command and the modal.
func (b *Bot) giveKudos(ctx context.Context, from, to, message, channel string) (mentoring.Kudos, error) {
	k := mentoring.Kudos{FromID: from, ToID: to, Message: clean(message), Channel: channel}
	k, err := b.prog.GiveKudos(ctx, k, func(ctx context.Context, k mentoring.Kudos) error {
		text := fmt.Sprintf(":tada: *Kudos to <@%s>* from <@%s>\n>%s", k.ToID, k.FromID,
			strings.ReplaceAll(Escape(k.Message), "\n", "\n>"))
		_, _, err := b.api.PostMessageContext(ctx, channel,
			slack.MsgOptionText(truncate(text, maxSectionText), false),
			slack.MsgOptionBlocks(sections(text)...))
		if err != nil {
			return kudosPostError(channel, err)
		}
		return nil
	})
	if err != nil {
		return k, err
	}
	b.refreshHome(to)
	return k, nil
}

// kudosMeta travels in the kudos modal's private_metadata.
type kudosMeta struct {
	Channel string `json:"channel,omitempty"`
}

// openKudosModal opens the kudos modal, with the receiver chosen when to is set.
func (b *Bot) openKudosModal(ctx context.Context, triggerID, to, channel string) error {
	meta, _ := json.Marshal(kudosMeta{Channel: channel})
	toSelect := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, slack.NewTextBlockObject(slack.PlainTextType, "Choose a person", false, false), blockKudosTo)
	if to != "" {
		toSelect.InitialUser = to
	}
	msg := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, "What did they do well?", false, false), blockKudosMessage)
	msg.Multiline = true
	msg.MaxLength = mentoring.MaxKudosLen
	blocks := []slack.Block{
		slack.NewInputBlock(blockKudosTo, plain("Kudos for"), nil, toSelect),
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

// kudosOpen handles the kudos_open button.
func (b *Bot) kudosOpen(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	to := a.Value
	if !mentoring.ValidUserID(to) {
		to = ""
	}
	return b.openKudosModal(ctx, cb.TriggerID, to, cb.Channel.ID)
}

// kudosSubmitted handles the kudos modal: field errors go back into the modal, a
// success closes it and confirms in a DM.
func (b *Bot) kudosSubmitted(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	values := cb.View.State.Values
	to := values[blockKudosTo][blockKudosTo].SelectedUser
	message := values[blockKudosMessage][blockKudosMessage].Value
	var meta kudosMeta
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
	channel := b.cfg.KudosChannel
	if channel == "" {
		channel = values[blockKudosChannel][blockKudosChannel].SelectedConversation
	}
	if channel == "" {
		channel = meta.Channel
	}
	k, err := b.giveKudos(ctx, cb.User.ID, to, message, channel)
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
	b.client.dm(ctx, cb.User.ID, fmt.Sprintf("Your kudos for <@%s> are posted in <#%s>. Thank you for noticing!", k.ToID, k.Channel))
	return nil, nil
}
