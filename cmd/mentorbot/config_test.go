package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

const (
	testBotToken = "xoxb-1-secret-bot"
	testAppToken = "xapp-1-secret-app"
)

// settingNames are every variable of SPEC.md's table.
var settingNames = []string{
	"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL", "MENTORBOT_DB_PATH", "MENTORBOT_ADMINS",
	"MENTORBOT_KUDOS_CHANNEL", "MENTORBOT_TIMEZONE", "MENTORBOT_CHECKIN_SCHEDULE", "MENTORBOT_NUDGE_SCHEDULE",
	"MENTORBOT_RECOGNITION_SCHEDULE", "MENTORBOT_NUDGE_AFTER", "MENTORBOT_HTTP_ADDR", "MENTORBOT_LOG_LEVEL",
	"MENTORBOT_RESPECT_STATUS", "MENTORBOT_WORKING_HOURS", "MENTORBOT_MENTOR_APPROVAL", "MENTORBOT_PROPOSAL_TTL",
	"MENTORBOT_CYCLE", "MENTORBOT_IDLE_AFTER",
}

// setEnv clears every setting, then sets the tokens and the given overrides
// (a value of "-" unsets the variable).
func setEnv(t *testing.T, kv map[string]string) {
	t.Helper()
	for _, n := range settingNames {
		t.Setenv(n, "")
	}
	env := map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_APP_TOKEN": testAppToken}
	for k, v := range kv {
		env[k] = v
	}
	for _, n := range settingNames {
		v, ok := env[n]
		if !ok || v == "-" {
			unsetenv(t, n)
			continue
		}
		t.Setenv(n, v)
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	setEnv(t, nil)
	c, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"api url", string(c.APIURL), "https://slack.com/api/"},
		{"db path", c.DBPath, "mentorbot.db"},
		{"admins", len(c.Admins), 0},
		{"kudos channel", string(c.KudosChannel), ""},
		{"time zone", c.TimeZone.String(), "UTC"},
		{"checkin", c.CheckinSchedule.Spec, "0 10 * * MON"},
		{"nudge", c.NudgeSchedule.Spec, "0 10 * * WED"},
		{"recognition", c.RecognitionSchedule.Spec, "0 15 * * FRI"},
		{"nudge after", time.Duration(c.NudgeAfter), 336 * time.Hour},
		{"http addr", string(c.HTTPAddr), "127.0.0.1:8080"},
		{"log level", c.LogLevel.Level, slog.LevelInfo},
		{"respect status", bool(c.RespectStatus), true},
		{"working hours", c.WorkingHours.WorkingHours, mentoring.DefaultWorkingHours},
		{"mentor approval", bool(c.MentorApproval), false},
		{"proposal ttl", time.Duration(c.ProposalTTL), 72 * time.Hour},
		{"cycle", time.Duration(c.Cycle), time.Duration(0)},
		{"idle after", int(c.IdleAfter), 3},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	// The schedule is usable: next Monday 10:00 after a Sunday.
	sun := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	if got, want := c.CheckinSchedule.Next(sun), time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("checkin Next(%v) = %v, want %v", sun, got, want)
	}
}

func TestLoadConfigAcceptsValidValues(t *testing.T) {
	setEnv(t, map[string]string{
		"SLACK_API_URL":             "http://127.0.0.1:9999/api",
		"MENTORBOT_ADMINS":          " U012ABC, W0XYZ ,",
		"MENTORBOT_KUDOS_CHANNEL":   "C0KUDOS",
		"MENTORBOT_TIMEZONE":        "Europe/Berlin",
		"MENTORBOT_HTTP_ADDR":       "",
		"MENTORBOT_LOG_LEVEL":       "DEBUG",
		"MENTORBOT_NUDGE_AFTER":     "90m",
		"MENTORBOT_WORKING_HOURS":   "08:30-16:30",
		"MENTORBOT_MENTOR_APPROVAL": "yes",
		"MENTORBOT_PROPOSAL_TTL":    "48h",
		"MENTORBOT_CYCLE":           "12w",
		"MENTORBOT_IDLE_AFTER":      "0",
	})
	c, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if w := c.WorkingHours.WorkingHours; w.String() != "08:30-16:30" || !c.MentorApproval || time.Duration(c.ProposalTTL) != 48*time.Hour ||
		time.Duration(c.Cycle) != 12*7*24*time.Hour || c.IdleAfter != 0 {
		t.Errorf("got hours %v approval %v ttl %v cycle %v idle after %d", w, c.MentorApproval, time.Duration(c.ProposalTTL), time.Duration(c.Cycle), c.IdleAfter)
	}
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "2160h": 2160 * time.Hour, "0": 0} {
		var cy Cycle
		if err := cy.Decode(in); err != nil || time.Duration(cy) != want {
			t.Errorf("MENTORBOT_CYCLE=%s: %v, %v; want %v", in, time.Duration(cy), err, want)
		}
	}
	if got, want := string(c.APIURL), "http://127.0.0.1:9999/api/"; got != want {
		t.Errorf("api url = %q, want %q (a trailing slash added)", got, want)
	}
	if got, want := strings.Join(c.Admins, ","), "U012ABC,W0XYZ"; got != want {
		t.Errorf("admins = %q, want %q", got, want)
	}
	if c.HTTPAddr != "" {
		t.Errorf("http addr = %q, want empty (off)", c.HTTPAddr)
	}
	if c.LogLevel.Level != slog.LevelDebug || c.TimeZone.String() != "Europe/Berlin" || time.Duration(c.NudgeAfter) != 90*time.Minute {
		t.Errorf("got level %v zone %v nudge after %v", c.LogLevel.Level, c.TimeZone, time.Duration(c.NudgeAfter))
	}
}

func TestLoadConfigErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // the setting named
	}{
		{"bot token missing", map[string]string{"SLACK_BOT_TOKEN": "-"}, "SLACK_BOT_TOKEN"},
		{"bot token empty", map[string]string{"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"},
		{"bot token is an app token", map[string]string{"SLACK_BOT_TOKEN": testAppToken}, "SLACK_BOT_TOKEN"},
		{"app token missing", map[string]string{"SLACK_APP_TOKEN": "-"}, "SLACK_APP_TOKEN"},
		{"app token is a bot token", map[string]string{"SLACK_APP_TOKEN": testBotToken}, "SLACK_APP_TOKEN"},
		{"api url not a url", map[string]string{"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"},
		{"admin not a user id", map[string]string{"MENTORBOT_ADMINS": "U012ABC,@alice"}, "MENTORBOT_ADMINS"},
		{"kudos channel a name", map[string]string{"MENTORBOT_KUDOS_CHANNEL": "#kudos"}, "MENTORBOT_KUDOS_CHANNEL"},
		{"unknown zone", map[string]string{"MENTORBOT_TIMEZONE": "Mars/Olympus"}, "MENTORBOT_TIMEZONE"},
		{"bad cron", map[string]string{"MENTORBOT_CHECKIN_SCHEDULE": "every monday"}, "MENTORBOT_CHECKIN_SCHEDULE"},
		{"six-field cron", map[string]string{"MENTORBOT_NUDGE_SCHEDULE": "0 0 10 * * WED"}, "MENTORBOT_NUDGE_SCHEDULE"},
		{"cron with zone", map[string]string{"MENTORBOT_RECOGNITION_SCHEDULE": "CRON_TZ=UTC 0 15 * * FRI"}, "MENTORBOT_RECOGNITION_SCHEDULE"},
		{"bad duration", map[string]string{"MENTORBOT_NUDGE_AFTER": "two weeks"}, "MENTORBOT_NUDGE_AFTER"},
		{"negative duration", map[string]string{"MENTORBOT_NUDGE_AFTER": "-1h"}, "MENTORBOT_NUDGE_AFTER"},
		{"bad http addr", map[string]string{"MENTORBOT_HTTP_ADDR": "localhost"}, "MENTORBOT_HTTP_ADDR"},
		{"bad log level", map[string]string{"MENTORBOT_LOG_LEVEL": "verbose"}, "MENTORBOT_LOG_LEVEL"},
		{"bad bool", map[string]string{"MENTORBOT_RESPECT_STATUS": "maybe"}, "MENTORBOT_RESPECT_STATUS"},
		{"bad working hours", map[string]string{"MENTORBOT_WORKING_HOURS": "9-5"}, "MENTORBOT_WORKING_HOURS"},
		{"backwards working hours", map[string]string{"MENTORBOT_WORKING_HOURS": "17:00-09:00"}, "MENTORBOT_WORKING_HOURS"},
		{"bad approval", map[string]string{"MENTORBOT_MENTOR_APPROVAL": "sometimes"}, "MENTORBOT_MENTOR_APPROVAL"},
		{"bad ttl", map[string]string{"MENTORBOT_PROPOSAL_TTL": "3 days"}, "MENTORBOT_PROPOSAL_TTL"},
		{"bad cycle", map[string]string{"MENTORBOT_CYCLE": "a quarter"}, "MENTORBOT_CYCLE"},
		{"negative cycle", map[string]string{"MENTORBOT_CYCLE": "-12w"}, "MENTORBOT_CYCLE"},
		{"bad idle after", map[string]string{"MENTORBOT_IDLE_AFTER": "-1"}, "MENTORBOT_IDLE_AFTER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			_, err := LoadConfig()
			var se *SettingError
			if !errors.As(err, &se) {
				t.Fatalf("LoadConfig error = %v, want a *SettingError", err)
			}
			if se.Name != tt.want {
				t.Errorf("error names %s, want %s: %v", se.Name, tt.want, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "secret") || strings.Contains(msg, "\n") {
				t.Errorf("error %q leaks a token or is more than one line", msg)
			}
		})
	}
}

func TestTokensNeverFormat(t *testing.T) {
	setEnv(t, nil)
	c, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "cfg", c, "bot", c.BotToken, "app", c.AppToken)
	out := buf.String() + fmt.Sprintf("%v %+v %s %q", c, c, c.BotToken, c.AppToken)
	if strings.Contains(out, "secret") {
		t.Errorf("a token value reached formatted output: %s", out)
	}
}

func TestUsageListsEverySettingWithDefault(t *testing.T) {
	var buf bytes.Buffer
	if err := PrintUsage(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, n := range settingNames {
		if !strings.Contains(out, n) {
			t.Errorf("usage does not list %s", n)
		}
	}
	for _, d := range []string{"0 10 * * MON", "336h", "127.0.0.1:8080", "https://slack.com/api/", "mentorbot.db"} {
		if !strings.Contains(out, "default: "+d) {
			t.Errorf("usage does not show default %q", d)
		}
	}
}

// unsetenv removes k for the test, restoring it afterwards.
func unsetenv(t *testing.T, k string) {
	t.Helper()
	t.Setenv(k, "") // registers the restore
	os.Unsetenv(k)
}
