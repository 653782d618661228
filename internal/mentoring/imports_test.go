package mentoring_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/mentorbot/mentorbot/"

// adapters are the packages that adapt the core to a technology. They depend on the
// core and never on each other; only the wiring imports them together.
var adapters = []string{"bot", "store", "scheduler", "internal/delivery"}

// wiring are the packages allowed to import adapters and put them together.
func wiring(pkg string) bool { return strings.HasPrefix(pkg, "cmd/") || pkg == "internal/demo" }

// TestImportRules checks the one-way flow of the architecture (README, "Architecture")
// on the production imports that `go list` reports.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	imports := map[string][]string{}
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		fields := strings.Fields(line)
		imports[strings.TrimPrefix(fields[0], module)] = fields[1:]
	}
	if len(imports) < 8 {
		t.Fatalf("go list found only %d packages: %v", len(imports), imports)
	}
	forbidden := func(pkg string, imp string) string {
		own := strings.TrimPrefix(imp, module)
		switch {
		case pkg == "internal/mentoring" && (strings.HasPrefix(imp, "github.com/slack-go/") ||
			strings.HasPrefix(imp, "go.etcd.io/bbolt") || strings.HasPrefix(imp, "github.com/robfig/cron") ||
			own != imp && own != "internal/match"):
			return "the core imports only the standard library and internal/match"
		case pkg == "store" && (own == "bot" || own == "scheduler"):
			return "store imports neither bot nor scheduler"
		case pkg == "bot" && (own == "scheduler" || own == "internal/delivery"):
			return "bot imports neither scheduler nor delivery"
		case own == "internal/slacktest" && pkg != "internal/demo" && pkg != "internal/slacktest":
			return "only internal/demo uses the fake Slack in production"
		case own != imp && slices.Contains(adapters, own) && own != pkg && !wiring(pkg):
			return "only cmd/ and internal/demo wire adapters together"
		}
		return ""
	}
	for pkg, imps := range imports {
		for _, imp := range imps {
			if why := forbidden(pkg, imp); why != "" {
				t.Errorf("%s imports %s: %s", pkg, imp, why)
			}
		}
	}
	// The rules are only worth something if the wiring really imports the adapters.
	for _, a := range adapters {
		if !slices.Contains(imports["cmd/mentorbot"], module+a) {
			t.Errorf("cmd/mentorbot does not import %s: is the wiring elsewhere?", a)
		}
	}
}
