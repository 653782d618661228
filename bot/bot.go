// Package bot is mentorbot's Slack side: the Socket Mode loop, routing of slash
// commands, buttons, modals and events, Block Kit replies, and escaping of what people
// type. Every envelope is acknowledged within Slack's 3 seconds whatever its handler does.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/ops"
)

const (
	// ackBudget is how long a handler may take to produce the payload of its ack
	// before the bot acks without one and delivers the reply another way. Slack allows
	// 3 s from its side; the rest is margin for the network.
	ackBudget = 2 * time.Second
	// drainTimeout bounds how long shutdown waits for in-flight handlers, so that the
	// process exits within the 10 s an orchestrator gives it.
	drainTimeout = 6 * time.Second
)

// Config is what the Socket Mode side needs; cmd/mentorbot fills it from the settings.
type Config struct {
	Logger  *slog.Logger
	Metrics *ops.Metrics
	// KudosChannel is where kudos are posted; empty means where the command was typed.
	KudosChannel string
	// PingInterval is how long the connection may go without a ping from Slack before
	// it counts as dead; zero keeps socketmode's default (30 s).
	PingInterval time.Duration
	// Memory remembers who has opened their Home tab, so that a change republishes it
	// after a restart too; nil remembers in memory only.
	Memory Memory
}

// Bot is the running Slack app: it reads envelopes over Socket Mode, asks the
// programme, and answers. Create it with New and start it with Run.
type Bot struct {
	cfg    Config
	client *Client
	api    *slack.Client
	sm     *socketmode.Client
	prog   *mentoring.Programme
	log    *slog.Logger
	m      *ops.Metrics

	// eraseMu keeps one erasure at a time: a click's and the retry loop's.
	eraseMu sync.Mutex

	connected atomic.Bool
	seen      *seenEnvelopes
	inflight  sync.WaitGroup
	homes     *homes // republishes Home tabs (homes.go)

	commands map[string]subcommand // /mentor subcommands by name
	actions  map[string]actionFunc // block actions by action_id
	views    map[string]viewFunc   // view submissions by callback_id
	events   map[string]eventFunc  // Events API events by type
}

type (
	actionFunc func(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error
	viewFunc   func(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error)
	eventFunc  func(ctx context.Context, ev slackevents.EventsAPIEvent) error
)

// New wires a bot (not yet connected) to Slack through client and to the programme.
func New(cfg Config, client *Client, prog *mentoring.Programme) *Bot {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = client.m
	}
	var smOpts []socketmode.Option
	if cfg.PingInterval > 0 {
		smOpts = append(smOpts, socketmode.OptionPingInterval(cfg.PingInterval))
	}
	b := &Bot{
		cfg:    cfg,
		client: client,
		api:    client.api,
		sm:     socketmode.New(client.api, smOpts...),
		prog:   prog,
		log:    cfg.Logger,
		m:      cfg.Metrics,
		seen:   newSeenEnvelopes(seenTTL, seenMax),
	}
	b.homes = newHomes(func(ctx context.Context, userID string) error {
		return b.protect("publish home", func() error { return b.publishHome(ctx, userID) })
	}, cfg.Memory, cfg.Logger)
	b.homes.foreground = foreground
	b.routes()
	return b
}

// Connected reports whether the Socket Mode connection is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

func (b *Bot) setConnected(up bool) {
	b.connected.Store(up)
	if up {
		b.m.Connected.Set(1)
	} else {
		b.m.Connected.Set(0)
	}
}

// Run connects over Socket Mode and serves until ctx is cancelled. Then it stops
// reading envelopes (those not yet read stay unacknowledged, so Slack redelivers them
// to the next instance), waits up to drainTimeout for handlers in flight and the Home
// tab publishes they asked for, closes the connection and returns nil. It returns an
// *AuthError when Slack rejects the app token.
func (b *Bot) Run(ctx context.Context) error {
	b.homes.load()
	// A confirmed erasure is finished before anything is served.
	b.finishErasures(ctx)
	stopEraser := b.retryErasures(ctx)
	defer stopEraser()
	// Handlers and the connection outlive ctx so that in-flight work can finish and
	// its acks can still be written during the drain.
	connCtx, closeConn := context.WithCancel(context.WithoutCancel(ctx))
	defer closeConn()
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	runErr := make(chan error, 1)
	go func() { runErr <- b.sm.RunContext(connCtx) }()

	for {
		select {
		case <-ctx.Done():
			b.setConnected(false)
			b.drain(stopWork)
			closeConn()
			<-runErr
			return nil
		case err := <-runErr:
			b.setConnected(false)
			b.drain(stopWork)
			if err != nil && authErrors[err.Error()] {
				return &AuthError{Setting: "SLACK_APP_TOKEN", Err: err}
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-b.sm.Events:
			b.event(workCtx, evt)
		}
	}
}

// drain waits for in-flight handlers, then for the Home tab publishes they asked for,
// all within drainTimeout; then it cancels whatever is still running.
func (b *Bot) drain(stopWork context.CancelFunc) {
	deadline := time.NewTimer(drainTimeout)
	defer deadline.Stop()
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	select {
	case <-done:
		if !b.homes.wait(deadline.C) {
			b.log.Warn("shutdown: Home tabs still being published after drain timeout; cancelling them")
		}
	case <-deadline.C:
		b.log.Warn("shutdown: handlers still running after drain timeout; cancelling them")
		stopWork()
		<-done
	}
	if left := b.homes.close(); left > 0 {
		b.log.Warn("shutdown: Home tabs left unpublished; they are refreshed at their next change or visit", "count", left)
	}
}

func (b *Bot) event(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.setConnected(false)
		b.log.Debug("socket mode connecting")
	case socketmode.EventTypeConnectionError:
		b.setConnected(false)
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			b.log.Warn("socket mode connection failed; retrying", "attempt", e.Attempt, "backoff", e.Backoff, "err", e.ErrorObj)
		}
	case socketmode.EventTypeConnected:
		if e, ok := evt.Data.(*socketmode.ConnectedEvent); ok && e.ConnectionCount > 0 {
			b.m.Reconnects.Inc()
		}
	case socketmode.EventTypeHello:
		b.setConnected(true)
		b.log.Info("connected to Slack")
	case socketmode.EventTypeIncomingError:
		if e, ok := evt.Data.(*slack.IncomingEventError); ok {
			b.log.Warn("socket mode read failed", "err", e.ErrorObj)
		}
	case socketmode.EventTypeErrorBadMessage:
		b.unparsed(ctx, evt, time.Now())
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		b.envelope(ctx, evt, time.Now())
	default:
		// An event socketmode may add later: if it is an envelope, Slack waits for
		// its ack all the same.
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			b.unparsed(ctx, evt, time.Now())
		}
	}
}

// envelopeTypes are the Socket Mode envelope types the bot reads; any other type is
// counted as "unknown", so that what Slack sends cannot add metric series.
var envelopeTypes = map[string]bool{
	socketmode.RequestTypeSlashCommands: true,
	socketmode.RequestTypeInteractive:   true,
	socketmode.RequestTypeEventsAPI:     true,
}

// unparsed acknowledges, logs and counts (outcome "unparsed") an envelope the bot
// cannot read: one socketmode could not parse (an envelope type it does not know, a
// payload of the wrong shape, an Events API event type it lacks), reported as
// ErrorBadMessage with the raw frame, or one whose data the bot does not expect.
// Slack wants every envelope acknowledged whatever its content; one left
// unacknowledged is redelivered (Events API) or fails for the person, and unanswered
// events count against the app. Nothing in it can be done, so the ack has no payload.
// The frame itself is not logged: it may hold what a person typed.
func (b *Bot) unparsed(ctx context.Context, evt socketmode.Event, received time.Time) {
	var (
		id, typ string
		retry   int
		cause   error
	)
	if req := evt.Request; req != nil {
		id, typ, retry = req.EnvelopeID, req.Type, req.RetryAttempt
	}
	if e, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
		cause = e.Cause
		if id == "" {
			// socketmode could not parse the frame, so there is no Request: read the
			// envelope_id (and type) alone. A field of the wrong type elsewhere, which
			// may be why parsing failed, does not stop these from being read.
			var head struct {
				EnvelopeID   string `json:"envelope_id"`
				Type         string `json:"type"`
				RetryAttempt int    `json:"retry_attempt"`
			}
			_ = json.Unmarshal(e.Message, &head)
			id, typ, retry = head.EnvelopeID, head.Type, head.RetryAttempt
		}
	}
	if cause == nil {
		cause = fmt.Errorf("a %s event carrying %T, which the bot does not read", evt.Type, evt.Data)
	}
	if !envelopeTypes[typ] {
		typ = "unknown"
	}
	b.m.Envelopes.WithLabelValues(typ, "unparsed").Inc()
	if id == "" {
		b.log.Warn("socket mode message not understood; it has no envelope_id, so there is nothing to acknowledge", "type", typ, "err", cause)
		return
	}
	b.log.Warn("socket mode envelope not understood; acknowledged so that Slack does not redeliver it",
		"envelope", id, "type", typ, "retry_attempt", retry, "err", cause)
	req := &socketmode.Request{EnvelopeID: id, Type: typ}
	b.inflight.Go(func() { _ = b.ack(ctx, req, typ, nil, received) })
}

// envelope handles one Socket Mode request on its own goroutine. A redelivery of an
// envelope already seen is acknowledged again, with the first delivery's ack payload,
// and its work is not done twice.
func (b *Bot) envelope(ctx context.Context, evt socketmode.Event, received time.Time) {
	req := evt.Request
	switch evt.Data.(type) {
	case slack.SlashCommand, slack.InteractionCallback, slackevents.EventsAPIEvent:
	default:
		b.unparsed(ctx, evt, received)
		return
	}
	if req == nil {
		b.unparsed(ctx, evt, received)
		return
	}
	// A person is waiting for what this envelope asks: its calls go before fan-out.
	ctx = foreground(ctx)
	typ := string(evt.Type)
	entry, dup := b.seen.claim(dedupeKey(evt))
	if dup {
		b.m.Envelopes.WithLabelValues(typ, "duplicate").Inc()
		b.log.Info("redelivered envelope acknowledged, not handled again", "envelope", req.EnvelopeID, "retry_attempt", req.RetryAttempt)
		b.inflight.Go(func() {
			select {
			case <-entry.done:
			case <-time.After(ackBudget):
			}
			b.ack(ctx, req, typ, entry.payload(), received)
		})
		return
	}
	b.m.Envelopes.WithLabelValues(typ, "handled").Inc()
	b.inflight.Go(func() {
		switch data := evt.Data.(type) {
		case slack.SlashCommand:
			b.replyInAck(ctx, req, typ, entry, received,
				func(ctx context.Context) any { return b.slashCommand(ctx, data) },
				func(ctx context.Context, p any) { b.respond(ctx, data, p.(*reply)) })
		case slack.InteractionCallback:
			if data.Type == slack.InteractionTypeViewSubmission {
				b.replyInAck(ctx, req, typ, entry, received,
					func(ctx context.Context) any { return b.viewSubmission(ctx, &data) },
					func(ctx context.Context, p any) {
						b.log.Warn("view submission answered after Slack's deadline; its response is lost", "callback", data.View.CallbackID)
					})
				return
			}
			// What must be durable before Slack hears "ok" (a confirmed erasure).
			b.beforeAck(ctx, &data)
			entry.finish(nil)
			b.ack(ctx, req, typ, nil, received)
			b.interaction(ctx, &data)
		case slackevents.EventsAPIEvent:
			entry.finish(nil)
			b.ack(ctx, req, typ, nil, received)
			b.eventsAPI(ctx, data)
		}
	})
}

// replyInAck runs handle and acks req with what it returns if that takes less than
// ackBudget; otherwise it acks with no payload at the budget and hands the late result
// to late. A nil result acks with no payload.
func (b *Bot) replyInAck(ctx context.Context, req *socketmode.Request, typ string, entry *seenEntry, received time.Time,
	handle func(context.Context) any, late func(context.Context, any)) {
	result := make(chan any, 1)
	go func() { result <- handle(ctx) }()
	timer := time.NewTimer(ackBudget)
	defer timer.Stop()
	select {
	case p := <-result:
		entry.finish(p)
		if err := b.ack(ctx, req, typ, p, received); err != nil && p != nil {
			late(ctx, p)
		}
	case <-timer.C:
		entry.finish(nil)
		b.ack(ctx, req, typ, nil, received)
		if p := <-result; !isNil(p) {
			late(ctx, p)
		}
	}
}

// ack acknowledges req, with payload when it is not nil. If socketmode refuses the
// payload (20 KB or more, which Slack would drop), it acks without it and returns the
// error so the caller can deliver the payload another way.
func (b *Bot) ack(ctx context.Context, req *socketmode.Request, typ string, payload any, received time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	var err error
	if !isNil(payload) {
		if err = b.sm.AckCtx(ctx, req.EnvelopeID, payload); err == nil {
			b.m.AckLatency.WithLabelValues(typ).Observe(time.Since(received).Seconds())
			return nil
		}
		b.log.Warn("ack with payload refused; acking without it", "envelope", req.EnvelopeID, "err", err)
	}
	if ackErr := b.sm.AckCtx(ctx, req.EnvelopeID, nil); ackErr != nil {
		b.log.Error("ack failed", "envelope", req.EnvelopeID, "err", ackErr)
		return errors.Join(err, ackErr)
	}
	b.m.AckLatency.WithLabelValues(typ).Observe(time.Since(received).Seconds())
	return err
}

// isNil reports whether an ack payload is absent, including a typed nil pointer.
func isNil(p any) bool {
	switch v := p.(type) {
	case nil:
		return true
	case json.RawMessage:
		return len(v) == 0
	case *reply:
		return v == nil
	case *slack.ViewSubmissionResponse:
		return v == nil
	}
	return false
}

// protect runs fn, turning a panic into an error after logging it with its stack and
// counting it, so one bad input cannot take the bot down.
func (b *Bot) protect(where string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			b.m.Panics.Inc()
			b.log.Error("handler panicked", "where", where, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = errPanic
		}
	}()
	return fn()
}

var errPanic = errors.New("handler panicked")
