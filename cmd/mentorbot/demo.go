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
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/mentorbot/mentorbot/internal/demo"
)

// demoConnectTimeout bounds how long the demo waits for the bot to connect to the
// simulated Slack.
const demoConnectTimeout = 15 * time.Second

// runDemo runs the real bot in-process against a simulated Slack workspace and lets the
// person at stdin type as its members. It reads no setting from the environment.
func runDemo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mentorbot demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "", "keep the demo's database in `FILE` (default: a temporary file, deleted on exit)")
	logPath := fs.String("log", "", "write the bot's log to `FILE` (default: a temporary file, deleted on exit)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: mentorbot demo [-db FILE] [-log FILE]\n\nRuns the bot against a simulated Slack workspace in the terminal.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitConfig
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mentorbot demo: unexpected argument %q\n", fs.Arg(0))
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
	logFile, err := os.OpenFile(*logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot demo: bot log:", err)
		return exitFailure
	}
	defer logFile.Close()

	ws := demo.SampleWorkspace()
	srv, err := ws.Start()
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot demo:", err)
		return exitFailure
	}
	defer srv.Close()
	cfg, err := demoConfig(map[string]string{
		"SLACK_BOT_TOKEN":         demo.BotToken,
		"SLACK_APP_TOKEN":         demo.AppToken,
		"SLACK_API_URL":           srv.APIURL(),
		"MENTORBOT_DB_PATH":       *dbPath,
		"MENTORBOT_ADMINS":        strings.Join(ws.Admins(), ","),
		"MENTORBOT_KUDOS_CHANNEL": demo.KudosChannel,
		"MENTORBOT_HTTP_ADDR":     "",
	})
	if err != nil {
		fmt.Fprintln(stderr, "mentorbot demo:", err)
		return exitFailure
	}
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: cfg.LogLevel.Level}))}

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
	err = srv.WaitConnected(connectCtx)
	cancel()
	if err != nil {
		err = fmt.Errorf("the bot did not connect to the simulated Slack within %v", demoConnectTimeout)
	} else {
		fmt.Fprintf(stdout, "mentorbot demo: the real bot, connected to a simulated Slack workspace.\n"+
			"Database: %s%s\nBot log:  %s%s\n"+
			"Type help for what you can do; start with:  alice: /mentor help\n", *dbPath, dbNote, *logPath, logNote)
		err = demo.Run(sessionCtx, demo.Config{
			In: stdin, Out: stdout, Server: srv, Workspace: ws,
			Prompt: isTerminal(stdin),
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

// isTerminal reports whether r is a terminal (a character device) rather than a pipe
// or file.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
