package demo

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// startApp connects a small Slack app to srv that exercises what the demo must
// handle: an ephemeral reply with buttons and a menu, a modal with inputs and
// errors, DMs, and a Home tab published on the first visit of alice only.
func startApp(t *testing.T, srv *slacktest.Server) {
	t.Helper()
	api := slack.New(slacktest.DefaultBotToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(slacktest.DefaultAppToken))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = client.RunContext(ctx) })
	var homeShown atomic.Bool
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				handleTestEvent(ctx, client, api, evt, &homeShown)
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := srv.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
}

func handleTestEvent(ctx context.Context, client *socketmode.Client, api *slack.Client, evt socketmode.Event, homeShown *atomic.Bool) {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, _ := evt.Data.(slack.SlashCommand)
		if cmd.Text == "homes" {
			// A Home tab published unasked, as the bot refreshes one, and a DM.
			_ = client.Ack(*evt.Request)
			_, _ = api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: cmd.UserID, View: slack.HomeTabViewRequest{Type: slack.VTHomeTab,
				Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Refreshed home", false, false), nil, nil)}}}})
			_, _, _ = api.PostMessageContext(ctx, cmd.UserID, slack.MsgOptionText("homes done", false))
			return
		}
		if cmd.Text == "group" {
			_ = client.Ack(*evt.Request)
			ch, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{cmd.UserID, "UBERTRAM"}})
			if err == nil {
				_, _, _ = api.PostMessageContext(ctx, ch.ID, slack.MsgOptionBlocks(
					slack.NewActionBlock("g", slack.NewButtonBlockElement("wave", "hi", plain("Wave")))))
			}
			return
		}
		size := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Size"), "size",
			slack.NewOptionBlockObject("s", plain("Small"), nil), slack.NewOptionBlockObject("l", plain("Large"), nil))
		_ = client.Ack(*evt.Request, slack.Msg{Text: "menu", Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "you typed: "+strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(cmd.Text), false, false), nil, nil),
			slack.NewActionBlock("one", slack.NewButtonBlockElement("pick", "1", plain("One"))),
			slack.NewActionBlock("two", slack.NewButtonBlockElement("pick", "2", plain("Two")), size,
				slack.NewButtonBlockElement("open", "", plain("Open form"))),
		}}})
	case socketmode.EventTypeInteractive:
		cb, _ := evt.Data.(slack.InteractionCallback)
		switch cb.Type {
		case slack.InteractionTypeBlockActions:
			_ = client.Ack(*evt.Request)
			a := cb.ActionCallback.BlockActions[0]
			if a.ActionID == "open" {
				name := slack.NewInputBlock("name", plain("Name"), nil, slack.NewPlainTextInputBlockElement(nil, "name"))
				buddy := slack.NewInputBlock("buddy", plain("Buddy"), nil, slack.NewOptionsSelectBlockElement(slack.OptTypeUser, nil, "buddy"))
				buddy.Optional = true
				_, _ = api.OpenViewContext(ctx, cb.TriggerID, slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "form",
					Title: plain("Form"), Submit: plain("Send"), Blocks: slack.Blocks{BlockSet: []slack.Block{name, buddy}}})
				return
			}
			_, _, _ = api.PostMessageContext(ctx, cb.User.ID, slack.MsgOptionText("clicked "+a.ActionID+"="+a.Value+a.SelectedOption.Value, false))
		case slack.InteractionTypeViewSubmission:
			v := cb.View.State.Values
			if v["name"]["name"].Value == "bad" {
				_ = client.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"name": "Not that name."}))
				return
			}
			_ = client.Ack(*evt.Request)
			_, _, _ = api.PostMessageContext(ctx, cb.User.ID, slack.MsgOptionText("name="+v["name"]["name"].Value+" buddy=<@"+v["buddy"]["buddy"].SelectedUser+">", false))
		}
	case socketmode.EventTypeEventsAPI:
		_ = client.Ack(*evt.Request)
		ev, _ := evt.Data.(slackevents.EventsAPIEvent)
		if home, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && home.User == "UALICE" && !homeShown.Swap(true) {
			_, _ = api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: home.User, View: slack.HomeTabViewRequest{Type: slack.VTHomeTab,
				Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Welcome home", false, false), nil, nil)}}}})
		}
	}
}

// sunday is where test clocks start: Sunday 3 January 2027, 12:00 UTC, as
// DefaultStart would have it that week.
var sunday = time.Date(2027, 1, 3, 12, 0, 0, 0, time.UTC)

func newServer(t *testing.T) (*slacktest.Server, Workspace) { return newServerOn(t, nil) }

// newServerOn starts a Server holding the sample workspace, on the clock now (nil:
// time.Now).
func newServerOn(t *testing.T, now func() time.Time) (*slacktest.Server, Workspace) {
	t.Helper()
	srv, err := slacktest.New(slacktest.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ws := SampleWorkspace()
	if err := ws.AddTo(srv); err != nil {
		t.Fatal(err)
	}
	return srv, ws
}

// TestRun plays a session against a small app and checks what each input printed.
func TestDemoRun(t *testing.T) {
	clock := NewClock(sunday)
	srv, ws := newServerOn(t, clock.Now)
	startApp(t, srv)
	steps := []struct {
		line string
		want []string
		// notWant must not be printed: Home tabs print only when asked, and once.
		notWant []string
	}{
		{"help", []string{"click <name> <action_id> [value]", "<name>: click <label> [on <which>]", "submit <name> [block_id=value …]", "alice: /mentor help", "dms <name>", "clock next checkin|nudge|recognition"}, nil},
		{"who", []string{"alice     UALICE    Europe/Berlin", "admin", "#kudos    CKUDOS", "at Sunday 3 January 2027, 12:00 UTC", "now Sun 13:00"}, nil},
		{"# a comment: alice: /test menu", nil, nil},
		{"alice: /test menu @bertram & #kudos", []string{
			"── alice sees (only you, in #general) ──",
			"you typed: menu <@UBERTRAM|bertram> &amp; <#CKUDOS|kudos>",
			"[One]  ← alice: click One", "[Two] [Open form]  ← alice: click <label>", "[Size ▾] (click alice size <s|l>)",
		}, nil},
		{"click alice pick 2", []string{"── DM to alice ──", "clicked pick=2"}, nil},
		{"alice: click one", []string{"── DM to alice ──", "clicked pick=1"}, nil},
		{"click alice Two", []string{"── DM to alice ──", "clicked pick=2"}, nil},
		{"click alice size Large", []string{"── DM to alice ──", "clicked size=l"}, nil},
		{"alice: click Open form", []string{`── modal "Form" open for alice ──`, `Name:  name="…"`, "Buddy (optional):  buddy=@name", "submit alice name=… buddy=…"}, nil},
		{"submit alice name=bad", []string{`── alice's modal "Form" was not accepted ──`, "! Name (name): Not that name."}, nil},
		{`alice: submit name="Ada L" buddy=@chen`, []string{"── alice's modal closed ──", "── DM to alice ──", "name=Ada L buddy=@chen"}, nil},
		{"", []string{"(nothing new in Slack)"}, nil},
		{"alice: /test group", []string{"── group DM with alice, bertram ──", "[Wave]  ← <name>: click Wave"}, nil},
		{"click bertram wave", []string{"── DM to bertram ──", "clicked wave=hi"}, nil},
		{"bertram: click wave", []string{"── DM to bertram ──", "clicked wave=hi"}, nil},
		{"click chen wave", []string{"error: chen sees nothing to click"}, nil},
		{"chen: click Wave", []string{"error: chen sees no button to click"}, nil},
		{"alice: click Three", []string{`error: alice sees no button "Three"; what alice can click: "Wave", "One", "Two", "Open form"`}, nil},
		{"alice: click", []string{"error: write it as: alice: click <label>"}, nil},
		{"frobnicate", []string{`error: I don't know "frobnicate"`}, nil},
		{"click alice", []string{"error: write it as: click <name> <action_id> [value]"}, nil},
		{"click bob pick", []string{`error: no one called "bob" here`}, nil},
		{"click alice nothing", []string{`error: alice sees nothing with action_id "nothing"; what alice can click: wave, pick, size, open; or by label: "Wave", "One", "Two", "Open form"`}, nil},
		{"submit bertram", []string{"error: bertram has no modal open"}, nil},
		{"alice: /test homes", []string{"── DM to alice ──", "homes done"}, []string{"Home tab", "Refreshed home"}},
		{"home alice", []string{"── alice's Home tab ──\n  Welcome home"}, []string{"Refreshed home", "did not change", "Welcome home\n──"}},
		{"home alice", []string{"(the Home tab did not change; alice sees what the bot published before:)\n── alice's Home tab ──\n  Welcome home"}, nil},
		{"home dana", []string{"(dana's Home tab is empty: the bot has published nothing there)"}, nil},
		{"dms alice", []string{"── DM to alice · Sunday 3 January, 13:00 ──", "clicked pick=2", "name=Ada L buddy=@chen", "── group DM with alice, bertram · Sunday 3 January, 13:00 ──", "[Wave]  ← <name>: click Wave", "homes done"}, nil},
		{"dms chen", []string{"(chen has received no DM yet)"}, nil},
		{"quit", nil, nil},
		{"bertram: /test after quit", nil, nil},
	}
	var in strings.Builder
	for _, s := range steps {
		in.WriteString(s.line + "\n")
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := Run(ctx, Config{In: strings.NewReader(in.String()), Out: &out, Server: srv, Workspace: ws, Clock: clock}); err != nil {
		t.Fatalf("Run: %v", err)
	}

	// Each input is echoed as "> line"; what it printed runs to the next echo.
	printed := strings.Split("\n"+out.String(), "\n> ")[1:]
	if len(printed) != len(steps)-1 {
		t.Fatalf("%d inputs were read, want %d (up to quit); output:\n%s", len(printed), len(steps)-1, out.String())
	}
	for i, got := range printed {
		s := steps[i]
		if line, _, _ := strings.Cut(got, "\n"); line != s.line {
			t.Errorf("input %d echoed as %q, want %q", i, line, s.line)
		}
		for _, w := range s.want {
			if !strings.Contains(got, w) {
				t.Errorf("after %q the output lacks %q; it is:\n%s", s.line, w, got)
			}
		}
		for _, w := range s.notWant {
			if strings.Contains(got, w) {
				t.Errorf("after %q the output has %q; it is:\n%s", s.line, w, got)
			}
		}
	}
}

// TestRunEndsWithContext: a signal ends the session even while it waits for input.
func TestDemoRunEndsWithContext(t *testing.T) {
	srv, ws := newServer(t)
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Config{In: r, Out: io.Discard, Server: srv, Workspace: ws, Prompt: true}) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}
