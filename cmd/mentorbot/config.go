package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"
	"github.com/robfig/cron/v3"

	"github.com/mentorbot/mentorbot/internal/mentoring"
)

// Config is every setting of the SPEC's table, read from the environment.
// Field order is the order `mentorbot -h` prints and the order errors are found in.
type Config struct {
	BotToken            BotToken  `envconfig:"SLACK_BOT_TOKEN" required:"true" desc:"bot token, starts xoxb-"`
	AppToken            AppToken  `envconfig:"SLACK_APP_TOKEN" required:"true" desc:"app-level token with connections:write, starts xapp-"`
	APIURL              APIURL    `envconfig:"SLACK_API_URL" default:"https://slack.com/api/" desc:"Web API base URL (proxies, tests); Socket Mode uses whatever URL apps.connections.open returns"`
	DBPath              string    `envconfig:"MENTORBOT_DB_PATH" default:"mentorbot.db" desc:"the BoltDB file"`
	Admins              UserIDs   `envconfig:"MENTORBOT_ADMINS" desc:"comma-separated Slack user IDs who may run admin commands (default: none)"`
	KudosChannel        ChannelID `envconfig:"MENTORBOT_KUDOS_CHANNEL" desc:"channel ID where kudos are posted (default: the channel the command was typed in)"`
	TimeZone            Zone      `envconfig:"MENTORBOT_TIMEZONE" default:"UTC" desc:"IANA zone for people whose Slack profile has none"`
	CheckinSchedule     Schedule  `envconfig:"MENTORBOT_CHECKIN_SCHEDULE" default:"0 10 * * MON" desc:"when the weekly check-in goes out, read in each participant's own time zone"`
	NudgeSchedule       Schedule  `envconfig:"MENTORBOT_NUDGE_SCHEDULE" default:"0 10 * * WED" desc:"when stale pairs are nudged, in each participant's zone"`
	RecognitionSchedule Schedule  `envconfig:"MENTORBOT_RECOGNITION_SCHEDULE" default:"0 15 * * FRI" desc:"when mentors get recognition prompts, in each mentor's zone"`
	NudgeAfter          Duration  `envconfig:"MENTORBOT_NUDGE_AFTER" default:"336h" desc:"a pair with no reported meeting for this long gets a nudge"`
	HTTPAddr            HTTPAddr  `envconfig:"MENTORBOT_HTTP_ADDR" default:"127.0.0.1:8080" desc:"/healthz, /readyz, /metrics; empty turns it off"`
	LogLevel            LogLevel  `envconfig:"MENTORBOT_LOG_LEVEL" default:"info" desc:"debug, info, warn, error"`
	RespectStatus       Bool      `envconfig:"MENTORBOT_RESPECT_STATUS" default:"true" desc:"skip check-ins and nudges for people whose Slack status says they are away"`
	WorkingHours        Hours     `envconfig:"MENTORBOT_WORKING_HOURS" default:"09:00-17:00" desc:"each person's working day in their own zone, Monday to Friday; intros and nudges suggest times inside both members' hours"`
	MentorApproval      Bool      `envconfig:"MENTORBOT_MENTOR_APPROVAL" default:"false" desc:"true: a round proposes each pair to the mentor first, and the intro goes out only when the mentor accepts"`
	ProposalTTL         Duration  `envconfig:"MENTORBOT_PROPOSAL_TTL" default:"72h" desc:"a proposal or an end-of-cycle question not answered within this long counts as \"no\""`
	Cycle               Cycle     `envconfig:"MENTORBOT_CYCLE" default:"0" desc:"how long a pairing runs before both are asked whether to keep going (12w, 90d, or a Go duration such as 2160h); 0: pairings run until ended"`
	IdleAfter           Count     `envconfig:"MENTORBOT_IDLE_AFTER" default:"3" desc:"a person who leaves this many check-ins in a row unanswered is paused and told how to resume; 0 turns it off"`
}

// SettingError names the setting that is missing or malformed. Its text never contains
// a token's value.
type SettingError struct {
	Name    string
	Problem string
}

func (e *SettingError) Error() string {
	return "setting " + e.Name + ": " + strings.TrimSuffix(e.Problem, ".") + "."
}

// LoadConfig reads the settings from the environment. Any error is a *SettingError.
func LoadConfig() (Config, error) {
	var c Config
	err := envconfig.Process("", &c)
	var pe *envconfig.ParseError
	switch {
	case err == nil:
		return c, nil
	case errors.As(err, &pe):
		// pe.Value is deliberately not used: it may be a token.
		return c, &SettingError{Name: pe.KeyName, Problem: pe.Err.Error()}
	}
	// envconfig's only other error is "required key X missing value".
	if f := strings.Fields(err.Error()); len(f) >= 3 && f[0] == "required" {
		return c, &SettingError{Name: f[2], Problem: "is required but not set"}
	}
	return c, &SettingError{Name: "environment", Problem: err.Error()}
}

const usageFormat = `mentorbot runs a company's mentoring programme in Slack.

Usage:
  mentorbot                 run the bot
  mentorbot demo            try it against a simulated Slack workspace in the terminal,
                            on a clock you move (mentorbot demo -h: flags, verbs, settings)
  mentorbot version         print the version
  mentorbot healthcheck     exit 0 when /healthz on MENTORBOT_HTTP_ADDR answers 200
  mentorbot backup -o FILE  write a consistent copy of the database to FILE (- for
                            standard output), from the running bot or the file
  mentorbot restore -i FILE check the backup FILE and put it in place of the
                            database (stop the bot first; the old file is kept)

Settings (environment variables):
{{range .}}
  {{usage_key .}}{{if usage_required .}} (required){{end}}
      {{usage_description .}}{{if usage_default .}}
      default: {{usage_default .}}{{end}}
{{end}}
Exit status: 0 on success or after SIGTERM/SIGINT, 1 on a runtime failure (Slack
rejected a token, the database is in use by another process, or damaged: then
mentorbot restore puts a backup in its place), 2 on a missing or malformed setting
or bad arguments.
`

// PrintUsage writes the help text with every setting, its default and meaning.
func PrintUsage(w io.Writer) error {
	return envconfig.Usagef("", &Config{}, w, usageFormat)
}

// BotToken is the xoxb- token. Its String and LogValue hide the value so that no
// format verb or log line can print it.
type BotToken string

func (t *BotToken) Decode(v string) error { return decodeToken((*string)(t), v, "xoxb-") }
func (t BotToken) String() string         { return "[redacted]" }
func (t BotToken) LogValue() slog.Value   { return slog.StringValue("[redacted]") }

// AppToken is the xapp- app-level token; hidden like BotToken.
type AppToken string

func (t *AppToken) Decode(v string) error { return decodeToken((*string)(t), v, "xapp-") }
func (t AppToken) String() string         { return "[redacted]" }
func (t AppToken) LogValue() slog.Value   { return slog.StringValue("[redacted]") }

func decodeToken(dst *string, v, prefix string) error {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return errors.New("is empty")
	case !strings.HasPrefix(v, prefix) || len(v) == len(prefix):
		return fmt.Errorf("must be a token that starts with %s", prefix)
	}
	*dst = v
	return nil
}

// APIURL is the Web API base; it always ends in "/" because slack-go appends the
// method name to it.
type APIURL string

func (a *APIURL) Decode(v string) error {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an http or https URL such as https://slack.com/api/")
	}
	s := u.String()
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	*a = APIURL(s)
	return nil
}

// UserIDs is a comma-separated list of Slack user ids; blanks are ignored.
type UserIDs []string

func (u *UserIDs) Decode(v string) error {
	var ids []string
	for id := range strings.SplitSeq(v, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !mentoring.ValidUserID(id) {
			return fmt.Errorf("%q is not a Slack user ID (they look like U012ABCDEF)", id)
		}
		ids = append(ids, id)
	}
	*u = ids
	return nil
}

var channelIDPattern = regexp.MustCompile(`^[CG][A-Z0-9]{2,20}$`)

// ChannelID is a Slack channel id, or empty.
type ChannelID string

func (c *ChannelID) Decode(v string) error {
	v = strings.TrimSpace(v)
	if v != "" && !channelIDPattern.MatchString(v) {
		return fmt.Errorf("%q is not a Slack channel ID (they look like C012ABCDEF; a #name will not do)", v)
	}
	*c = ChannelID(v)
	return nil
}

// Zone is an IANA time zone.
type Zone struct{ *time.Location }

func (z *Zone) Decode(v string) error {
	v = strings.TrimSpace(v)
	loc, err := time.LoadLocation(v)
	if err != nil || v == "" || v == "Local" {
		return fmt.Errorf("%q is not an IANA time zone such as Europe/Berlin or UTC", v)
	}
	z.Location = loc
	return nil
}

// Schedule is a standard 5-field cron spec. Its zone comes from each participant, so
// a CRON_TZ= or TZ= prefix is refused rather than silently overriding that.
type Schedule struct {
	Spec string
	cron.Schedule
}

func (s *Schedule) Decode(v string) error {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "TZ=") || strings.HasPrefix(v, "CRON_TZ=") {
		return errors.New("must not name a time zone: schedules are read in each participant's own zone")
	}
	sched, err := cron.ParseStandard(v)
	if err != nil {
		return fmt.Errorf("%q is not a cron spec of 5 fields (minute, hour, day of month, month, day of week) such as \"0 10 * * MON\"", v)
	}
	s.Spec, s.Schedule = v, sched
	return nil
}

// Duration is a positive Go duration such as 336h.
type Duration time.Duration

func (d *Duration) Decode(v string) error {
	p, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || p <= 0 {
		return fmt.Errorf("%q is not a positive duration such as 336h or 90m", v)
	}
	*d = Duration(p)
	return nil
}

// Cycle is how long a pairing runs before both are asked whether to go on: weeks
// (12w), days (90d) or a Go duration (2160h); 0 turns cycles off.
type Cycle time.Duration

func (c *Cycle) Decode(v string) error {
	v = strings.TrimSpace(v)
	bad := fmt.Errorf("%q is not a length such as 12w, 90d or 2160h (0 turns cycles off)", v)
	if v == "0" {
		*c = 0
		return nil
	}
	unit := map[byte]time.Duration{'w': 7 * 24 * time.Hour, 'd': 24 * time.Hour}
	if n := len(v); n > 1 && unit[v[n-1]] != 0 {
		k, err := strconv.Atoi(v[:n-1])
		if err != nil || k <= 0 || k > 520 {
			return bad
		}
		*c = Cycle(time.Duration(k) * unit[v[n-1]])
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return bad
	}
	*c = Cycle(d)
	return nil
}

// Count is a whole number, 0 or more.
type Count int

func (c *Count) Decode(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 1000 {
		return fmt.Errorf("%q is not a whole number from 0 to 1000", v)
	}
	*c = Count(n)
	return nil
}

// Hours is a working day, HH:MM-HH:MM.
type Hours struct{ mentoring.WorkingHours }

func (h *Hours) Decode(v string) error {
	w, err := mentoring.ParseWorkingHours(strings.TrimSpace(v))
	if err != nil {
		return err
	}
	h.WorkingHours = w
	return nil
}

// HTTPAddr is host:port for the operator endpoints, or empty for none.
type HTTPAddr string

func (a *HTTPAddr) Decode(v string) error {
	v = strings.TrimSpace(v)
	if v != "" {
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			return fmt.Errorf("%q is not host:port such as 127.0.0.1:8080 or :8080 (empty turns it off)", v)
		}
	}
	*a = HTTPAddr(v)
	return nil
}

// LogLevel is one of debug, info, warn, error.
type LogLevel struct{ slog.Level }

func (l *LogLevel) Decode(v string) error {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "debug":
		l.Level = slog.LevelDebug
	case "info":
		l.Level = slog.LevelInfo
	case "warn":
		l.Level = slog.LevelWarn
	case "error":
		l.Level = slog.LevelError
	default:
		return fmt.Errorf("%q is not one of debug, info, warn, error", v)
	}
	return nil
}

// Bool is a yes-or-no setting: true or false (also 1, 0, yes, no, on, off).
type Bool bool

func (b *Bool) Decode(v string) error {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "on":
		*b = true
	case "false", "0", "no", "off":
		*b = false
	default:
		return fmt.Errorf("%q is not true or false", v)
	}
	return nil
}
