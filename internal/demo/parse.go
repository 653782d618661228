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
// command and text, the text exactly as typed.
type command struct {
	verb string
	args []string
}

var slashLine = regexp.MustCompile(`^\s*([^\s:]+)\s*:\s*(.*)$`)

// parseLine splits a line into a command. A blank line is the verb "".
func parseLine(line string) (command, error) {
	if m := slashLine.FindStringSubmatch(line); m != nil {
		rest := strings.TrimSpace(m[2])
		if !strings.HasPrefix(rest, "/") {
			return command{}, fmt.Errorf("after %q type a slash command, for example %s: /mentor help", m[1]+":", m[1])
		}
		name, text, _ := strings.Cut(rest, " ")
		return command{verb: "slash", args: []string{m[1], name, strings.TrimSpace(text)}}, nil
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
