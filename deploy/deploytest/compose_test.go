package deploytest

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// composeFile is deploy/compose.yaml, decoded with the YAML library Docker Compose's
// own loader (compose-go) uses. Every key the file may use is listed, and decoding
// refuses any other, so a misspelt key fails here instead of being ignored. Keys
// that take several shapes in the Compose spec (a string or a list, a map or a list)
// are `any` and normalised by the checks.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Build           any                `yaml:"build"`
	Image           string             `yaml:"image"`
	User            string             `yaml:"user"`
	EnvFile         any                `yaml:"env_file"`
	Environment     any                `yaml:"environment"`
	Volumes         []string           `yaml:"volumes"`
	Ports           []string           `yaml:"ports"`
	Restart         string             `yaml:"restart"`
	StopGracePeriod string             `yaml:"stop_grace_period"`
	StopSignal      string             `yaml:"stop_signal"`
	ReadOnly        bool               `yaml:"read_only"`
	Tmpfs           []string           `yaml:"tmpfs"`
	CapDrop         []string           `yaml:"cap_drop"`
	SecurityOpt     []string           `yaml:"security_opt"`
	Healthcheck     composeHealthcheck `yaml:"healthcheck"`
}

type composeHealthcheck struct {
	Test        any    `yaml:"test"`
	Interval    string `yaml:"interval"`
	Timeout     string `yaml:"timeout"`
	Retries     int    `yaml:"retries"`
	StartPeriod string `yaml:"start_period"`
	Disable     bool   `yaml:"disable"`
}

// strs reads a Compose value that is a string or a list of strings (env_file,
// healthcheck.test).
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// environment reads a Compose environment, a map or a list of KEY=VALUE.
func environment(v any) map[string]string {
	out := map[string]string{}
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			out[k] = fmt.Sprint(e)
		}
	case []any:
		for _, e := range v {
			k, val, _ := strings.Cut(fmt.Sprint(e), "=")
			out[k] = val
		}
	}
	return out
}

// The service builds or names the image, reads the tokens from an env file that is not
// committed, keeps the database on a named volume at MENTORBOT_DB_PATH's directory,
// checks its health with `mentorbot healthcheck`, restarts, and runs read-only as the
// image's non-root user.
func TestComposeFile(t *testing.T) {
	const name = "deploy/compose.yaml"
	dec := yaml.NewDecoder(bytes.NewReader(read(t, name)))
	dec.KnownFields(true)
	var f composeFile
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(f.Services) != 1 {
		t.Fatalf("%s: %d services, want the one bot", name, len(f.Services))
	}
	s, ok := f.Services["mentorbot"]
	if !ok {
		t.Fatalf("%s: no service mentorbot", name)
	}
	if s.Build == nil && s.Image == "" {
		t.Error("compose: neither build nor image")
	}

	// Tokens from an env file that is git-ignored, with an example beside it.
	files := strs(s.EnvFile)
	if len(files) == 0 {
		t.Error("compose: no env_file; the tokens belong in one")
	}
	ignored := strings.Fields(string(read(t, "deploy/.gitignore")))
	for _, ef := range files {
		if !slices.Contains(ignored, ef) {
			t.Errorf("compose: env_file %s is not in deploy/.gitignore; it holds the tokens", ef)
		}
		read(t, "deploy/"+ef+".example")
	}
	env := environment(s.Environment)
	var keys []string
	for k := range env {
		keys = append(keys, k)
	}
	checkSettingNames(t, "compose environment", keys)
	for _, tok := range []string{botToken, appToken} {
		if _, ok := env[tok]; ok {
			t.Errorf("compose: %s is set in compose.yaml; keep it in the env file", tok)
		}
	}

	// The database on a named volume.
	dir := dbDir(t, "compose environment", env["MENTORBOT_DB_PATH"])
	var vol string
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && path.Clean(parts[1]) == dir {
			vol = parts[0]
			if len(parts) == 3 && strings.Contains(parts[2], "ro") {
				t.Errorf("compose: the database volume %s is read-only", v)
			}
		}
	}
	if _, declared := f.Volumes[vol]; vol == "" || !declared {
		t.Errorf("compose: %s (MENTORBOT_DB_PATH's directory) is not a named volume declared under volumes: (volumes %v)", dir, s.Volumes)
	}

	// The HTTP port published on the host's loopback only.
	port := httpPort(t, "compose environment", env["MENTORBOT_HTTP_ADDR"])
	if !slices.ContainsFunc(s.Ports, func(p string) bool { return strings.HasPrefix(p, "127.0.0.1:") && strings.HasSuffix(p, ":"+port) }) {
		t.Errorf("compose: ports %v do not publish %s on 127.0.0.1 (the metrics need no wider audience)", s.Ports, port)
	}

	// Health, restarts, stopping.
	if test := strs(s.Healthcheck.Test); s.Healthcheck.Disable || len(test) < 2 || test[0] != "CMD" ||
		!slices.Equal(test[len(test)-1:], []string{"healthcheck"}) {
		t.Errorf("compose: healthcheck test %v, want [CMD, /mentorbot, healthcheck] (the image has no shell)", test)
	}
	if !slices.Contains([]string{"always", "unless-stopped", "on-failure"}, s.Restart) {
		t.Errorf("compose: restart %q, want always, unless-stopped or on-failure", s.Restart)
	}
	if d, err := time.ParseDuration(s.StopGracePeriod); err != nil || d <= 10*time.Second {
		t.Errorf("compose: stop_grace_period %q; the bot takes up to 10 s to stop, give it more", s.StopGracePeriod)
	}
	if s.StopSignal != "" && s.StopSignal != "SIGTERM" {
		t.Errorf("compose: stop_signal %s; the bot shuts down cleanly on SIGTERM", s.StopSignal)
	}

	// Locked down: read-only root, the image's non-root user, no capabilities.
	if !s.ReadOnly {
		t.Error("compose: read_only is not true")
	}
	if want := imageUser(t); s.User != want {
		t.Errorf("compose: user %q, want the image's non-root user %q (who owns the volume's mount point)", s.User, want)
	}
	if !slices.Contains(s.CapDrop, "ALL") {
		t.Error("compose: cap_drop lacks ALL")
	}
	if !slices.Contains(s.SecurityOpt, "no-new-privileges:true") && !slices.Contains(s.SecurityOpt, "no-new-privileges") {
		t.Error("compose: security_opt lacks no-new-privileges")
	}
}

// Every line of mentorbot.env.example, set or commented out, names a setting, and the
// two tokens are there as placeholders only.
func TestEnvExample(t *testing.T) {
	var keys []string
	vals := map[string]string{}
	for line := range strings.SplitSeq(string(read(t, "deploy/mentorbot.env.example")), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "#")
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || strings.ToUpper(k) != k || strings.ContainsAny(k, " \t") {
			continue
		}
		keys = append(keys, k)
		vals[k] = v
	}
	checkSettingNames(t, "mentorbot.env.example", keys)
	for _, tok := range []string{botToken, appToken} {
		if v, ok := vals[tok]; !ok || !strings.Contains(v, "REPLACE-ME") {
			t.Errorf("mentorbot.env.example: %s = %q, want a REPLACE-ME placeholder", tok, v)
		}
	}
}
