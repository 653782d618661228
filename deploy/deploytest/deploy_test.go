// Package deploytest checks the files an operator deploys mentorbot with: the
// Kubernetes manifests, the compose file, the systemd units and the Dockerfile. It holds
// tests only. Each file is parsed as the tool that reads it would (Kubernetes objects
// into the API's own Go types, strictly; compose with the YAML library compose-go
// uses; systemd's unit syntax; Dockerfile instructions), then the fields that make the
// bot safe to run are checked, and the files are checked against each other (the
// database path and the volume, the HTTP address and the probes, the user).
package deploytest

import (
	"bufio"
	"net"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// root is the repository root, relative to this package's directory.
const root = "../.."

// read returns a file of the repository, named relative to its root.
func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The two tokens: they must come from a secret store, never from a file in the
// repository or a ConfigMap.
const (
	botToken = "SLACK_BOT_TOKEN"
	appToken = "SLACK_APP_TOKEN"
)

// settingRow is a row of the README's settings table: | `NAME` | ...
var settingRow = regexp.MustCompile("^\\| `([A-Z_]+)` \\|")

// settings are the environment variables the README's "Settings" section names, the
// same table as SPEC.md's.
func settings(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	in := false
	sc := bufio.NewScanner(strings.NewReader(string(read(t, "README.md"))))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Settings"
			continue
		}
		if m := settingRow.FindStringSubmatch(line); in && m != nil {
			out[m[1]] = true
		}
	}
	if !out[botToken] || !out[appToken] || !out["MENTORBOT_DB_PATH"] || !out["MENTORBOT_HTTP_ADDR"] {
		t.Fatalf("README's settings table not found or incomplete: %v", out)
	}
	return out
}

// checkSettingNames fails t for every name in names that is not a setting.
func checkSettingNames(t *testing.T, where string, names []string) {
	t.Helper()
	known := settings(t)
	for _, n := range names {
		if !known[n] {
			t.Errorf("%s sets %s, which is not a setting (README, Settings)", where, n)
		}
	}
}

// dbDir is the directory of a MENTORBOT_DB_PATH value, which must be absolute (a
// deployment cannot rely on a working directory).
func dbDir(t *testing.T, where, dbPath string) string {
	t.Helper()
	if !path.IsAbs(dbPath) || path.Clean(dbPath) != dbPath || path.Base(dbPath) == "" {
		t.Errorf("%s: MENTORBOT_DB_PATH %q is not a clean absolute file path", where, dbPath)
	}
	return path.Dir(dbPath)
}

// httpPort checks that a MENTORBOT_HTTP_ADDR value listens beyond the loopback
// interface (a kubelet's probe and a published container port come from outside the
// container's loopback) and returns its port.
func httpPort(t *testing.T, where, addr string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		t.Errorf("%s: MENTORBOT_HTTP_ADDR %q is not host:port with a fixed port", where, addr)
		return ""
	}
	if host != "" && host != "0.0.0.0" && host != "::" {
		t.Errorf("%s: MENTORBOT_HTTP_ADDR %q listens on %s only; probes and published ports cannot reach it", where, addr, host)
	}
	return port
}

// imageUser is the user the image runs as (the Dockerfile's last USER), for the
// compose file and the pod to agree with.
func imageUser(t *testing.T) string {
	t.Helper()
	stages := parseDockerfile(t, read(t, "Dockerfile"))
	final := stages[len(stages)-1]
	users := final.all("USER")
	if len(users) == 0 {
		t.Fatal("Dockerfile: the final stage has no USER")
	}
	return users[len(users)-1]
}
