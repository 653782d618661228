package slacktest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Lifetimes and limits of the handles Slack gives an app.
const (
	// triggerTTL: a trigger_id opens a view only within 3 seconds, once.
	triggerTTL = 3 * time.Second
	// responseURLUses and responseURLTTL: a response_url takes at most 5
	// posts within 30 minutes.
	responseURLUses = 5
	responseURLTTL  = 30 * time.Minute
	// modalStackLimit: at most 3 modals can be stacked with views.push.
	modalStackLimit = 3
	// maxDMUsers: conversations.open takes 1 to 8 users.
	maxDMUsers = 8
)

type channelKind int

const (
	kindPublic channelKind = iota
	kindPrivate
	kindIM   // the bot's DM with one person
	kindMPIM // a group DM the bot is in
)

type channel struct {
	id, name  string
	kind      channelKind
	botMember bool
	user      string   // kindIM: the other person
	members   []string // kindMPIM: the people (without the bot)
	created   int64
	messages  []*message // in ts order
}

func (c *channel) isDM() bool { return c.kind == kindIM || c.kind == kindMPIM }

// message is a message stored in a channel's history.
type message struct {
	channel  string
	ts       string
	threadTS string
	user     string
	text     string
	blocks   json.RawMessage // nil when none
	metadata json.RawMessage // nil when none
	edited   string          // ts of the last edit
	deleted  bool
}

// wire renders the message as Slack returns it in API answers and payloads.
func (m *message) wire(s *Server, withMetadata bool) map[string]any {
	out := map[string]any{
		"type":   "message",
		"user":   m.user,
		"text":   m.text,
		"ts":     m.ts,
		"team":   s.opts.TeamID,
		"bot_id": s.opts.BotID,
		"app_id": s.opts.AppID,
	}
	if m.threadTS != "" {
		out["thread_ts"] = m.threadTS
	}
	if len(m.blocks) > 0 {
		out["blocks"] = m.blocks
	}
	if m.edited != "" {
		out["edited"] = map[string]any{"user": m.user, "ts": m.edited}
	}
	if withMetadata && len(m.metadata) > 0 {
		out["metadata"] = m.metadata
	}
	return out
}

// ephemeral is an ephemeral message, kept so a button on it can be clicked.
type ephemeral struct {
	channel, user, ts, text string
	blocks                  json.RawMessage
	deleted                 bool
}

// view is a modal or Home tab view as Slack stores it.
type view struct {
	id, owner, typ   string
	data             map[string]any // the app's view plus Slack's fields
	hash             string
	rootID, previous string
	externalID       string
	open             bool // modals: on screen; home views are always open
}

func (v *view) json() json.RawMessage {
	b, err := json.Marshal(v.data)
	if err != nil { // cannot happen: data came from JSON
		panic(fmt.Sprintf("slacktest: marshal view: %v", err))
	}
	return b
}

// trigger is a trigger_id handed out with an interaction.
type trigger struct {
	user   string
	issued time.Time
	used   bool
}

// responseURL is a response_url handed out with a command or a message
// interaction.
type responseURL struct {
	user, channel string
	issued        time.Time
	uses          int
	// original is what replace_original/delete_original act on: the
	// message a button was on, or the command's last ephemeral reply.
	original    *originalRef
	fromCommand bool
}

type originalRef struct {
	channel, ts string
	ephemeral   bool
}

// dmLocked returns (creating) userID's DM channel with the bot.
func (s *Server) dmLocked(userID string) *channel {
	id := "D" + userID
	if ch, ok := s.channels[id]; ok {
		return ch
	}
	ch := &channel{id: id, name: "directmessage", kind: kindIM, botMember: true, user: userID, created: s.opts.Now().Unix()}
	s.channels[id] = ch
	return ch
}

// groupDMLocked returns (creating) the group DM of the bot with users.
func (s *Server) groupDMLocked(users []string) (ch *channel, existed bool) {
	sorted := slices.Clone(users)
	slices.Sort(sorted)
	key := strings.Join(sorted, ",")
	if id, ok := s.groupDMs[key]; ok {
		return s.channels[id], true
	}
	id := fmt.Sprintf("G%08d", s.nextIDLocked())
	ch = &channel{id: id, name: "mpdm-" + strings.Join(sorted, "--") + "-1", kind: kindMPIM, botMember: true, members: sorted, created: s.opts.Now().Unix()}
	s.channels[id] = ch
	s.groupDMs[key] = id
	return ch, false
}

// storeMessageLocked appends m to its channel's history.
func (s *Server) storeMessageLocked(ch *channel, m *message) {
	m.channel = ch.id
	ch.messages = append(ch.messages, m)
	s.messages[m.ts] = m
}

// newTriggerLocked issues a trigger_id for userID.
func (s *Server) newTriggerLocked(userID string) string {
	n := s.nextIDLocked()
	id := fmt.Sprintf("%d.%s.%016x", s.opts.Now().UnixMilli(), strings.TrimPrefix(s.opts.TeamID, "T"), uint64(n)*0x9e3779b97f4a7c15)
	s.triggers[id] = &trigger{user: userID, issued: s.opts.Now()}
	return id
}

// newResponseURLLocked issues a response_url that posts as the app to
// userID in channelID.
func (s *Server) newResponseURLLocked(userID, channelID string, original *originalRef, fromCommand bool) string {
	n := s.nextIDLocked()
	key := fmt.Sprintf("%s/%d/%016x", s.opts.TeamID, n, uint64(n)*0xbf58476d1ce4e5b9)
	s.responseURLs[key] = &responseURL{user: userID, channel: channelID, issued: s.opts.Now(), original: original, fromCommand: fromCommand}
	return s.base + "/response/" + key
}

// parseTS turns "1700000000.000100" into microseconds; ok is false for
// anything else.
func parseTS(ts string) (int64, bool) {
	secs, frac, found := strings.Cut(ts, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || sec < 0 {
		return 0, false
	}
	var micro int64
	if found {
		if len(frac) > 6 {
			frac = frac[:6]
		}
		frac += strings.Repeat("0", 6-len(frac))
		micro, err = strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, false
		}
	}
	return sec*1_000_000 + micro, true
}

// userWire renders u as users.info returns it.
func (s *Server) userWire(u *User) map[string]any {
	display := u.Name
	out := map[string]any{
		"id":          u.ID,
		"team_id":     s.opts.TeamID,
		"name":        u.Name,
		"deleted":     u.Deleted,
		"real_name":   u.RealName,
		"tz_offset":   u.TZOffset,
		"is_bot":      u.IsBot,
		"is_app_user": false,
		"profile": map[string]any{
			"real_name":               u.RealName,
			"real_name_normalized":    u.RealName,
			"display_name":            display,
			"display_name_normalized": display,
			"status_text":             u.StatusText,
			"status_emoji":            u.StatusEmoji,
			"status_expiration":       u.StatusExpiration,
			"team":                    s.opts.TeamID,
		},
	}
	if u.TZ != "" {
		out["tz"] = u.TZ
		out["tz_label"] = u.TZ
	}
	if u.IsBot && u.ID == s.opts.BotUserID {
		out["profile"].(map[string]any)["bot_id"] = s.opts.BotID
		out["profile"].(map[string]any)["api_app_id"] = s.opts.AppID
	}
	return out
}

// payloadUser renders u as the `user` of an interaction payload.
func (s *Server) payloadUser(u *User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Name, "name": u.Name, "team_id": s.opts.TeamID}
}

func (s *Server) payloadTeam() map[string]any {
	return map[string]any{"id": s.opts.TeamID, "domain": s.opts.TeamName}
}
