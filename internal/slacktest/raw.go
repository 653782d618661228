package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// ErrNotAcked: no acknowledgement carrying the envelope's envelope_id arrived within
// Slack's 3 s. Slack's Socket Mode docs ask the app to acknowledge every envelope it
// receives, by its envelope_id, whatever is in it; Slack redelivers an Events API
// envelope it saw no ack for (retry_attempt counts up) and shows the person an error
// for a command or interaction.
var ErrNotAcked = errors.New("slacktest: envelope not acknowledged within Slack's deadline")

// DeliverRaw writes frame verbatim as one text frame on the current Socket Mode
// connection (waiting for one until ctx ends) and waits, up to Slack's 3 s deadline,
// for the acknowledgement carrying the frame's envelope_id. It is for envelopes the
// app may be unable to read: an unknown envelope type, a payload of the wrong shape,
// an Events API event of a type the app's library does not know. The frame must be a
// JSON object with a string envelope_id (as every envelope Slack sends is); the rest
// is not checked.
//
// It returns the ack, or an error wrapping ErrNotAcked when none came in time, or
// ErrConnectionLost when the connection closed first.
func (s *Server) DeliverRaw(ctx context.Context, frame []byte) (Ack, error) {
	var head struct {
		EnvelopeID string          `json:"envelope_id"`
		Type       string          `json:"type"`
		Payload    json.RawMessage `json:"payload"`
	}
	// Only the envelope_id is needed; a field of the wrong type elsewhere is the point
	// of the frame, so a type error does not stop the decoding of the rest.
	if err := json.Unmarshal(frame, &head); err != nil {
		if _, ok := errors.AsType[*json.UnmarshalTypeError](err); !ok {
			return Ack{}, fmt.Errorf("slacktest: raw frame is not a JSON object: %w", err)
		}
	}
	if head.EnvelopeID == "" {
		return Ack{}, errors.New("slacktest: raw frame has no string envelope_id: nothing could acknowledge it")
	}
	s.mu.Lock()
	deadline := s.ackTimeout
	s.mu.Unlock()
	env := Envelope{EnvelopeID: head.EnvelopeID, Type: head.Type, Payload: head.Payload}
	return s.awaitAck(ctx, env, func(c *wsConn) error { return c.writeRaw(frame) }, deadline)
}

// writeRaw sends data as one text frame, unchanged.
func (c *wsConn) writeRaw(data []byte) error {
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
