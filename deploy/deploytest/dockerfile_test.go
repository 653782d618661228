package deploytest

import (
	"bufio"
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int    // where it starts
	cmd  string // upper case: FROM, RUN, ...
	args string
}

// stage is a FROM and the instructions up to the next FROM.
type stage struct {
	from, name string
	ins        []instruction
}

// all returns the arguments of every instruction cmd in the stage.
func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.ins {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

// env is the stage's ENV, later values winning.
func (s stage) env() map[string]string {
	out := map[string]string{}
	for _, a := range s.all("ENV") {
		fields := strings.Fields(a)
		if len(fields) > 0 && !strings.Contains(fields[0], "=") { // legacy ENV key value
			out[fields[0]] = strings.TrimSpace(strings.TrimPrefix(a, fields[0]))
			continue
		}
		for _, f := range fields {
			k, v, _ := strings.Cut(f, "=")
			out[k] = strings.Trim(v, `"'`)
		}
	}
	return out
}

// parseDockerfile splits a Dockerfile into stages as BuildKit reads it: comment lines
// (also inside a continued instruction) dropped, a trailing backslash continuing the
// line, the first word the instruction.
func parseDockerfile(t *testing.T, src []byte) []stage {
	t.Helper()
	var (
		stages []stage
		cur    *instruction
		n      int
	)
	add := func(in instruction) {
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			var st stage
			for i := 0; i < len(f); i++ {
				switch {
				case strings.HasPrefix(f[i], "--"):
				case i+2 < len(f) && strings.EqualFold(f[i+1], "AS"):
					st.from, st.name = f[i], f[i+2]
					i = len(f)
				default:
					st.from = f[i]
				}
			}
			stages = append(stages, st)
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Errorf("Dockerfile:%d: %s before the first FROM", in.line, in.cmd)
			}
			return
		}
		stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
	}
	sc := bufio.NewScanner(strings.NewReader(string(src)))
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur == nil) {
			continue
		}
		cont := strings.HasSuffix(line, `\`)
		line = strings.TrimSpace(strings.TrimSuffix(line, `\`))
		if cur == nil {
			cmd, args, _ := strings.Cut(line, " ")
			cur = &instruction{line: n, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		} else if line != "" {
			cur.args += " " + line
		}
		if !cont {
			add(*cur)
			cur = nil
		}
	}
	if cur != nil {
		t.Errorf("Dockerfile:%d: the last instruction ends in a backslash", cur.line)
	}
	if len(stages) == 0 {
		t.Fatal("Dockerfile: no FROM")
	}
	return stages
}

// execForm decodes an instruction's JSON (exec) form; a shell form needs a shell,
// which the image does not have.
func execForm(t *testing.T, what, args string) []string {
	t.Helper()
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil || len(argv) == 0 {
		t.Errorf("Dockerfile: %s %s is not in exec form ([\"/path\", \"arg\"]); the image has no shell", what, args)
	}
	return argv
}

// The image is built static (CGO_ENABLED=0) on a base without libc or shell, runs as a
// numeric non-root user, keeps the database on a declared volume the user owns, listens
// where a probe can reach it, and checks its own health with `mentorbot healthcheck`.
func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, read(t, "Dockerfile"))
	final := stages[len(stages)-1]

	// The build: a static Go binary of ./cmd/mentorbot.
	var built bool
	for _, st := range stages[:len(stages)-1] {
		cgoOff := st.env()["CGO_ENABLED"] == "0"
		for _, run := range st.all("RUN") {
			if !strings.Contains(run, "go build") {
				continue
			}
			built = true
			if !cgoOff && !strings.Contains(run, "CGO_ENABLED=0") {
				t.Errorf("Dockerfile: stage %q builds without CGO_ENABLED=0, so the binary may need libc: %s", st.name, run)
			}
			if !strings.Contains(run, "./cmd/mentorbot") {
				t.Errorf("Dockerfile: stage %q does not build ./cmd/mentorbot: %s", st.name, run)
			}
		}
	}
	if !built {
		t.Error("Dockerfile: no build stage runs `go build`")
	}
	// A static binary belongs on a base with no libc and no shell.
	if final.from != "scratch" && !strings.HasPrefix(final.from, "gcr.io/distroless/static") {
		t.Errorf("Dockerfile: the final stage is FROM %s, want scratch or gcr.io/distroless/static*", final.from)
	}

	// The user: numeric (Kubernetes' runAsNonRoot can only check a numeric USER) and
	// not root.
	user := imageUser(t)
	uid, _, _ := strings.Cut(user, ":")
	if uid == "" || strings.Trim(uid, "0123456789") != "" || strings.TrimLeft(uid, "0") == "" {
		t.Errorf("Dockerfile: USER %s, want a numeric user other than root (0)", user)
	}

	// The database on a declared volume that the user owns.
	env := final.env()
	dir := dbDir(t, "Dockerfile ENV", env["MENTORBOT_DB_PATH"])
	var volumes []string
	for _, v := range final.all("VOLUME") {
		if strings.HasPrefix(v, "[") {
			volumes = append(volumes, execForm(t, "VOLUME", v)...)
		} else {
			volumes = append(volumes, strings.Fields(v)...)
		}
	}
	if !slices.Contains(volumes, dir) {
		t.Errorf("Dockerfile: VOLUME %v does not hold the database directory %s", volumes, dir)
	}
	var owned bool
	for _, c := range final.all("COPY") {
		f := strings.Fields(c)
		if len(f) > 0 && path.Clean(f[len(f)-1]) == dir && slices.Contains(f, "--chown="+user) {
			owned = true
		}
	}
	if !owned {
		t.Errorf("Dockerfile: nothing gives %s to user %s (COPY --chown=%s … %s), so a new volume would not be writable", dir, user, user, dir)
	}

	// Reachable by probes and a published port.
	port := httpPort(t, "Dockerfile ENV", env["MENTORBOT_HTTP_ADDR"])
	if expose := final.all("EXPOSE"); !slices.ContainsFunc(expose, func(e string) bool { return slices.Contains(strings.Fields(e), port) }) {
		t.Errorf("Dockerfile: EXPOSE %v lacks the HTTP port %s", expose, port)
	}

	// The binary checks its own health; no shell is needed.
	entry := final.all("ENTRYPOINT")
	if len(entry) != 1 {
		t.Fatalf("Dockerfile: %d ENTRYPOINTs in the final stage, want 1", len(entry))
	}
	bin := execForm(t, "ENTRYPOINT", entry[0])
	hc := final.all("HEALTHCHECK")
	if len(hc) != 1 {
		t.Fatalf("Dockerfile: %d HEALTHCHECKs in the final stage, want 1", len(hc))
	}
	_, cmd, ok := strings.Cut(hc[0], "CMD ")
	if len(bin) == 0 {
		bin = []string{"/mentorbot"}
	}
	if argv := execForm(t, "HEALTHCHECK CMD", strings.TrimSpace(cmd)); !ok || !slices.Equal(argv, []string{bin[0], "healthcheck"}) {
		t.Errorf("Dockerfile: HEALTHCHECK %s, want CMD [%q, \"healthcheck\"]", hc[0], bin[0])
	}
	if stop := final.all("STOPSIGNAL"); len(stop) > 0 && stop[len(stop)-1] != "SIGTERM" {
		t.Errorf("Dockerfile: STOPSIGNAL %s; the bot shuts down cleanly on SIGTERM", stop[len(stop)-1])
	}
}
