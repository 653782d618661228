package deploytest

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// unit is a systemd unit file: section → key → every value assigned, in order.
type unit map[string]map[string][]string

// last is the value in force for a key that takes one value (the last assignment).
func (u unit) last(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// env is the unit's Environment= assignments, later ones winning.
func (u unit) env() map[string]string {
	out := map[string]string{}
	for _, a := range u["Service"]["Environment"] {
		for _, f := range strings.Fields(a) {
			k, v, _ := strings.Cut(strings.Trim(f, `"`), "=")
			out[k] = v
		}
	}
	return out
}

// parseUnit reads systemd's unit syntax (systemd.syntax(7)): [Section] headers,
// Key=Value lines, # and ; comments, a trailing backslash continuing a line.
func parseUnit(t *testing.T, name string) unit {
	t.Helper()
	u := unit{}
	section := ""
	var pending string
	sc := bufio.NewScanner(strings.NewReader(string(read(t, name))))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if pending == "" && (line == "" || line[0] == '#' || line[0] == ';') {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, pending = pending+line, ""
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section == "" {
			t.Fatalf("%s:%d: not Key=Value in a section: %q", name, n, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		u[section][k] = append(u[section][k], v)
	}
	return u
}

// yes reads a systemd boolean.
func yes(v string) bool {
	return slices.Contains([]string{"1", "yes", "y", "true", "t", "on"}, strings.ToLower(v))
}

// The service runs the binary with no subcommand as an unprivileged user, keeps the
// database in its state directory, reads the tokens from an EnvironmentFile, restarts
// on failure (but not on a bad setting, exit 2), stops with SIGTERM with time to
// spare, and is sandboxed.
func TestSystemdUnit(t *testing.T) {
	const name = "deploy/systemd/mentorbot.service"
	u := parseUnit(t, name)
	svc := u["Service"]
	if svc == nil {
		t.Fatalf("%s: no [Service]", name)
	}

	start := strings.Fields(u.last("Service", "ExecStart"))
	if len(start) != 1 || !path.IsAbs(start[0]) || path.Base(start[0]) != "mentorbot" {
		t.Errorf("ExecStart=%v, want the absolute path of the mentorbot binary and no arguments (no arguments runs the bot)", start)
	}

	user := u.last("Service", "User")
	if !yes(u.last("Service", "DynamicUser")) && (user == "" || user == "root" || user == "0") {
		t.Errorf("neither DynamicUser=yes nor a User= other than root (User=%q)", user)
	}

	// The database in a directory the service may write, which with ProtectSystem=strict
	// is its StateDirectory (under /var/lib).
	env := u.env()
	dir := dbDir(t, name, env["MENTORBOT_DB_PATH"])
	var states []string
	for _, s := range svc["StateDirectory"] {
		for _, d := range strings.Fields(s) {
			states = append(states, "/var/lib/"+d)
		}
	}
	if !slices.Contains(states, dir) {
		t.Errorf("MENTORBOT_DB_PATH is in %s, which is not a StateDirectory (%v): under ProtectSystem=strict only those are writable", dir, states)
	}
	if m := u.last("Service", "StateDirectoryMode"); m != "" && m != "0700" && m != "0750" {
		t.Errorf("StateDirectoryMode=%s lets other users read the database", m)
	}

	// Tokens from an EnvironmentFile, not from the unit (which is world-readable).
	if len(svc["EnvironmentFile"]) == 0 {
		t.Error("no EnvironmentFile= for the tokens")
	}
	for _, f := range svc["EnvironmentFile"] {
		if strings.HasPrefix(f, "-") {
			t.Errorf("EnvironmentFile=%s is optional; without it the bot cannot start, so let systemd say so", f)
		}
	}
	var keys []string
	for k := range env {
		keys = append(keys, k)
		if k == botToken || k == appToken {
			t.Errorf("the unit sets %s; it belongs in the EnvironmentFile", k)
		}
	}
	checkSettingNames(t, name, keys)

	// Restarts, but not for a malformed setting; stops cleanly.
	if r := u.last("Service", "Restart"); !slices.Contains([]string{"on-failure", "always", "on-abnormal"}, r) {
		t.Errorf("Restart=%q, want on-failure (or always)", r)
	}
	if !slices.Contains(strings.Fields(u.last("Service", "RestartPreventExitStatus")), "2") {
		t.Error("RestartPreventExitStatus lacks 2: a malformed setting would restart in a loop")
	}
	if s := u.last("Service", "KillSignal"); s != "" && s != "SIGTERM" {
		t.Errorf("KillSignal=%s; the bot shuts down cleanly on SIGTERM", s)
	}
	if d, err := time.ParseDuration(u.last("Service", "TimeoutStopSec")); err != nil || d <= 10*time.Second {
		t.Errorf("TimeoutStopSec=%q; the bot takes up to 10 s to stop, give it more", u.last("Service", "TimeoutStopSec"))
	}

	// Hardening.
	for key, want := range map[string]string{
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"PrivateDevices": "yes", "RestrictSUIDSGID": "yes", "UMask": "0077",
	} {
		if got := u.last("Service", key); got != want && !(want == "yes" && yes(got)) {
			t.Errorf("%s=%q, want %s", key, got, want)
		}
	}
	if v, ok := svc["CapabilityBoundingSet"]; !ok || v[len(v)-1] != "" {
		t.Errorf("CapabilityBoundingSet=%v, want empty (no capabilities)", v)
	}
	if u.last("Install", "WantedBy") == "" {
		t.Error("no [Install] WantedBy=, so `systemctl enable` does nothing")
	}
}

// The backup service and timer: the same user and database as the bot, so that it
// reaches the running bot's socket.
func TestSystemdBackupUnits(t *testing.T) {
	bot := parseUnit(t, "deploy/systemd/mentorbot.service")
	bak := parseUnit(t, "deploy/systemd/mentorbot-backup.service")
	timer := parseUnit(t, "deploy/systemd/mentorbot-backup.timer")
	for _, key := range []string{"User", "DynamicUser", "EnvironmentFile"} {
		if bot.last("Service", key) != bak.last("Service", key) {
			t.Errorf("backup %s=%q, the bot's is %q", key, bak.last("Service", key), bot.last("Service", key))
		}
	}
	if bot.env()["MENTORBOT_DB_PATH"] != bak.env()["MENTORBOT_DB_PATH"] {
		t.Errorf("backup MENTORBOT_DB_PATH=%q, the bot's is %q", bak.env()["MENTORBOT_DB_PATH"], bot.env()["MENTORBOT_DB_PATH"])
	}
	if !strings.Contains(bak.last("Service", "ExecStart"), "mentorbot backup -o ") {
		t.Errorf("backup ExecStart=%s does not run `mentorbot backup -o`", bak.last("Service", "ExecStart"))
	}
	if timer.last("Timer", "OnCalendar") == "" || !yes(timer.last("Timer", "Persistent")) {
		t.Error("backup timer: no OnCalendar= or not Persistent=yes (a backup missed while off would be skipped)")
	}
}

// systemd's own checker, where systemd-analyze is installed (Debian's systemd package):
// `verify` loads the units as systemd would (unknown keys, bad values, missing
// binaries), and `security --offline` scores the sandbox; the bot's unit must stay at
// an exposure of 2.0 or less on its 0–10 scale (1.4 when this was written). The units are checked under a throwaway root
// holding systemd's own units, stand-ins for the binaries they run, and the units.
func TestSystemdAnalyze(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed (Debian package systemd); the unit syntax is still checked by TestSystemdUnit")
	}
	sysUnits := "/usr/lib/systemd/system"
	if _, err := os.Stat(filepath.Join(sysUnits, "sysinit.target")); err != nil {
		t.Skipf("systemd's units are not in %s: %v", sysUnits, err)
	}
	rootDir := t.TempDir()
	copyTree(t, sysUnits, filepath.Join(rootDir, "usr/lib/systemd/system"))
	unitDir := filepath.Join(rootDir, "etc/systemd/system")
	names := []string{"mentorbot.service", "mentorbot-backup.service", "mentorbot-backup.timer"}
	for _, n := range names {
		writeFile(t, filepath.Join(unitDir, n), read(t, "deploy/systemd/"+n), 0o644)
	}
	// Stand-ins for every binary the units run.
	for _, n := range []string{"mentorbot.service", "mentorbot-backup.service"} {
		u := parseUnit(t, "deploy/systemd/"+n)
		for _, key := range []string{"ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop"} {
			for _, line := range u["Service"][key] {
				if f := strings.Fields(strings.TrimLeft(line, "-@:+!")); len(f) > 0 {
					writeFile(t, filepath.Join(rootDir, f[0]), []byte("#!/bin/sh\n"), 0o755)
				}
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run := func(args ...string) (string, error) {
		out, err := exec.CommandContext(ctx, analyze, args...).CombinedOutput()
		return string(out), err
	}
	if out, err := run(append([]string{"verify", "--man=no", "--root=" + rootDir}, names...)...); err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify found problems (exit: %v):\n%s", err, out)
	}
	// --threshold is in tenths of the 0–10 exposure scale the report prints.
	out, err := run("security", "--offline=yes", "--root="+rootDir, "--threshold=20", "mentorbot.service")
	var summary []string
	for line := range strings.SplitSeq(out, "\n") {
		if strings.Contains(line, "✗") || strings.Contains(line, "Overall exposure") {
			summary = append(summary, strings.TrimSpace(line))
		}
	}
	if err != nil {
		t.Errorf("systemd-analyze security: mentorbot.service is more exposed than 2.0 (%v); what it flags:\n%s", err, strings.Join(summary, "\n"))
	} else if len(summary) > 0 {
		t.Log(summary[len(summary)-1])
	}
}

func writeFile(t *testing.T, name string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, mode); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the regular files and symlinks under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
