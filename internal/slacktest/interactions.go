package slacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// SlashCommand types command (e.g. "/mentor") with text as userID in the
// command channel (Options.CommandChannel, "C0GENERAL" by default), delivers
// it over Socket Mode and waits for the acknowledgement. An ack payload with
// text or blocks is shown as Slack shows it: an ephemeral message to the
// user (Record Kind "ephemeral", Via "ack"), or a channel message when its
// response_type is "in_channel". An ack later than 3 s is shown as the
// operation_timeout error instead (Kind "error").
func (s *Server) SlashCommand(ctx context.Context, userID, command, text string) (Ack, error) {
	return s.SlashCommandIn(ctx, userID, s.opts.CommandChannel, command, text)
}

// SlashCommandIn is SlashCommand typed in channelID: a channel added with
// AddChannel, the command channel, or the user's DM with the bot
// (DMChannelID).
func (s *Server) SlashCommandIn(ctx context.Context, userID, channelID, command, text string) (Ack, error) {
	s.mu.Lock()
	u, ok := s.users[userID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slacktest: slash command by unknown user %q (AddUser first)", userID)
	}
	if channelID == "D"+userID {
		s.dmLocked(userID)
	}
	ch, ok := s.channels[channelID]
	if !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slacktest: slash command in unknown channel %q (AddChannel first)", channelID)
	}
	chName := ch.name
	switch ch.kind {
	case kindIM:
		chName = "directmessage"
	case kindPrivate, kindMPIM:
		chName = "privategroup"
	}
	respURL := s.newResponseURLLocked(userID, channelID, nil, true)
	payload := map[string]any{
		"token":                 verificationToken,
		"team_id":               s.opts.TeamID,
		"team_domain":           s.opts.TeamName,
		"channel_id":            channelID,
		"channel_name":          chName,
		"user_id":               userID,
		"user_name":             u.Name,
		"command":               command,
		"text":                  text,
		"api_app_id":            s.opts.AppID,
		"is_enterprise_install": "false",
		"response_url":          respURL,
		"trigger_id":            s.newTriggerLocked(userID),
	}
	s.mu.Unlock()

	ack, err := s.Deliver(ctx, Envelope{Type: "slash_commands", Payload: mustJSON(payload), AcceptsResponsePayload: true})
	if err != nil {
		return ack, fmt.Errorf("slacktest: slash command %s: %w", command, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case ack.Dropped:
	case ack.Latency > s.ackTimeout:
		s.addRecordLocked(Record{Kind: "error", Via: "ack", Channel: channelID, User: userID,
			Text: fmt.Sprintf("%s failed with the error \"operation_timeout\"", command)})
	case len(ack.Payload) > 0:
		s.showCommandAckLocked(ack.Payload, userID, channelID, respURL, command)
	}
	return ack, nil
}

// showCommandAckLocked shows a slash command's ack payload.
func (s *Server) showCommandAckLocked(payload json.RawMessage, userID, channelID, respURL, command string) {
	var msg struct {
		Text         string          `json:"text"`
		Blocks       json.RawMessage `json:"blocks"`
		ResponseType string          `json:"response_type"`
	}
	fail := func(why string) {
		s.addRecordLocked(Record{Kind: "error", Via: "ack", Channel: channelID, User: userID,
			Text: fmt.Sprintf("%s failed: %s", command, why)})
	}
	if err := json.Unmarshal(payload, &msg); err != nil {
		fail("the app's response could not be read: " + err.Error())
		return
	}
	blocks, errs := s.checkMessageBlocksLocked(msg.Blocks)
	if len(errs) > 0 {
		fail("invalid_blocks: " + joinErrors(errs))
		return
	}
	if msg.Text == "" && blocks == nil {
		return // an empty acknowledgement shows nothing
	}
	if msg.ResponseType == "in_channel" {
		if ch, ok := s.channels[channelID]; ok {
			m := &message{ts: s.nextTSLocked(), user: s.opts.BotUserID, text: msg.Text, blocks: blocks}
			s.storeMessageLocked(ch, m)
			s.addRecordLocked(Record{Kind: "message", Via: "ack", Channel: channelID, TS: m.ts, Text: m.text, Blocks: blocks})
		}
		return
	}
	ts := s.postEphemeralLocked(channelID, userID, msg.Text, blocks, "ack")
	if ru := s.responseURLs[strings.TrimPrefix(respURL, s.base+"/response/")]; ru != nil {
		ru.original = &originalRef{channel: channelID, ts: ts, ephemeral: true}
	}
}

// checkMessageBlocksLocked validates optional message blocks from an ack or
// a response_url post and gives them IDs; nil means none.
func (s *Server) checkMessageBlocksLocked(raw json.RawMessage) (json.RawMessage, []string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	blocks, err := decodeJSON(raw)
	if err != nil {
		return nil, []string{"[ERROR] blocks must be JSON: " + err.Error()}
	}
	if errs := validateMessageBlocks(blocks); len(errs) > 0 {
		return nil, errs
	}
	if list, _ := blocks.([]any); len(list) == 0 {
		return nil, nil
	}
	s.assignIDsLocked(blocks)
	return mustJSON(blocks), nil
}

// BlockActionSpec says which element a person clicks.
//
// Set MessageTS to click an element on a message (a channel or DM message,
// or an ephemeral one, by the TS of its Record), or ViewID to click one in
// a view (modal or Home tab). The element is found by ActionID (and BlockID
// when set); the payload carries its real block_id, type and text. Value
// overrides a button's value, and for selects names the chosen option
// (static_select, overflow, radio_buttons) or user (users_select).
// ChannelID, when set, must be the message's channel.
type BlockActionSpec struct {
	ActionID, BlockID, Value, ChannelID, MessageTS, ViewID string
}

// BlockAction delivers a block_actions interaction by userID and waits for
// the acknowledgement. It fails without delivering anything when the
// element is not on the message or view, so a test cannot click a button
// the bot never showed. An ack later than 3 s adds an "error" record (Slack
// shows a warning next to the element).
func (s *Server) BlockAction(ctx context.Context, userID string, a BlockActionSpec) (Ack, error) {
	s.mu.Lock()
	payload, err := s.blockActionPayloadLocked(userID, a)
	var body json.RawMessage
	if err == nil {
		body = mustJSON(payload) // under the lock: payload shares stored views
	}
	s.mu.Unlock()
	if err != nil {
		return Ack{}, fmt.Errorf("slacktest: block action %s: %w", a.ActionID, err)
	}
	ack, err := s.Deliver(ctx, Envelope{Type: "interactive", Payload: body})
	if err != nil {
		return ack, fmt.Errorf("slacktest: block action %s: %w", a.ActionID, err)
	}
	if ack.Latency > s.ackTimeout && !ack.Dropped {
		s.mu.Lock()
		s.addRecordLocked(Record{Kind: "error", Via: "ack", Channel: a.ChannelID, User: userID, ViewID: a.ViewID, TS: a.MessageTS,
			Text: fmt.Sprintf("the app did not respond to %s within 3 seconds", a.ActionID)})
		s.mu.Unlock()
	}
	return ack, nil
}

func (s *Server) blockActionPayloadLocked(userID string, a BlockActionSpec) (map[string]any, error) {
	u, ok := s.users[userID]
	if !ok {
		return nil, fmt.Errorf("unknown user %q", userID)
	}
	payload := map[string]any{
		"type":                  "block_actions",
		"user":                  s.payloadUser(u),
		"api_app_id":            s.opts.AppID,
		"token":                 verificationToken,
		"team":                  s.payloadTeam(),
		"is_enterprise_install": false,
		"state":                 map[string]any{"values": map[string]any{}},
	}
	var (
		blocksRaw json.RawMessage
		blocks    any
	)
	switch {
	case a.MessageTS != "":
		var (
			channelID string
			original  *originalRef
		)
		if m, ok := s.messages[a.MessageTS]; ok && !m.deleted {
			channelID, blocksRaw = m.channel, m.blocks
			original = &originalRef{channel: m.channel, ts: m.ts}
			payload["container"] = map[string]any{"type": "message", "message_ts": m.ts, "channel_id": m.channel, "is_ephemeral": false}
			payload["message"] = m.wire(s, true)
		} else if e, ok := s.ephemerals[a.MessageTS]; ok && !e.deleted {
			if e.user != userID {
				return nil, fmt.Errorf("ephemeral message %s is shown only to %s", e.ts, e.user)
			}
			channelID, blocksRaw = e.channel, e.blocks
			original = &originalRef{channel: e.channel, ts: e.ts, ephemeral: true}
			payload["container"] = map[string]any{"type": "message", "message_ts": e.ts, "channel_id": e.channel, "is_ephemeral": true}
		} else {
			return nil, fmt.Errorf("no message with ts %s", a.MessageTS)
		}
		if a.ChannelID != "" && a.ChannelID != channelID {
			return nil, fmt.Errorf("message %s is in %s, not %s", a.MessageTS, channelID, a.ChannelID)
		}
		chName := ""
		if ch, ok := s.channels[channelID]; ok {
			chName = ch.name
		}
		payload["channel"] = map[string]any{"id": channelID, "name": chName}
		payload["response_url"] = s.newResponseURLLocked(userID, channelID, original, false)
	case a.ViewID != "":
		v, ok := s.views[a.ViewID]
		switch {
		case !ok:
			return nil, fmt.Errorf("no view %s", a.ViewID)
		case !v.open:
			return nil, fmt.Errorf("view %s is closed", a.ViewID)
		case v.owner != userID:
			return nil, fmt.Errorf("view %s belongs to %s", a.ViewID, v.owner)
		}
		blocksRaw = mustJSON(v.data["blocks"])
		payload["container"] = map[string]any{"type": "view", "view_id": v.id}
		payload["view"] = v.data
	default:
		return nil, fmt.Errorf("set MessageTS or ViewID")
	}
	if len(blocksRaw) > 0 {
		var err error
		if blocks, err = decodeJSON(blocksRaw); err != nil {
			return nil, fmt.Errorf("stored blocks: %w", err)
		}
	}
	block, elem, ok := findElement(blocks, a.ActionID, a.BlockID)
	if !ok {
		return nil, fmt.Errorf("no element with action_id %q (block_id %q) to click", a.ActionID, a.BlockID)
	}
	actionTS := s.nextTSLocked()
	typ, _ := elem["type"].(string)
	action := map[string]any{
		"action_id": a.ActionID,
		"block_id":  block["block_id"],
		"type":      typ,
		"action_ts": actionTS,
	}
	switch typ {
	case "button":
		action["text"] = elem["text"]
		action["value"] = elem["value"]
		if a.Value != "" {
			action["value"] = a.Value
		}
	case "static_select", "overflow", "radio_buttons":
		opt, ok := findOption(elem, a.Value)
		if !ok {
			return nil, fmt.Errorf("element %s has no option with value %q", a.ActionID, a.Value)
		}
		action["selected_option"] = opt
	case "users_select":
		action["selected_user"] = a.Value
	default:
		if a.Value != "" {
			action["value"] = a.Value
		}
	}
	payload["actions"] = []any{action}
	payload["trigger_id"] = s.newTriggerLocked(userID)
	return payload, nil
}

// ViewSubmission submits the open modal viewID as userID with values
// (block_id -> action_id -> value object, e.g.
// {"type":"plain_text_input","value":"x"} or
// {"type":"static_select","selected_option":{"value":"mentor"}}) and waits
// for the acknowledgement, which it then applies as Slack does: an empty
// ack closes the modal ("view_close"), response_action "errors" shows the
// errors ("view_errors"), "update" replaces the view ("view_update"),
// "push" stacks a new one ("view_push"), "clear" closes the whole stack.
// It fails without delivering anything when the view is not the person's
// top open modal or a block_id/action_id is not an input of the view.
func (s *Server) ViewSubmission(ctx context.Context, userID, viewID string, values map[string]map[string]any) (Ack, error) {
	s.mu.Lock()
	payload, err := s.viewSubmissionPayloadLocked(userID, viewID, values)
	var body json.RawMessage
	if err == nil {
		body = mustJSON(payload) // under the lock: payload shares the stored view
	}
	s.mu.Unlock()
	if err != nil {
		return Ack{}, fmt.Errorf("slacktest: view submission %s: %w", viewID, err)
	}
	ack, err := s.Deliver(ctx, Envelope{Type: "interactive", Payload: body, AcceptsResponsePayload: true})
	if err != nil {
		return ack, fmt.Errorf("slacktest: view submission %s: %w", viewID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyViewSubmissionAckLocked(userID, viewID, ack)
	return ack, nil
}

func (s *Server) viewSubmissionPayloadLocked(userID, viewID string, values map[string]map[string]any) (map[string]any, error) {
	u, ok := s.users[userID]
	if !ok {
		return nil, fmt.Errorf("unknown user %q", userID)
	}
	v, ok := s.views[viewID]
	switch {
	case !ok:
		return nil, fmt.Errorf("no view %s", viewID)
	case v.typ != "modal":
		return nil, fmt.Errorf("view %s is a %s view, not a modal", viewID, v.typ)
	case v.owner != userID:
		return nil, fmt.Errorf("view %s belongs to %s", viewID, v.owner)
	case !v.open:
		return nil, fmt.Errorf("view %s is closed", viewID)
	}
	if stack := s.modalStacks[userID]; len(stack) == 0 || stack[len(stack)-1] != viewID {
		return nil, fmt.Errorf("view %s is not the modal on top", viewID)
	}
	if _, hasSubmit := v.data["submit"]; !hasSubmit {
		return nil, fmt.Errorf("view %s has no submit button", viewID)
	}
	state := map[string]any{}
	for blockID, byAction := range values {
		block, ok := findBlock(v.data["blocks"], blockID)
		if !ok || block["type"] != "input" {
			return nil, fmt.Errorf("view %s has no input block %q", viewID, blockID)
		}
		elem, _ := block["element"].(map[string]any)
		out := map[string]any{}
		for actionID, val := range byAction {
			if elem == nil || elem["action_id"] != actionID {
				return nil, fmt.Errorf("input block %q has no element with action_id %q", blockID, actionID)
			}
			out[actionID] = completeValue(elem, val)
		}
		state[blockID] = out
	}
	data := make(map[string]any, len(v.data))
	for k, val := range v.data {
		data[k] = val
	}
	data["state"] = map[string]any{"values": state}
	return map[string]any{
		"type":                  "view_submission",
		"team":                  s.payloadTeam(),
		"user":                  s.payloadUser(u),
		"api_app_id":            s.opts.AppID,
		"token":                 verificationToken,
		"trigger_id":            s.newTriggerLocked(userID),
		"view":                  data,
		"response_urls":         []any{},
		"is_enterprise_install": false,
	}, nil
}

// completeValue fills in what Slack adds to a submitted value: the element
// type and the text of a selected option.
func completeValue(elem map[string]any, val any) any {
	m, ok := val.(map[string]any)
	if !ok {
		return val
	}
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if _, ok := out["type"]; !ok {
		out["type"] = elem["type"]
	}
	if sel, ok := out["selected_option"].(map[string]any); ok && sel["text"] == nil {
		if value, _ := sel["value"].(string); value != "" {
			if opt, ok := findOption(elem, value); ok {
				out["selected_option"] = opt
			}
		}
	}
	return out
}

// findBlock returns the block with blockID.
func findBlock(blocks any, blockID string) (map[string]any, bool) {
	list, _ := blocks.([]any)
	for _, item := range list {
		if b, ok := item.(map[string]any); ok && b["block_id"] == blockID {
			return b, true
		}
	}
	return nil, false
}

// applyViewSubmissionAckLocked does what Slack does with the ack of a
// view_submission.
func (s *Server) applyViewSubmissionAckLocked(userID, viewID string, ack Ack) {
	v := s.views[viewID]
	fail := func(why string) {
		s.addRecordLocked(Record{Kind: "error", Via: "ack", User: userID, ViewID: viewID, Text: why})
	}
	switch {
	case ack.Dropped:
		return
	case ack.Latency > s.ackTimeout:
		fail("We had some trouble connecting. Try again? (the app did not respond within 3 seconds)")
		return
	case len(ack.Payload) == 0:
		s.closeTopModalLocked(userID, v)
		return
	}
	var resp struct {
		ResponseAction string            `json:"response_action"`
		View           json.RawMessage   `json:"view"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack.Payload, &resp); err != nil {
		fail("the app's response could not be read: " + err.Error())
		return
	}
	switch resp.ResponseAction {
	case "":
		s.closeTopModalLocked(userID, v)
	case "clear":
		for _, id := range s.modalStacks[userID] {
			s.views[id].open = false
			s.addRecordLocked(Record{Kind: "view_close", Via: "ack", User: userID, ViewID: id})
		}
		delete(s.modalStacks, userID)
	case "errors":
		for blockID := range resp.Errors {
			if b, ok := findBlock(v.data["blocks"], blockID); !ok || b["type"] != "input" {
				fail(fmt.Sprintf("response_action errors names %q, which is not an input block", blockID))
				return
			}
		}
		s.addRecordLocked(Record{Kind: "view_errors", Via: "ack", User: userID, ViewID: viewID, View: v.json(), Errors: resp.Errors})
	case "update":
		data, aerr := s.prepareViewLocked(resp.View, "modal")
		if aerr != nil {
			fail("invalid response_action update: " + joinErrors(append([]string{aerr.code}, aerr.messages...)))
			return
		}
		s.setViewDataLocked(v, data)
		s.viewRecordLocked("view_update", "ack", v)
	case "push":
		data, aerr := s.prepareViewLocked(resp.View, "modal")
		if aerr != nil {
			fail("invalid response_action push: " + joinErrors(append([]string{aerr.code}, aerr.messages...)))
			return
		}
		nv, aerr := s.pushModalLocked(userID, data)
		if aerr != nil {
			fail("response_action push: " + aerr.code)
			return
		}
		s.viewRecordLocked("view_push", "ack", nv)
	default:
		fail(fmt.Sprintf("unknown response_action %q", resp.ResponseAction))
	}
}

// closeTopModalLocked closes v, the person's top modal, uncovering the one
// below it if any.
func (s *Server) closeTopModalLocked(userID string, v *view) {
	v.open = false
	stack := s.modalStacks[userID]
	if n := len(stack); n > 0 && stack[n-1] == v.id {
		stack = stack[:n-1]
	}
	if len(stack) == 0 {
		delete(s.modalStacks, userID)
	} else {
		s.modalStacks[userID] = stack
	}
	s.addRecordLocked(Record{Kind: "view_close", Via: "ack", User: userID, ViewID: v.id})
}

// AppHomeOpened delivers an app_home_opened event (Events API over Socket
// Mode) for userID opening the app's Home tab, and waits for the ack. The
// event carries the person's published Home view, if any.
func (s *Server) AppHomeOpened(ctx context.Context, userID string) (Ack, error) {
	s.mu.Lock()
	if _, ok := s.users[userID]; !ok {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slacktest: app_home_opened by unknown user %q", userID)
	}
	dm := s.dmLocked(userID)
	n := s.nextIDLocked()
	now := s.opts.Now()
	event := map[string]any{
		"type":     "app_home_opened",
		"user":     userID,
		"channel":  dm.id,
		"tab":      "home",
		"event_ts": s.nextTSLocked(),
	}
	if id, ok := s.homeViews[userID]; ok {
		event["view"] = s.views[id].data
	}
	payload := map[string]any{
		"token":      verificationToken,
		"team_id":    s.opts.TeamID,
		"api_app_id": s.opts.AppID,
		"event":      event,
		"type":       "event_callback",
		"event_id":   fmt.Sprintf("Ev%010d", n),
		"event_time": now.Unix(),
		"authorizations": []any{map[string]any{
			"enterprise_id": "", "team_id": s.opts.TeamID, "user_id": s.opts.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         fmt.Sprintf("4-slacktest-%d", n),
	}
	body := mustJSON(payload)
	s.mu.Unlock()
	ack, err := s.Deliver(ctx, Envelope{Type: "events_api", Payload: body})
	if err != nil {
		return ack, fmt.Errorf("slacktest: app_home_opened: %w", err)
	}
	return ack, nil
}
