package demo

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// command is one line of input: a verb and its arguments. A slash command typed as
// someone ("alice: /mentor help") is the verb "slash" with the arguments name,
// command and text, the text exactly as typed; a click by label ("dana: click We
// met") is the verb "press" with the name and what follows click, as typed.
type command struct {
	verb string
	args []string
}

var personLine = regexp.MustCompile(`^\s*([^\s:]+)\s*:\s*(.*)$`)

// parseLine splits a line into a command. A blank line is the verb "", a comment
// (starting with #) the verb "#".
func parseLine(line string) (command, error) {
	if strings.HasPrefix(strings.TrimSpace(line), "#") {
		return command{verb: "#"}, nil
	}
	if m := personLine.FindStringSubmatch(line); m != nil {
		who, rest := m[1], strings.TrimSpace(m[2])
		if strings.HasPrefix(rest, "/") {
			name, text, _ := strings.Cut(rest, " ")
			return command{verb: "slash", args: []string{who, name, strings.TrimSpace(text)}}, nil
		}
		verb, text, _ := strings.Cut(rest, " ")
		switch verb = strings.ToLower(verb); verb {
		case "click", "press":
			return command{verb: "press", args: []string{who, strings.TrimSpace(text)}}, nil
		case "submit":
			f, err := fields(text)
			return command{verb: "submit", args: append([]string{who}, f...)}, err
		case "home", "dms":
			if strings.TrimSpace(text) == "" {
				return command{verb: verb, args: []string{who}}, nil
			}
		}
		return command{}, fmt.Errorf("after %q type a slash command or click, for example %s: /mentor help, or %s: click We met", who+":", who, who)
	}
	f, err := fields(line)
	if err != nil || len(f) == 0 {
		return command{}, err
	}
	return command{verb: strings.ToLower(f[0]), args: f[1:]}, nil
}

// fields splits s at spaces; double quotes group words with their spaces
// (topics="go, public speaking" is one field, without the quotes).
func fields(s string) ([]string, error) {
	var (
		out     []string
		cur     strings.Builder
		inField bool
		quoted  bool
	)
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inField = !quoted, true
		case quoted || !unicode.IsSpace(r):
			cur.WriteRune(r)
			inField = true
		case inField:
			out = append(out, cur.String())
			cur.Reset()
			inField = false
		}
	}
	if quoted {
		return nil, errors.New(`a quote is not closed: write values with spaces as name="two words"`)
	}
	if inField {
		out = append(out, cur.String())
	}
	return out, nil
}

// slackEscaper escapes what Slack escapes in every text it sends an app.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// reference matches an @name or #channel a person types, at the start or after a
// space or punctuation.
var reference = regexp.MustCompile(`(^|[\s(,;:])([@#])([A-Za-z0-9][A-Za-z0-9_-]*)`)

// slackText is text as Slack delivers a slash command declared with should_escape:
// &, < and > escaped, and each @name and #channel of the workspace turned into
// <@U…|name> and <#C…|name>. Other @words stay as typed.
func (w Workspace) slackText(text string) string {
	return reference.ReplaceAllStringFunc(slackEscaper.Replace(text), func(m string) string {
		sub := reference.FindStringSubmatch(m)
		before, sigil, name := sub[1], sub[2], sub[3]
		if sigil == "@" {
			if p, ok := w.person(name); ok {
				return before + "<@" + p.ID + "|" + p.Name + ">"
			}
		} else if c, ok := w.channel(name); ok {
			return before + "<#" + c.ID + "|" + c.Name + ">"
		}
		return m
	})
}
