package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Socket Mode timings and limits.
const (
	// disconnectGrace is how long the server keeps a connection open after
	// sending `disconnect`; the client normally closes it first.
	disconnectGrace = time.Second
	// writeTimeout bounds one websocket write.
	writeTimeout = 10 * time.Second
	// maxAckSize: Slack drops Socket Mode responses of 20 KB or more
	// (slack-go refuses to send them, at the same bound).
	maxAckSize = 20 * 1024
	// ackTimeout: an interaction not acknowledged within 3 s fails for the
	// person (slash commands show operation_timeout).
	ackTimeout = 3 * time.Second
)

var upgrader = websocket.Upgrader{
	// slack-go dials with Origin https://api.slack.com; accept it.
	CheckOrigin: func(*http.Request) bool { return true },
}

// wsConn is one Socket Mode connection.
type wsConn struct {
	n       int // 1 for the first connection accepted, and so on
	ws      *websocket.Conn
	writeMu sync.Mutex    // gorilla allows one writer at a time
	done    chan struct{} // closed when the reader has stopped
	waiters map[string]chan ackMsg
	pongs   atomic.Int64
}

type ackMsg struct {
	payload   json.RawMessage
	at        time.Time
	oversized bool
}

// writeJSON sends one text frame.
func (c *wsConn) writeJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding frame: %w", err)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return fmt.Errorf("setting write deadline: %w", err)
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		return fmt.Errorf("writing frame: %w", err)
	}
	return nil
}

// closeNow closes the TCP connection without a close frame.
func (c *wsConn) closeNow() { _ = c.ws.Close() }

// closeGracefully sends a close frame, then closes the connection.
func (c *wsConn) closeGracefully(reason string) {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, reason)
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	_ = c.ws.Close()
}

// handleSocket serves /link/?ticket=..., the URL apps.connections.open
// returned.
func (s *Server) handleSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket]
	delete(s.tickets, ticket)
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Debug("websocket upgrade failed", "err", err)
		return // the upgrader has answered
	}

	c := &wsConn{ws: ws, done: make(chan struct{}), waiters: map[string]chan ackMsg{}}
	ws.SetPongHandler(func(string) error { c.pongs.Add(1); return nil })
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.closeNow()
		return
	}
	s.connections++
	c.n = s.connections
	s.conns[c] = struct{}{}
	s.wg.Go(func() { s.readLoop(c) })
	s.wg.Go(func() { s.pingLoop(c) })
	s.mu.Unlock()
	s.log.Debug("socket mode connection accepted", "conn", c.n)

	hello := map[string]any{
		"type":            "hello",
		"num_connections": 1,
		"debug_info": map[string]any{
			"host":                        "slacktest",
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": s.opts.AppID},
	}
	if err := c.writeJSON(hello); err != nil {
		s.log.Debug("sending hello failed", "conn", c.n, "err", err)
		c.closeNow()
		return
	}

	s.mu.Lock()
	var old *wsConn
	select {
	case <-c.done: // closed while saying hello
	default:
		old = s.current
		s.current = c
		s.broadcastLocked()
	}
	s.mu.Unlock()
	if old != nil && old != c {
		// Slack would keep both; the double keeps one so every envelope
		// has a single, predictable route.
		old.closeGracefully("replaced by a newer connection")
	}
}

// readLoop reads the client's frames (acknowledgements) until the
// connection fails, then retires the connection.
func (s *Server) readLoop(c *wsConn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		if s.current == c {
			s.current = nil
		}
		close(c.done)
		s.broadcastLocked()
		s.mu.Unlock()
		c.closeNow()
		s.log.Debug("socket mode connection closed", "conn", c.n)
	}()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		at := time.Now()
		var frame struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(data, &frame); err != nil || frame.EnvelopeID == "" {
			s.log.Warn("unexpected frame from client", "conn", c.n, "frame", string(data))
			continue
		}
		oversized := len(data) >= maxAckSize
		s.mu.Lock()
		ch := c.waiters[frame.EnvelopeID]
		delete(c.waiters, frame.EnvelopeID)
		if oversized {
			s.droppedAcks++
		}
		s.mu.Unlock()
		if ch == nil {
			s.log.Debug("ack for no pending envelope", "conn", c.n, "envelope_id", frame.EnvelopeID)
			continue
		}
		payload := frame.Payload
		if string(payload) == "null" {
			payload = nil
		}
		ch <- ackMsg{payload: payload, at: at, oversized: oversized} // buffered, one send
	}
}

// pingLoop sends websocket PINGs, which slack-go's client expects within
// its ping interval (30 s by default) or it reconnects.
func (s *Server) pingLoop(c *wsConn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-s.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("slacktest"), time.Now().Add(writeTimeout)); err != nil {
				s.log.Debug("ping failed", "conn", c.n, "err", err)
				return
			}
		}
	}
}

// WaitConnected blocks until a Socket Mode connection is open and `hello`
// has been sent on it, or ctx ends.
func (s *Server) WaitConnected(ctx context.Context) error {
	_, err := s.waitConn(ctx)
	return err
}

func (s *Server) waitConn(ctx context.Context) (*wsConn, error) {
	for {
		s.mu.Lock()
		c, ch, closed := s.current, s.changed, s.closed
		s.mu.Unlock()
		switch {
		case closed:
			return nil, fmt.Errorf("slacktest: waiting for a socket mode connection: %w", ErrClosed)
		case c != nil:
			return c, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("slacktest: waiting for a socket mode connection: %w", ctx.Err())
		}
	}
}

// Connections counts the Socket Mode connections accepted so far,
// reconnections included.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// Disconnect asks the client to reconnect, as Slack does before it rotates
// a connection: it sends {"type":"disconnect","reason":reason,...} on the
// current connection, stops routing envelopes to it, and closes it after a
// grace period of about a second unless the client closes it first.
func (s *Server) Disconnect(reason string) error {
	s.mu.Lock()
	c := s.current
	if c == nil {
		s.mu.Unlock()
		return fmt.Errorf("slacktest: disconnect: %w", ErrNotConnected)
	}
	s.current = nil
	s.broadcastLocked()
	s.mu.Unlock()

	msg := map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "slacktest"},
	}
	err := c.writeJSON(msg)

	s.mu.Lock()
	if !s.closed {
		s.wg.Go(func() {
			t := time.NewTimer(disconnectGrace)
			defer t.Stop()
			select {
			case <-t.C:
				c.closeGracefully("disconnect: " + reason)
			case <-c.done:
			case <-s.done:
			}
		})
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("slacktest: sending disconnect on connection %d: %w", c.n, err)
	}
	return nil
}

// DropConnection closes the current connection's TCP socket abruptly, with
// no close frame, as a network failure would.
func (s *Server) DropConnection() error {
	s.mu.Lock()
	c := s.current
	s.current = nil
	s.broadcastLocked()
	s.mu.Unlock()
	if c == nil {
		return fmt.Errorf("slacktest: drop connection: %w", ErrNotConnected)
	}
	c.closeNow()
	return nil
}

// Envelope is a Socket Mode request from Slack to the app.
type Envelope struct {
	Type                   string // "slash_commands", "interactive", "events_api"
	EnvelopeID             string // generated if empty
	Payload                json.RawMessage
	AcceptsResponsePayload bool
	RetryAttempt           int
	RetryReason            string
}

// Ack is the app's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil if the ack had none
	Latency    time.Duration   // from writing the envelope to reading the ack
	// Dropped is true when the ack was 20 KB or more: Slack would have
	// dropped it, so nothing it carried takes effect.
	Dropped bool
}

// Deliver waits for a connection (until ctx ends), writes env on it, and
// waits for the acknowledgement with env's envelope_id (until ctx ends). It
// is safe for many concurrent callers. If the connection closes before the
// ack arrives, Deliver returns an error wrapping ErrConnectionLost; Slack
// would retry such an envelope, and a caller can do the same.
func (s *Server) Deliver(ctx context.Context, env Envelope) (Ack, error) {
	if env.EnvelopeID == "" {
		s.mu.Lock()
		n := s.nextIDLocked()
		s.mu.Unlock()
		env.EnvelopeID = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(n*0x9e3779b1), n&0xffff, n&0xfff, (n>>12)&0xfff, n)
	}
	payload := env.Payload
	if payload == nil {
		payload = json.RawMessage("{}")
	}
	frame := map[string]any{
		"envelope_id":              env.EnvelopeID,
		"type":                     env.Type,
		"payload":                  payload,
		"accepts_response_payload": env.AcceptsResponsePayload,
		"retry_attempt":            env.RetryAttempt,
		"retry_reason":             env.RetryReason,
	}
	return s.awaitAck(ctx, env, func(c *wsConn) error { return c.writeJSON(frame) }, 0)
}

// awaitAck writes an envelope with write on the current connection (waiting for one
// until ctx ends) and waits for the ack carrying env's envelope_id: until ctx ends,
// or, when deadline is not 0, until deadline has passed (ErrNotAcked). It returns
// ErrConnectionLost when the connection closes first.
func (s *Server) awaitAck(ctx context.Context, env Envelope, write func(c *wsConn) error, deadline time.Duration) (Ack, error) {
	c, err := s.waitConn(ctx)
	if err != nil {
		return Ack{}, err
	}
	ch := make(chan ackMsg, 1)
	s.mu.Lock()
	if _, dup := c.waiters[env.EnvelopeID]; dup {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slacktest: envelope %s is already being delivered", env.EnvelopeID)
	}
	c.waiters[env.EnvelopeID] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(c.waiters, env.EnvelopeID)
		s.mu.Unlock()
	}()

	start := time.Now()
	if err := write(c); err != nil {
		return Ack{}, fmt.Errorf("slacktest: delivering %q envelope %s on connection %d: %w", env.Type, env.EnvelopeID, c.n, err)
	}
	s.log.Debug("envelope sent", "conn", c.n, "type", env.Type, "envelope_id", env.EnvelopeID)
	var timeout <-chan time.Time
	if deadline > 0 {
		timer := time.NewTimer(deadline)
		defer timer.Stop()
		timeout = timer.C
	}
	got := func(a ackMsg) (Ack, error) {
		s.logAck(env, a.payload)
		return Ack{EnvelopeID: env.EnvelopeID, Payload: a.payload, Latency: a.at.Sub(start), Dropped: a.oversized}, nil
	}
	select {
	case a := <-ch:
		return got(a)
	case <-c.done:
		// The reader may have routed the ack just before stopping.
		select {
		case a := <-ch:
			return got(a)
		default:
		}
		return Ack{}, fmt.Errorf("slacktest: %q envelope %s on connection %d: %w", env.Type, env.EnvelopeID, c.n, ErrConnectionLost)
	case <-timeout:
		return Ack{}, fmt.Errorf("slacktest: %q envelope %s, %v after it was sent: %w", env.Type, env.EnvelopeID, deadline, ErrNotAcked)
	case <-ctx.Done():
		return Ack{}, fmt.Errorf("slacktest: waiting for ack of %q envelope %s: %w", env.Type, env.EnvelopeID, ctx.Err())
	}
}
