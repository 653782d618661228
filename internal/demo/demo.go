// Package demo is the terminal side of `mentorbot demo`: a person types commands as
// any member of a simulated workspace (internal/slacktest) and reads, rendered as
// plain text, what each of them would see in Slack. The bot itself is the real one;
// cmd/mentorbot wires it to the same Server.
//
// Rendering is generic Block Kit: the package knows no screen of the bot, so new
// commands, buttons and modals show up without changes here.
package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// Defaults for Config fields left zero.
const (
	// DefaultQuiet: after an input, the output is complete once the workspace has had
	// no new record and no Web API call for this long...
	DefaultQuiet = 300 * time.Millisecond
	// DefaultMaxWait: ...or once this much time has passed.
	DefaultMaxWait = 5 * time.Second
	// deliverTimeout bounds how long an input waits for the bot to take it.
	deliverTimeout = 10 * time.Second
)

// Config is what Run needs.
type Config struct {
	In        io.Reader
	Out       io.Writer
	Server    *slacktest.Server // with Workspace added and the bot connected
	Workspace Workspace
	// Prompt prints "> " before each line is read, for a person at a terminal.
	// Without it each line read is echoed after "> ", so a transcript of piped
	// input reads like a session.
	Prompt  bool
	Quiet   time.Duration // default DefaultQuiet
	MaxWait time.Duration // default DefaultMaxWait
	// BotToken lets the demo ask the Server who is in a group DM; default
	// slacktest.DefaultBotToken.
	BotToken string
}

// errQuit ends the session.
var errQuit = errors.New("quit")

// Run reads lines from In and acts on them until the person quits, In ends or ctx is
// done; each of these returns nil. Another error reading In is returned.
//
// While a read of In blocks, only closing In can interrupt it: Run then returns on
// ctx without waiting for the reading goroutine, which ends at the next line or EOF.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Quiet <= 0 {
		cfg.Quiet = DefaultQuiet
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if cfg.BotToken == "" {
		cfg.BotToken = slacktest.DefaultBotToken
	}
	s := &session{
		cfg:   cfg,
		srv:   cfg.Server,
		ws:    cfg.Workspace,
		names: cfg.Workspace.Names(),
		api:   slack.New(cfg.BotToken, slack.OptionAPIURL(cfg.Server.APIURL())),
	}

	done := make(chan struct{})
	defer close(done)
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(cfg.In)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
		readErr <- sc.Err()
	}()

	for {
		if cfg.Prompt {
			fmt.Fprint(cfg.Out, "> ")
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(cfg.Out)
			return nil
		case err := <-readErr:
			if cfg.Prompt {
				fmt.Fprintln(cfg.Out)
			}
			return err
		case line := <-lines:
			if !cfg.Prompt {
				fmt.Fprintf(cfg.Out, "> %s\n", line)
			}
			err := s.do(ctx, line)
			if errors.Is(err, errQuit) {
				return nil
			}
			if err != nil {
				fmt.Fprintf(cfg.Out, "error: %v\n", err)
			}
		}
	}
}

// session is the state of one Run.
type session struct {
	cfg   Config
	srv   *slacktest.Server
	ws    Workspace
	names Names
	api   *slack.Client
	seen  int // Seq of the last record printed
}

// verb is one thing a person can type.
type verb struct {
	name     string
	aliases  []string
	usage    string
	about    string
	min, max int // how many arguments; max < 0 means any number
	run      func(s *session, ctx context.Context, args []string) error
}

// verbs is the table of what can be typed, in the order help lists it. A verb that
// acts in Slack prints what came of it with s.show.
func verbs() []verb {
	return []verb{
		{name: "slash", usage: "<name>: /mentor …", about: "type a slash command as that person, in #general (also /kudos @name …)", min: 3, max: 3, run: (*session).slash},
		{name: "home", usage: "home <name>", about: "that person opens the app's Home tab", min: 1, max: 1, run: (*session).home},
		{name: "click", usage: "click <name> <action_id> [value]", about: "click a button, or choose a value in a menu, that the person sees (newest first)", min: 2, max: -1, run: (*session).click},
		{name: "submit", usage: "submit <name> [block_id=value …]", about: `send the person's open modal; quote spaces: topics="go, public speaking"`, min: 1, max: -1, run: (*session).submit},
		{name: "who", usage: "who", about: "the team: names, user IDs, time zones", max: 0, run: (*session).who},
		{name: "help", usage: "help", about: "this list", max: 0, run: (*session).help},
		{name: "quit", aliases: []string{"exit"}, usage: "quit", about: "stop the bot and leave (also exit, or Ctrl-D)", max: 0, run: func(*session, context.Context, []string) error { return errQuit }},
	}
}

func lookupVerb(name string) (verb, bool) {
	for _, v := range verbs() {
		if v.name == name || slices.Contains(v.aliases, name) {
			return v, true
		}
	}
	return verb{}, false
}

// do acts on one line.
func (s *session) do(ctx context.Context, line string) error {
	c, err := parseLine(line)
	if err != nil {
		return err
	}
	if c.verb == "" {
		s.show(ctx)
		return nil
	}
	v, ok := lookupVerb(c.verb)
	if !ok {
		return fmt.Errorf("I don't know %q; type help to see what you can do", c.verb)
	}
	if len(c.args) < v.min || (v.max >= 0 && len(c.args) > v.max) {
		return fmt.Errorf("write it as: %s", v.usage)
	}
	ctx, cancel := context.WithTimeout(ctx, deliverTimeout)
	defer cancel()
	return v.run(s, ctx, c.args)
}

func (s *session) slash(ctx context.Context, args []string) error {
	p, err := s.person(args[0])
	if err != nil {
		return err
	}
	cmd := strings.ToLower(args[1])
	if _, err := s.srv.SlashCommand(ctx, p.ID, cmd, s.ws.slackText(args[2])); err != nil {
		return fmt.Errorf("Slack could not deliver %s to the bot: %w", cmd, err)
	}
	s.show(ctx)
	return nil
}

func (s *session) home(ctx context.Context, args []string) error {
	p, err := s.person(args[0])
	if err != nil {
		return err
	}
	if _, err := s.srv.AppHomeOpened(ctx, p.ID); err != nil {
		return fmt.Errorf("Slack could not tell the bot that %s opened the Home tab: %w", p.Name, err)
	}
	shown := s.show(ctx)
	if slices.ContainsFunc(shown, func(r slacktest.Record) bool {
		return r.User == p.ID && (r.Kind == "view_publish" || r.Kind == "view_update")
	}) {
		return nil
	}
	if h, ok := fold(s.srv.Records()).home(p.ID); ok {
		fmt.Fprintf(s.cfg.Out, "(the Home tab did not change; %s sees what the bot published before:)\n", p.Name)
		fmt.Fprint(s.cfg.Out, Render(slacktest.Record{Kind: "view_publish", User: p.ID, View: h.rec.View}, s.names))
		return nil
	}
	fmt.Fprintf(s.cfg.Out, "(%s's Home tab is empty: the bot has published nothing there)\n", p.Name)
	return nil
}

func (s *session) click(ctx context.Context, args []string) error {
	p, err := s.person(args[0])
	if err != nil {
		return err
	}
	actionID, value := args[1], strings.Join(args[2:], " ")
	s.resolveGroups(ctx, s.srv.Records())
	screens := fold(s.srv.Records())
	sf, blockID, elem, ok := screens.clickable(p.ID, actionID, value, s.names)
	if !ok {
		ids := screens.actionIDs(p.ID, s.names)
		if len(ids) == 0 {
			return fmt.Errorf("%s sees nothing to click", p.Name)
		}
		return fmt.Errorf("%s sees nothing with action_id %q; what %s can click: %s", p.Name, actionID, p.Name, strings.Join(ids, ", "))
	}
	switch fieldOf(str(elem, "type")).key {
	case "selected_option", "selected_options":
		o, err := option(elem, value)
		if err != nil {
			return err
		}
		value = str(o, "value")
	case "selected_user", "selected_users":
		if value, err = userID(value, s.ws); err != nil {
			return err
		}
	}
	spec := slacktest.BlockActionSpec{ActionID: actionID, BlockID: blockID, Value: value, MessageTS: sf.ts, ViewID: sf.viewID}
	if _, err := s.srv.BlockAction(ctx, p.ID, spec); err != nil {
		return fmt.Errorf("Slack could not deliver the click to the bot: %w", err)
	}
	s.show(ctx)
	return nil
}

func (s *session) submit(ctx context.Context, args []string) error {
	p, err := s.person(args[0])
	if err != nil {
		return err
	}
	modal, ok := fold(s.srv.Records()).topModal(p.ID)
	if !ok {
		return fmt.Errorf("%s has no modal open (a command such as /mentor join opens one)", p.Name)
	}
	values, err := submission(modal.view, args[1:], s.ws)
	if err != nil {
		return err
	}
	if _, err := s.srv.ViewSubmission(ctx, p.ID, modal.viewID, values); err != nil {
		return fmt.Errorf("Slack could not deliver the submission to the bot: %w", err)
	}
	s.show(ctx)
	return nil
}

func (s *session) who(context.Context, []string) error {
	w := s.cfg.Out
	fmt.Fprintln(w, "The team (type as any of them):")
	for _, p := range s.ws.People {
		role := ""
		if p.Admin {
			role = "admin"
		}
		local := ""
		if loc, err := time.LoadLocation(p.TZ); err == nil {
			local = "now " + time.Now().In(loc).Format("Mon 15:04")
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-9s %-9s %-17s %-14s %s", p.Name, p.ID, p.TZ, local, role), " "))
	}
	fmt.Fprintln(w, "Channels:")
	for _, c := range s.ws.Channels {
		note := ""
		if c.ID == GeneralChannel {
			note = "slash commands are typed here"
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  #%-8s %-9s %s", c.Name, c.ID, note), " "))
	}
	return nil
}

func (s *session) help(context.Context, []string) error {
	w := s.cfg.Out
	names := make([]string, len(s.ws.People))
	for i, p := range s.ws.People {
		names[i] = p.Name
	}
	fmt.Fprintf(w, "Type as anyone in the team (%s):\n", strings.Join(names, ", "))
	for _, v := range verbs() {
		fmt.Fprintf(w, "  %-34s %s\n", v.usage, v.about)
	}
	fmt.Fprintln(w, "An empty line shows anything new. Examples:")
	for _, ex := range []string{
		"alice: /mentor help",
		"bertram: /kudos @chen thanks for the review!",
		"home alice",
		"alice: /mentor join    then    submit alice role=mentor topics=\"go, testing\"",
	} {
		fmt.Fprintln(w, "  "+ex)
	}
	return nil
}

// show waits until the bot has done what it will for the last input, prints every
// record not printed yet and returns them. It prints a line saying so when there
// are none.
func (s *session) show(ctx context.Context) []slacktest.Record {
	s.settle(ctx)
	all := s.srv.Records()
	fresh := all[min(s.seen, len(all)):]
	s.seen = len(all)
	s.resolveGroups(ctx, fresh)
	for _, r := range fresh {
		fmt.Fprint(s.cfg.Out, Render(r, s.names))
	}
	if len(fresh) == 0 {
		fmt.Fprintln(s.cfg.Out, "(nothing new in Slack)")
	}
	return fresh
}

// settle returns once the Server has had no new record and no Web API call for
// cfg.Quiet, after at most cfg.MaxWait, or when ctx ends.
func (s *session) settle(ctx context.Context) {
	deadline := time.Now().Add(s.cfg.MaxWait)
	last := len(s.srv.Records())
	calls := len(s.srv.Calls(""))
	for {
		wait := min(s.cfg.Quiet, time.Until(deadline))
		if wait <= 0 {
			return
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		r, err := s.srv.WaitRecordAfter(wctx, last, func(slacktest.Record) bool { return true })
		cancel()
		switch {
		case err == nil:
			last = r.Seq
		case ctx.Err() != nil:
			return
		default:
			n := len(s.srv.Calls(""))
			if n == calls {
				return
			}
			calls = n
		}
	}
}

// resolveGroups learns who is in each group DM the records mention, by asking the
// Server as the bot would (conversations.open on the channel changes nothing).
func (s *session) resolveGroups(ctx context.Context, records []slacktest.Record) {
	for _, r := range records {
		id := r.Channel
		if !strings.HasPrefix(id, "G") || s.names.Groups[id] != nil || s.names.Channels[id] != "" {
			continue
		}
		ch, _, _, err := s.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{ChannelID: id})
		if err != nil {
			continue // the heading shows the channel ID instead
		}
		s.names.Groups[id] = slices.DeleteFunc(slices.Clone(ch.Members), func(m string) bool {
			return m == slacktest.DefaultBotUserID
		})
	}
}

// person finds a member of the workspace by name.
func (s *session) person(name string) (Person, error) {
	if p, ok := s.ws.person(name); ok {
		return p, nil
	}
	names := make([]string, len(s.ws.People))
	for i, p := range s.ws.People {
		names[i] = p.Name
	}
	return Person{}, fmt.Errorf("no one called %q here; the team is %s", name, strings.Join(names, ", "))
}
