package slacktest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
)

// PayloadDirEnv names the environment variable that sets Options.PayloadDir
// for every Server of a process that leaves it empty. CI sets it for the
// whole `go test` run so that each end-to-end test's traffic is kept
// without changing any test; internal/slacktest/conformance then checks it
// against Slack's published TypeScript definitions and Block Kit limits.
const PayloadDirEnv = "MENTORBOT_PAYLOAD_DIR"

// A payload log holds, one JSON object a line, every payload the app sent
// to Slack: each Web API call's arguments, each Socket Mode ack payload and
// each response_url body. Each process appends to its own file in the
// directory, <program>-<pid>.jsonl, shared by all its Servers:
//
//	{"kind":"api","method":"chat.postMessage","encoding":"form","args":{...}}
//	{"kind":"ack","envelope_type":"slash_commands","payload":{...}}
//	{"kind":"ack","envelope_type":"interactive","interaction_type":"view_submission","payload":{...}}
//	{"kind":"response_url","body":{...}}
//
// Arguments are recorded as Slack's type definitions describe them, not as
// text: the token is left out (slack-go sends it as a header; a form field
// is the same credential), form fields that carry JSON (blocks, view,
// metadata, ...) are the JSON they carry, and form fields Slack documents
// as booleans or integers are booleans or numbers when they read as such.
// Anything that does not decode is kept as the text that was sent, so a
// malformed field fails the check instead of disappearing.
type payloadLine struct {
	Kind            string          `json:"kind"`
	Method          string          `json:"method,omitempty"`
	Encoding        string          `json:"encoding,omitempty"`
	Args            map[string]any  `json:"args,omitempty"`
	EnvelopeType    string          `json:"envelope_type,omitempty"`
	InteractionType string          `json:"interaction_type,omitempty"`
	Payload         json.RawMessage `json:"payload,omitempty"`
	Body            json.RawMessage `json:"body,omitempty"`
	// Raw is a body that is not JSON, as text; the checker rejects it.
	Raw string `json:"raw,omitempty"`
}

// Form fields by what they carry, for the Web API methods the double
// implements (see the method pages on docs.slack.dev).
var (
	formJSONFields = map[string]bool{
		"blocks": true, "attachments": true, "view": true, "metadata": true, "files": true, "unfurls": true,
	}
	formBoolFields = map[string]bool{
		"as_user": true, "inclusive": true, "include_all_metadata": true, "include_locale": true,
		"link_names": true, "mrkdwn": true, "prevent_creation": true, "reply_broadcast": true,
		"return_im": true, "unfurl_links": true, "unfurl_media": true,
	}
	formIntFields = map[string]bool{"limit": true, "length": true}
)

var (
	intText      = regexp.MustCompile(`^-?[0-9]+$`)
	unsafeInPath = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
)

// payloadLog appends payload lines to one file; safe for concurrent use.
type payloadLog struct {
	mu   sync.Mutex
	path string
	f    *os.File
}

var (
	payloadLogsMu sync.Mutex
	payloadLogs   = map[string]*payloadLog{} // by directory: one file per process
)

// openPayloadLog returns the process's log in dir, creating dir and the
// file on first use; nil when dir is "".
func openPayloadLog(dir string) (*payloadLog, error) {
	if dir == "" {
		return nil, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("slacktest: payload dir: %w", err)
	}
	payloadLogsMu.Lock()
	defer payloadLogsMu.Unlock()
	if l, ok := payloadLogs[abs]; ok {
		return l, nil
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("slacktest: payload dir: %w", err)
	}
	prog := unsafeInPath.ReplaceAllString(filepath.Base(os.Args[0]), "_")
	path := filepath.Join(abs, fmt.Sprintf("%s-%d.jsonl", prog, os.Getpid()))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("slacktest: payload log: %w", err)
	}
	l := &payloadLog{path: path, f: f}
	payloadLogs[abs] = l
	return l, nil
}

// logPayload appends line to the Server's payload log, if it has one.
func (s *Server) logPayload(line payloadLine) {
	l := s.payloads
	if l == nil {
		return
	}
	b, err := json.Marshal(line)
	if err != nil {
		s.log.Error("payload not logged", "kind", line.Kind, "err", err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		s.log.Error("payload not logged", "path", l.path, "err", err)
	}
}

// logAPICall logs a Web API request's arguments.
func (s *Server) logAPICall(req *apiRequest) {
	if s.payloads == nil {
		return
	}
	line := payloadLine{Kind: "api", Method: req.method, Args: map[string]any{}}
	if req.fields != nil {
		line.Encoding = "json"
		for k, raw := range req.fields {
			if k != "token" {
				line.Args[k] = raw
			}
		}
	} else {
		line.Encoding = "form"
		for k, vs := range req.params {
			if k == "token" || len(vs) == 0 {
				continue
			}
			if len(vs) == 1 {
				line.Args[k] = formValue(k, vs[0])
				continue
			}
			all := make([]any, len(vs))
			for i, v := range vs {
				all[i] = formValue(k, v)
			}
			line.Args[k] = all
		}
	}
	s.logPayload(line)
}

// formValue is a form field's value as its type says.
func formValue(key, v string) any {
	switch {
	case formJSONFields[key]:
		var x any
		if json.Unmarshal([]byte(v), &x) == nil {
			return x
		}
	case formBoolFields[key]:
		switch v {
		case "true", "1":
			return true
		case "false", "0":
			return false
		}
	case formIntFields[key]:
		if intText.MatchString(v) {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return n
			}
		}
	}
	return v
}

// logAck logs an acknowledgement's payload; an ack without one has nothing
// to check.
func (s *Server) logAck(env Envelope, payload json.RawMessage) {
	if s.payloads == nil || len(payload) == 0 {
		return
	}
	line := payloadLine{Kind: "ack", EnvelopeType: env.Type, Payload: payload}
	if env.Type == "interactive" {
		var p struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(env.Payload, &p)
		line.InteractionType = p.Type
	}
	s.logPayload(line)
}

// logResponseURL logs a body posted to a response_url.
func (s *Server) logResponseURL(body []byte) {
	if s.payloads == nil {
		return
	}
	if json.Valid(body) {
		s.logPayload(payloadLine{Kind: "response_url", Body: body})
		return
	}
	s.logPayload(payloadLine{Kind: "response_url", Raw: string(body)})
}
