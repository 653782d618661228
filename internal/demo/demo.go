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

	"github.com/mentorbot/mentorbot/internal/mentoring"
	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// Defaults for Config fields left zero.
const (
	// DefaultQuiet: after an input, the output is complete once the workspace has had
	// no new record and no Web API call for this long...
	DefaultQuiet = 300 * time.Millisecond
	// DefaultMaxWait: ...or once this much time has passed.
	DefaultMaxWait = 5 * time.Second
	// deliverTimeout bounds how long an input waits for the bot to take it, and how
	// long one step of the clock waits for the bot to send what came due.
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
	Prompt bool
	// Styled shows *bold*, _italic_ and ~strike~ with ANSI escapes, for a terminal;
	// otherwise the marks of bold and italic are left out.
	Styled  bool
	Quiet   time.Duration // default DefaultQuiet
	MaxWait time.Duration // default DefaultMaxWait

	// Clock is the demo's time, which the bot and the Server read too; it moves
	// only with the clock verb. Default: a clock at DefaultStart(time.Now()) that
	// nothing else reads.
	Clock *Clock
	// Calendar says when each scheduled kind comes due in a zone: the bot's own
	// schedules. Without it the clock moves straight to where it is sent.
	Calendar mentoring.Calendar
	// DefaultZone is the zone of people whose profile names none (the bot's
	// MENTORBOT_TIMEZONE); default UTC.
	DefaultZone *time.Location
	// Tick has the bot look for what is due at the Clock's time, as its scheduler's
	// tick does, and returns once what that queued has been sent to Slack. The
	// session calls it at each moment the clock passes at which something may come
	// due, and after each action, as the bot's minute tick would. Nil: never.
	Tick func(ctx context.Context) error
	// Busy reports whether the bot still has work under way from the last input that
	// will show in Slack (an erasure being finished, say); after an input the
	// session waits while it does, up to MaxWait. Nil: never busy.
	Busy func(ctx context.Context) bool
	// Settings are lines help prints about the bot's settings in this session.
	Settings []string
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
	if cfg.Clock == nil {
		cfg.Clock = NewClock(DefaultStart(time.Now()))
	}
	if cfg.DefaultZone == nil {
		cfg.DefaultZone = time.UTC
	}
	s := &session{
		cfg:   cfg,
		srv:   cfg.Server,
		ws:    cfg.Workspace,
		names: cfg.Workspace.Names(),
		clock: cfg.Clock,
		st:    style{ansi: cfg.Styled},
	}
	s.zones = s.scheduleZones()

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
	clock *Clock
	zones []*time.Location // where schedules are read: see scheduleZones
	st    style
	seen  int // Seq of the last record printed
}

// verb is one thing a person can type.
type verb struct {
	name     string
	aliases  []string
	usage    string
	about    string
	min, max int // how many arguments; max < 0 means any number
	// long verbs may take longer than deliverTimeout in all; they bound each wait.
	long bool
	run  func(s *session, ctx context.Context, args []string) error
}

// verbs is the table of what can be typed, in the order help lists it. A verb that
// acts in Slack prints what came of it.
func verbs() []verb {
	return []verb{
		{name: "slash", usage: "<name>: /mentor …", about: "type a slash command as that person, in #general (also /kudos @name …)", min: 3, max: 3, run: (*session).slash},
		{name: "press", usage: "<name>: click <label> [on <which>]", about: `click a button that person sees by its label (dana: click We met); when several have it, which is a name or word of the text above it, or a number (dana: click "We met" on chen)`, min: 2, max: 2, run: (*session).press},
		{name: "click", usage: "click <name> <action_id> [value]", about: "click a button, or choose a value in a menu, by its action_id (the newest the person sees); a label works too", min: 2, max: -1, run: (*session).click},
		{name: "submit", usage: "submit <name> [block_id=value …]", about: `send the person's open modal; quote spaces: topics="go, public speaking" (also <name>: submit …)`, min: 1, max: -1, run: (*session).submit},
		{name: "home", usage: "home <name>", about: "that person opens the app's Home tab, and it is printed (Home tabs print only when asked)", min: 1, max: 1, run: (*session).home},
		{name: "dms", usage: "dms <name>", about: "replay every DM and group DM that person received so far, oldest first, with when", min: 1, max: 1, run: (*session).dms},
		{name: "clock", usage: "clock [+7d|+2w|+3h|+90m]", about: "without an argument: the demo's time and when each scheduled message next comes due. +span: move the clock on (d days, w weeks, or a Go duration such as 3h or 90m); the bot's scheduler runs at every moment in between at which something may come due, and what each person receives is printed in time order", max: 1, long: true, run: (*session).clockVerb},
		{name: "clock next", usage: "clock next checkin|nudge|recognition", about: fmt.Sprintf("move the clock on to the next time the bot sends someone that kind of message (at most %d of its periods on), running the scheduler on the way", nextPeriods), min: 1, max: 1, long: true, run: (*session).clockNext},
		{name: "who", usage: "who", about: "the team: names, user IDs, time zones, the time for each", max: 0, run: (*session).who},
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
	switch c.verb {
	case "#":
		return nil
	case "":
		s.afterAction(ctx)
		return nil
	case "clock":
		if len(c.args) > 0 && strings.EqualFold(c.args[0], "next") {
			c.verb, c.args = "clock next", c.args[1:]
		}
	}
	v, ok := lookupVerb(c.verb)
	if !ok {
		return fmt.Errorf("I don't know %q; type help to see what you can do", c.verb)
	}
	if len(c.args) < v.min || (v.max >= 0 && len(c.args) > v.max) {
		return fmt.Errorf("write it as: %s", v.usage)
	}
	if !v.long {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, deliverTimeout)
		defer cancel()
	}
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
	s.afterAction(ctx)
	return nil
}

// home delivers app_home_opened and prints what came of it, then the person's Home
// tab as it is now.
func (s *session) home(ctx context.Context, args []string) error {
	p, err := s.person(args[0])
	if err != nil {
		return err
	}
	before := len(s.srv.Records())
	if _, err := s.srv.AppHomeOpened(ctx, p.ID); err != nil {
		return fmt.Errorf("Slack could not tell the bot that %s opened the Home tab: %w", p.Name, err)
	}
	s.settle(ctx)
	s.tick(ctx)
	s.print(s.takeFresh())
	all := s.srv.Records()
	h, ok := fold(all).home(p.ID)
	if !ok {
		fmt.Fprintf(s.cfg.Out, "(%s's Home tab is empty: the bot has published nothing there)\n", p.Name)
		return nil
	}
	if h.rec.Seq <= before {
		fmt.Fprintf(s.cfg.Out, "(the Home tab did not change; %s sees what the bot published before:)\n", p.Name)
	}
	fmt.Fprint(s.cfg.Out, render(slacktest.Record{Kind: "view_publish", User: p.ID, View: h.rec.View}, s.names, renderOpts{st: s.st}))
	return nil
}

// press clicks a button by its label: args are the person and what follows "click".
func (s *session) press(ctx context.Context, args []string) error {
	p, err := s.person(args[0])
	if err != nil {
		return err
	}
	if strings.TrimSpace(args[1]) == "" {
		return fmt.Errorf("write it as: %s: click <label>, for example %s: click We met", p.Name, p.Name)
	}
	return s.clickByLabel(ctx, p, args[1])
}

func (s *session) click(ctx context.Context, args []string) error {
	p, err := s.person(args[0])
	if err != nil {
		return err
	}
	actionID, value := args[1], strings.Join(args[2:], " ")
	s.resolveGroups(s.srv.Records())
	screens := fold(s.srv.Records())
	sf, blockID, elem, ok := screens.clickable(p.ID, actionID, value, s.names)
	if !ok {
		ids := screens.actionIDs(p.ID, s.names)
		if len(ids) == 0 {
			return fmt.Errorf("%s sees nothing to click", p.Name)
		}
		buttons := screens.buttons(p.ID, s.names)
		text := strings.Join(args[1:], " ")
		if label, _, err := splitClick(text, buttons); err == nil && len(matchLabel(label, buttons)) > 0 {
			// Not an action_id but a label, as in click dana We met.
			return s.clickByLabel(ctx, p, text)
		}
		msg := fmt.Sprintf("%s sees nothing with action_id %q; what %s can click: %s", p.Name, actionID, p.Name, strings.Join(ids, ", "))
		if len(buttons) > 0 {
			msg += "; or by label: " + labelList(buttons)
		}
		return errors.New(msg)
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
	s.afterAction(ctx)
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
	s.afterAction(ctx)
	return nil
}

// dms replays the messages the person received in DMs and group DMs, oldest first,
// each as it reads now (edits applied), with when it came in the person's zone.
func (s *session) dms(_ context.Context, args []string) error {
	p, err := s.person(args[0])
	if err != nil {
		return err
	}
	all := s.srv.Records()
	s.resolveGroups(all)
	screens := fold(all)
	loc := s.location(p)
	n := 0
	for _, r := range all {
		if (r.Kind != "message" && r.Kind != "file") || !s.inDMs(r.Channel, p.ID) {
			continue
		}
		shown, o := r, renderOpts{st: s.st, at: r.At.In(loc).Format(dayTime)}
		if sf, ok := screens.surfaces[r.TS]; r.Kind == "message" && ok && sf.rec.Seq != r.Seq {
			shown = sf.rec
			shown.Kind, shown.Metadata, shown.TS, shown.ThreadTS = "message", r.Metadata, r.TS, r.ThreadTS
			o.edited = true
		} else if r.Kind == "message" && !ok {
			o.at += " · removed since"
		}
		fmt.Fprint(s.cfg.Out, render(shown, s.names, o))
		n++
	}
	if n == 0 {
		fmt.Fprintf(s.cfg.Out, "(%s has received no DM yet)\n", p.Name)
	}
	return nil
}

// inDMs reports whether channelID is userID's DM with the bot or a group DM they are in.
func (s *session) inDMs(channelID, userID string) bool {
	return channelID == "D"+userID || slices.Contains(s.names.Groups[channelID], userID)
}

func (s *session) who(context.Context, []string) error {
	w := s.cfg.Out
	fmt.Fprintf(w, "The team (type as any of them), at %s:\n", LongTime(s.clock.Now()))
	for _, p := range s.ws.People {
		role := ""
		if p.Admin {
			role = "admin"
		}
		local := "now " + s.clock.Now().In(s.location(p)).Format("Mon 15:04")
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
	PrintVerbs(w)
	fmt.Fprintln(w, "An empty line shows anything new; a line starting with # is a comment. Examples:")
	for _, ex := range []string{
		"alice: /mentor help",
		"bertram: /kudos @chen thanks for the review!",
		"alice: /mentor join    then    submit alice role=mentor topics=\"go, testing\"",
		"alice: /mentor pair    then    clock +7d    then    dana: click We met",
		"home alice",
		"dms dana",
	} {
		fmt.Fprintln(w, "  "+ex)
	}
	fmt.Fprintln(w, strings.Join(wrap(fmt.Sprintf("The demo's clock stands still until you move it (clock +7d); it is %s.", LongTime(s.clock.Now())), 80), "\n  "))
	for _, l := range s.cfg.Settings {
		fmt.Fprintln(w, strings.Join(wrap(l, 80), "\n  "))
	}
	return nil
}

// PrintVerbs writes what can be typed in a session, one verb a line (longer usages on
// a line of their own), for help and `mentorbot demo -h`.
func PrintVerbs(w io.Writer) {
	const col = 36
	for _, v := range verbs() {
		about := wrap(v.about, 80-col-3)
		if len(v.usage) > col {
			fmt.Fprintf(w, "  %s\n  %-*s %s\n", v.usage, col, "", about[0])
		} else {
			fmt.Fprintf(w, "  %-*s %s\n", col, v.usage, about[0])
		}
		for _, l := range about[1:] {
			fmt.Fprintf(w, "  %-*s %s\n", col, "", l)
		}
	}
}

// wrap breaks s into lines of at most width runes, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(word)) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

// afterAction waits until the bot has done what it will for the last input, lets the
// bot's scheduler look (as its minute tick would), and prints every record not
// printed yet, or a line saying there is none.
func (s *session) afterAction(ctx context.Context) {
	s.settle(ctx)
	s.tick(ctx)
	fresh := s.takeFresh()
	s.print(fresh)
	if len(fresh) == 0 {
		fmt.Fprintln(s.cfg.Out, "(nothing new in Slack)")
	}
}

// tick runs cfg.Tick, if any; what goes wrong is the bot's to log, and shows as
// nothing sent.
func (s *session) tick(ctx context.Context) {
	if s.cfg.Tick != nil {
		_ = s.cfg.Tick(ctx)
	}
}

// takeFresh returns the records not taken yet, but Home tabs (they print when asked:
// home), and learns who is in the group DMs they name.
func (s *session) takeFresh() []slacktest.Record {
	all := s.srv.Records()
	fresh := all[min(s.seen, len(all)):]
	s.seen = len(all)
	s.resolveGroups(fresh)
	return slices.DeleteFunc(slices.Clone(fresh), isHome)
}

// isHome reports whether r publishes or changes a Home tab.
func isHome(r slacktest.Record) bool {
	return r.Kind == "view_publish" || r.Kind == "view_update" && str(decodeObject(r.View), "type") == "home"
}

func (s *session) print(records []slacktest.Record) {
	for _, r := range records {
		fmt.Fprint(s.cfg.Out, render(r, s.names, renderOpts{st: s.st}))
	}
}

// settle returns once the Server has had no new record and no Web API call for
// cfg.Quiet and the bot is not busy (cfg.Busy), after at most cfg.MaxWait, or when
// ctx ends.
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
			if n == calls && (s.cfg.Busy == nil || !s.cfg.Busy(ctx)) {
				return
			}
			calls = n
		}
	}
}

// resolveGroups learns who is in each group DM the records name.
func (s *session) resolveGroups(records []slacktest.Record) {
	for _, r := range records {
		id := r.Channel
		if !strings.HasPrefix(id, "G") || s.names.Groups[id] != nil || s.names.Channels[id] != "" {
			continue
		}
		if members, ok := s.srv.GroupMembers(id); ok {
			s.names.Groups[id] = members
		}
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

// location is p's time zone, or the default zone when theirs is unknown.
func (s *session) location(p Person) *time.Location {
	if loc, err := time.LoadLocation(p.TZ); err == nil && p.TZ != "" {
		return loc
	}
	return s.cfg.DefaultZone
}
