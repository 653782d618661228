package demo

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// surface is something on screen that holds Block Kit elements: a message (by its TS)
// or a view (by its ID).
type surface struct {
	channel string // messages
	ts      string
	user    string // an ephemeral message's person, or a view's owner
	viewID  string
	view    map[string]any
	blocks  []any
	rec     slacktest.Record // the record that last changed it
}

// screens is what is on screen after a run of records: messages not deleted, Home
// tabs, and open modals.
type screens struct {
	surfaces map[string]*surface // by TS or view ID
	modals   map[string][]string // user ID -> open modal view IDs, bottom first
}

// fold replays records, oldest first, as Slack's clients would show them.
func fold(records []slacktest.Record) screens {
	s := screens{surfaces: map[string]*surface{}, modals: map[string][]string{}}
	closeModal := func(user, id string) {
		delete(s.surfaces, id)
		s.modals[user] = slices.DeleteFunc(s.modals[user], func(v string) bool { return v == id })
	}
	for _, r := range records {
		switch r.Kind {
		case "message", "ephemeral", "update":
			var blocks []any
			_ = json.Unmarshal(r.Blocks, &blocks)
			s.surfaces[r.TS] = &surface{channel: r.Channel, ts: r.TS, user: r.User, blocks: blocks, rec: r}
		case "delete":
			delete(s.surfaces, r.TS)
		case "view_open", "view_push", "view_update", "view_publish":
			if r.Kind == "view_open" {
				for _, id := range s.modals[r.User] {
					closeModal(r.User, id)
				}
			}
			if r.Kind == "view_open" || r.Kind == "view_push" {
				s.modals[r.User] = append(s.modals[r.User], r.ViewID)
			}
			view := decodeObject(r.View)
			s.surfaces[r.ViewID] = &surface{user: r.User, viewID: r.ViewID, view: view, blocks: list(view, "blocks"), rec: r}
		case "view_close":
			closeModal(r.User, r.ViewID)
		}
	}
	return s
}

// visible reports whether userID sees sf: their own views and ephemeral messages,
// messages in their DM or a group DM they are in, and messages in channels.
func (sf *surface) visible(userID string, n Names) bool {
	switch {
	case sf.viewID != "" || sf.user != "":
		return sf.user == userID
	case strings.HasPrefix(sf.channel, "D"):
		return sf.channel == "D"+userID
	}
	if members, ok := n.Groups[sf.channel]; ok {
		return slices.Contains(members, userID)
	}
	return true
}

// clickable finds the newest element with actionID that userID sees. When value
// names the value of one of several buttons with that action_id, that button's block
// is returned, since its block_id is what tells them apart.
func (s screens) clickable(userID, actionID, value string, n Names) (sf *surface, blockID string, elem map[string]any, ok bool) {
	for _, cand := range s.byNewest(userID, n) {
		for _, raw := range cand.blocks {
			b, _ := raw.(map[string]any)
			for _, e := range elements(b) {
				if str(e, "action_id") != actionID {
					continue
				}
				if elem == nil || (str(e, "type") == "button" && value != "" && str(e, "value") == value) {
					sf, blockID, elem = cand, str(b, "block_id"), e
				}
			}
		}
		if elem != nil {
			return sf, blockID, elem, true
		}
	}
	return nil, "", nil, false
}

// actionIDs lists the action_ids of the elements userID sees, newest first.
func (s screens) actionIDs(userID string, n Names) []string {
	var ids []string
	for _, sf := range s.byNewest(userID, n) {
		for _, raw := range sf.blocks {
			b, _ := raw.(map[string]any)
			for _, e := range elements(b) {
				if id := str(e, "action_id"); !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// byNewest returns the surfaces userID sees, the most recently changed first.
func (s screens) byNewest(userID string, n Names) []*surface {
	var out []*surface
	for _, sf := range s.surfaces {
		if sf.visible(userID, n) {
			out = append(out, sf)
		}
	}
	slices.SortFunc(out, func(a, b *surface) int { return b.rec.Seq - a.rec.Seq })
	return out
}

// topModal is the modal userID has on top, if any.
func (s screens) topModal(userID string) (*surface, bool) {
	stack := s.modals[userID]
	if len(stack) == 0 {
		return nil, false
	}
	sf, ok := s.surfaces[stack[len(stack)-1]]
	return sf, ok
}

// home is userID's Home tab, if the bot has published one.
func (s screens) home(userID string) (*surface, bool) {
	for _, sf := range s.surfaces {
		if sf.user == userID && str(sf.view, "type") == "home" {
			return sf, true
		}
	}
	return nil, false
}
