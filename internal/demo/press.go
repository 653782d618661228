package demo

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// button is a button someone sees, with what tells it apart from others.
type button struct {
	sf      *surface
	blockID string
	elem    map[string]any
	label   string // as written
	context string // the text nearest above it on its surface, readable, plain
	where   string // where it is: "DM to dana", "#kudos", "Home tab"
}

// buttons lists the buttons (not links) userID sees, the newest surface first, each
// surface's in the order shown.
func (s screens) buttons(userID string, n Names) []button {
	var out []button
	for _, sf := range s.byNewest(userID, n) {
		ctx := blockContexts(sf.blocks, n)
		where := sf.where(n)
		for i, raw := range sf.blocks {
			b, _ := raw.(map[string]any)
			for _, e := range elements(b) {
				if str(e, "type") != "button" || str(e, "url") != "" {
					continue
				}
				out = append(out, button{sf: sf, blockID: str(b, "block_id"), elem: e,
					label: plainTextOf(e["text"]), context: ctx[i], where: where})
			}
		}
	}
	return out
}

// where describes a surface as a person finds it.
func (sf *surface) where(n Names) string {
	switch {
	case sf.viewID != "" && str(sf.view, "type") == "home":
		return "Home tab"
	case sf.viewID != "":
		return fmt.Sprintf("modal %q", textOf(sf.view["title"], n, style{}))
	case sf.user != "":
		return "only you, in " + n.where(sf.channel)
	}
	return n.where(sf.channel)
}

// blockContexts returns, for each block, the readable text of the nearest block at or
// above it that shows text: what a person reads just before an element of that block.
func blockContexts(blocks []any, n Names) []string {
	out := make([]string, len(blocks))
	last := ""
	for i, raw := range blocks {
		b, _ := raw.(map[string]any)
		switch str(b, "type") {
		case "section":
			parts := []string{textOf(b["text"], n, style{})}
			for _, f := range list(b, "fields") {
				parts = append(parts, textOf(f, n, style{}))
			}
			last = strings.Join(parts, "\n")
		case "header":
			last = textOf(b["text"], n, style{})
		case "context":
			var parts []string
			for _, e := range list(b, "elements") {
				em, _ := e.(map[string]any)
				parts = append(parts, textOf(em, n, style{}))
			}
			last = strings.Join(parts, " ")
		case "markdown":
			last = mrkdwn(str(b, "text"), n, style{})
		case "rich_text":
			last = richText(b, n)
		}
		out[i] = last
	}
	return out
}

// buttonQualifiers returns, for each block, what tells its buttons apart from other
// buttons of the same label on the surface: a name mentioned (@name) in the text
// above them and not in the text above the others. It is "" for a block whose
// buttons have labels of their own, or when no mention tells them apart.
func buttonQualifiers(blocks []any, n Names) []string {
	ctx := blockContexts(blocks, n)
	byLabel := map[string][]int{} // label -> the block of each button with it
	for i, raw := range blocks {
		b, _ := raw.(map[string]any)
		for _, e := range elements(b) {
			if str(e, "type") == "button" && str(e, "url") == "" {
				l := normLabel(plainTextOf(e["text"]))
				byLabel[l] = append(byLabel[l], i)
			}
		}
	}
	out := make([]string, len(blocks))
	for i := range blocks {
		var others []string
		for _, at := range byLabel {
			if len(at) < 2 || !slices.Contains(at, i) {
				continue
			}
			for _, j := range at {
				if j != i {
					others = append(others, ctx[j])
				}
			}
		}
		if len(others) > 0 {
			out[i] = distinguishing(ctx[i], others)
		}
	}
	return out
}

// mention matches an @name in readable text.
var mention = regexp.MustCompile(`@([\pL\pN][\pL\pN_-]*(?:\.[\pL\pN_-]+)*)`)

// distinguishing is the first name mentioned in text that none of others mentions.
func distinguishing(text string, others []string) string {
	for _, m := range mention.FindAllStringSubmatch(text, -1) {
		if !slices.ContainsFunc(others, func(o string) bool { return hasWord(o, m[1]) }) {
			return m[1]
		}
	}
	return ""
}

// hasWord reports whether text holds word as a whole word, ignoring case and a
// leading @ or # on either.
func hasWord(text, word string) bool {
	word = strings.TrimLeft(word, "@#")
	if word == "" {
		return false
	}
	re := regexp.MustCompile(`(?i)(^|[^\pL\pN_])` + regexp.QuoteMeta(word) + `($|[^\pL\pN_])`)
	return re.MatchString(text)
}

// normLabel is a label as matched: emoji, punctuation and case left out, spaces
// collapsed.
func normLabel(s string) string {
	s = emojiName.ReplaceAllString(s, " ")
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return strings.Join(f, " ")
}

// clickByLabel clicks, as p, the button that text names: `We met`, `"We met" on chen`
// or `We met on 2`. See pickButton.
func (s *session) clickByLabel(ctx context.Context, p Person, text string) error {
	s.resolveGroups(s.srv.Records())
	all := fold(s.srv.Records()).buttons(p.ID, s.names)
	b, err := pickButton(p.Name, text, all)
	if err != nil {
		return err
	}
	spec := slacktest.BlockActionSpec{ActionID: str(b.elem, "action_id"), BlockID: b.blockID, Value: str(b.elem, "value"), MessageTS: b.sf.ts, ViewID: b.sf.viewID}
	if _, err := s.srv.BlockAction(ctx, p.ID, spec); err != nil {
		return fmt.Errorf("Slack could not deliver the click to the bot: %w", err)
	}
	s.afterAction(ctx)
	return nil
}

// pickButton chooses, among the buttons name sees (newest first), the one text
// names. text is a label, quoted or not (case, punctuation and emoji aside; a part of
// a label will do when it fits one label only), optionally followed by `on WHICH`:
// WHICH is a word of the text above the button or of where it is (a person's name,
// #channel, "Home"), or the number of the button among those with that label, newest
// first. Of the buttons left, those on the newest message or view are meant; when
// that holds several, the error lists them and how to name one.
func pickButton(name, text string, all []button) (button, error) {
	if len(all) == 0 {
		return button{}, fmt.Errorf("%s sees no button to click", name)
	}
	label, which, err := splitClick(text, all)
	if err != nil {
		return button{}, err
	}
	matches := matchLabel(label, all)
	if len(matches) == 0 {
		return button{}, fmt.Errorf("%s sees no button %q; what %s can click: %s", name, label, name, labelList(all))
	}
	if labels := distinctLabels(matches); len(labels) > 1 {
		return button{}, fmt.Errorf("%q could be any of %s: write the whole label", label, strings.Join(quoteAll(labels), ", "))
	}
	label = matches[0].label
	cands := matches
	if which != "" {
		if k, err := strconv.Atoi(which); err == nil {
			if k < 1 || k > len(matches) {
				return button{}, fmt.Errorf("%s sees %d %s %q, so on takes a number from 1 to %d:\n%s", name, len(matches), plural(len(matches), "button"), label, len(matches), choices(matches, matches))
			}
			return matches[k-1], nil
		}
		cands = slices.DeleteFunc(slices.Clone(matches), func(b button) bool { return !hasWord(b.context+"\n"+b.where, which) })
		if len(cands) == 0 {
			return button{}, fmt.Errorf("none of the %q buttons %s sees is on %q; they are:\n%s", label, name, which, choices(matches, matches))
		}
	}
	newest := slices.DeleteFunc(slices.Clone(cands), func(b button) bool { return b.sf != cands[0].sf })
	if len(newest) == 1 {
		return newest[0], nil
	}
	q := distinguishing(newest[0].context, contexts(newest[1:]))
	if q == "" {
		q = strconv.Itoa(slices.IndexFunc(matches, func(b button) bool { return sameButton(b, newest[0]) }) + 1)
	}
	example := clickLine(name, label, q)
	return button{}, fmt.Errorf("%s sees %d %q buttons on one message; say which, for example  %s\n%s", name, len(newest), label, example, choices(newest, matches))
}

// splitClick splits what follows "click" into the label and what follows " on ".
func splitClick(text string, all []button) (label, which string, err error) {
	text = strings.TrimSpace(text)
	if rest, ok := strings.CutPrefix(text, `"`); ok {
		label, after, closed := strings.Cut(rest, `"`)
		if !closed {
			return "", "", errors.New(`a quote is not closed: write click "We met" on chen`)
		}
		after = strings.TrimSpace(after)
		if after == "" {
			return label, "", nil
		}
		which, ok := cutWord(after, "on")
		if !ok || which == "" {
			return "", "", fmt.Errorf("after the label write on and whose or which, for example click %q on chen", label)
		}
		return label, strings.Trim(which, `"`), nil
	}
	if len(exactLabel(text, all)) > 0 {
		return text, "", nil
	}
	lower := strings.ToLower(text)
	if i := strings.LastIndex(lower, " on "); i > 0 {
		return strings.TrimSpace(text[:i]), strings.Trim(strings.TrimSpace(text[i+4:]), `"`), nil
	}
	return text, "", nil
}

// cutWord returns s after its first word when that is word (ignoring case).
func cutWord(s, word string) (string, bool) {
	first, rest, _ := strings.Cut(s, " ")
	if !strings.EqualFold(first, word) {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

func exactLabel(label string, all []button) []button {
	want := normLabel(label)
	return slices.DeleteFunc(slices.Clone(all), func(b button) bool { return normLabel(b.label) != want })
}

// matchLabel returns the buttons whose label is label, or failing that whose label
// holds it (as whole words), in all's order.
func matchLabel(label string, all []button) []button {
	if m := exactLabel(label, all); len(m) > 0 || normLabel(label) == "" {
		return m
	}
	want := " " + normLabel(label) + " "
	return slices.DeleteFunc(slices.Clone(all), func(b button) bool { return !strings.Contains(" "+normLabel(b.label)+" ", want) })
}

func distinctLabels(bs []button) []string {
	var out []string
	for _, b := range bs {
		if !slices.ContainsFunc(out, func(l string) bool { return normLabel(l) == normLabel(b.label) }) {
			out = append(out, b.label)
		}
	}
	return out
}

// labelList lists the distinct labels of bs, quoted.
func labelList(bs []button) string { return strings.Join(quoteAll(distinctLabels(bs)), ", ") }

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(emojify(s))
	}
	return out
}

func contexts(bs []button) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.context
	}
	return out
}

func sameButton(a, b button) bool {
	return a.sf == b.sf && a.blockID == b.blockID && str(a.elem, "action_id") == str(b.elem, "action_id") && str(a.elem, "value") == str(b.elem, "value")
}

// choices lists bs, each with its number among all, where it is and the text above it.
func choices(bs, all []button) string {
	var lines []string
	for _, b := range bs {
		k := slices.IndexFunc(all, func(a button) bool { return sameButton(a, b) }) + 1
		ctx, _, _ := strings.Cut(strings.TrimSpace(b.context), "\n")
		if r := []rune(ctx); len(r) > 60 {
			ctx = string(r[:59]) + "…"
		}
		line := fmt.Sprintf("  on %d: %s", k, b.where)
		if ctx != "" {
			line += ": " + ctx
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
