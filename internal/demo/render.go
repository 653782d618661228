package demo

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// maxFileLines bounds how much of a shared file is printed.
const maxFileLines = 20

// Render returns what Slack shows for r as plain text: a heading saying who sees it
// and where, then its content, each line indented, ending in a newline. Buttons carry
// the `<name>: click <label>` line that clicks them, menus the `click` line, and
// modals the `submit` line that sends them.
func Render(r slacktest.Record, n Names) string { return render(r, n, renderOpts{}) }

// renderOpts are how a record is shown beyond what it holds.
type renderOpts struct {
	st style
	// at, when set, is added to the heading: when the person received it.
	at string
	// edited notes in the heading that the message shown is its latest version.
	edited bool
}

func render(r slacktest.Record, n Names, o renderOpts) string {
	p := &page{n: n, st: o.st, viewer: n.user(r.User)}
	view := decodeObject(r.View)
	title := p.textOf(view["title"])
	var notes []string
	if et := eventType(r); et != "" {
		notes = append(notes, et)
	}
	if o.edited {
		notes = append(notes, "edited")
	}
	if o.at != "" {
		notes = append(notes, o.at)
	}
	p.notes = notes
	switch r.Kind {
	case "message":
		where := n.where(r.Channel)
		if r.ThreadTS != "" && r.ThreadTS != r.TS {
			where += ", in a thread"
		}
		p.viewer = p.channelViewer(r.Channel)
		p.heading(where)
		p.message(r)
	case "ephemeral":
		p.heading(fmt.Sprintf("%s sees (only you, in %s)", p.viewer, p.in(r)))
		p.message(r)
	case "update":
		if r.User != "" {
			p.heading(fmt.Sprintf("%s sees (only you, in %s; replaces the earlier message)", p.viewer, p.in(r)))
		} else {
			p.viewer = p.channelViewer(r.Channel)
			p.heading(n.where(r.Channel) + " (a message was edited)")
		}
		p.message(r)
	case "delete":
		if r.User != "" {
			p.heading(fmt.Sprintf("%s's message in %s was removed", p.viewer, p.in(r)))
		} else {
			p.heading("a message in " + n.where(r.Channel) + " was removed")
		}
	case "view_open", "view_push":
		h := fmt.Sprintf("modal %q open for %s", title, p.viewer)
		if r.Kind == "view_push" {
			h += " (on top of the one before)"
		}
		p.heading(h)
		p.view(view)
	case "view_update":
		if str(view, "type") == "home" {
			p.heading(p.viewer + "'s Home tab (changed)")
		} else {
			p.heading(fmt.Sprintf("%s's modal %q changed", p.viewer, title))
		}
		p.view(view)
	case "view_publish":
		p.heading(p.viewer + "'s Home tab")
		p.view(view)
	case "view_close":
		p.heading(p.viewer + "'s modal closed")
	case "view_errors":
		p.heading(fmt.Sprintf("%s's modal %q was not accepted", p.viewer, title))
		p.inputErrors(view, r.Errors)
	case "file":
		name := ""
		if r.File != nil {
			name = r.File.Name
		}
		p.heading(fmt.Sprintf("file %q shared in %s", name, n.where(r.Channel)))
		p.text(p.mrkdwn(r.Text))
		p.file(r.File)
	case "error":
		h := "error shown to " + p.viewer
		if r.Channel != "" {
			h += " in " + p.in(r)
		}
		p.heading(h)
		p.text("! " + r.Text)
	default:
		p.heading(r.Kind)
		p.text(p.mrkdwn(r.Text))
	}
	return p.b.String()
}

// eventType is the Slack message metadata event_type r carries ("mentorbot_checkin"),
// if any: what kind of message the app says it is.
func eventType(r slacktest.Record) string {
	var md struct {
		EventType string `json:"event_type"`
	}
	if len(r.Metadata) == 0 || json.Unmarshal(r.Metadata, &md) != nil {
		return ""
	}
	return md.EventType
}

// page builds the text of one record.
type page struct {
	n      Names
	st     style
	viewer string   // the name used in click and submit lines
	notes  []string // added to the heading after " · "
	b      strings.Builder
}

func (p *page) heading(s string) {
	for _, n := range p.notes {
		s += " · " + n
	}
	fmt.Fprintf(&p.b, "── %s ──\n", s)
}

func (p *page) mrkdwn(s string) string { return mrkdwn(s, p.n, p.st) }
func (p *page) textOf(v any) string    { return textOf(v, p.n, p.st) }

// text writes s indented, one output line per line of s; blank lines are kept.
func (p *page) text(s string) {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return
	}
	for line := range strings.SplitSeq(s, "\n") {
		if line == "" {
			p.b.WriteString("\n")
			continue
		}
		p.b.WriteString("  " + line + "\n")
	}
}

// in names where an ephemeral message or error shows: a channel, or the person's DM.
func (p *page) in(r slacktest.Record) string {
	if r.Channel == "D"+r.User {
		return "your DM with " + slacktest.DefaultBotName
	}
	return p.n.where(r.Channel)
}

// channelViewer is who would click something in channelID: the person of a DM, or
// anyone in a channel.
func (p *page) channelViewer(channelID string) string {
	if u, ok := strings.CutPrefix(channelID, "D"); ok {
		return p.n.user(u)
	}
	return "<name>"
}

// message writes a message's blocks, or its text when it has none.
func (p *page) message(r slacktest.Record) {
	var blocks []any
	if len(r.Blocks) > 0 {
		_ = json.Unmarshal(r.Blocks, &blocks)
	}
	if len(blocks) == 0 {
		p.text(p.mrkdwn(r.Text))
		return
	}
	p.blocks(blocks)
}

// view writes a modal or Home tab: its blocks, and for a modal with inputs how to
// submit it.
func (p *page) view(v map[string]any) {
	blocks := list(v, "blocks")
	p.blocks(blocks)
	if str(v, "type") != "modal" {
		return
	}
	var buttons []string
	for _, k := range []string{"submit", "close"} {
		if t := p.textOf(v[k]); t != "" {
			buttons = append(buttons, "["+t+"]")
		}
	}
	if len(buttons) > 0 {
		p.text(strings.Join(buttons, " "))
	}
	if v["submit"] != nil {
		var keys []string
		for _, b := range blocks {
			if bm, _ := b.(map[string]any); str(bm, "type") == "input" {
				keys = append(keys, str(bm, "block_id")+"=…")
			}
		}
		p.text(fmt.Sprintf("to send it: submit %s %s", p.viewer, strings.Join(keys, " ")))
		if len(keys) > 0 {
			p.text("(inputs you leave out keep what they show)")
		}
	}
}

// blocks writes Block Kit layout blocks, whatever their kind.
func (p *page) blocks(blocks []any) {
	quals := buttonQualifiers(blocks, p.n)
	for i, raw := range blocks {
		b, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		switch typ := str(b, "type"); typ {
		case "section":
			p.text(p.textOf(b["text"]))
			for _, f := range list(b, "fields") {
				p.text("• " + p.textOf(f))
			}
			if acc, ok := b["accessory"].(map[string]any); ok {
				p.elements([]any{acc}, quals[i])
			}
		case "header":
			p.text("== " + p.textOf(b["text"]) + " ==")
		case "divider":
			p.text(strings.Repeat("─", 24))
		case "context":
			var parts []string
			for _, e := range list(b, "elements") {
				em, _ := e.(map[string]any)
				if str(em, "type") == "image" {
					parts = append(parts, "[image: "+str(em, "alt_text")+"]")
				} else {
					parts = append(parts, p.textOf(em))
				}
			}
			p.text(strings.Join(parts, " · "))
		case "actions", "context_actions":
			p.elements(list(b, "elements"), quals[i])
		case "input":
			p.input(b)
		case "image":
			p.text("[image: " + str(b, "alt_text") + "]")
		case "markdown":
			p.text(p.mrkdwn(str(b, "text")))
		case "rich_text":
			p.text(richText(b, p.n))
		default:
			p.text("[" + typ + " block]")
		}
	}
}

// elements writes interactive elements: the buttons on one line, with the line that
// clicks them by label (qual tells them apart from buttons of the same label
// elsewhere on the surface), and each other element on a line of its own.
func (p *page) elements(elems []any, qual string) {
	var buttons, labels []string
	var others []string
	for _, e := range elems {
		em, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if str(em, "type") != "button" {
			others = append(others, p.element(em))
			continue
		}
		label := p.textOf(em["text"])
		if url := str(em, "url"); url != "" {
			buttons = append(buttons, "["+label+" ↗ "+url+"]")
			continue
		}
		buttons = append(buttons, "["+label+"]")
		labels = append(labels, plainTextOf(em["text"]))
	}
	if len(buttons) > 0 {
		line := strings.Join(buttons, " ")
		switch {
		case len(labels) == 1:
			line += "  ← " + clickLine(p.viewer, labels[0], qual)
		case len(labels) > 1:
			line += "  ← " + clickLine(p.viewer, "<label>", qual)
		}
		p.text(line)
	}
	for _, o := range others {
		p.text(o)
	}
}

// clickLine is the input that clicks the button labelled label as viewer.
func clickLine(viewer, label, qual string) string {
	if qual != "" {
		if strings.Contains(label, " on ") {
			label = strconv.Quote(label)
		}
		return viewer + ": click " + emojify(label) + " on " + qual
	}
	return viewer + ": click " + emojify(label)
}

// element describes an interactive element other than a button, and the click line
// that uses it.
func (p *page) element(e map[string]any) string {
	typ, id := str(e, "type"), str(e, "action_id")
	click := "click " + p.viewer + " " + id
	switch typ {
	case "image":
		return "[image: " + str(e, "alt_text") + "]"
	case "static_select", "overflow", "radio_buttons", "checkboxes", "multi_static_select":
		vals, _ := options(e)
		s := "[" + elementLabel(e, p.n) + " ▾] (" + click + " <" + strings.Join(vals, "|") + ">)"
		if o, ok := e["initial_option"].(map[string]any); ok {
			s += " now: " + str(o, "value")
		}
		return s
	case "users_select", "multi_users_select":
		s := "[" + elementLabel(e, p.n) + " ▾] (" + click + " @<name>)"
		if u := str(e, "initial_user"); u != "" {
			s += " now: @" + p.n.user(u)
		}
		return s
	case "datepicker":
		return "[" + elementLabel(e, p.n) + "] (" + click + " YYYY-MM-DD)"
	}
	return "[" + elementLabel(e, p.n) + "] (" + click + " <value>)"
}

// input describes an input block: its label, what to write after block_id= to
// submit it, what it shows now, and its hint.
func (p *page) input(b map[string]any) {
	e, _ := b["element"].(map[string]any)
	label := p.textOf(b["label"])
	if opt, _ := b["optional"].(bool); opt {
		label += " (optional)"
	}
	id := str(b, "block_id")
	var form string
	switch field := fieldOf(str(e, "type")); field.key {
	case "selected_option", "selected_options":
		vals, texts := options(e)
		if len(vals) == 0 { // options the app supplies as the person types
			form = id + `="…"`
			break
		}
		form = id + "=" + strings.Join(vals, "|")
		if field.key == "selected_options" {
			form += " (several: comma-separated)"
		}
		if !slices.EqualFunc(vals, texts, strings.EqualFold) {
			pairs := make([]string, len(vals))
			for i := range vals {
				pairs[i] = vals[i] + " = " + texts[i]
			}
			form += "\n  " + strings.Join(pairs, "; ")
		}
	case "selected_user", "selected_users":
		form = id + "=@name"
	case "selected_conversation", "selected_channel", "selected_conversations", "selected_channels":
		form = id + "=#channel"
	case "selected_date":
		form = id + "=YYYY-MM-DD"
	case "selected_time":
		form = id + "=HH:MM"
	default:
		form = id + `="…"`
		if multi, _ := e["multiline"].(bool); multi {
			form += ` (\n starts a new line)`
		}
	}
	p.text(label + ":  " + form)
	if now := initialText(e, p.n); now != "" {
		p.text("  now: " + now)
	}
	if hint := p.textOf(b["hint"]); hint != "" {
		p.text("  " + hint)
	}
}

// inputErrors writes the errors a modal showed under its inputs, in the inputs' order.
func (p *page) inputErrors(view map[string]any, errs map[string]string) {
	done := map[string]bool{}
	for _, raw := range list(view, "blocks") {
		b, _ := raw.(map[string]any)
		id := str(b, "block_id")
		if msg, ok := errs[id]; ok {
			p.text(fmt.Sprintf("! %s (%s): %s", p.textOf(b["label"]), id, p.mrkdwn(msg)))
			done[id] = true
		}
	}
	for _, id := range sortedKeys(errs) {
		if !done[id] {
			p.text(fmt.Sprintf("! %s: %s", id, p.mrkdwn(errs[id])))
		}
	}
}

// file writes the start of a shared file.
func (p *page) file(f *slacktest.File) {
	if f == nil {
		return
	}
	if !utf8.Valid(f.Content) {
		p.text(fmt.Sprintf("(%d bytes)", len(f.Content)))
		return
	}
	lines := strings.Split(strings.TrimRight(string(f.Content), "\n"), "\n")
	for i, l := range lines {
		if i == maxFileLines {
			p.text(fmt.Sprintf("│ … %d more lines", len(lines)-i))
			break
		}
		p.text("│ " + l)
	}
}

// elements returns the interactive elements of a block.
func elements(b map[string]any) []map[string]any {
	var raw []any
	switch str(b, "type") {
	case "actions", "context_actions":
		raw = list(b, "elements")
	case "section":
		raw = []any{b["accessory"]}
	case "input":
		raw = []any{b["element"]}
	}
	var out []map[string]any
	for _, e := range raw {
		if m, ok := e.(map[string]any); ok && str(m, "action_id") != "" {
			out = append(out, m)
		}
	}
	return out
}

// options returns the values and texts of an element's options (and option groups).
func options(e map[string]any) (values, texts []string) {
	for _, o := range optionList(e) {
		values = append(values, str(o, "value"))
		texts = append(texts, plainTextOf(o["text"]))
	}
	return values, texts
}

func optionList(e map[string]any) []map[string]any {
	all := list(e, "options")
	for _, g := range list(e, "option_groups") {
		gm, _ := g.(map[string]any)
		all = append(all, list(gm, "options")...)
	}
	var out []map[string]any
	for _, o := range all {
		if m, ok := o.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// elementLabel is what an element shows before anything is chosen.
func elementLabel(e map[string]any, n Names) string {
	if t := textOf(e["placeholder"], n, style{}); t != "" {
		return t
	}
	return str(e, "type")
}

// initialText is the value an input element shows before anyone types, readable.
func initialText(e map[string]any, n Names) string {
	field := fieldOf(str(e, "type"))
	switch v := e[field.initial].(type) {
	case string:
		switch field.key {
		case "selected_user":
			return "@" + n.user(v)
		case "selected_conversation", "selected_channel":
			return n.where(v)
		}
		return v
	case map[string]any:
		if field.key == "selected_option" {
			return str(v, "value")
		}
		return richText(v, n)
	case []any:
		var parts []string
		for _, x := range v {
			switch x := x.(type) {
			case string:
				if strings.HasPrefix(field.key, "selected_user") {
					parts = append(parts, "@"+n.user(x))
				} else {
					parts = append(parts, n.where(x))
				}
			case map[string]any:
				parts = append(parts, str(x, "value"))
			}
		}
		return strings.Join(parts, ", ")
	case float64:
		return fmt.Sprint(v)
	}
	return ""
}

// richText flattens a rich_text block (or value) to lines.
func richText(v any, n Names) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		switch str(m, "type") {
		case "text", "link":
			b.WriteString(str(m, "text"))
			if str(m, "text") == "" {
				b.WriteString(str(m, "url"))
			}
		case "user":
			b.WriteString("@" + n.user(str(m, "user_id")))
		case "channel":
			b.WriteString(n.where(str(m, "channel_id")))
		case "emoji":
			b.WriteString(emojify(":" + str(m, "name") + ":"))
		case "rich_text_list":
			for _, item := range list(m, "elements") {
				b.WriteString("- ")
				walk(item)
				b.WriteString("\n")
			}
			return
		}
		for _, e := range list(m, "elements") {
			walk(e)
		}
		if t := str(m, "type"); t == "rich_text_section" || t == "rich_text_preformatted" || t == "rich_text_quote" {
			if !strings.HasSuffix(b.String(), "\n") {
				b.WriteString("\n")
			}
		}
	}
	walk(v)
	return strings.TrimRight(b.String(), "\n")
}

// textOf returns a text object's text, readable: mrkdwn is converted, plain_text
// shows its emoji.
func textOf(v any, n Names, st style) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if str(m, "type") == "mrkdwn" {
		return mrkdwn(str(m, "text"), n, st)
	}
	return plainText(str(m, "text"))
}

// plainTextOf is a text object's text as it is written.
func plainTextOf(v any) string {
	m, _ := v.(map[string]any)
	return str(m, "text")
}

func decodeObject(raw json.RawMessage) map[string]any {
	var m map[string]any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func list(m map[string]any, k string) []any {
	l, _ := m[k].([]any)
	return l
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
