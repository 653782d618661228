package demo

import (
	"os"
	"testing"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// TestMain keeps these tests' traffic out of the payload log CI collects for the
// conformance gate (slacktest.PayloadDirEnv): the app they drive is a stand-in that
// exercises the terminal UI, not mentorbot, whose payloads the gate checks through the
// bot and cmd/mentorbot tests.
func TestMain(m *testing.M) {
	os.Unsetenv(slacktest.PayloadDirEnv)
	os.Exit(m.Run())
}
