package slacktest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// handleResponseURL serves POSTs to the response_url of a slash command or
// a message interaction. The JSON body is a message:
// {text, blocks, response_type ("ephemeral" default | "in_channel"),
// replace_original, delete_original, thread_ts}.
func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/response/")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": "invalid_payload"})
		return
	}
	s.logResponseURL(body)
	s.mu.Lock()
	status, code := s.responseURLPostLocked(key, body)
	call := Call{Method: "response_url", Body: body, Status: status, Error: code}
	s.calls = append(s.calls, call)
	s.broadcastLocked()
	s.mu.Unlock()
	if code != "" {
		s.log.Debug("response_url post failed", "status", status, "error", code)
		writeJSON(w, status, map[string]any{"ok": false, "error": code})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// responseURLPostLocked applies one response_url post; it returns the HTTP
// status and, on failure, the error name.
func (s *Server) responseURLPostLocked(key string, body []byte) (int, string) {
	ru, ok := s.responseURLs[key]
	if !ok {
		return http.StatusNotFound, "invalid_url"
	}
	if ru.uses >= responseURLUses || s.expired(ru.issued) {
		return http.StatusNotFound, "expired_url"
	}
	var msg struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		ThreadTS        string          `json:"thread_ts"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		return http.StatusBadRequest, "invalid_payload"
	}
	blocks, errs := s.checkMessageBlocksLocked(msg.Blocks)
	if len(errs) > 0 {
		return http.StatusBadRequest, "invalid_blocks"
	}
	if len(msg.Text) > maxMessageTextLen {
		return http.StatusBadRequest, "msg_too_long"
	}
	ru.uses++

	if msg.DeleteOriginal {
		if o := ru.original; o != nil {
			if o.ephemeral {
				if e, ok := s.ephemerals[o.ts]; ok {
					e.deleted = true
				}
			} else if m, ok := s.messages[o.ts]; ok {
				m.deleted = true
			}
			s.addRecordLocked(Record{Kind: "delete", Via: "response_url", Channel: o.channel, User: s.ephemeralUser(o), TS: o.ts})
			ru.original = nil
		}
		return http.StatusOK, ""
	}
	if msg.Text == "" && blocks == nil {
		return http.StatusBadRequest, "no_text"
	}
	if msg.ReplaceOriginal && ru.original != nil {
		o := ru.original
		if o.ephemeral {
			if e, ok := s.ephemerals[o.ts]; ok {
				e.text, e.blocks = msg.Text, blocks
			}
		} else if m, ok := s.messages[o.ts]; ok {
			m.text, m.blocks, m.edited = msg.Text, blocks, s.nextTSLocked()
		}
		s.addRecordLocked(Record{Kind: "update", Via: "response_url", Channel: o.channel, User: s.ephemeralUser(o), TS: o.ts, Text: msg.Text, Blocks: blocks})
		return http.StatusOK, ""
	}
	if msg.ResponseType == "in_channel" {
		ch, ok := s.channels[ru.channel]
		if !ok {
			return http.StatusNotFound, "channel_not_found"
		}
		m := &message{ts: s.nextTSLocked(), threadTS: msg.ThreadTS, user: s.opts.BotUserID, text: msg.Text, blocks: blocks}
		s.storeMessageLocked(ch, m)
		s.addRecordLocked(Record{Kind: "message", Via: "response_url", Channel: ch.id, TS: m.ts, ThreadTS: m.threadTS, Text: m.text, Blocks: blocks})
		return http.StatusOK, ""
	}
	ts := s.postEphemeralLocked(ru.channel, ru.user, msg.Text, blocks, "response_url")
	if ru.fromCommand {
		// A command's later replace_original acts on its latest reply.
		ru.original = &originalRef{channel: ru.channel, ts: ts, ephemeral: true}
	}
	return http.StatusOK, ""
}

// ephemeralUser is the person an ephemeral original was shown to, or "".
func (s *Server) ephemeralUser(o *originalRef) string {
	if !o.ephemeral {
		return ""
	}
	if e, ok := s.ephemerals[o.ts]; ok {
		return e.user
	}
	return ""
}
