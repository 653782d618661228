package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/mentorbot/mentorbot/internal/demo"
)

// demoConnectTimeout bounds how long the demo waits for the bot to connect to the
// simulated Slack.
const demoConnectTimeout = 15 * time.Second

// demoOwnSettings are the settings the demo sets itself whatever the environment
// says: a real workspace's tokens, URL, user and channel IDs mean nothing in the
// simulated one (alice is its admin, #kudos its kudos channel), the demo keeps its own
// database (-db) and serves no operator endpoints. Every other setting is read from the
// environment when set there, so a person can try their own schedules.
var demoOwnSettings = []string{
	"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL", "MENTORBOT_DB_PATH",
	"MENTORBOT_HTTP_ADDR", "MENTORBOT_ADMINS", "MENTORBOT_KUDOS_CHANNEL",
}

// demoOptions are what runDemo takes from its surroundings, for tests to replace.
type demoOptions struct {
	// lookupEnv reads the environment (os.LookupEnv).
	lookupEnv func(string) (string, bool)
	// now is the real time, for the clock's default start (time.Now).
	now func() time.Time
}

// runDemo runs the real bot in-process against a simulated Slack workspace and lets the
// person at stdin type as its members, on a clock the session moves. Of the
// environment it reads only the settings that are not demoOwnSettings, and NO_COLOR.
func runDemo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runDemoWith(ctx, args, stdin, stdout, stderr, demoOptions{lookupEnv: os.LookupEnv, now: time.Now})
}

func runDemoWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, o demoOptions) int {
	fs := flag.NewFlagSet("mentorbot demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "", "keep the demo's database in `FILE` (default: a temporary file, deleted on exit)")
	logPath := fs.String("log", "", "write the bot's log to `FILE` (default: a temporary file, deleted on exit)")
	startAt := fs.String("start", "", "start the demo's clock at `TIME`: 2027-01-03T12:00:00Z, \"2027-01-03 12:00\" (UTC), or now\n(default: 12:00 UTC on the last Sunday, before any zone's Monday)")
	fs.Usage = func() {} // -h prints the usage to stdout, below; a bad flag is named on stderr
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			demoUsage(stdout, fs)
			return exitOK
		}
		fmt.Fprintln(stderr, "Run mentorbot demo -h for its flags and what you can type.")
		return exitConfig
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mentorbot demo: unexpected argument %q\n", fs.Arg(0))
		return exitConfig
	}
	start, err := parseDemoStart(*startAt, o.now())
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot demo: -start:", err)
		return exitConfig
	}

	dir, err := os.MkdirTemp("", "mentorbot-demo-")
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot demo:", err)
		return exitFailure
	}
	defer os.RemoveAll(dir)
	dbNote, logNote := "", ""
	if *dbPath == "" {
		*dbPath, dbNote = filepath.Join(dir, "mentorbot.db"), " (deleted on exit; -db FILE keeps one)"
	}
	if *logPath == "" {
		*logPath, logNote = filepath.Join(dir, "mentorbot.log"), " (deleted on exit; -log FILE keeps it)"
	}

	ws := demo.SampleWorkspace()
	clock := demo.NewClock(start)
	srv, err := ws.Start(clock.Now)
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot demo:", err)
		return exitFailure
	}
	defer srv.Close()
	vars, fromEnv := demoSettings(o.lookupEnv)
	vars["SLACK_BOT_TOKEN"] = demo.BotToken
	vars["SLACK_APP_TOKEN"] = demo.AppToken
	vars["SLACK_API_URL"] = srv.APIURL()
	vars["MENTORBOT_DB_PATH"] = *dbPath
	vars["MENTORBOT_ADMINS"] = strings.Join(ws.Admins(), ",")
	vars["MENTORBOT_KUDOS_CHANNEL"] = demo.KudosChannel
	vars["MENTORBOT_HTTP_ADDR"] = ""
	cfg, err := demoConfig(vars)
	if err != nil {
		// Only a setting from the environment can be wrong: name it, as mentorbot does.
		fmt.Fprintln(stderr, "mentorbot demo:", err)
		return exitConfig
	}

	logFile, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot demo: bot log:", err)
		return exitFailure
	}
	defer logFile.Close()
	m := &Main{
		Config:            cfg,
		Logger:            slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: cfg.LogLevel.Level})),
		Now:               clock.Now,
		SchedulerInterval: demoSchedulerInterval,
		ready:             make(chan struct{}),
	}

	// The session ends when the person quits or when the bot stops by itself.
	sessionCtx, endSession := context.WithCancel(ctx)
	defer endSession()
	botCtx, stopBot := context.WithCancel(context.Background())
	defer stopBot()
	var runErr error
	botDone := make(chan struct{})
	go func() {
		defer close(botDone)
		defer endSession()
		runErr = m.Run(botCtx)
	}()

	connectCtx, cancel := context.WithTimeout(sessionCtx, demoConnectTimeout)
	select {
	case <-m.ready: // m's parts are wired: demoTick may use them
		err = srv.WaitConnected(connectCtx)
	case <-connectCtx.Done():
		err = connectCtx.Err()
	}
	cancel()
	if err != nil {
		err = fmt.Errorf("the bot did not connect to the simulated Slack within %v", demoConnectTimeout)
	} else {
		fmt.Fprintf(stdout, "mentorbot demo: the real bot, connected to a simulated Slack workspace.\n"+
			"Database: %s%s\nBot log:  %s%s\n"+
			"The demo's clock stands at %s and moves only when you say (clock +7d).\n"+
			"Type help for what you can do; start with:  alice: /mentor help\n",
			*dbPath, dbNote, *logPath, logNote, demo.LongTime(start))
		err = demo.Run(sessionCtx, demo.Config{
			In: stdin, Out: stdout, Server: srv, Workspace: ws,
			Prompt:      isTerminal(stdin),
			Styled:      isTerminal(stdout) && !hasEnv(o.lookupEnv, "NO_COLOR"),
			Clock:       clock,
			Calendar:    demoCalendar(cfg),
			DefaultZone: cfg.TimeZone.Location,
			Tick:        m.demoTick,
			Busy:        m.demoBusy,
			Settings:    demoSettingsHelp(cfg, fromEnv),
		})
	}
	stopBot()
	<-botDone
	switch {
	case runErr != nil:
		fmt.Fprintln(stderr, "mentorbot demo: the bot stopped:", runErr)
		return exitFailure
	case err != nil && ctx.Err() == nil:
		fmt.Fprintln(stderr, "mentorbot demo:", err)
		return exitFailure
	}
	return exitOK
}

// demoUsage is `mentorbot demo -h`: the flags, the settings the demo follows, and
// what can be typed in a session.
func demoUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: mentorbot demo [-db FILE] [-log FILE] [-start TIME]

Runs the real bot against a simulated Slack workspace in the terminal: you type as
any of its people and read what each of them sees. No Slack app or token is needed.
The demo has its own clock, which stands still until you move it (clock +7d); the
bot's scheduler then runs through every moment in between, so check-ins, nudges and
recognition prompts come due as they would over those days.

Flags:
`)
	fs.PrintDefaults()
	fmt.Fprintf(w, `
Settings: the demo follows these from the environment, when set, so you can try your
own schedule, for example  MENTORBOT_NUDGE_AFTER=48h mentorbot demo
  %s
It sets the others itself (alice is the admin, #kudos the kudos channel):
  %s
See mentorbot -h for what each setting means.

What you can type in a session (help repeats it):
`, strings.Join(wrapWords(demoFollowedSettings(), 80-2), "\n  "), strings.Join(wrapWords(demoOwnSettings, 80-2), "\n  "))
	demo.PrintVerbs(w)
}

// demoFollowedSettings are the names of the settings the demo reads from the
// environment, in Config's order.
func demoFollowedSettings() []string {
	var names []string
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Config]()) {
		if name := f.Tag.Get("envconfig"); name != "" && !slices.Contains(demoOwnSettings, name) {
			names = append(names, name)
		}
	}
	return names
}

// demoSettings returns the settings the demo follows that the environment sets, by
// name, and their names in Config's order.
func demoSettings(lookupEnv func(string) (string, bool)) (vars map[string]string, set []string) {
	vars = map[string]string{}
	for _, name := range demoFollowedSettings() {
		if v, ok := lookupEnv(name); ok {
			vars[name] = v
			set = append(set, name)
		}
	}
	return vars, set
}

// demoSettingsHelp are the lines `help` prints about the schedules in effect.
func demoSettingsHelp(cfg Config, fromEnv []string) []string {
	lines := []string{fmt.Sprintf("Schedules, each read in the person's own zone: check-ins %q, nudges %q (to pairs with no meeting reported for %s), recognition prompts %q.",
		cfg.CheckinSchedule.Spec, cfg.NudgeSchedule.Spec, shortDuration(time.Duration(cfg.NudgeAfter)), cfg.RecognitionSchedule.Spec)}
	if len(fromEnv) > 0 {
		lines = append(lines, "From the environment: "+strings.Join(fromEnv, ", ")+".")
	}
	lines = append(lines, "To try your own, start the demo with MENTORBOT_CHECKIN_SCHEDULE, MENTORBOT_NUDGE_SCHEDULE, MENTORBOT_RECOGNITION_SCHEDULE, MENTORBOT_NUDGE_AFTER or another MENTORBOT_ setting set (mentorbot demo -h lists them).")
	return lines
}

// shortDuration writes d without zero minutes and seconds: 336h, 90m, 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// wrapWords joins words with ", " into lines of at most width characters.
func wrapWords(words []string, width int) []string {
	var lines []string
	line := ""
	for i, w := range words {
		if i < len(words)-1 {
			w += ","
		}
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// parseDemoStart reads -start: RFC 3339, "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" in UTC, or
// "now" (the real time, to the minute). Empty is demo.DefaultStart(now).
func parseDemoStart(s string, now time.Time) (time.Time, error) {
	switch s = strings.TrimSpace(s); s {
	case "":
		return demo.DefaultStart(now), nil
	case "now":
		return now.UTC().Truncate(time.Minute), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time such as 2027-01-03T12:00:00Z, \"2027-01-03 12:00\" (UTC) or now", s)
}

func hasEnv(lookupEnv func(string) (string, bool), name string) bool {
	v, ok := lookupEnv(name)
	return ok && v != ""
}

// demoConfig is Config as LoadConfig would read it from an environment holding
// exactly vars: each field not in vars takes its `default`, decoded the same way, so
// the demo runs with the defaults a deployment gets.
func demoConfig(vars map[string]string) (Config, error) {
	var c Config
	v := reflect.ValueOf(&c).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name := f.Tag.Get("envconfig")
		val, ok := vars[name]
		if !ok {
			val, ok = f.Tag.Lookup("default")
		}
		if !ok {
			if f.Tag.Get("required") == "true" {
				return c, fmt.Errorf("demo setting %s is required but not set", name)
			}
			continue
		}
		if err := decodeSetting(v.Field(i), val); err != nil {
			return c, &SettingError{Name: name, Problem: err.Error()}
		}
	}
	return c, nil
}

// decodeSetting sets field from s as envconfig does for the kinds Config uses.
func decodeSetting(field reflect.Value, s string) error {
	if d, ok := field.Addr().Interface().(envconfig.Decoder); ok {
		return d.Decode(s)
	}
	switch field.Kind() {
	case reflect.String:
		field.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		field.SetBool(b)
	case reflect.Int, reflect.Int64:
		if field.Type() == reflect.TypeFor[time.Duration]() {
			d, err := time.ParseDuration(s)
			if err != nil {
				return err
			}
			field.SetInt(int64(d))
			return nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		field.SetInt(n)
	default:
		return fmt.Errorf("the demo cannot set a %s setting", field.Type())
	}
	return nil
}

// isTerminal reports whether f (stdin or stdout) is a terminal (a character device)
// rather than a pipe or file.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	fi, err := file.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
