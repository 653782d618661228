package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// BenchmarkIdleRSS starts the real binary against the fake Slack, waits until it is
// connected (/readyz 200), and reports its resident memory as the kernel counts it
// (VmRSS in /proc/PID/status). Run it without -race: the race detector's shadow
// memory would dominate the figure.
func BenchmarkIdleRSS(b *testing.B) {
	srv, err := slacktest.New(slacktest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": "xapp-test-token",
		"SLACK_API_URL": srv.APIURL(), "MENTORBOT_DB_PATH": filepath.Join(b.TempDir(), "m.db"),
		"MENTORBOT_HTTP_ADDR": "127.0.0.1:0",
	}
	p := startProc(b, env)
	base := "http://" + p.addr(b)
	waitStatus(b, base+"/readyz", http.StatusOK)
	var peak float64
	for b.Loop() {
		if rss := vmRSS(b, p.cmd.Process.Pid); rss > peak {
			peak = rss
		}
	}
	b.ReportMetric(peak, "idle-RSS-MiB")
}

// vmRSS reads a process's resident set size in MiB.
func vmRSS(tb testing.TB, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				tb.Fatal(err)
			}
			return kb / 1024
		}
	}
	tb.Fatal("no VmRSS in /proc status")
	return 0
}
