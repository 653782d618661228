package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/ops"
	"github.com/mentorbot/mentorbot/internal/pace"
)

const (
	// profileTTL is how long what users.info or users.list said is trusted (see
	// directory.go). Time zones and statuses change rarely; an hour keeps directory
	// calls far below Slack's limits.
	profileTTL = time.Hour
	// historyWindow is how many recent messages of a conversation are searched for a
	// send that may already have gone out.
	historyWindow = 100
	// metadataID is the event_payload key holding a notice's id.
	metadataID = "id"
)

// ClientConfig is what the Web API side needs.
type ClientConfig struct {
	BotToken string
	AppToken string
	APIURL   string // Web API base, ending in "/"
	Metrics  *ops.Metrics
	Logger   *slog.Logger
	// Memory keeps learned rate limits and DM channel ids across restarts; nil keeps
	// them in memory only.
	Memory WebMemory
	// Now is the programme's clock, which the directory's cache of profiles and the
	// expiry of Slack statuses are read on; nil means time.Now. (Pacing runs on the
	// wall clock: Slack's limits do.)
	Now func() time.Time
}

// Client is mentorbot's Web API side: every call the bot makes to Slack. It is the
// programme's Directory (who people are, whether they are away) and delivery's Slack
// (it renders notices and posts them). It is safe for concurrent use.
type Client struct {
	api    *slack.Client
	http   *http.Client
	m      *ops.Metrics
	log    *slog.Logger
	pacer  *pace.Pacer
	memory WebMemory
	now    func() time.Time

	mu       sync.Mutex
	profiles map[string]profile // users.info and users.list answers, by user id
	convs    map[string]string  // DM or group DM channel, by comma-joined member ids
	newConvs map[string]string  // convs not yet kept in memory
	erased   map[string]bool    // people erased while running: never remembered again
	keptAt   time.Time          // when newConvs were last kept
	// keepMu is held while conversations are written to memory, so that Forget can
	// wait for a write that took its batch before the erasure (see keep).
	keepMu sync.Mutex
}

// NewClient returns a Client; it makes no call until one is needed.
func NewClient(cfg ClientConfig) *Client {
	if cfg.Metrics == nil {
		cfg.Metrics = ops.NewMetrics()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{m: cfg.Metrics, log: cfg.Logger, memory: cfg.Memory, now: cfg.Now,
		profiles: map[string]profile{}, convs: map[string]string{}, newConvs: map[string]string{}, erased: map[string]bool{}}
	var learned map[string]float64
	if c.memory != nil {
		ctx := context.Background()
		var err error
		if learned, err = c.memory.Limits(ctx); err != nil {
			c.log.Warn("learned rate limits not read; starting unpaced", "err", err)
		}
		if convs, err := c.memory.Channels(ctx); err == nil {
			c.convs = convs
		} else {
			c.log.Warn("remembered conversations not read", "err", err)
		}
	}
	c.pacer = pace.New(pace.Config{
		Floors: slackFloors, DefaultFloor: defaultFloor, Learned: learned,
		OnLearn: c.learned,
	})
	// The counting transport sits below the pacing one, so that every attempt of a
	// refused call is counted.
	c.http = &http.Client{
		Timeout: 30 * time.Second,
		Transport: &pacedTransport{apiURL: cfg.APIURL, pacer: c.pacer,
			next: &countingTransport{next: keepAlive(), apiURL: cfg.APIURL, calls: cfg.Metrics.APICalls}},
	}
	c.api = slack.New(cfg.BotToken,
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionHTTPClient(c.http),
	)
	return c
}

// keepAlive is the default transport keeping enough idle connections to Slack for
// every send delivery has in flight, so that none redials during a fan-out.
func keepAlive() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	// A burst's connections are let go soon after it, not kept for 90 s.
	t.IdleConnTimeout = 10 * time.Second
	return t
}

// learned keeps a newly learned rate, so the next fan-out starts from it.
func (c *Client) learned(method string, perSecond float64) {
	c.m.RateLimit.WithLabelValues(method).Set(perSecond)
	if c.memory == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.memory.SetLimit(ctx, method, perSecond); err != nil {
		c.log.Warn("learned rate limit not kept", "method", method, "err", err)
	}
}

// WebMemory keeps what the Web API side learns across restarts (the store does).
type WebMemory interface {
	Limits(ctx context.Context) (map[string]float64, error)
	SetLimit(ctx context.Context, method string, perSecond float64) error
	Channels(ctx context.Context) (map[string]string, error)
	SetChannels(ctx context.Context, channels map[string]string) error
}

// AuthError means Slack rejected one of the two tokens; Setting names which.
type AuthError struct {
	Setting string
	Err     error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("Slack rejected %s (%v): check the token", e.Setting, e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

// authErrors are Slack's error names for a token it will not accept.
var authErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true,
	"token_revoked": true, "token_expired": true, "not_allowed_token_type": true,
}

// CheckAuth calls auth.test with the bot token. It returns an *AuthError when Slack
// rejects the token, another error when Slack cannot be reached.
func (c *Client) CheckAuth(ctx context.Context) error {
	_, err := c.api.AuthTestContext(ctx)
	if err != nil && authErrors[err.Error()] {
		return &AuthError{Setting: "SLACK_BOT_TOKEN", Err: err}
	}
	if err != nil {
		return fmt.Errorf("auth.test: %w", err)
	}
	return nil
}

// sendError is a Slack error as delivery reads it (see delivery.Slack).
type sendError struct {
	err       error
	permanent bool
	refused   bool
}

func (e *sendError) Error() string   { return e.err.Error() }
func (e *sendError) Unwrap() error   { return e.err }
func (e *sendError) Permanent() bool { return e.permanent }
func (e *sendError) Refused() bool   { return e.refused }

// rateLimited is a 429: the call may be made again after RetryAfter.
type rateLimited struct {
	sendError
	retryAfter time.Duration
}

func (e *rateLimited) RetryAfter() time.Duration { return e.retryAfter }

// finalSendErrors are Slack errors after which a message can never be delivered.
var finalSendErrors = map[string]bool{
	"user_disabled": true, "account_inactive": true, "user_not_found": true, "users_not_found": true,
	"channel_not_found": true, "cannot_dm_bot": true, "is_archived": true, "not_in_channel": true,
	"invalid_blocks": true, "msg_too_long": true, "invalid_metadata_format": true, "no_text": true,
}

// classify wraps a Web API error so that delivery knows what to do next.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &rateLimited{sendError: sendError{err: err}, retryAfter: rl.RetryAfter}
	}
	var se slack.SlackErrorResponse
	refused := errors.As(err, &se)
	return &sendError{err: err, permanent: finalSendErrors[err.Error()], refused: refused}
}

// Conversation returns where to post to these people (delivery.Slack): a remembered
// DM or group DM, a person's user id (chat.postMessage takes it as the channel of
// the app's DM with them, so a DM needs no conversations.open), or a group DM opened
// now.
func (c *Client) Conversation(ctx context.Context, to []string) (string, error) {
	key := strings.Join(to, ",")
	if ch, ok := c.channel(key); ok {
		return ch, nil
	}
	if len(to) == 1 {
		return to[0], nil
	}
	return c.open(ctx, to)
}

// dmChannel is the channel id of the DM with userID, remembered or opened now.
func (c *Client) dmChannel(ctx context.Context, userID string) (string, error) {
	if ch, ok := c.channel(userID); ok {
		return ch, nil
	}
	return c.open(ctx, []string{userID})
}

// open opens the conversation with these people and remembers it.
func (c *Client) open(ctx context.Context, to []string) (string, error) {
	conv, _, _, err := c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: to, ReturnIM: true})
	if err != nil {
		return "", classify(err)
	}
	c.remember(ctx, strings.Join(to, ","), conv.ID)
	return conv.ID, nil
}

func (c *Client) channel(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.convs[key]
	return ch, ok
}

// keepEvery bounds how often newly learned conversations are written to memory: a
// crash loses at most that much of them, which costs a lookup each, not a message.
const keepEvery = time.Second

// remember records a conversation's channel, and keeps the new ones in memory now
// and then.
func (c *Client) remember(ctx context.Context, key, channel string) {
	c.mu.Lock()
	if c.convs[key] == channel || c.erasedIn(key) {
		c.mu.Unlock()
		return
	}
	c.convs[key], c.newConvs[key] = channel, channel
	var batch map[string]string
	if c.memory != nil && time.Since(c.keptAt) >= keepEvery {
		batch, c.newConvs, c.keptAt = c.newConvs, map[string]string{}, time.Now()
	}
	c.mu.Unlock()
	if batch != nil {
		if err := c.keep(context.WithoutCancel(ctx), batch); err != nil {
			c.log.Warn("conversations not kept", "err", err)
		}
	}
}

// keep writes a batch of conversations to memory, leaving out those with anyone
// erased since the batch was taken. It holds keepMu, so a Forget that comes while a
// write is under way waits for it: the erasure that follows Forget then deletes what
// the write kept, and nothing writes the erased id back after.
func (c *Client) keep(ctx context.Context, batch map[string]string) error {
	c.keepMu.Lock()
	defer c.keepMu.Unlock()
	c.mu.Lock()
	for key := range batch {
		if c.erasedIn(key) {
			delete(batch, key)
		}
	}
	c.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	return c.memory.SetChannels(ctx, batch)
}

// Forget drops everything the client holds about userID (profile, conversations with
// them), and remembers no conversation with them from now on: after an erasure
// nothing may write their id back.
func (c *Client) Forget(userID string) {
	c.mu.Lock()
	delete(c.profiles, userID)
	for key := range c.convs {
		if slices.Contains(strings.Split(key, ","), userID) {
			delete(c.convs, key)
			delete(c.newConvs, key)
		}
	}
	c.erased[userID] = true
	c.mu.Unlock()
	// A write that took its batch before this is waited for (keep).
	c.keepMu.Lock()
	c.keepMu.Unlock()
}

// erasedIn reports whether a conversation key names someone erased; callers hold c.mu.
func (c *Client) erasedIn(key string) bool {
	for _, id := range strings.Split(key, ",") {
		if c.erased[id] {
			return true
		}
	}
	return false
}

// Flush keeps every conversation learned since the last write; call it at shutdown.
func (c *Client) Flush(ctx context.Context) error {
	c.mu.Lock()
	batch := c.newConvs
	c.newConvs, c.keptAt = map[string]string{}, time.Now()
	c.mu.Unlock()
	if c.memory == nil || len(batch) == 0 {
		return nil
	}
	return c.keep(ctx, batch)
}

// Post renders n and posts it in channel, its metadata tagged with n's id
// (delivery.Slack). Posted to a person's id, the DM it landed in is remembered.
func (c *Client) Post(ctx context.Context, channel string, n mentoring.Notice) error {
	msg, err := renderNotice(n)
	if err != nil {
		return &sendError{err: err, permanent: true}
	}
	posted, _, err := c.api.PostMessageContext(ctx, channel,
		slack.MsgOptionText(msg.Text, false),
		slack.MsgOptionBlocks(msg.Blocks.BlockSet...),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: string(n.Kind), EventPayload: map[string]any{metadataID: strconv.FormatUint(n.ID, 10)}}))
	if err != nil {
		return classify(err)
	}
	if len(n.To) == 1 && posted != "" && posted != channel {
		c.remember(ctx, n.To[0], posted)
	}
	return nil
}

// Posted reports whether n is in channel's recent history, by its metadata
// (delivery.Slack). A person's id is first turned into their DM's channel.
func (c *Client) Posted(ctx context.Context, channel string, n mentoring.Notice) (bool, error) {
	if mentoring.ValidUserID(channel) {
		var err error
		if channel, err = c.dmChannel(ctx, channel); err != nil {
			return false, err
		}
	}
	hist, err := c.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID:          channel,
		Limit:              historyWindow,
		Oldest:             strconv.FormatInt(n.CreatedAt.Add(-time.Minute).Unix(), 10),
		IncludeAllMetadata: true,
	})
	if err != nil {
		return false, classify(fmt.Errorf("conversations.history %s: %w", channel, err))
	}
	id := strconv.FormatUint(n.ID, 10)
	for _, m := range hist.Messages {
		if m.Metadata.EventType == string(n.Kind) && fmt.Sprint(m.Metadata.EventPayload[metadataID]) == id {
			return true, nil
		}
	}
	return false, nil
}

// tellErased tells someone, in a DM, that their erasure is finished: once, since the
// DM carries the erasure's sequence number in its metadata and is looked for before
// it is sent again after a crash.
func (c *Client) tellErased(ctx context.Context, e mentoring.Erasure) error {
	n := mentoring.Notice{ID: e.Seq, Kind: mentoring.KindErased, To: []string{e.UserID}, CreatedAt: e.RequestedAt}
	channel, err := c.dmChannel(ctx, e.UserID)
	if err != nil {
		return err
	}
	if sent, err := c.Posted(ctx, channel, n); err != nil || sent {
		return err
	}
	return c.Post(ctx, channel, n)
}

// dm sends a person a direct message now, outside the outbox (replies to their own
// action), logging a failure.
func (c *Client) dm(ctx context.Context, userID, mrkdwn string) {
	if _, _, err := c.api.PostMessageContext(ctx, userID,
		slack.MsgOptionText(truncate(mrkdwn, maxSectionText), false),
		slack.MsgOptionBlocks(sections(mrkdwn)...)); err != nil {
		c.log.Error("direct message failed", "user", userID, "err", err)
	}
}
