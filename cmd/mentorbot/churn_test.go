package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// Memory under churn: the real binary (built without -race, as shipped) serves
// churnCommands slash commands from churnUsers people, with one in churnRedeliverEvery
// delivered twice (the second time as Slack's retry of the same envelope), and its
// resident memory must come back under churnRSSBound once they are answered.
//
// The bound, and why. The binary idles at about 16 MiB. What grows with traffic is the
// duplicate-envelope cache (bot/seen.go): every envelope for 15 minutes, up to 20,000,
// with the first ack payloads kept within a 4 MiB budget, so at most about 11 MiB at
// its limit (bot's TestSeenCacheMemoryBound checks it). The rest that churn leaves
// alive (the Slack user cache, the database pages mapped from the file) is a few MiB.
// With GOGC=100 the heap may reach twice what is live before a collection, and the
// runtime returns freed pages only slowly, so RSS right after a burst can be idle plus
// twice the live heap: about 50 MiB with the cache full. 64 MiB leaves room, and is
// half the 128 MiB memory limit deploy/kubernetes/deployment.yaml gives the pod
// (deploy/deploytest checks the limit is at least 64 MiB). docs/benchmarks.md records
// the figures: about 40 MiB at 10,000 commands.
const (
	churnCommands       = 10000
	churnUsers          = 200
	churnInFlight       = 32
	churnRedeliverEvery = 20
	churnRSSBound       = 64 // MiB, VmRSS after the burst
	// churnSettle is how long the RSS may take to come under the bound once the last
	// command is answered (the runtime's scavenger returns memory in the background).
	churnSettle = 30 * time.Second
)

// TestMemoryUnderChurn drives the mixed command load through the real binary and
// checks its resident memory afterwards; it also checks that no goroutine is left
// behind per envelope. docs/benchmarks.md has the figures and the command.
func TestMemoryUnderChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the 10,000-command memory check")
	}
	bin := productionBinary(t)
	srv, err := slacktest.New(slacktest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	zones := []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney", ""}
	users := make([]string, churnUsers)
	for i := range users {
		users[i] = fmt.Sprintf("UCH%05d", i)
		srv.AddUser(slacktest.User{ID: users[i], Name: fmt.Sprintf("person%d", i), RealName: fmt.Sprintf("Person %d", i), TZ: zones[i%len(zones)]})
	}
	env := map[string]string{
		"SLACK_BOT_TOKEN": slacktest.DefaultBotToken, "SLACK_APP_TOKEN": slacktest.DefaultAppToken,
		"SLACK_API_URL": srv.APIURL(), "MENTORBOT_DB_PATH": filepath.Join(t.TempDir(), "churn.db"),
		"MENTORBOT_HTTP_ADDR": "127.0.0.1:0", "MENTORBOT_ADMINS": users[0],
	}
	p := startBinary(t, bin, env)
	base := "http://" + p.addr(t)
	waitStatus(t, base+"/readyz", http.StatusOK)
	pid := p.cmd.Process.Pid
	idle := churnMem(t, pid)
	idleGoroutines := churnMetric(t, base, "go_goroutines")

	var (
		next       atomic.Int64
		failed     atomic.Int64
		redelivers atomic.Int64
		wg         sync.WaitGroup
	)
	start := time.Now()
	for range churnInFlight {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= churnCommands || failed.Load() > 10 {
					return
				}
				command, text := churnCommand(i, users)
				user := users[i%len(users)]
				ctx, cancel := context.WithTimeout(context.Background(), slackDeadline)
				var err error
				if i%churnRedeliverEvery == churnRedeliverEvery-1 {
					err = churnRedeliver(ctx, srv, fmt.Sprintf("churn-%d", i), user, command, text)
					redelivers.Add(1)
				} else {
					var ack slacktest.Ack
					ack, err = srv.SlashCommand(ctx, user, command, text)
					if err == nil && len(ack.Payload) == 0 {
						err = fmt.Errorf("empty ack after %v", ack.Latency)
					}
				}
				cancel()
				if err != nil {
					failed.Add(1)
					t.Errorf("command %d (%s %s by %s): %v", i, command, text, user, err)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	if failed.Load() > 0 {
		t.Fatalf("%d commands failed; stderr:\n%s", failed.Load(), churnTail(p.stderr.String(), 40))
	}
	peak := churnMem(t, pid)

	// Back under the bound, and no goroutines left per envelope.
	deadline := time.Now().Add(churnSettle)
	after := churnMem(t, pid)
	for after.rss > churnRSSBound && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		after = churnMem(t, pid)
	}
	var goroutines float64
	for {
		goroutines = churnMetric(t, base, "go_goroutines")
		if goroutines <= idleGoroutines+10 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	heap := churnMetric(t, base, "go_memstats_heap_inuse_bytes") / (1 << 20)
	t.Logf("%d commands (%d redelivered twice) from %d people in %v (%.0f/s)", churnCommands, redelivers.Load(), churnUsers, took.Round(time.Millisecond), float64(churnCommands)/took.Seconds())
	t.Logf("RSS MiB: idle %.1f (anon %.1f, file %.1f); at the end of the burst %.1f (peak %.1f); checked %v later %.1f (anon %.1f, file %.1f); heap in use %.1f; goroutines %v → %v",
		idle.rss, idle.anon, idle.file, peak.rss, peak.hwm, (churnSettle - time.Until(deadline)).Round(time.Second), after.rss, after.anon, after.file, heap, idleGoroutines, goroutines)
	if after.rss > churnRSSBound {
		t.Errorf("RSS %.1f MiB %v after the burst, want at most %d MiB", after.rss, churnSettle, churnRSSBound)
	}
	if goroutines > idleGoroutines+10 {
		t.Errorf("%v goroutines after the burst, %v when idle: envelopes leave goroutines behind", goroutines, idleGoroutines)
	}
	if code, _ := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz %d after the burst", code)
	}
	page := churnMetrics(t, base)
	for line := range strings.SplitSeq(page, "\n") {
		if strings.HasPrefix(line, "mentorbot_commands_total{") {
			t.Log(line)
		}
	}
	wantDup := fmt.Sprintf(`mentorbot_envelopes_total{outcome="duplicate",type="slash_commands"} %d`, redelivers.Load())
	if !strings.Contains(page, wantDup+"\n") {
		t.Errorf("/metrics lacks %s", wantDup)
	}
}

// churnCommand is the i-th command of the mix: each person joins first, then cycles
// through status, goals, kudos to the next person, pause and resume, and help.
func churnCommand(i int, users []string) (command, text string) {
	n := i / len(users) // how many commands this person has sent before
	u := i % len(users)
	if n == 0 {
		roles := []string{"mentee go, leadership", "mentor go, public speaking", "both kubernetes, go"}
		return "/mentor", "join " + roles[u%len(roles)]
	}
	switch n % 9 {
	case 1:
		return "/mentor", "status"
	case 2:
		return "/mentor", fmt.Sprintf("goal add finish chapter %d of the book", n)
	case 3:
		return "/mentor", "goal done 1"
	case 4:
		to := users[(u+1)%len(users)]
		return "/kudos", fmt.Sprintf("<@%s> thanks for the review of round %d!", to, n)
	case 5:
		return "/mentor", "pause 2w"
	case 6:
		return "/mentor", "resume"
	case 7:
		return "/mentor", "goals"
	case 8:
		return "/mentor", "status"
	}
	return "/mentor", "help"
}

// churnRedeliver delivers a slash command, then the same envelope again as Slack's retry,
// and checks both acks carry the same reply.
func churnRedeliver(ctx context.Context, srv *slacktest.Server, id, user, command, text string) error {
	payload, err := json.Marshal(map[string]string{
		"command": command, "text": text, "user_id": user, "channel_id": slacktest.DefaultCommandChannel,
		"team_id": slacktest.DefaultTeamID, "api_app_id": slacktest.DefaultAppID,
	})
	if err != nil {
		return err
	}
	env := slacktest.Envelope{Type: "slash_commands", EnvelopeID: id, Payload: payload, AcceptsResponsePayload: true}
	first, err := srv.Deliver(ctx, env)
	if err != nil {
		return err
	}
	env.RetryAttempt, env.RetryReason = 1, "timeout"
	again, err := srv.Deliver(ctx, env)
	if err != nil {
		return fmt.Errorf("redelivery: %w", err)
	}
	if len(first.Payload) == 0 || string(first.Payload) != string(again.Payload) {
		return fmt.Errorf("redelivery acked with %.80s…, the first delivery with %.80s…", again.Payload, first.Payload)
	}
	return nil
}

// productionBinary is the binary built as shipped: binPath, unless the tests run with
// -race, whose binary carries the race detector's shadow memory; then one built here
// without it.
func productionBinary(t *testing.T) string {
	t.Helper()
	if !raceEnabled {
		return binPath
	}
	bin := filepath.Join(t.TempDir(), "mentorbot")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build mentorbot without -race: %v\n%s", err, out)
	}
	return bin
}

// startBinary is startProc with another binary than binPath.
func startBinary(t *testing.T, bin string, env map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(bin)
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
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// churnMemStatus is a process's memory as /proc/PID/status reports it, in MiB.
type churnMemStatus struct{ rss, hwm, anon, file float64 }

func churnMem(t *testing.T, pid int) churnMemStatus {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	var m churnMemStatus
	for line := range strings.SplitSeq(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != "kB" {
			continue
		}
		kb, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		switch f[0] {
		case "VmRSS:":
			m.rss = kb / 1024
		case "VmHWM:":
			m.hwm = kb / 1024
		case "RssAnon:":
			m.anon = kb / 1024
		case "RssFile:":
			m.file = kb / 1024
		}
	}
	if m.rss == 0 {
		t.Fatal("no VmRSS in /proc status")
	}
	return m
}

func churnMetrics(t *testing.T, base string) string {
	t.Helper()
	code, page := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	return page
}

// churnMetric reads an unlabelled sample from /metrics.
func churnMetric(t *testing.T, base, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(churnMetrics(t, base))
	if m == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// churnTail is the last n lines of s.
func churnTail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
