package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/ops"
)

const (
	// apiRetries is how often a Web API call rate limited with 429 is retried after
	// its Retry-After; the request's context bounds the wait.
	apiRetries = 5
	// profileTTL is how long what users.info said is trusted. Time zones and statuses
	// change rarely; an hour keeps users.info calls (Tier 4) far below Slack's limits.
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
}

// Client is mentorbot's Web API side: every call the bot makes to Slack. It is the
// programme's Directory (who people are, whether they are away) and delivery's Slack
// (it renders notices and posts them). It is safe for concurrent use.
type Client struct {
	api  *slack.Client
	http *http.Client
	m    *ops.Metrics
	log  *slog.Logger

	mu       sync.Mutex
	profiles map[string]profile // users.info answers, by user id
	convs    map[string]string  // DM or group DM channel, by comma-joined member ids
}

// NewClient returns a Client; it makes no call until one is needed.
func NewClient(cfg ClientConfig) *Client {
	if cfg.Metrics == nil {
		cfg.Metrics = ops.NewMetrics()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	httpClient := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &countingTransport{next: http.DefaultTransport, apiURL: cfg.APIURL, calls: cfg.Metrics.APICalls},
	}
	api := slack.New(cfg.BotToken,
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionHTTPClient(httpClient),
		// After OptionHTTPClient, so that the retry wraps the counting client and every
		// 429 is counted.
		slack.OptionRetryConfig(slack.RetryConfig{MaxRetries: apiRetries, RetryAfterJitter: time.Second}),
	)
	return &Client{api: api, http: httpClient, m: cfg.Metrics, log: cfg.Logger,
		profiles: map[string]profile{}, convs: map[string]string{}}
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

// profile is what Slack owns about a person.
type profile struct {
	mentoring.Person
	fetched time.Time
}

// awayStatus matches a Slack status that says the person is away.
var awayStatus = regexp.MustCompile(`(?i)vacation|holiday|out of (the )?office|\booo\b|on leave|parental leave|\bpto\b|sick|away|:palm_tree:|:desert_island:|:beach_with_umbrella:|:airplane:|:face_with_thermometer:|:mask:`)

// Person implements mentoring.Directory from users.info, cached for profileTTL. An
// unknown user is EINVALID, so a typo in a mention gets a clear reply.
func (c *Client) Person(ctx context.Context, id string) (mentoring.Person, error) {
	c.mu.Lock()
	p, ok := c.profiles[id]
	c.mu.Unlock()
	if ok && time.Since(p.fetched) < profileTTL {
		return p.Person, nil
	}
	u, err := c.api.GetUserInfoContext(ctx, id)
	if err != nil {
		if err.Error() == "user_not_found" {
			return mentoring.Person{}, mentoring.Errorf(mentoring.EINVALID, "I can't find that person in this workspace.")
		}
		return mentoring.Person{}, fmt.Errorf("users.info %s: %w", id, err)
	}
	status := strings.TrimSpace(u.Profile.StatusEmoji + " " + u.Profile.StatusText)
	exp := int64(u.Profile.StatusExpiration)
	p = profile{Person: mentoring.Person{
		ID: u.ID, TimeZone: u.TZ, Bot: u.IsBot || u.ID == "USLACKBOT", Deactivated: u.Deleted,
		Away: status != "" && awayStatus.MatchString(status) && (exp == 0 || exp > time.Now().Unix()),
	}, fetched: time.Now()}
	c.mu.Lock()
	c.profiles[id] = p
	c.mu.Unlock()
	return p.Person, nil
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

// Conversation opens (or recalls) the DM with one person or the group DM with several
// (delivery.Slack).
func (c *Client) Conversation(ctx context.Context, to []string) (string, error) {
	key := strings.Join(to, ",")
	c.mu.Lock()
	ch, ok := c.convs[key]
	c.mu.Unlock()
	if ok {
		return ch, nil
	}
	conv, _, _, err := c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: to, ReturnIM: true})
	if err != nil {
		return "", classify(err)
	}
	c.mu.Lock()
	c.convs[key] = conv.ID
	c.mu.Unlock()
	return conv.ID, nil
}

// Post renders n and posts it in channel, its metadata tagged with n's id
// (delivery.Slack).
func (c *Client) Post(ctx context.Context, channel string, n mentoring.Notice) error {
	msg, err := renderNotice(n)
	if err != nil {
		return &sendError{err: err, permanent: true}
	}
	_, _, err = c.api.PostMessageContext(ctx, channel,
		slack.MsgOptionText(msg.Text, false),
		slack.MsgOptionBlocks(msg.Blocks.BlockSet...),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: string(n.Kind), EventPayload: map[string]any{metadataID: strconv.FormatUint(n.ID, 10)}}))
	return classify(err)
}

// Posted reports whether n is in channel's recent history, by its metadata
// (delivery.Slack).
func (c *Client) Posted(ctx context.Context, channel string, n mentoring.Notice) (bool, error) {
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

// dm sends a person a direct message now, outside the outbox (replies to their own
// action), logging a failure.
func (c *Client) dm(ctx context.Context, userID, mrkdwn string) {
	if _, _, err := c.api.PostMessageContext(ctx, userID,
		slack.MsgOptionText(truncate(mrkdwn, maxSectionText), false),
		slack.MsgOptionBlocks(sections(mrkdwn)...)); err != nil {
		c.log.Error("direct message failed", "user", userID, "err", err)
	}
}
