package slacktest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// A bot runs unchanged against the double: only the API URL and the tokens
// come from the Server.
func Example() {
	srv, err := slacktest.New(slacktest.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	srv.AddUser(slacktest.User{ID: "U1", Name: "alice"})

	api := slack.New(slacktest.DefaultBotToken,
		slack.OptionAPIURL(srv.APIURL()),
		slack.OptionAppLevelToken(slacktest.DefaultAppToken))
	client := socketmode.New(api)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- client.RunContext(ctx) }()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-client.Events:
				if cmd, ok := evt.Data.(slack.SlashCommand); ok {
					_ = client.Ack(*evt.Request, map[string]any{"text": "Hello " + cmd.UserName + ", you typed " + cmd.Text})
				}
			}
		}
	}()

	if _, err := srv.SlashCommand(ctx, "U1", "/mentor", "help"); err != nil {
		panic(err)
	}
	r, err := srv.WaitRecord(ctx, func(r slacktest.Record) bool { return r.Kind == "ephemeral" })
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Via, r.Channel, r.User, r.Text)

	cancel()
	<-runDone
	// Output: ack C0GENERAL U1 Hello alice, you typed help
}
