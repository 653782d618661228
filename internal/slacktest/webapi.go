package slacktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxRequestBody bounds what the double reads from one request.
const maxRequestBody = 8 << 20

// apiRequest is a Web API request with its parameters, however they came.
type apiRequest struct {
	method string
	token  string
	params url.Values                 // every parameter as text
	fields map[string]json.RawMessage // JSON bodies: the raw top-level fields
	body   []byte
}

func (r *apiRequest) str(key string) string { return r.params.Get(key) }

func (r *apiRequest) has(key string) bool { _, ok := r.params[key]; return ok }

// jsonParam returns a parameter that carries JSON (blocks, view, metadata):
// a JSON value in JSON bodies (or a string holding JSON), a string holding
// JSON in forms.
func (r *apiRequest) jsonParam(key string) (json.RawMessage, bool) {
	if raw, ok := r.fields[key]; ok {
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 && raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				return json.RawMessage(s), true
			}
		}
		return raw, true
	}
	if r.fields == nil && r.has(key) {
		return json.RawMessage(r.str(key)), true
	}
	return nil, false
}

// apiError is an ok:false answer.
type apiError struct {
	code     string
	messages []string // response_metadata.messages, e.g. block validation
}

func errCode(code string, messages ...string) *apiError {
	return &apiError{code: code, messages: messages}
}

type apiHandler func(*Server, *apiRequest) (map[string]any, *apiError)

// apiMethods are the Web API methods the double implements. Handlers run
// with s.mu held.
var apiMethods = map[string]apiHandler{
	"auth.test":             (*Server).apiAuthTest,
	"apps.connections.open": (*Server).apiConnectionsOpen,
	"chat.postMessage":      (*Server).apiPostMessage,
	"chat.postEphemeral":    (*Server).apiPostEphemeral,
	"chat.update":           (*Server).apiUpdate,
	"conversations.open":    (*Server).apiConversationsOpen,
	"conversations.history": (*Server).apiConversationsHistory,
	"users.info":            (*Server).apiUsersInfo,
	"views.open":            (*Server).apiViewsOpen,
	"views.push":            (*Server).apiViewsPush,
	"views.update":          (*Server).apiViewsUpdate,
	"views.publish":         (*Server).apiViewsPublish,

	"files.getUploadURLExternal":   (*Server).apiGetUploadURLExternal,
	"files.completeUploadExternal": (*Server).apiCompleteUploadExternal,
}

// handleAPI serves POST (and GET) /api/<method>.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	req, perr := parseAPIRequest(r, method)

	s.mu.Lock()
	call := Call{Method: method, Token: req.token, Params: req.params, Body: req.body, Status: http.StatusOK}
	var (
		resp       map[string]any
		aerr       *apiError
		retryAfter int
	)
	handler, known := apiMethods[method]
	switch {
	case perr != nil:
		aerr = errCode("invalid_form_data", perr.Error())
	case !known:
		aerr = errCode("unknown_method")
	default:
		aerr = s.authorize(method, req.token)
	}
	if aerr == nil {
		if ra, refused := s.meteredLocked(method); refused {
			call.Status = http.StatusTooManyRequests
			retryAfter = ra
			aerr = errCode("ratelimited")
		} else if f, ok := s.rateLimits[method]; ok {
			f.n--
			if f.n <= 0 {
				delete(s.rateLimits, method)
			} else {
				s.rateLimits[method] = f
			}
			call.Status = http.StatusTooManyRequests
			retryAfter = max(1, int(math.Ceil(f.retryAfter.Seconds())))
			aerr = errCode("ratelimited")
		} else if f, ok := s.failures[method]; ok {
			f.n--
			if f.n <= 0 {
				delete(s.failures, method)
			} else {
				s.failures[method] = f
			}
			aerr = errCode(f.err)
		}
	}
	if aerr == nil {
		resp, aerr = handler(s, req)
	}
	if aerr != nil {
		call.Error = aerr.code
		resp = map[string]any{"ok": false, "error": aerr.code}
		if len(aerr.messages) > 0 {
			resp["response_metadata"] = map[string]any{"messages": aerr.messages}
		}
	} else {
		if resp == nil {
			resp = map[string]any{}
		}
		resp["ok"] = true
	}
	s.calls = append(s.calls, call)
	s.broadcastLocked()
	s.mu.Unlock()
	s.logAPICall(req)

	if aerr != nil {
		s.log.Debug("api call failed", "method", method, "error", aerr.code, "messages", aerr.messages)
	}
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	writeJSON(w, call.Status, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "slacktest: encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// parseAPIRequest reads the token and parameters of a Web API request from
// a form or JSON body, the query string and the Authorization header. It
// always returns a usable request, with an error when the body is broken.
func parseAPIRequest(r *http.Request, method string) (*apiRequest, error) {
	req := &apiRequest{method: method, params: url.Values{}}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		req.token = strings.TrimSpace(strings.TrimPrefix(auth, "Bearer "))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return req, fmt.Errorf("reading body: %w", err)
	}
	req.body = body
	for k, vs := range r.URL.Query() {
		req.params[k] = append(req.params[k], vs...)
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ctype == "application/json":
		req.fields = map[string]json.RawMessage{}
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &req.fields); err != nil {
				return req, fmt.Errorf("decoding JSON body: %w", err)
			}
		}
		for k, raw := range req.fields {
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				req.params.Set(k, s)
			} else {
				var buf bytes.Buffer
				if json.Compact(&buf, raw) == nil {
					req.params.Set(k, buf.String())
				} else {
					req.params.Set(k, string(raw))
				}
			}
		}
	case len(body) > 0:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return req, fmt.Errorf("decoding form body: %w", err)
		}
		for k, vs := range form {
			req.params[k] = append(req.params[k], vs...)
		}
	}
	if req.token == "" {
		req.token = req.params.Get("token")
	}
	return req, nil
}

// authorize checks the token for method: apps.connections.open takes the
// app-level token, everything else the bot token.
func (s *Server) authorize(method, token string) *apiError {
	want, other := s.opts.BotToken, s.opts.AppToken
	if method == "apps.connections.open" {
		want, other = other, want
	}
	switch token {
	case "":
		return errCode("not_authed")
	case want:
		return nil
	case other:
		return errCode("not_allowed_token_type")
	default:
		return errCode("invalid_auth")
	}
}

func (s *Server) apiAuthTest(*apiRequest) (map[string]any, *apiError) {
	return map[string]any{
		"url":                   "https://" + s.opts.TeamName + ".slack.com/",
		"team":                  s.opts.TeamName,
		"user":                  s.opts.BotName,
		"team_id":               s.opts.TeamID,
		"user_id":               s.opts.BotUserID,
		"bot_id":                s.opts.BotID,
		"is_enterprise_install": false,
	}, nil
}

func (s *Server) apiConnectionsOpen(*apiRequest) (map[string]any, *apiError) {
	ticket := fmt.Sprintf("%d-%016x", s.nextIDLocked(), uint64(s.seq)*0x94d049bb133111eb)
	s.tickets[ticket] = true
	u := "ws://" + strings.TrimPrefix(s.base, "http://") + "/link/?ticket=" + ticket + "&app_id=" + url.QueryEscape(s.opts.AppID)
	return map[string]any{"url": u}, nil
}

// postTargetLocked resolves the channel argument of chat.postMessage and
// chat.postEphemeral: a channel ID, or a user ID meaning that person's DM.
func (s *Server) postTargetLocked(id string) (*channel, *apiError) {
	if id == "" {
		return nil, errCode("channel_not_found")
	}
	if id[0] == 'U' || id[0] == 'W' {
		u, ok := s.users[id]
		switch {
		case !ok:
			return nil, errCode("channel_not_found")
		case u.IsBot:
			return nil, errCode("cannot_dm_bot")
		case u.Deleted:
			return nil, errCode("user_disabled")
		}
		return s.dmLocked(id), nil
	}
	ch, ok := s.channels[id]
	if !ok {
		return nil, errCode("channel_not_found")
	}
	if !ch.botMember {
		return nil, errCode("not_in_channel")
	}
	if ch.kind == kindIM {
		if u, ok := s.users[ch.user]; ok && u.Deleted {
			return nil, errCode("user_disabled")
		}
	}
	return ch, nil
}

// messageContent reads and validates text, blocks and metadata of a chat.*
// call. Absent fields are reported as nil so chat.update can keep them.
type messageContent struct {
	text        *string
	blocks      json.RawMessage // validated, with generated IDs; nil for "[]"
	hasBlocks   bool            // blocks was sent ("[]" clears a message's blocks)
	metadata    json.RawMessage
	hasMetadata bool
}

func (s *Server) messageContentLocked(req *apiRequest) (messageContent, *apiError) {
	var mc messageContent
	if req.has("text") {
		t := req.str("text")
		if utf8.RuneCountInString(t) > maxMessageTextLen {
			return mc, errCode("msg_too_long")
		}
		mc.text = &t
	}
	if raw, ok := req.jsonParam("blocks"); ok && len(bytes.TrimSpace(raw)) > 0 {
		blocks, err := decodeJSON(raw)
		if err != nil {
			return mc, errCode("invalid_blocks_format", "[ERROR] blocks must be a JSON array: "+err.Error())
		}
		if errs := validateMessageBlocks(blocks); len(errs) > 0 {
			return mc, errCode("invalid_blocks", errs...)
		}
		mc.hasBlocks = true
		if list, _ := blocks.([]any); len(list) > 0 {
			s.assignIDsLocked(blocks)
			mc.blocks = mustJSON(blocks)
		}
	}
	if raw, ok := req.jsonParam("metadata"); ok && len(bytes.TrimSpace(raw)) > 0 {
		md, err := parseMetadata(raw)
		if err != nil {
			return mc, errCode("invalid_metadata_format", "[ERROR] "+err.Error())
		}
		mc.metadata, mc.hasMetadata = md, true
	}
	return mc, nil
}

// parseMetadata checks message metadata: an object with a non-empty
// event_type string and an event_payload object.
func parseMetadata(raw json.RawMessage) (json.RawMessage, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("metadata must be JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("metadata must be an object")
	}
	if et, _ := m["event_type"].(string); et == "" {
		return nil, fmt.Errorf("metadata.event_type must be a non-empty string")
	}
	if _, ok := m["event_payload"].(map[string]any); !ok {
		return nil, fmt.Errorf("metadata.event_payload must be an object")
	}
	return mustJSON(m), nil
}

func (s *Server) apiPostMessage(req *apiRequest) (map[string]any, *apiError) {
	ch, aerr := s.postTargetLocked(req.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	mc, aerr := s.messageContentLocked(req)
	if aerr != nil {
		return nil, aerr
	}
	if (mc.text == nil || *mc.text == "") && len(mc.blocks) == 0 && !req.has("attachments") {
		return nil, errCode("no_text")
	}
	m := &message{ts: s.nextTSLocked(), threadTS: req.str("thread_ts"), user: s.opts.BotUserID, blocks: mc.blocks, metadata: mc.metadata}
	if mc.text != nil {
		m.text = *mc.text
	}
	s.storeMessageLocked(ch, m)
	s.addRecordLocked(Record{Kind: "message", Via: "api", Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, Text: m.text, Blocks: m.blocks, Metadata: m.metadata})
	return map[string]any{"channel": ch.id, "ts": m.ts, "message": m.wire(s, true)}, nil
}

func (s *Server) apiPostEphemeral(req *apiRequest) (map[string]any, *apiError) {
	ch, aerr := s.postTargetLocked(req.str("channel"))
	if aerr != nil {
		return nil, aerr
	}
	u, ok := s.users[req.str("user")]
	if !ok || u.Deleted {
		return nil, errCode("user_not_found")
	}
	mc, aerr := s.messageContentLocked(req)
	if aerr != nil {
		return nil, aerr
	}
	if (mc.text == nil || *mc.text == "") && len(mc.blocks) == 0 && !req.has("attachments") {
		return nil, errCode("no_text")
	}
	text := ""
	if mc.text != nil {
		text = *mc.text
	}
	ts := s.postEphemeralLocked(ch.id, u.ID, text, mc.blocks, "api")
	return map[string]any{"message_ts": ts}, nil
}

// postEphemeralLocked shows an ephemeral message and keeps it so its
// buttons can be clicked.
func (s *Server) postEphemeralLocked(channelID, userID, text string, blocks json.RawMessage, via string) string {
	ts := s.nextTSLocked()
	s.ephemerals[ts] = &ephemeral{channel: channelID, user: userID, ts: ts, text: text, blocks: blocks}
	s.addRecordLocked(Record{Kind: "ephemeral", Via: via, Channel: channelID, User: userID, TS: ts, Text: text, Blocks: blocks})
	return ts
}

func (s *Server) apiUpdate(req *apiRequest) (map[string]any, *apiError) {
	ch, ok := s.channels[req.str("channel")]
	if !ok {
		return nil, errCode("channel_not_found")
	}
	m, ok := s.messages[req.str("ts")]
	if !ok || m.channel != ch.id || m.deleted {
		return nil, errCode("message_not_found")
	}
	if m.user != s.opts.BotUserID {
		return nil, errCode("cant_update_message")
	}
	mc, aerr := s.messageContentLocked(req)
	if aerr != nil {
		return nil, aerr
	}
	// Absent fields keep their old value, as in Slack.
	text, blocks, metadata := m.text, m.blocks, m.metadata
	if mc.text != nil {
		text = *mc.text
	}
	if mc.hasBlocks {
		blocks = mc.blocks
	}
	if mc.hasMetadata {
		metadata = mc.metadata
	}
	if text == "" && len(blocks) == 0 {
		return nil, errCode("no_text")
	}
	m.text, m.blocks, m.metadata = text, blocks, metadata
	m.edited = s.nextTSLocked()
	s.addRecordLocked(Record{Kind: "update", Via: "api", Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, Text: m.text, Blocks: m.blocks, Metadata: m.metadata})
	return map[string]any{"channel": ch.id, "ts": m.ts, "text": m.text, "message": m.wire(s, true)}, nil
}

func (s *Server) apiConversationsOpen(req *apiRequest) (map[string]any, *apiError) {
	if id := req.str("channel"); id != "" && !req.has("users") {
		ch, ok := s.channels[id]
		if !ok {
			return nil, errCode("channel_not_found")
		}
		return map[string]any{"channel": s.conversationWire(ch), "no_op": true, "already_open": true}, nil
	}
	var ids []string
	seen := map[string]bool{}
	for id := range strings.SplitSeq(req.str("users"), ",") {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	switch {
	case len(ids) == 0:
		return nil, errCode("users_list_not_supplied")
	case len(ids) > maxDMUsers:
		return nil, errCode("too_many_users")
	}
	var people []string
	for _, id := range ids {
		u, ok := s.users[id]
		switch {
		case !ok:
			return nil, errCode("user_not_found")
		case u.Deleted:
			return nil, errCode("user_disabled")
		case id == s.opts.BotUserID:
			continue // the bot is in every conversation it opens
		case u.IsBot:
			return nil, errCode("cannot_dm_bot")
		}
		people = append(people, id)
	}
	var (
		ch      *channel
		existed bool
	)
	switch len(people) {
	case 0:
		return nil, errCode("cannot_dm_bot")
	case 1:
		_, existed = s.channels["D"+people[0]]
		ch = s.dmLocked(people[0])
	default:
		ch, existed = s.groupDMLocked(people)
	}
	s.broadcastLocked()
	return map[string]any{"channel": s.conversationWire(ch), "no_op": existed, "already_open": existed}, nil
}

// conversationWire renders a channel as conversations.open returns it.
func (s *Server) conversationWire(ch *channel) map[string]any {
	out := map[string]any{
		"id":         ch.id,
		"created":    ch.created,
		"is_open":    true,
		"is_im":      ch.kind == kindIM,
		"is_mpim":    ch.kind == kindMPIM,
		"is_private": ch.kind != kindPublic,
		"is_channel": ch.kind == kindPublic,
		"is_group":   ch.kind == kindPrivate,
		"is_member":  ch.botMember,
	}
	if !ch.isDM() {
		out["name"] = ch.name
	}
	if ch.kind == kindIM {
		out["user"] = ch.user
	}
	if ch.kind == kindMPIM {
		out["name"] = ch.name
		out["members"] = append([]string{s.opts.BotUserID}, ch.members...)
	}
	return out
}

// History paging: conversations.history answers at most historyMaxLimit
// messages (historyDefaultLimit when no limit is given).
const (
	historyDefaultLimit = 100
	historyMaxLimit     = 999
	cursorPrefix        = "next_ts:"
)

func (s *Server) apiConversationsHistory(req *apiRequest) (map[string]any, *apiError) {
	ch, ok := s.channels[req.str("channel")]
	if !ok {
		return nil, errCode("channel_not_found")
	}
	if !ch.botMember {
		return nil, errCode("not_in_channel")
	}
	limit := historyDefaultLimit
	if l := req.str("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return nil, errCode("invalid_limit")
		}
		limit = min(max(n, 1), historyMaxLimit)
	}
	inclusive := isTrue(req.str("inclusive"))
	withMeta := isTrue(req.str("include_all_metadata"))
	oldest, latest := int64(0), int64(math.MaxInt64)
	if o := req.str("oldest"); o != "" {
		v, ok := parseTS(o)
		if !ok {
			return nil, errCode("invalid_ts_oldest")
		}
		oldest = v
	}
	if l := req.str("latest"); l != "" {
		v, ok := parseTS(l)
		if !ok {
			return nil, errCode("invalid_ts_latest")
		}
		latest = v
	}
	cursor := int64(math.MaxInt64)
	if c := req.str("cursor"); c != "" {
		dec, err := base64.StdEncoding.DecodeString(c)
		v, ok := parseTS(strings.TrimPrefix(string(dec), cursorPrefix))
		if err != nil || !strings.HasPrefix(string(dec), cursorPrefix) || !ok {
			return nil, errCode("invalid_cursor")
		}
		cursor = v
	}
	var page []map[string]any
	nextCursor := ""
	for i := len(ch.messages) - 1; i >= 0; i-- {
		m := ch.messages[i]
		if m.deleted || (m.threadTS != "" && m.threadTS != m.ts) {
			continue // thread replies are not in the channel's history
		}
		t, _ := parseTS(m.ts)
		if t > cursor || t < oldest || t > latest || (!inclusive && (t == oldest || t == latest)) {
			continue
		}
		if len(page) == limit {
			nextCursor = base64.StdEncoding.EncodeToString([]byte(cursorPrefix + m.ts))
			break
		}
		page = append(page, m.wire(s, withMeta))
	}
	if page == nil {
		page = []map[string]any{}
	}
	return map[string]any{
		"messages":          page,
		"has_more":          nextCursor != "",
		"pin_count":         0,
		"response_metadata": map[string]any{"next_cursor": nextCursor},
	}, nil
}

func isTrue(v string) bool { return v == "1" || v == "true" }

func (s *Server) apiUsersInfo(req *apiRequest) (map[string]any, *apiError) {
	u, ok := s.users[req.str("user")]
	if !ok {
		return nil, errCode("user_not_found")
	}
	return map[string]any{"user": s.userWire(u)}, nil
}

// useTriggerLocked checks and spends a trigger_id.
func (s *Server) useTriggerLocked(id string) (*trigger, *apiError) {
	if id == "" {
		return nil, errCode("invalid_trigger_id")
	}
	t, ok := s.triggers[id]
	if !ok {
		return nil, errCode("invalid_trigger_id")
	}
	if t.used || s.opts.Now().Sub(t.issued) > triggerTTL {
		return nil, errCode("expired_trigger_id")
	}
	return t, nil
}

// viewParamLocked reads, validates and prepares the `view` argument.
func (s *Server) viewParamLocked(req *apiRequest, want string) (map[string]any, *apiError) {
	raw, ok := req.jsonParam("view")
	if !ok || len(bytes.TrimSpace(raw)) == 0 {
		return nil, errCode("invalid_arguments", "[ERROR] missing required field: view [json-pointer:/view]")
	}
	return s.prepareViewLocked(raw, want)
}

func (s *Server) prepareViewLocked(raw json.RawMessage, want string) (map[string]any, *apiError) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, errCode("invalid_arguments", "[ERROR] view must be JSON: "+err.Error())
	}
	data, ok := v.(map[string]any)
	if !ok {
		return nil, errCode("invalid_arguments", "[ERROR] view must be an object [json-pointer:/view]")
	}
	if errs := validateView(data, want); len(errs) > 0 {
		return nil, errCode("invalid_arguments", errs...)
	}
	s.assignIDsLocked(data["blocks"])
	return data, nil
}

// newViewLocked stores a new view owned by owner.
func (s *Server) newViewLocked(owner string, data map[string]any, rootID, previous string) *view {
	v := &view{id: fmt.Sprintf("V%010d", s.nextIDLocked()), owner: owner, open: true}
	if rootID == "" {
		rootID = v.id
	}
	v.rootID, v.previous = rootID, previous
	s.views[v.id] = v
	s.setViewDataLocked(v, data)
	return v
}

// setViewDataLocked replaces v's content, adding the fields Slack adds,
// and gives it a new hash.
func (s *Server) setViewDataLocked(v *view, data map[string]any) {
	v.typ, _ = data["type"].(string)
	v.hash = fmt.Sprintf("%d.%08x", s.opts.Now().Unix(), s.nextIDLocked())
	if ext, _ := data["external_id"].(string); ext != "" {
		if v.externalID != "" && v.externalID != ext {
			delete(s.externalIDs, v.externalID)
		}
		v.externalID = ext
		s.externalIDs[ext] = v.id
	}
	for _, k := range []string{"private_metadata", "callback_id", "external_id"} {
		if _, ok := data[k]; !ok {
			data[k] = ""
		}
	}
	data["id"] = v.id
	data["team_id"] = s.opts.TeamID
	data["state"] = map[string]any{"values": map[string]any{}}
	data["hash"] = v.hash
	data["root_view_id"] = v.rootID
	data["previous_view_id"] = nil
	if v.previous != "" {
		data["previous_view_id"] = v.previous
	}
	data["app_id"] = s.opts.AppID
	data["app_installed_team_id"] = s.opts.TeamID
	data["bot_id"] = s.opts.BotID
	v.data = data
}

func (s *Server) viewRecordLocked(kind, via string, v *view) {
	s.addRecordLocked(Record{Kind: kind, Via: via, User: v.owner, ViewID: v.id, View: v.json()})
}

func (s *Server) apiViewsOpen(req *apiRequest) (map[string]any, *apiError) {
	t, aerr := s.useTriggerLocked(req.str("trigger_id"))
	if aerr != nil {
		return nil, aerr
	}
	data, aerr := s.viewParamLocked(req, "modal")
	if aerr != nil {
		return nil, aerr
	}
	t.used = true
	v := s.openModalLocked(t.user, data)
	s.viewRecordLocked("view_open", "api", v)
	return map[string]any{"view": v.data}, nil
}

// openModalLocked opens a new modal for user, replacing any modal stack
// the person had open.
func (s *Server) openModalLocked(user string, data map[string]any) *view {
	for _, id := range s.modalStacks[user] {
		s.views[id].open = false
	}
	v := s.newViewLocked(user, data, "", "")
	s.modalStacks[user] = []string{v.id}
	return v
}

func (s *Server) apiViewsPush(req *apiRequest) (map[string]any, *apiError) {
	t, aerr := s.useTriggerLocked(req.str("trigger_id"))
	if aerr != nil {
		return nil, aerr
	}
	data, aerr := s.viewParamLocked(req, "modal")
	if aerr != nil {
		return nil, aerr
	}
	v, aerr := s.pushModalLocked(t.user, data)
	if aerr != nil {
		return nil, aerr
	}
	t.used = true
	s.viewRecordLocked("view_push", "api", v)
	return map[string]any{"view": v.data}, nil
}

// pushModalLocked pushes a modal onto user's open stack.
func (s *Server) pushModalLocked(user string, data map[string]any) (*view, *apiError) {
	stack := s.modalStacks[user]
	if len(stack) == 0 {
		return nil, errCode("not_found", "[ERROR] no modal is open to push onto")
	}
	if len(stack) >= modalStackLimit {
		return nil, errCode("push_limit_reached")
	}
	top := s.views[stack[len(stack)-1]]
	v := s.newViewLocked(user, data, top.rootID, top.id)
	s.modalStacks[user] = append(stack, v.id)
	return v, nil
}

func (s *Server) apiViewsUpdate(req *apiRequest) (map[string]any, *apiError) {
	id := req.str("view_id")
	if id == "" {
		ext := req.str("external_id")
		if ext == "" {
			return nil, errCode("invalid_arguments", "[ERROR] view_id or external_id is required")
		}
		id = s.externalIDs[ext]
	}
	v, ok := s.views[id]
	if !ok || !v.open {
		return nil, errCode("not_found")
	}
	if h := req.str("hash"); h != "" && h != v.hash {
		return nil, errCode("hash_conflict")
	}
	data, aerr := s.viewParamLocked(req, v.typ)
	if aerr != nil {
		return nil, aerr
	}
	s.setViewDataLocked(v, data)
	s.viewRecordLocked("view_update", "api", v)
	return map[string]any{"view": v.data}, nil
}

func (s *Server) apiViewsPublish(req *apiRequest) (map[string]any, *apiError) {
	user := req.str("user_id")
	u, ok := s.users[user]
	if !ok || u.Deleted {
		return nil, errCode("user_not_found")
	}
	data, aerr := s.viewParamLocked(req, "home")
	if aerr != nil {
		return nil, aerr
	}
	var v *view
	if id, ok := s.homeViews[user]; ok {
		v = s.views[id]
		if h := req.str("hash"); h != "" && h != v.hash {
			return nil, errCode("hash_conflict")
		}
		s.setViewDataLocked(v, data)
	} else {
		v = s.newViewLocked(user, data, "", "")
		s.homeViews[user] = v.id
	}
	s.viewRecordLocked("view_publish", "api", v)
	return map[string]any{"view": v.data}, nil
}

// expired reports whether a response_url issued at issued is past its life.
func (s *Server) expired(issued time.Time) bool { return s.opts.Now().Sub(issued) > responseURLTTL }
