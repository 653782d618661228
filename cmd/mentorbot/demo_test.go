package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemo runs `mentorbot demo` as a newcomer would, typing into its stdin, with
// Slack tokens in the environment that it must not use.
func TestDemo(t *testing.T) {
	script := strings.Join([]string{
		"help",
		"alice: /mentor help",
		"bertram: /mentor frobnicate",
		"home alice",
		"bertram: /kudos @alice thanks for the review!",
		"quit",
		"alice: /mentor help", // after quit: never read
	}, "\n") + "\n"
	p := startProcIn(t, strings.NewReader(script), map[string]string{"TMPDIR": t.TempDir(),
		"SLACK_BOT_TOKEN": "xoxb-real-SECRET", "SLACK_APP_TOKEN": "xapp-real-SECRET", "MENTORBOT_ADMINS": "UNOBODY"}, "demo")
	stdout, stderr := p.stdout, p.stderr
	if code := p.wait(t, 60*time.Second); code != exitOK {
		t.Fatalf("exit status %d, want 0; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	out := stdout.String()
	if stderr.String() != "" {
		t.Errorf("stderr %q, want nothing: the bot's log belongs in its file", stderr)
	}

	// What each input printed runs from its echo ("> line") to the next.
	printed := map[string]string{}
	for _, part := range strings.Split(out, "\n> ")[1:] {
		line, rest, _ := strings.Cut(part, "\n")
		printed[line] += rest
	}
	checks := []struct {
		line string
		want []string
	}{
		{"help", []string{"<name>: /mentor", "home <name>", "click <name> <action_id> [value]", "submit <name> [block_id=value …]", "who", "quit"}},
		// alice is the demo's admin, whatever MENTORBOT_ADMINS says.
		{"alice: /mentor help", []string{"── alice sees (only you, in #general) ──", "/mentor join", "/kudos @user <message>", "/mentor pair"}},
		{"bertram: /mentor frobnicate", []string{"── bertram sees (only you, in #general) ──", "frobnicate", "/mentor help"}},
		{"bertram: /kudos @alice thanks for the review!", []string{"── #kudos ──", "@alice", "thanks for the review!"}},
	}
	for _, c := range checks {
		got, ok := printed[c.line]
		if !ok {
			t.Errorf("input %q was not echoed; stdout:\n%s", c.line, out)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("after %q stdout lacks %q; it printed:\n%s", c.line, w, got)
			}
		}
	}
	if home := printed["home alice"]; !strings.Contains(home, "── alice's Home tab ──") && !strings.Contains(home, "(alice's Home tab is empty") {
		t.Errorf("home alice printed neither her Home tab nor that it is empty:\n%s", home)
	}
	if strings.Contains(printed["bertram: /mentor frobnicate"], "/mentor pair") {
		t.Error("bertram, not an admin, was shown the admin commands")
	}
	if n := strings.Count(out, "> alice: /mentor help"); n != 1 {
		t.Errorf("alice: /mentor help echoed %d times, want once: input after quit must not be read", n)
	}
	for _, leak := range []string{"level=", "SECRET", "xoxb-", "xapp-"} {
		if strings.Contains(out, leak) {
			t.Errorf("stdout contains %q:\n%s", leak, out)
		}
	}

	// The banner names the temporary database, which is gone after exit.
	m := regexp.MustCompile(`(?m)^Database: (\S+) \(deleted on exit`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the banner does not name the database:\n%s", out)
	}
	if _, err := os.Stat(filepath.Dir(m[1])); !os.IsNotExist(err) {
		t.Errorf("the demo's temporary directory %s is still there (stat: %v)", filepath.Dir(m[1]), err)
	}
}

func TestDemoArguments(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"demo", "-h"}, exitOK, "-db FILE"},
		{[]string{"demo", "-bogus"}, exitConfig, "flag provided but not defined"},
		{[]string{"demo", "extra"}, exitConfig, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		p := runProc(t, nil, tt.args...)
		if out := p.stdout.String() + p.stderr.String(); p.code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("mentorbot %v: exit %d, output %q; want exit %d and %q", tt.args, p.code, out, tt.code, tt.want)
		}
	}
}

// TestDemoConfigIsLoadConfigsDefaults: the demo runs with the settings a deployment
// gets from an environment holding only what the demo sets.
func TestDemoConfigIsLoadConfigsDefaults(t *testing.T) {
	vars := map[string]string{
		"SLACK_BOT_TOKEN":         "xoxb-demo",
		"SLACK_APP_TOKEN":         "xapp-demo",
		"SLACK_API_URL":           "http://127.0.0.1:1/api",
		"MENTORBOT_DB_PATH":       "demo.db",
		"MENTORBOT_ADMINS":        "UALICE",
		"MENTORBOT_KUDOS_CHANNEL": "CKUDOS",
		"MENTORBOT_HTTP_ADDR":     "",
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[Config]()) {
		name := f.Tag.Get("envconfig")
		t.Setenv(name, "") // restored after the test
		if v, ok := vars[name]; ok {
			t.Setenv(name, v)
		} else {
			os.Unsetenv(name)
		}
	}
	want, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	got, err := demoConfig(vars)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("demoConfig = %+v\nLoadConfig = %+v", got, want)
	}
	if got.CheckinSchedule.Spec != "0 10 * * MON" || got.HTTPAddr != "" || got.APIURL != "http://127.0.0.1:1/api/" {
		t.Errorf("demoConfig: checkins %q, http %q, API %q", got.CheckinSchedule.Spec, got.HTTPAddr, got.APIURL)
	}

	delete(vars, "SLACK_BOT_TOKEN")
	if _, err := demoConfig(vars); err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") {
		t.Errorf("demoConfig without a bot token: %v, want an error naming SLACK_BOT_TOKEN", err)
	}
	vars["SLACK_BOT_TOKEN"], vars["MENTORBOT_NUDGE_AFTER"] = "xoxb-demo", "soon"
	var se *SettingError
	if _, err := demoConfig(vars); err == nil || !strings.Contains(err.Error(), "MENTORBOT_NUDGE_AFTER") {
		t.Errorf("demoConfig with a bad duration: %v, want an error naming MENTORBOT_NUDGE_AFTER", err)
	} else if !errors.As(err, &se) {
		t.Errorf("demoConfig error %T, want *SettingError", err)
	}
}
