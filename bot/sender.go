package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/store"
)

const (
	// sendBatch is how many queued messages the sender reads at a time.
	sendBatch = 50
	// sendPoll is how often the sender looks for messages whose deferral has passed
	// when nothing wakes it sooner.
	sendPoll = 15 * time.Second
	// sendRetry is the wait after a failure that is neither a rate limit nor final,
	// times the attempts so far.
	sendRetry = 30 * time.Second
	// historyWindow is how many recent messages of a conversation are searched for a
	// send that may already have gone out.
	historyWindow = 100
	// metadataID is the event_payload key holding the send's id.
	metadataID = "id"
)

// finalSendErrors are Slack errors after which a message can never be delivered.
var finalSendErrors = map[string]bool{
	"user_disabled": true, "account_inactive": true, "user_not_found": true, "users_not_found": true,
	"channel_not_found": true, "cannot_dm_bot": true, "is_archived": true, "not_in_channel": true,
	"invalid_blocks": true, "msg_too_long": true, "invalid_metadata_format": true, "no_text": true,
}

// outMessage is an outgoing message's payload: what chat.postMessage sends.
type outMessage struct {
	Text   string       `json:"text"`
	Blocks slack.Blocks `json:"blocks"`
}

// outgoing renders mrkdwn as a queued message of kind to the given people: a DM for
// one, a group DM for several.
func outgoing(kind string, mrkdwn string, to ...string) store.Outgoing {
	payload, _ := json.Marshal(outMessage{Text: truncate(mrkdwn, maxSectionText), Blocks: slack.Blocks{BlockSet: sections(mrkdwn)}})
	return store.Outgoing{Kind: kind, To: to, Payload: payload}
}

// wakeSender tells the sender new messages are queued.
func (b *Bot) wakeSender() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// runSender delivers queued messages until ctx ends; each send runs on work, so one in
// progress at shutdown can finish.
func (b *Bot) runSender(ctx, work context.Context) {
	tick := time.NewTicker(sendPoll)
	defer tick.Stop()
	for {
		b.sendDue(ctx, work)
		select {
		case <-ctx.Done():
			return
		case <-b.wake:
		case <-tick.C:
		}
	}
}

// maxBatches bounds the batches one wake-up sends, so a store that keeps failing to
// record outcomes cannot keep the sender spinning; the next wake-up goes on.
const maxBatches = 100

func (b *Bot) sendDue(ctx, work context.Context) {
	for range maxBatches {
		if ctx.Err() != nil {
			return
		}
		due, err := b.store.Due(work, sendBatch)
		if err != nil {
			b.log.Error("read outbox", "err", err)
			return
		}
		for _, o := range due {
			if ctx.Err() != nil {
				return
			}
			b.send(work, o)
		}
		if len(due) < sendBatch {
			return
		}
	}
}

// send delivers one queued message at most once: a message whose earlier send may
// have reached Slack is looked for in the conversation's history before it is sent.
func (b *Bot) send(ctx context.Context, o store.Outgoing) {
	before, ok, err := b.store.StartSend(ctx, o.ID)
	if err != nil || !ok {
		if err != nil {
			b.log.Error("outbox", "err", err)
		}
		return
	}
	channel, err := b.conversation(ctx, o.To)
	var slackErr slack.SlackErrorResponse
	if len(o.To) > 1 && errors.As(err, &slackErr) && !finalSendErrors[slackErr.Err] {
		// No group DM to be had here: send a DM to each instead.
		b.log.Warn("group DM not available; sending a DM to each", "kind", o.Kind, "err", err)
		if err := b.store.Split(ctx, o.ID); err != nil {
			b.log.Error("outbox", "err", err)
		}
		b.m.Sends.WithLabelValues(o.Kind, "split").Inc()
		b.wakeSender()
		return
	}
	if err == nil && before.Attempts > 0 {
		var found bool
		if found, err = b.alreadySent(ctx, channel, o); err == nil && found {
			b.m.Sends.WithLabelValues(o.Kind, "already_sent").Inc()
			b.settle(ctx, o, nil)
			return
		}
	}
	if err == nil {
		err = b.post(ctx, channel, o)
	}
	b.settle(ctx, o, err)
}

// settle records the outcome of a send: delivered or failed for good, it leaves the
// outbox; rate limited, it waits for Retry-After; otherwise it is retried later.
func (b *Bot) settle(ctx context.Context, o store.Outgoing, err error) {
	outcome := "sent"
	var rl *slack.RateLimitedError
	switch {
	case err == nil:
		err = b.store.Sent(ctx, o.ID)
	case errors.As(err, &rl):
		outcome = "rate_limited"
		err = b.store.Defer(ctx, o.ID, b.now().Add(rl.RetryAfter))
	case finalSendErrors[err.Error()]:
		outcome = "failed"
		b.log.Warn("message can never be delivered; dropped", "kind", o.Kind, "to", strings.Join(o.To, ","), "err", err)
		err = b.store.Sent(ctx, o.ID)
	default:
		outcome = "retry"
		b.log.Warn("send failed; will retry", "kind", o.Kind, "attempt", o.Attempts+1, "err", err)
		err = b.store.Defer(ctx, o.ID, b.now().Add(sendRetry*time.Duration(o.Attempts+1)))
	}
	b.m.Sends.WithLabelValues(o.Kind, outcome).Inc()
	if err != nil {
		b.log.Error("outbox", "err", err)
	}
}

func (b *Bot) post(ctx context.Context, channel string, o store.Outgoing) error {
	var msg outMessage
	if err := json.Unmarshal(o.Payload, &msg); err != nil {
		return fmt.Errorf("decode queued message %d: %w", o.ID, err)
	}
	_, _, err := b.api.PostMessageContext(ctx, channel,
		slack.MsgOptionText(msg.Text, false),
		slack.MsgOptionBlocks(msg.Blocks.BlockSet...),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: o.Kind, EventPayload: map[string]any{metadataID: strconv.FormatUint(o.ID, 10)}}))
	return err
}

// alreadySent looks for message o in the conversation's recent history by its metadata.
func (b *Bot) alreadySent(ctx context.Context, channel string, o store.Outgoing) (bool, error) {
	hist, err := b.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID:          channel,
		Limit:              historyWindow,
		Oldest:             strconv.FormatInt(o.CreatedAt.Add(-time.Minute).Unix(), 10),
		IncludeAllMetadata: true,
	})
	if err != nil {
		return false, fmt.Errorf("conversations.history %s: %w", channel, err)
	}
	id := strconv.FormatUint(o.ID, 10)
	for _, m := range hist.Messages {
		if m.Metadata.EventType == o.Kind && fmt.Sprint(m.Metadata.EventPayload[metadataID]) == id {
			return true, nil
		}
	}
	return false, nil
}

// conversations caches the DM or group DM channel of each set of people.
type conversations struct {
	mu sync.Mutex
	m  map[string]string
}

// conversation opens (or recalls) the DM with one person or the group DM with several.
func (b *Bot) conversation(ctx context.Context, to []string) (string, error) {
	key := strings.Join(to, ",")
	b.convs.mu.Lock()
	ch, ok := b.convs.m[key]
	b.convs.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: to, ReturnIM: true})
	if err != nil {
		return "", err
	}
	b.convs.mu.Lock()
	b.convs.m[key] = c.ID
	b.convs.mu.Unlock()
	return c.ID, nil
}
