package slacktest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// TestMain keeps this package's own traffic out of a payload log that CI
// collects for the conformance gate: these tests send malformed payloads on
// purpose, to see the double refuse them. Tests that want a log set
// Options.PayloadDir.
func TestMain(m *testing.M) {
	os.Unsetenv(PayloadDirEnv)
	os.Exit(m.Run())
}

// readPayloadLog returns the lines of the one payload log file in dir.
func readPayloadLog(t *testing.T, dir string) []map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil || len(files) != 1 {
		t.Fatalf("payload log files in %s: %v, %v; want one", dir, files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("payload log line %q: %v", sc.Text(), err)
		}
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestPayloadLogRecordsWhatTheAppSent(t *testing.T) {
	dir := t.TempDir()
	srv := newTestServer(t, Options{PayloadDir: dir})
	ctx := testCtx(t)
	var respURL string
	bot := startBot(t, srv, func(b *testBot, evt socketmode.Event) any {
		switch evt.Type {
		case socketmode.EventTypeSlashCommand:
			respURL = evt.Data.(slack.SlashCommand).ResponseURL
			return map[string]any{"response_type": "ephemeral", "text": "hi"}
		case socketmode.EventTypeInteractive:
			return map[string]any{"response_action": "errors", "errors": map[string]string{"b": "no"}}
		}
		return nil
	})

	// A form body: JSON fields decoded, booleans and integers typed, no token.
	if _, _, err := bot.api.PostMessageContext(ctx, "U1", slack.MsgOptionText("hello", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*hello*", false, false), nil, nil)),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "e", EventPayload: map[string]any{"id": "1"}})); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: "DU1", Limit: 5, Inclusive: true, Latest: "1700000000.000100"}); err != nil {
		t.Fatal(err)
	}
	// A JSON body: kept as sent.
	trigger := srv.newTestTrigger("U1")
	modal := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "m", Title: slack.NewTextBlockObject(slack.PlainTextType, "Form", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Send", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("b", slack.NewTextBlockObject(slack.PlainTextType, "Name", false, false), nil,
			slack.NewPlainTextInputBlockElement(nil, "a"))}}}
	view, err := bot.api.OpenViewContext(ctx, trigger, modal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.SlashCommand(ctx, "U1", "/mentor", "help"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ViewSubmission(ctx, "U1", view.ID, map[string]map[string]any{"b": {"a": map[string]any{"type": "plain_text_input", "value": "x"}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := bot.api.PostMessageContext(ctx, DefaultCommandChannel, slack.MsgOptionResponseURL(respURL, slack.ResponseTypeEphemeral),
		slack.MsgOptionText("later", false)); err != nil {
		t.Fatal(err)
	}
	bot.stop()

	byKind := map[string][]map[string]any{}
	for _, l := range readPayloadLog(t, dir) {
		key := l["kind"].(string)
		if m, ok := l["method"].(string); ok {
			key += " " + m
		}
		byKind[key] = append(byKind[key], l)
	}
	post := byKind["api chat.postMessage"]
	if len(post) != 1 {
		t.Fatalf("chat.postMessage lines: %v", post)
	}
	args := post[0]["args"].(map[string]any)
	if post[0]["encoding"] != "form" || args["text"] != "hello" || args["channel"] != "U1" {
		t.Errorf("chat.postMessage line = %v", post[0])
	}
	if _, ok := args["token"]; ok {
		t.Errorf("token recorded: %v", args)
	}
	wantBlocks := []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*hello*"}}}
	if !reflect.DeepEqual(args["blocks"], wantBlocks) {
		t.Errorf("blocks = %#v, want %#v", args["blocks"], wantBlocks)
	}
	if md, ok := args["metadata"].(map[string]any); !ok || md["event_type"] != "e" {
		t.Errorf("metadata = %#v, want an object", args["metadata"])
	}
	hist := byKind["api conversations.history"]
	if len(hist) != 1 {
		t.Fatalf("conversations.history lines: %v", hist)
	}
	if a := hist[0]["args"].(map[string]any); a["limit"] != float64(5) || a["inclusive"] != true || a["latest"] != "1700000000.000100" {
		t.Errorf("conversations.history args = %v: want limit a number, inclusive a boolean, latest a string", a)
	}
	open := byKind["api views.open"]
	if len(open) != 1 || open[0]["encoding"] != "json" {
		t.Fatalf("views.open lines: %v", open)
	}
	if v, ok := open[0]["args"].(map[string]any)["view"].(map[string]any); !ok || v["callback_id"] != "m" {
		t.Errorf("views.open view = %#v", open[0]["args"])
	}
	acks := byKind["ack"]
	if len(acks) != 2 {
		t.Fatalf("ack lines: %v", acks)
	}
	if acks[0]["envelope_type"] != "slash_commands" || acks[0]["payload"].(map[string]any)["text"] != "hi" {
		t.Errorf("slash command ack line = %v", acks[0])
	}
	if acks[1]["envelope_type"] != "interactive" || acks[1]["interaction_type"] != "view_submission" ||
		acks[1]["payload"].(map[string]any)["response_action"] != "errors" {
		t.Errorf("view submission ack line = %v", acks[1])
	}
	ru := byKind["response_url"]
	if len(ru) != 1 || !strings.Contains(mustString(ru[0]["body"]), `"text":"later"`) {
		t.Errorf("response_url lines: %v", ru)
	}
}

func TestNoPayloadLogByDefault(t *testing.T) {
	srv := newTestServer(t, Options{})
	if srv.payloads != nil {
		t.Fatalf("payload log %s open without PayloadDir or %s", srv.payloads.path, PayloadDirEnv)
	}
}

func mustString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// newTestTrigger issues a trigger_id for userID, as a click would.
func (s *Server) newTestTrigger(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newTriggerLocked(userID)
}
