package slacktest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// checkinBot is a tiny bot in the shape of mentorbot's check-in flow: the
// "We met" button answers through response_url, the notes button opens a
// modal, and the modal refuses empty notes.
type checkinBot struct {
	t  *testing.T
	mu sync.Mutex
	cb []slack.InteractionCallback
}

func (cb *checkinBot) handle(b *testBot, evt socketmode.Event) any {
	ic, ok := evt.Data.(slack.InteractionCallback)
	if !ok {
		return nil
	}
	cb.mu.Lock()
	cb.cb = append(cb.cb, ic)
	cb.mu.Unlock()
	ctx := context.Background()
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		act := ic.ActionCallback.BlockActions[0]
		switch act.ActionID {
		case "checkin_met":
			_, _, err := b.api.PostMessageContext(ctx, ic.Channel.ID, slack.MsgOptionReplaceOriginal(ic.ResponseURL),
				slack.MsgOptionText("You met this week: "+act.Value, false))
			if err != nil {
				cb.t.Errorf("response_url: %v", err)
			}
		case "checkin_notes":
			_, err := b.api.OpenViewContext(ctx, ic.TriggerID, notesModal())
			if err != nil {
				cb.t.Errorf("views.open: %v", err)
			}
		}
	case slack.InteractionTypeViewSubmission:
		notes := ic.View.State.Values["notes"]["notes_input"].Value
		if notes == "" {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{"notes": "Tell your partner something"})
		}
		if notes == "more" {
			m := notesModal()
			m.Title = slack.NewTextBlockObject(slack.PlainTextType, "Thanks!", false, false)
			return slack.NewUpdateViewSubmissionResponse(&m)
		}
	}
	return nil
}

func (cb *checkinBot) last() slack.InteractionCallback {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.cb[len(cb.cb)-1]
}

func notesModal() slack.ModalViewRequest {
	progress := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "progress_select",
		slack.NewOptionBlockObject("3", slack.NewTextBlockObject(slack.PlainTextType, "3 - some", false, false), nil),
		slack.NewOptionBlockObject("4", slack.NewTextBlockObject(slack.PlainTextType, "4 - good", false, false), nil))
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      "checkin_notes",
		PrivateMetadata: "checkin:42",
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "Check-in notes", false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("notes", slack.NewTextBlockObject(slack.PlainTextType, "What did you discuss?", false, false), nil,
				slack.NewPlainTextInputBlockElement(nil, "notes_input")),
			slack.NewInputBlock("progress", slack.NewTextBlockObject(slack.PlainTextType, "Progress", false, false), nil, progress),
		}},
	}
}

func checkinBlocks() []slack.Block {
	return []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Did you meet this week?", false, false), nil, nil),
		slack.NewActionBlock("",
			slack.NewButtonBlockElement("checkin_met", "week-1", slack.NewTextBlockObject(slack.PlainTextType, "We met", false, false)),
			slack.NewButtonBlockElement("checkin_notes", "week-1", slack.NewTextBlockObject(slack.PlainTextType, "Add notes", false, false))),
	}
}

func TestBlockActionAndViewSubmission(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	cb := &checkinBot{t: t}
	bot := startBot(t, srv, cb.handle)

	_, ts, err := bot.api.PostMessageContext(ctx, "U1", slack.MsgOptionText("Weekly check-in", false), slack.MsgOptionBlocks(checkinBlocks()...))
	if err != nil {
		t.Fatal(err)
	}

	// A click on "We met", answered through response_url.
	if _, err := srv.BlockAction(ctx, "U1", BlockActionSpec{ActionID: "checkin_met", MessageTS: ts}); err != nil {
		t.Fatalf("BlockAction: %v", err)
	}
	ic := cb.last()
	act := ic.ActionCallback.BlockActions[0]
	if ic.Container.Type != "message" || ic.Container.ChannelID != "DU1" || ic.Channel.ID != "DU1" || ic.Message.Timestamp != ts ||
		ic.User.ID != "U1" || ic.TriggerID == "" || ic.ResponseURL == "" || act.Value != "week-1" || act.Text.Text != "We met" ||
		act.BlockID == "" || act.Type != "button" || len(ic.Message.Blocks.BlockSet) != 2 {
		t.Fatalf("block_actions as parsed by slack-go = %+v", ic)
	}
	r, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "update" })
	if err != nil || r.Via != "response_url" || r.TS != ts || r.Text != "You met this week: week-1" {
		t.Fatalf("update record %+v, %v", r, err)
	}
	h, err := bot.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DU1"})
	if err != nil || h.Messages[0].Text != "You met this week: week-1" {
		t.Fatalf("history after replace_original: %v %+v", err, h)
	}

	// An element the message does not have cannot be clicked.
	if _, err := srv.BlockAction(ctx, "U1", BlockActionSpec{ActionID: "nope", MessageTS: ts}); err == nil {
		t.Fatal("clicked a missing element")
	}

	// The message now has no buttons (replace_original without blocks).
	post := func() string {
		_, ts, err := bot.api.PostMessageContext(ctx, "U1", slack.MsgOptionText("Weekly check-in", false), slack.MsgOptionBlocks(checkinBlocks()...))
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	ts2 := post()
	before := len(srv.Records())
	if _, err := srv.BlockAction(ctx, "U1", BlockActionSpec{ActionID: "checkin_notes", MessageTS: ts2, ChannelID: "DU1"}); err != nil {
		t.Fatalf("BlockAction notes: %v", err)
	}
	open, err := srv.WaitRecordAfter(ctx, before, func(r Record) bool { return r.Kind == "view_open" })
	if err != nil || open.User != "U1" || open.ViewID == "" {
		t.Fatalf("view_open %+v, %v", open, err)
	}

	// Empty notes: the bot answers with errors and the modal stays.
	if _, err := srv.ViewSubmission(ctx, "U1", open.ViewID, map[string]map[string]any{
		"notes": {"notes_input": map[string]any{"type": "plain_text_input", "value": ""}},
	}); err != nil {
		t.Fatalf("ViewSubmission: %v", err)
	}
	errRec, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "view_errors" })
	if err != nil || errRec.Errors["notes"] != "Tell your partner something" || errRec.ViewID != open.ViewID {
		t.Fatalf("view_errors %+v, %v", errRec, err)
	}

	// "more": the bot updates the modal in its ack.
	if _, err := srv.ViewSubmission(ctx, "U1", open.ViewID, map[string]map[string]any{
		"notes": {"notes_input": map[string]any{"value": "more"}},
	}); err != nil {
		t.Fatalf("ViewSubmission: %v", err)
	}
	upd, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "view_update" })
	if err != nil || upd.Via != "ack" || upd.ViewID != open.ViewID || !strings.Contains(RecordText(upd), "Thanks!") {
		t.Fatalf("view_update %+v, %v", upd, err)
	}

	// Real notes: the modal closes.
	if _, err := srv.ViewSubmission(ctx, "U1", open.ViewID, map[string]map[string]any{
		"notes":    {"notes_input": map[string]any{"type": "plain_text_input", "value": "goals for Q3"}},
		"progress": {"progress_select": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "4"}}},
	}); err != nil {
		t.Fatalf("ViewSubmission: %v", err)
	}
	ic = cb.last()
	sel := ic.View.State.Values["progress"]["progress_select"].SelectedOption
	if ic.Type != slack.InteractionTypeViewSubmission || ic.View.CallbackID != "checkin_notes" || ic.View.PrivateMetadata != "checkin:42" ||
		ic.View.ID != open.ViewID || sel.Value != "4" || sel.Text == nil || sel.Text.Text != "4 - good" {
		t.Fatalf("view_submission as parsed by slack-go = %+v", ic.View)
	}
	if _, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "view_close" && r.ViewID == open.ViewID }); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ViewSubmission(ctx, "U1", open.ViewID, nil); err == nil {
		t.Fatal("submitted a closed modal")
	}
	if _, err := srv.ViewSubmission(ctx, "U1", "V404", nil); err == nil {
		t.Fatal("submitted an unknown view")
	}
}

func TestResponseURL(t *testing.T) {
	clock := newFakeClock()
	srv := newTestServer(t, Options{Now: clock.Now})
	ctx := testCtx(t)
	urls := make(chan string, 4)
	bot := startBot(t, srv, func(_ *testBot, evt socketmode.Event) any {
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			urls <- cmd.ResponseURL
		}
		return nil
	})
	reply := func(url, responseType, text string) error {
		_, _, err := bot.api.PostMessageContext(ctx, DefaultCommandChannel, slack.MsgOptionResponseURL(url, responseType), slack.MsgOptionText(text, false))
		return err
	}
	is404 := func(err error) bool {
		var sce slack.StatusCodeError
		return errors.As(err, &sce) && sce.Code == 404
	}

	if _, err := srv.SlashCommand(ctx, "U1", "/mentor", "pair"); err != nil {
		t.Fatal(err)
	}
	url := <-urls
	for i := range responseURLUses {
		if err := reply(url, slack.ResponseTypeEphemeral, fmt.Sprintf("reply %d", i)); err != nil {
			t.Fatalf("use %d: %v", i+1, err)
		}
	}
	if err := reply(url, slack.ResponseTypeEphemeral, "one too many"); !is404(err) {
		t.Fatalf("sixth use: %v, want a 404", err)
	}
	var got []string
	for _, r := range srv.Records() {
		if r.Kind == "ephemeral" && r.Via == "response_url" && r.User == "U1" && r.Channel == DefaultCommandChannel {
			got = append(got, r.Text)
		}
	}
	if len(got) != responseURLUses || got[4] != "reply 4" {
		t.Fatalf("ephemeral replies = %q", got)
	}
	calls := srv.Calls("response_url")
	if len(calls) != 6 || calls[5].Status != 404 || calls[5].Error != "expired_url" {
		t.Fatalf("response_url calls = %+v", calls)
	}

	// in_channel replies are channel messages, in history.
	if _, err := srv.SlashCommand(ctx, "U2", "/kudos", "<@U1|alice> thanks"); err != nil {
		t.Fatal(err)
	}
	url = <-urls
	if err := reply(url, slack.ResponseTypeInChannel, "Kudos to <@U1>!"); err != nil {
		t.Fatal(err)
	}
	r, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "message" && r.Via == "response_url" })
	if err != nil || r.Channel != DefaultCommandChannel {
		t.Fatalf("in_channel record %+v, %v", r, err)
	}

	// Expiry after 30 minutes.
	if _, err := srv.SlashCommand(ctx, "U1", "/mentor", "status"); err != nil {
		t.Fatal(err)
	}
	url = <-urls
	clock.Advance(30*time.Minute + time.Second)
	if err := reply(url, slack.ResponseTypeEphemeral, "late"); !is404(err) {
		t.Fatalf("expired url: %v, want a 404", err)
	}
	if err := reply(strings.TrimSuffix(srv.APIURL(), "api/")+"response/nope", slack.ResponseTypeEphemeral, "x"); !is404(err) {
		t.Fatalf("unknown url: %v, want a 404", err)
	}
}

func TestSlashCommandAckInChannelAndBotNotInChannel(t *testing.T) {
	srv := newTestServer(t, Options{})
	srv.AddChannel("C2", "team-x", false)
	ctx := testCtx(t)
	var postErr error
	var mu sync.Mutex
	startBot(t, srv, func(b *testBot, evt socketmode.Event) any {
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			return nil
		}
		if cmd.Text == "ephemeral-api" {
			_, err := b.api.PostEphemeralContext(context.Background(), cmd.ChannelID, cmd.UserID, slack.MsgOptionText("hi", false))
			mu.Lock()
			postErr = err
			mu.Unlock()
			return nil
		}
		return map[string]any{"response_type": "in_channel", "text": "Kudos!"}
	})
	if _, err := srv.SlashCommandIn(ctx, "U1", "C2", "/mentor", "ephemeral-api"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	err := postErr
	mu.Unlock()
	if got := slackError(t, err); got != "not_in_channel" {
		t.Fatalf("chat.postEphemeral where the bot is not a member: %q", got)
	}
	if _, err := srv.SlashCommandIn(ctx, "U1", "DU1", "/kudos", "x"); err != nil {
		t.Fatal(err)
	}
	r, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "message" })
	if err != nil || r.Via != "ack" || r.Channel != "DU1" || r.Text != "Kudos!" {
		t.Fatalf("in_channel ack %+v, %v", r, err)
	}
	if _, err := srv.SlashCommandIn(ctx, "U1", "C404", "/mentor", ""); err == nil {
		t.Fatal("slash command in an unknown channel")
	}
	if _, err := srv.SlashCommand(ctx, "U404", "/mentor", ""); err == nil {
		t.Fatal("slash command by an unknown user")
	}
}

func TestAppHome(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	var (
		mu     sync.Mutex
		events []*slackevents.AppHomeOpenedEvent
		clicks []slack.InteractionCallback
	)
	startBot(t, srv, func(b *testBot, evt socketmode.Event) any {
		switch data := evt.Data.(type) {
		case slackevents.EventsAPIEvent:
			ev, ok := data.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
			if !ok {
				t.Errorf("inner event %T", data.InnerEvent.Data)
				return nil
			}
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
			home := homeView("Your mentoring")
			home.Blocks.BlockSet = append(home.Blocks.BlockSet, slack.NewActionBlock("home_actions",
				slack.NewButtonBlockElement("goal_add", "", slack.NewTextBlockObject(slack.PlainTextType, "Add a goal", false, false))))
			if _, err := b.api.PublishViewContext(context.Background(), slack.PublishViewContextRequest{UserID: ev.User, View: home}); err != nil {
				t.Errorf("views.publish: %v", err)
			}
		case slack.InteractionCallback:
			mu.Lock()
			clicks = append(clicks, data)
			mu.Unlock()
		}
		return nil
	})
	for range 2 {
		if _, err := srv.AppHomeOpened(ctx, "U1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.WaitCall(ctx, "views.publish", 2); err != nil {
		t.Fatal(err)
	}
	var pubs []Record
	for _, r := range srv.Records() {
		if r.Kind == "view_publish" {
			pubs = append(pubs, r)
		}
	}
	if len(pubs) != 2 || pubs[0].ViewID != pubs[1].ViewID || pubs[0].User != "U1" {
		t.Fatalf("publish records = %+v", pubs)
	}
	mu.Lock()
	first, second := events[0], events[1]
	mu.Unlock()
	if first.Channel != "DU1" || first.Tab != "home" || first.View != nil || second.View == nil || second.View.ID != pubs[0].ViewID {
		t.Fatalf("app_home_opened events: %+v, %+v", first, second)
	}

	if _, err := srv.BlockAction(ctx, "U1", BlockActionSpec{ActionID: "goal_add", ViewID: pubs[0].ViewID}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	click := clicks[0]
	mu.Unlock()
	if click.Container.Type != "view" || click.Container.ViewID != pubs[0].ViewID || click.View.Type != slack.VTHomeTab ||
		click.ActionCallback.BlockActions[0].BlockID != "home_actions" || click.ResponseURL != "" {
		t.Fatalf("home click = %+v", click)
	}
	if _, err := srv.BlockAction(ctx, "U2", BlockActionSpec{ActionID: "goal_add", ViewID: pubs[0].ViewID}); err == nil {
		t.Fatal("clicked someone else's Home tab")
	}
}

func TestEphemeralButtonAndOnRecord(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []Record
	)
	srv := newTestServer(t, Options{OnRecord: func(r Record) {
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
	}})
	ctx := testCtx(t)
	startBot(t, srv, func(b *testBot, evt socketmode.Event) any {
		switch data := evt.Data.(type) {
		case slack.SlashCommand:
			return map[string]any{"text": "Really forget everything?", "blocks": []slack.Block{
				slack.NewActionBlock("", slack.NewButtonBlockElement("forget_confirm", "yes", slack.NewTextBlockObject(slack.PlainTextType, "Forget me", false, false))),
			}}
		case slack.InteractionCallback:
			if !data.Container.IsEphemeral {
				t.Errorf("container not ephemeral: %+v", data.Container)
			}
			_, _, err := b.api.PostMessageContext(context.Background(), data.Channel.ID, slack.MsgOptionReplaceOriginal(data.ResponseURL), slack.MsgOptionText("Done: forgotten", false))
			if err != nil {
				t.Errorf("replace ephemeral: %v", err)
			}
		}
		return nil
	})
	if _, err := srv.SlashCommand(ctx, "U3", "/mentor", "forget"); err != nil {
		t.Fatal(err)
	}
	eph, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "ephemeral" })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.BlockAction(ctx, "U2", BlockActionSpec{ActionID: "forget_confirm", MessageTS: eph.TS}); err == nil {
		t.Fatal("someone else clicked an ephemeral button")
	}
	if _, err := srv.BlockAction(ctx, "U3", BlockActionSpec{ActionID: "forget_confirm", MessageTS: eph.TS}); err != nil {
		t.Fatal(err)
	}
	upd, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "update" })
	if err != nil || upd.TS != eph.TS || upd.User != "U3" || upd.Text != "Done: forgotten" {
		t.Fatalf("update %+v, %v", upd, err)
	}
	srv.Close() // flushes OnRecord
	mu.Lock()
	defer mu.Unlock()
	all := srv.Records()
	if len(seen) != len(all) {
		t.Fatalf("OnRecord saw %d of %d records", len(seen), len(all))
	}
	for i := range all {
		if seen[i].Seq != i+1 || seen[i].Kind != all[i].Kind {
			t.Fatalf("OnRecord order: %+v vs %+v", seen[i], all[i])
		}
	}
}

func TestWaitRecordHonoursContext(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := srv.WaitRecord(ctx, func(Record) bool { return true }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if err := srv.WaitCall(ctx, "chat.postMessage", 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

func TestLateAckShowsError(t *testing.T) {
	srv := newTestServer(t, Options{})
	srv.ackTimeout = 20 * time.Millisecond // Slack's is 3 s
	ctx := testCtx(t)
	startBot(t, srv, func(_ *testBot, evt socketmode.Event) any {
		if evt.Type == socketmode.EventTypeSlashCommand {
			time.Sleep(60 * time.Millisecond) // a slow bot, the behaviour under test
			return map[string]any{"text": "too late"}
		}
		return nil
	})
	ack, err := srv.SlashCommand(ctx, "U1", "/mentor", "stats")
	if err != nil {
		t.Fatal(err)
	}
	recs := srv.Records()
	if ack.Latency <= srv.ackTimeout || len(recs) != 1 || recs[0].Kind != "error" || !strings.Contains(recs[0].Text, "operation_timeout") || recs[0].User != "U1" {
		t.Fatalf("latency %v, records %+v", ack.Latency, recs)
	}
}
