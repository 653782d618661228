package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/slacktest"
	"github.com/mentorbot/mentorbot/store"
)

// binPath is the mentorbot binary built once for these tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mentorbot-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "mentorbot")
	args := []string{"build", "-o", binPath}
	if raceEnabled {
		args = append(args, "-race")
	}
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build mentorbot: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer safe for a process writing while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a running mentorbot process.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	code           int
}

// startProc runs the binary with only the given environment (plus PATH and HOME).
func startProc(t testing.TB, env map[string]string, args ...string) *proc {
	t.Helper()
	return startProcIn(t, nil, env, args...)
}

// startProcIn is startProc with stdin (nil: none); env overrides HOME if it sets it.
func startProcIn(t testing.TB, stdin io.Reader, env map[string]string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Stdin = stdin
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait returns the exit status, failing the test if the process runs past timeout.
func (p *proc) wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		t.Fatalf("process still running after %v; stderr:\n%s", timeout, p.stderr)
		return -1
	}
}

// runProc runs the binary to completion.
func runProc(t testing.TB, env map[string]string, args ...string) *proc {
	t.Helper()
	p := startProc(t, env, args...)
	p.wait(t, 20*time.Second)
	return p
}

var httpAddrLine = regexp.MustCompile(`mentorbot starting.*http=(127\.0\.0\.1:\d+)`)

// addr waits until the process has connected its endpoints and returns their address.
func (p *proc) addr(t testing.TB) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if m := httpAddrLine.FindStringSubmatch(p.stderr.String()); m != nil {
			return m[1]
		}
		select {
		case <-p.done:
			t.Fatalf("process exited %d before starting; stderr:\n%s", p.code, p.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("process did not start; stderr:\n%s", p.stderr)
	return ""
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitStatus polls url until it answers want.
func waitStatus(t testing.TB, url string, want int) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, body := get(t, url)
		if code == want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s = %d %q, want %d", url, code, body, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newSlack(t *testing.T, opts slacktest.Options) *slacktest.Server {
	t.Helper()
	srv, err := slacktest.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.AddUser(slacktest.User{ID: "UALICE", Name: "alice", RealName: "Alice", TZ: "Europe/Berlin"})
	return srv
}

// botEnv is a complete environment for a bot talking to srv with a fresh database.
func botEnv(t *testing.T, srv *slacktest.Server, db string) map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN":     "xoxb-test-token",
		"SLACK_APP_TOKEN":     "xapp-test-token",
		"SLACK_API_URL":       srv.APIURL(),
		"MENTORBOT_DB_PATH":   db,
		"MENTORBOT_HTTP_ADDR": "127.0.0.1:0",
	}
}

func TestSettingErrorsExit2NamingTheSetting(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		setting string
		secret  string // must not appear in the output
	}{
		{"bot token missing", map[string]string{"SLACK_APP_TOKEN": "xapp-SECRET-app"}, "SLACK_BOT_TOKEN", "SECRET-app"},
		{"app token missing", map[string]string{"SLACK_BOT_TOKEN": "xoxb-SECRET-bot"}, "SLACK_APP_TOKEN", "SECRET-bot"},
		{"bot token malformed", map[string]string{"SLACK_BOT_TOKEN": "SECRET-bot", "SLACK_APP_TOKEN": "xapp-SECRET-app"}, "SLACK_BOT_TOKEN", "SECRET"},
		{"bad duration", map[string]string{"SLACK_BOT_TOKEN": "xoxb-SECRET-bot", "SLACK_APP_TOKEN": "xapp-SECRET-app", "MENTORBOT_NUDGE_AFTER": "soon"}, "MENTORBOT_NUDGE_AFTER", "SECRET"},
		{"bad yes or no", map[string]string{"SLACK_BOT_TOKEN": "xoxb-SECRET-bot", "SLACK_APP_TOKEN": "xapp-SECRET-app", "MENTORBOT_RESPECT_STATUS": "maybe"}, "MENTORBOT_RESPECT_STATUS", "SECRET"},
		{"bad schedule", map[string]string{"SLACK_BOT_TOKEN": "xoxb-SECRET-bot", "SLACK_APP_TOKEN": "xapp-SECRET-app", "MENTORBOT_CHECKIN_SCHEDULE": "mondays"}, "MENTORBOT_CHECKIN_SCHEDULE", "SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := runProc(t, tt.env)
			out := p.stdout.String() + p.stderr.String()
			if p.code != exitConfig {
				t.Errorf("exit status %d, want %d; output %q", p.code, exitConfig, out)
			}
			if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(lines[0], tt.setting) {
				t.Errorf("output %q, want one line naming %s", out, tt.setting)
			}
			if strings.Contains(out, tt.secret) {
				t.Errorf("output %q prints a token", out)
			}
			if leak := slacktest.GoErrorText(out); leak != "" {
				t.Errorf("output %q shows Go's error text %q", out, leak)
			}
			if !strings.HasSuffix(strings.TrimSpace(out), ".") {
				t.Errorf("output %q is not a sentence", out)
			}
		})
	}
}

func TestSubcommands(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, exitOK, "MENTORBOT_RECOGNITION_SCHEDULE"},
		{[]string{"-h"}, exitOK, "mentorbot demo"},
		{[]string{"version"}, exitOK, "mentorbot "},
		{[]string{"--version"}, exitOK, "mentorbot "},
		{[]string{"frobnicate"}, exitConfig, "\"frobnicate\" is not a command"},
		{[]string{"backup"}, exitConfig, "backup -o FILE"},
	}
	for _, tt := range tests {
		p := runProc(t, nil, tt.args...)
		if out := p.stdout.String() + p.stderr.String(); p.code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("mentorbot %v: exit %d, output %q; want exit %d and %q", tt.args, p.code, out, tt.code, tt.want)
		}
	}
}

func TestRejectedTokenExits1(t *testing.T) {
	srv := newSlack(t, slacktest.Options{BotToken: "xoxb-right", AppToken: "xapp-right"})
	tests := []struct {
		name, bot, app, setting string
	}{
		{"bot token", "xoxb-wrong-SECRET", "xapp-right", "SLACK_BOT_TOKEN"},
		{"app token", "xoxb-right", "xapp-wrong-SECRET", "SLACK_APP_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := botEnv(t, srv, filepath.Join(t.TempDir(), "m.db"))
			env["SLACK_BOT_TOKEN"], env["SLACK_APP_TOKEN"] = tt.bot, tt.app
			p := runProc(t, env)
			out := p.stderr.String()
			if p.code != exitFailure || !strings.Contains(out, tt.setting) || !strings.Contains(out, "invalid_auth") {
				t.Errorf("exit %d, stderr %q; want exit 1 naming %s and invalid_auth", p.code, out, tt.setting)
			}
			if strings.Contains(out, "SECRET") || strings.Contains(out, "xoxb-right") {
				t.Errorf("stderr prints a token: %q", out)
			}
		})
	}
}

func TestReadyzIsFalseUntilSlackConnects(t *testing.T) {
	srv := newSlack(t, slacktest.Options{})
	// The first attempts to open a socket fail; the bot backs off (100, 200, 400 ms)
	// and retries, so /readyz is asked while Slack is not connected.
	srv.FailNext("apps.connections.open", 3, "internal_error")
	p := startProc(t, botEnv(t, srv, filepath.Join(t.TempDir(), "m.db")))
	base := "http://" + p.addr(t)
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "Slack is not connected") {
		t.Errorf("/readyz before Slack connects = %d %q, want 503 saying Slack is not connected", code, body)
	}
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d while connecting, want 200", code)
	}
	waitStatus(t, base+"/readyz", http.StatusOK)
}

// TestServeProbeBackupAndStop runs the bot as operators do: probes, a command, a second
// process on the same database, backups, and SIGTERM.
func TestServeProbeBackupAndStop(t *testing.T) {
	srv := newSlack(t, slacktest.Options{})
	dir := t.TempDir()
	db := filepath.Join(dir, "mentorbot.db")
	env := botEnv(t, srv, db)
	p := startProc(t, env)
	base := "http://" + p.addr(t)

	waitStatus(t, base+"/readyz", http.StatusOK)
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	ack, err := srv.SlashCommand(ctx, "UALICE", "/mentor", "help")
	if err != nil || !strings.Contains(string(ack.Payload), "/mentor join") {
		t.Fatalf("/mentor help: ack %s, err %v", ack.Payload, err)
	}
	_, metrics := get(t, base+"/metrics")
	for _, want := range []string{
		`mentorbot_commands_total{command="/mentor help",outcome="ok"} 1`,
		`mentorbot_slack_api_calls_total{method="auth.test",outcome="ok"} 1`,
		`mentorbot_slack_api_calls_total{method="apps.connections.open",outcome="ok"} 1`,
		`mentorbot_ack_latency_seconds_count{type="slash_commands"} 1`,
		`mentorbot_socket_connected 1`,
		`mentorbot_socket_reconnects_total 0`,
		`mentorbot_handler_panics_total 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A second process on the same file exits 1 within a few seconds...
	second := startProc(t, env)
	start := time.Now()
	if code := second.wait(t, 10*time.Second); code != exitFailure {
		t.Errorf("second process exit %d, want 1; stderr %q", code, second.stderr)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("second process took %v to give up", d)
	}
	if !strings.Contains(second.stderr.String(), "in use by another process") {
		t.Errorf("second process stderr %q does not say the file is in use", second.stderr)
	}
	// ...and the first keeps serving.
	waitStatus(t, base+"/readyz", http.StatusOK)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	if ack, err := srv.SlashCommand(ctx2, "UALICE", "/mentor", "help"); err != nil || len(ack.Payload) == 0 {
		t.Errorf("first process after the second gave up: ack %s, err %v", ack.Payload, err)
	}

	// A backup taken from the running bot is a sound database.
	out := filepath.Join(dir, "backup.db")
	b := runProc(t, map[string]string{"MENTORBOT_DB_PATH": db}, "backup", "-o", out)
	if b.code != exitOK || !strings.Contains(b.stdout.String(), "running bot") {
		t.Fatalf("backup from running bot: exit %d, stdout %q, stderr %q", b.code, b.stdout, b.stderr)
	}
	verifyDatabase(t, out)

	// SIGTERM: exit 0 within 10 s.
	start = time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 10*time.Second); code != exitOK {
		t.Errorf("exit after SIGTERM = %d, want 0; stderr:\n%s", code, p.stderr)
	}
	t.Logf("SIGTERM to exit: %v", time.Since(start))

	// With no bot running, the backup comes from the file; -o - streams it.
	b = runProc(t, map[string]string{"MENTORBOT_DB_PATH": db}, "backup", "-o", "-")
	if b.code != exitOK || !strings.Contains(b.stderr.String(), "(file)") {
		t.Fatalf("backup from file: exit %d, stderr %q", b.code, b.stderr)
	}
	streamed := filepath.Join(dir, "streamed.db")
	if err := os.WriteFile(streamed, []byte(b.stdout.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	verifyDatabase(t, streamed)

	if logs := p.stderr.String(); strings.Contains(logs, "xoxb-test-token") || strings.Contains(logs, "xapp-test-token") {
		t.Errorf("logs contain a token:\n%s", logs)
	}
}

func verifyDatabase(t *testing.T, path string) {
	t.Helper()
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Errorf("verify %s: %v", path, err)
	}
}
