package slacktest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestAuth(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)

	for _, tc := range []struct {
		name  string
		token string
		want  string
	}{
		{"bot token", DefaultBotToken, ""},
		{"app token", DefaultAppToken, "not_allowed_token_type"},
		{"wrong token", "xoxb-wrong", "invalid_auth"},
		{"no token", "", "not_authed"},
	} {
		t.Run("auth.test/"+tc.name, func(t *testing.T) {
			resp, err := apiClient(srv, tc.token).AuthTestContext(ctx)
			if got := slackError(t, err); got != tc.want {
				t.Fatalf("error = %q, want %q", got, tc.want)
			}
			if tc.want == "" && (resp.UserID != DefaultBotUserID || resp.TeamID != DefaultTeamID || resp.BotID != DefaultBotID) {
				t.Fatalf("auth.test = %+v", resp)
			}
		})
	}

	for _, tc := range []struct {
		name     string
		appToken string
		want     string
	}{
		{"app token", DefaultAppToken, ""},
		{"bot token", DefaultBotToken, "not_allowed_token_type"},
		{"wrong token", "xapp-wrong", "invalid_auth"},
		{"no token", "", "not_authed"},
	} {
		t.Run("apps.connections.open/"+tc.name, func(t *testing.T) {
			api := slack.New(DefaultBotToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(tc.appToken))
			_, wsURL, err := api.StartSocketModeContext(ctx)
			if got := slackError(t, err); got != tc.want {
				t.Fatalf("error = %q, want %q", got, tc.want)
			}
			if tc.want == "" && !strings.HasPrefix(wsURL, "ws://127.0.0.1:") {
				t.Fatalf("url = %q", wsURL)
			}
		})
	}

	t.Run("views.publish with app token", func(t *testing.T) {
		_, err := apiClient(srv, DefaultAppToken).PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: homeView("hi")})
		if got := slackError(t, err); got != "not_allowed_token_type" {
			t.Fatalf("error = %q", got)
		}
	})

	t.Run("unknown method", func(t *testing.T) {
		resp, err := http.PostForm(srv.APIURL()+"chat.nope", url.Values{"token": {DefaultBotToken}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || body.OK || body.Error != "unknown_method" {
			t.Fatalf("got %d %+v", resp.StatusCode, body)
		}
	})

	calls := srv.Calls("auth.test")
	if len(calls) != 4 || calls[1].Error != "not_allowed_token_type" || calls[0].Token != DefaultBotToken {
		t.Fatalf("auth.test calls = %+v", calls)
	}
}

func TestRateLimitAndFailNext(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	api := apiClient(srv, DefaultBotToken)

	srv.RateLimit("chat.postMessage", 1, 1500*time.Millisecond)
	_, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("err = %T %v, want *slack.RateLimitedError", err, err)
	}
	if rl.RetryAfter != 2*time.Second {
		t.Fatalf("RetryAfter = %v, want 2s (rounded up to whole seconds)", rl.RetryAfter)
	}
	if _, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("second post: %v", err)
	}

	srv.FailNext("users.info", 2, "fatal_error")
	for i := range 2 {
		if _, err := api.GetUserInfoContext(ctx, "U1"); slackError(t, err) != "fatal_error" {
			t.Fatalf("call %d: err = %v", i, err)
		}
	}
	u, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil {
		t.Fatalf("third users.info: %v", err)
	}
	if u.Name != "alice" || u.TZ != "Europe/Berlin" || u.TZOffset != 3600 {
		t.Fatalf("user = %+v", u)
	}

	calls := srv.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Status != 429 || calls[0].Error != "ratelimited" || calls[1].Status != 200 {
		t.Fatalf("calls = %+v", calls)
	}
	if got := len(srv.Records()); got != 1 {
		t.Fatalf("%d records, want 1 (the rate-limited post shows nothing)", got)
	}
}

func TestPostErrors(t *testing.T) {
	srv := newTestServer(t, Options{})
	srv.AddUser(User{ID: "U9", Name: "gone", Deleted: true})
	srv.AddUser(User{ID: "U8", Name: "otherbot", IsBot: true})
	srv.AddChannel("C1", "random", false)
	ctx := testCtx(t)
	api := apiClient(srv, DefaultBotToken)

	for _, tc := range []struct {
		name    string
		channel string
		opts    []slack.MsgOption
		want    string
	}{
		{"ok DM by user id", "U1", nil, ""},
		{"ok command channel", DefaultCommandChannel, nil, ""},
		{"not in channel", "C1", nil, "not_in_channel"},
		{"unknown channel", "C404", nil, "channel_not_found"},
		{"unknown user", "U404", nil, "channel_not_found"},
		{"deactivated user", "U9", nil, "user_disabled"},
		{"bot user", "U8", nil, "cannot_dm_bot"},
		{"too long", "U1", []slack.MsgOption{slack.MsgOptionText(strings.Repeat("x", 40001), false)}, "msg_too_long"},
		{"no text", "U1", []slack.MsgOption{slack.MsgOptionText("", false)}, "no_text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if opts == nil {
				opts = []slack.MsgOption{slack.MsgOptionText("hello", false)}
			}
			_, _, err := api.PostMessageContext(ctx, tc.channel, opts...)
			if got := slackError(t, err); got != tc.want {
				t.Fatalf("error = %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("ephemeral to unknown user", func(t *testing.T) {
		_, err := api.PostEphemeralContext(ctx, DefaultCommandChannel, "U404", slack.MsgOptionText("x", false))
		if got := slackError(t, err); got != "user_not_found" {
			t.Fatalf("error = %q", got)
		}
	})
	t.Run("ephemeral", func(t *testing.T) {
		ts, err := api.PostEphemeralContext(ctx, DefaultCommandChannel, "U2", slack.MsgOptionText("psst", false))
		if err != nil || ts == "" {
			t.Fatalf("ts %q, err %v", ts, err)
		}
		r, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "ephemeral" })
		if err != nil || r.User != "U2" || r.Channel != DefaultCommandChannel || r.TS != ts || r.Text != "psst" {
			t.Fatalf("record %+v, err %v", r, err)
		}
	})
	t.Run("update unknown ts", func(t *testing.T) {
		_, _, _, err := api.UpdateMessageContext(ctx, "DU1", "1.000001", slack.MsgOptionText("x", false))
		if got := slackError(t, err); got != "message_not_found" {
			t.Fatalf("error = %q", got)
		}
	})
	t.Run("users.info unknown", func(t *testing.T) {
		_, err := api.GetUserInfoContext(ctx, "U404")
		if got := slackError(t, err); got != "user_not_found" {
			t.Fatalf("error = %q", got)
		}
	})
	t.Run("deactivated users.info", func(t *testing.T) {
		u, err := api.GetUserInfoContext(ctx, "U9")
		if err != nil || !u.Deleted {
			t.Fatalf("user %+v, err %v", u, err)
		}
	})
}

func TestConversationsOpenStableIDs(t *testing.T) {
	srv := newTestServer(t, Options{})
	srv.AddUser(User{ID: "U9", Name: "gone", Deleted: true})
	ctx := testCtx(t)
	api := apiClient(srv, DefaultBotToken)

	open := func(users ...string) (string, bool, error) {
		ch, _, already, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: users})
		if err != nil {
			return "", false, err
		}
		return ch.ID, already, nil
	}
	d1, already, err := open("U1")
	if err != nil || d1 != "DU1" || already {
		t.Fatalf("first open U1 = %q already=%v err=%v", d1, already, err)
	}
	if again, already, _ := open("U1"); again != d1 || !already {
		t.Fatalf("second open U1 = %q already=%v", again, already)
	}
	if id := srv.DMChannelID("U1"); id != d1 {
		t.Fatalf("DMChannelID = %q", id)
	}
	g1, _, err := open("U1", "U2")
	if err != nil || !strings.HasPrefix(g1, "G") {
		t.Fatalf("group = %q, %v", g1, err)
	}
	if g2, _, _ := open("U2", "U1"); g2 != g1 {
		t.Fatalf("same users, other order: %q != %q", g2, g1)
	}
	if g3, _, _ := open("U1", "U2", "U3"); g3 == g1 {
		t.Fatalf("different users share %q", g3)
	}
	for _, tc := range []struct {
		users []string
		want  string
	}{
		{[]string{"U404"}, "user_not_found"},
		{[]string{"U1", "U404"}, "user_not_found"},
		{[]string{"U9"}, "user_disabled"},
		{[]string{"U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"}, "too_many_users"},
	} {
		if _, _, err := open(tc.users...); slackError(t, err) != tc.want {
			t.Errorf("open(%v) err = %v, want %s", tc.users, err, tc.want)
		}
	}

	// Posting to the group DM lands in it.
	ch, ts, err := api.PostMessageContext(ctx, g1, slack.MsgOptionText("intro", false))
	if err != nil || ch != g1 || ts == "" {
		t.Fatalf("post to group: %q %q %v", ch, ts, err)
	}
}

func TestConversationsHistoryWithMetadata(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	api := apiClient(srv, DefaultBotToken)

	var tss []string
	for i, kind := range []string{"mentorbot_checkin", "mentorbot_nudge", "mentorbot_recognition"} {
		_, ts, err := api.PostMessageContext(ctx, "U1",
			slack.MsgOptionText("message "+kind, false),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: kind, EventPayload: map[string]any{"send_id": "s" + string(rune('1'+i))}}))
		if err != nil {
			t.Fatalf("post %s: %v", kind, err)
		}
		tss = append(tss, ts)
	}
	if !(tss[0] < tss[1] && tss[1] < tss[2]) {
		t.Fatalf("timestamps not increasing: %v", tss)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "DU1", tss[0], slack.MsgOptionText("answered: we met", false)); err != nil {
		t.Fatalf("update: %v", err)
	}
	// A reply in a thread is not part of the channel's history.
	if _, _, err := api.PostMessageContext(ctx, "DU1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(tss[2])); err != nil {
		t.Fatalf("thread reply: %v", err)
	}

	h, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DU1", IncludeAllMetadata: true, Limit: 2})
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if len(h.Messages) != 2 || !h.HasMore || h.ResponseMetaData.NextCursor == "" {
		t.Fatalf("first page: %d messages, has_more %v, cursor %q", len(h.Messages), h.HasMore, h.ResponseMetaData.NextCursor)
	}
	if m := h.Messages[0]; m.Timestamp != tss[2] || m.Metadata.EventType != "mentorbot_recognition" || m.Metadata.EventPayload["send_id"] != "s3" || m.User != DefaultBotUserID {
		t.Fatalf("newest message = %+v", m)
	}
	h2, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DU1", IncludeAllMetadata: true, Limit: 2, Cursor: h.ResponseMetaData.NextCursor})
	if err != nil {
		t.Fatalf("history page 2: %v", err)
	}
	if len(h2.Messages) != 1 || h2.HasMore {
		t.Fatalf("second page: %d messages, has_more %v", len(h2.Messages), h2.HasMore)
	}
	if m := h2.Messages[0]; m.Timestamp != tss[0] || m.Text != "answered: we met" || m.Metadata.EventType != "mentorbot_checkin" || m.Edited == nil {
		t.Fatalf("oldest (updated) message = %+v", m)
	}

	plain, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DU1"})
	if err != nil || len(plain.Messages) != 3 {
		t.Fatalf("history without metadata: %v, %d messages", err, len(plain.Messages))
	}
	if plain.Messages[0].Metadata.EventType != "" {
		t.Fatalf("metadata returned without include_all_metadata")
	}
	since, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DU1", Oldest: tss[1]})
	if err != nil || len(since.Messages) != 1 || since.Messages[0].Timestamp != tss[2] {
		t.Fatalf("oldest (exclusive) filter: %v %+v", err, since.Messages)
	}

	if _, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "D404"}); slackError(t, err) != "channel_not_found" {
		t.Fatalf("unknown channel: %v", err)
	}

	// Bad metadata is refused, as by Slack.
	_, _, err = api.PostMessageContext(ctx, "U1", slack.MsgOptionText("x", false), slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "mentorbot_checkin"}))
	if got := slackError(t, err); got != "invalid_metadata_format" {
		t.Fatalf("metadata without payload: %q", got)
	}

	updates := 0
	for _, r := range srv.Records() {
		if r.Kind == "update" && r.TS == tss[0] && r.Via == "api" {
			updates++
		}
	}
	if updates != 1 {
		t.Fatalf("%d update records", updates)
	}
}

func homeView(text string) slack.HomeTabViewRequest {
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil),
	}}}
}

func TestBlockKitLimits(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	api := apiClient(srv, DefaultBotToken)

	section := func(text string) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
	}
	button := func(actionID, text string) slack.BlockElement {
		return slack.NewButtonBlockElement(actionID, "v", slack.NewTextBlockObject(slack.PlainTextType, text, false, false))
	}
	many := func(n int) []slack.Block {
		var out []slack.Block
		for range n {
			out = append(out, section("x"))
		}
		return out
	}
	withID := func(b *slack.SectionBlock, id string) *slack.SectionBlock { b.BlockID = id; return b }

	for _, tc := range []struct {
		name   string
		blocks []slack.Block
		want   string
	}{
		{"ok", []slack.Block{section("hi"), slack.NewActionBlock("a", button("go", "Go"))}, ""},
		{"50 blocks", many(50), ""},
		{"51 blocks", many(51), "invalid_blocks"},
		{"section text 3000", []slack.Block{section(strings.Repeat("é", 3000))}, ""},
		{"section text 3001", []slack.Block{section(strings.Repeat("x", 3001))}, "invalid_blocks"},
		{"empty section text", []slack.Block{section("")}, "invalid_blocks"},
		{"header 151", []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false))}, "invalid_blocks"},
		{"header mrkdwn", []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.MarkdownType, "h", false, false))}, "invalid_blocks"},
		{"button text 76", []slack.Block{slack.NewActionBlock("", button("go", strings.Repeat("b", 76)))}, "invalid_blocks"},
		{"action_id 256", []slack.Block{slack.NewActionBlock("", button(strings.Repeat("a", 256), "Go"))}, "invalid_blocks"},
		{"duplicate action_id", []slack.Block{slack.NewActionBlock("", button("go", "A"), button("go", "B"))}, "invalid_blocks"},
		{"duplicate block_id", []slack.Block{withID(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "a", false, false), nil, nil), "b1"), withID(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "b", false, false), nil, nil), "b1")}, "invalid_blocks"},
		{"block_id 256", []slack.Block{withID(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "a", false, false), nil, nil), strings.Repeat("i", 256))}, "invalid_blocks"},
	} {
		t.Run("message/"+tc.name, func(t *testing.T) {
			_, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(tc.blocks...))
			if got := slackError(t, err); got != tc.want {
				t.Fatalf("error = %q, want %q (%v)", got, tc.want, err)
			}
		})
	}

	t.Run("message/unknown block type", func(t *testing.T) {
		resp, err := http.PostForm(srv.APIURL()+"chat.postMessage", url.Values{
			"token": {DefaultBotToken}, "channel": {"U1"}, "blocks": {`[{"type":"sparkles","text":"x"}]`},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body slack.SlackResponse
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		if body.Error != "invalid_blocks" || len(body.ResponseMetadata.Messages) == 0 || !strings.Contains(body.ResponseMetadata.Messages[0], "/blocks/0/type") {
			t.Fatalf("got %+v", body)
		}
	})

	modal := func(title string, blocks ...slack.Block) slack.ModalViewRequest {
		return slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, title, false, false),
			Submit: slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false), Blocks: slack.Blocks{BlockSet: blocks}}
	}
	input := func(label string) slack.Block {
		return slack.NewInputBlock("in", slack.NewTextBlockObject(slack.PlainTextType, label, false, false), nil,
			slack.NewPlainTextInputBlockElement(nil, "text"))
	}
	for _, tc := range []struct {
		name string
		view slack.ModalViewRequest
		want string
	}{
		{"ok", modal("Check-in notes", input("What did you discuss?")), ""},
		{"title 25", modal(strings.Repeat("t", 25), section("x")), "invalid_arguments"},
		{"submit 25", func() slack.ModalViewRequest {
			m := modal("t", section("x"))
			m.Submit = slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("s", 25), false, false)
			return m
		}(), "invalid_arguments"},
		{"input without submit", func() slack.ModalViewRequest { m := modal("t", input("l")); m.Submit = nil; return m }(), "invalid_arguments"},
		{"label 2001", modal("t", input(strings.Repeat("l", 2001))), "invalid_arguments"},
		{"100 blocks", modal("t", many(100)...), ""},
		{"101 blocks", modal("t", many(101)...), "invalid_arguments"},
	} {
		t.Run("view/"+tc.name, func(t *testing.T) {
			srv.mu.Lock()
			trigger := srv.newTriggerLocked("U1")
			srv.mu.Unlock()
			_, err := api.OpenViewContext(ctx, trigger, tc.view)
			if got := slackError(t, err); got != tc.want {
				t.Fatalf("error = %q, want %q (%v)", got, tc.want, err)
			}
		})
	}

	t.Run("home 101 blocks", func(t *testing.T) {
		v := homeView("x")
		v.Blocks.BlockSet = many(101)
		_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: v})
		if got := slackError(t, err); got != "invalid_arguments" {
			t.Fatalf("error = %q", got)
		}
	})
}

func TestViewsOpenTrigger(t *testing.T) {
	clock := newFakeClock()
	srv := newTestServer(t, Options{Now: clock.Now})
	ctx := testCtx(t)
	api := apiClient(srv, DefaultBotToken)
	issue := func() string {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.newTriggerLocked("U1")
	}
	view := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "kudos", Title: slack.NewTextBlockObject(slack.PlainTextType, "Kudos", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "hi", false, false), nil, nil)}}}

	fresh := issue()
	resp, err := api.OpenViewContext(ctx, fresh, view)
	if err != nil {
		t.Fatalf("views.open: %v", err)
	}
	if !strings.HasPrefix(resp.View.ID, "V") || resp.View.CallbackID != "kudos" || resp.View.Hash == "" {
		t.Fatalf("view = %+v", resp.View)
	}
	r, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "view_open" })
	if err != nil || r.ViewID != resp.View.ID || r.User != "U1" {
		t.Fatalf("record %+v, %v", r, err)
	}

	if _, err := api.OpenViewContext(ctx, fresh, view); slackError(t, err) != "expired_trigger_id" {
		t.Fatalf("reused trigger: %v", err)
	}
	if _, err := api.OpenViewContext(ctx, "123.456.nope", view); slackError(t, err) != "invalid_trigger_id" {
		t.Fatalf("unknown trigger: %v", err)
	}
	late := issue()
	clock.Advance(3*time.Second + time.Millisecond)
	if _, err := api.OpenViewContext(ctx, late, view); slackError(t, err) != "expired_trigger_id" {
		t.Fatalf("late trigger: %v", err)
	}

	// views.update keeps the ID and checks the hash.
	view.Title = slack.NewTextBlockObject(slack.PlainTextType, "Kudos!", false, false)
	up, err := api.UpdateViewContext(ctx, view, "", resp.View.Hash, resp.View.ID)
	if err != nil || up.View.ID != resp.View.ID || up.View.Hash == resp.View.Hash {
		t.Fatalf("views.update: %+v, %v", up, err)
	}
	if _, err := api.UpdateViewContext(ctx, view, "", resp.View.Hash, resp.View.ID); slackError(t, err) != "hash_conflict" {
		t.Fatalf("stale hash: %v", err)
	}
}

func TestFileUpload(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	api := apiClient(srv, DefaultBotToken)
	dm := srv.DMChannelID("U1")
	content := `{"user":"U1","goals":["ship it"]}`
	f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "mydata.json", FileSize: len(content), Content: content, Title: "Your data", InitialComment: "Everything we store about you", Channel: dm,
	})
	if err != nil {
		t.Fatalf("UploadFileContext: %v", err)
	}
	r, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "file" })
	if err != nil || r.File == nil || r.File.ID != f.ID || string(r.File.Content) != content || r.File.Name != "mydata.json" ||
		r.File.Title != "Your data" || r.Channel != dm || r.Text != "Everything we store about you" {
		t.Fatalf("file record %+v (%+v), %v", r, r.File, err)
	}
	_, err = api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: "x.txt", FileSize: 1, Content: "x", Channel: "C404"})
	if err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Fatalf("upload to unknown channel: %v", err)
	}
}
