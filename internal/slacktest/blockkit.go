package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Block Kit limits Slack enforces on what an app sends. Breaking one makes
// Slack answer invalid_blocks (messages) or invalid_arguments (views); the
// double answers the same so a bot's test sees what production would.
// Lengths count characters, as Slack does.
const (
	maxMessageBlocks      = 50    // blocks in one message
	maxViewBlocks         = 100   // blocks in a modal or Home tab
	maxMessageTextLen     = 40000 // a message's top-level text; more -> msg_too_long
	maxSectionTextLen     = 3000  // section text
	maxSectionFields      = 10    // section fields
	maxSectionFieldLen    = 2000  // each section field
	maxHeaderTextLen      = 150   // header text (plain_text)
	maxContextElements    = 10    // context elements
	maxContextTextLen     = 3000  // a context text element (Slack documents no lower limit)
	maxActionsElements    = 25    // actions elements
	maxButtonTextLen      = 75    // button text (plain_text)
	maxButtonValueLen     = 2000  // button value
	maxURLLen             = 3000  // button url
	maxInputLabelLen      = 2000  // input label
	maxInputHintLen       = 2000  // input hint
	maxPlaceholderLen     = 150   // element placeholder
	maxInputMaxLength     = 3000  // plain_text_input max_length
	maxOptions            = 100   // select options / option groups
	maxOverflowOptions    = 5     // overflow menu options
	maxChoiceOptions      = 10    // radio_buttons / checkboxes options
	maxOptionTextLen      = 75    // option text
	maxOptionValueLen     = 150   // option value
	maxIDLen              = 255   // action_id, block_id, callback_id, external_id
	maxModalTitleLen      = 24    // modal title, submit and close texts
	maxPrivateMetadataLen = 3000  // view private_metadata
	maxMarkdownBlockLen   = 12000 // markdown block text
)

// knownBlockTypes are the layout blocks the double accepts; anything else is
// an unknown block type, which Slack rejects.
var knownBlockTypes = map[string]bool{
	"section": true, "header": true, "divider": true, "context": true, "actions": true,
	"input": true, "image": true, "rich_text": true, "markdown": true, "video": true,
	"file": true, "table": true, "call": true, "context_actions": true,
	"data_visualization": true,
}

// chartSurfaces are where Slack draws a data_visualization block: messages and Home
// tabs. Its reference lists no modals, so the double refuses a chart there.
var chartSurfaces = map[string]bool{"message": true, "home": true}

// knownElementTypes are the block elements the double accepts.
var knownElementTypes = map[string]bool{
	"button": true, "overflow": true, "datepicker": true, "timepicker": true, "datetimepicker": true,
	"plain_text_input": true, "email_text_input": true, "url_text_input": true, "number_input": true,
	"rich_text_input": true, "file_input": true, "image": true, "radio_buttons": true, "checkboxes": true,
	"static_select": true, "external_select": true, "users_select": true, "conversations_select": true,
	"channels_select": true, "multi_static_select": true, "multi_external_select": true,
	"multi_users_select": true, "multi_conversations_select": true, "multi_channels_select": true,
	"workflow_button": true, "feedback_buttons": true, "icon_button": true,
}

// decodeJSON decodes raw keeping numbers exact, so re-encoding a payload
// does not change it.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil { // cannot happen: values come from JSON
		panic(fmt.Sprintf("slacktest: marshal: %v", err))
	}
	return b
}

// blockValidator collects Slack-style error messages
// ("[ERROR] ... [json-pointer:/blocks/0/text/text]").
type blockValidator struct {
	errs     []string
	blockIDs map[string]bool
	surface  string // "message", "home" or "modal"
}

func (v *blockValidator) fail(ptr, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf("[ERROR] %s [json-pointer:%s]", fmt.Sprintf(format, args...), ptr))
}

// validateMessageBlocks checks a message's blocks; ptr is the JSON pointer
// of the array ("/blocks").
func validateMessageBlocks(blocks any) []string {
	v := &blockValidator{blockIDs: map[string]bool{}, surface: "message"}
	v.blocks(blocks, "/blocks", maxMessageBlocks)
	return v.errs
}

// validateView checks a view object as views.open/push/update/publish (or a
// response_action) receive it; want is "modal" or "home".
func validateView(data map[string]any, want string) []string {
	v := &blockValidator{blockIDs: map[string]bool{}, surface: want}
	typ, _ := data["type"].(string)
	if typ != want {
		v.fail("/view/type", "must be %q, not %q", want, typ)
		return v.errs
	}
	blocks, ok := data["blocks"]
	if !ok || blocks == nil {
		v.fail("/view/blocks", "missing required field: blocks")
	} else {
		v.blocks(blocks, "/view/blocks", maxViewBlocks)
	}
	if want == "modal" {
		v.text(data["title"], "/view/title", maxModalTitleLen, true, true)
		for _, k := range []string{"submit", "close"} {
			if t, ok := data[k]; ok && t != nil {
				v.text(t, "/view/"+k, maxModalTitleLen, true, true)
			}
		}
		if hasInputBlock(blocks) && data["submit"] == nil {
			v.fail("/view/submit", "must provide submit when an input block is present")
		}
	}
	v.str(data, "private_metadata", "/view/private_metadata", maxPrivateMetadataLen)
	v.str(data, "callback_id", "/view/callback_id", maxIDLen)
	v.str(data, "external_id", "/view/external_id", maxIDLen)
	return v.errs
}

// str checks an optional string field's type and length.
func (v *blockValidator) str(m map[string]any, key, ptr string, maxLen int) {
	raw, ok := m[key]
	if !ok || raw == nil {
		return
	}
	s, ok := raw.(string)
	if !ok {
		v.fail(ptr, "must be a string")
		return
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		v.fail(ptr, "must be less than %d characters", maxLen+1)
	}
}

func (v *blockValidator) blocks(raw any, ptr string, maxBlocks int) {
	list, ok := raw.([]any)
	if !ok {
		v.fail(ptr, "must be an array")
		return
	}
	if len(list) > maxBlocks {
		v.fail(ptr, "no more than %d items allowed", maxBlocks)
	}
	for i, item := range list {
		bp := fmt.Sprintf("%s/%d", ptr, i)
		b, ok := item.(map[string]any)
		if !ok {
			v.fail(bp, "must be an object")
			continue
		}
		v.block(b, bp)
	}
}

func (v *blockValidator) block(b map[string]any, ptr string) {
	if raw, ok := b["block_id"]; ok {
		id, isStr := raw.(string)
		switch {
		case !isStr:
			v.fail(ptr+"/block_id", "must be a string")
		case utf8.RuneCountInString(id) > maxIDLen:
			v.fail(ptr+"/block_id", "must be less than %d characters", maxIDLen+1)
		case v.blockIDs[id]:
			v.fail(ptr+"/block_id", "duplicate block_id %q", id)
		default:
			v.blockIDs[id] = true
		}
	}
	typ, _ := b["type"].(string)
	if !knownBlockTypes[typ] {
		v.fail(ptr+"/type", "unsupported block type %q", typ)
		return
	}
	switch typ {
	case "section":
		_, hasText := b["text"]
		fields, hasFields := b["fields"]
		if !hasText && !hasFields {
			v.fail(ptr, "must provide either text or fields")
		}
		if hasText {
			v.text(b["text"], ptr+"/text", maxSectionTextLen, false, true)
		}
		if hasFields {
			list, ok := fields.([]any)
			switch {
			case !ok:
				v.fail(ptr+"/fields", "must be an array")
			case len(list) > maxSectionFields:
				v.fail(ptr+"/fields", "no more than %d items allowed", maxSectionFields)
			default:
				for i, f := range list {
					v.text(f, fmt.Sprintf("%s/fields/%d", ptr, i), maxSectionFieldLen, false, true)
				}
			}
		}
		if acc, ok := b["accessory"]; ok {
			v.element(acc, ptr+"/accessory", nil)
		}
	case "header":
		v.text(b["text"], ptr+"/text", maxHeaderTextLen, true, true)
	case "context":
		list := v.array(b, "elements", ptr, 1, maxContextElements)
		for i, e := range list {
			ep := fmt.Sprintf("%s/elements/%d", ptr, i)
			m, _ := e.(map[string]any)
			if t, _ := m["type"].(string); t == "image" {
				v.element(e, ep, nil)
			} else {
				v.text(e, ep, maxContextTextLen, false, true)
			}
		}
	case "actions":
		ids := map[string]bool{}
		for i, e := range v.array(b, "elements", ptr, 1, maxActionsElements) {
			v.element(e, fmt.Sprintf("%s/elements/%d", ptr, i), ids)
		}
	case "input":
		v.text(b["label"], ptr+"/label", maxInputLabelLen, true, true)
		if h, ok := b["hint"]; ok {
			v.text(h, ptr+"/hint", maxInputHintLen, true, true)
		}
		if e, ok := b["element"]; ok {
			v.element(e, ptr+"/element", nil)
		} else {
			v.fail(ptr+"/element", "missing required field: element")
		}
	case "image":
		if _, ok := b["alt_text"].(string); !ok {
			v.fail(ptr+"/alt_text", "missing required field: alt_text")
		}
	case "data_visualization":
		v.chart(b, ptr)
	case "markdown":
		t, _ := b["text"].(string)
		if t == "" {
			v.fail(ptr+"/text", "must be more than 0 characters")
		} else if utf8.RuneCountInString(t) > maxMarkdownBlockLen {
			v.fail(ptr+"/text", "must be less than %d characters", maxMarkdownBlockLen+1)
		}
	}
}

// chart checks a data_visualization block as slack-go decodes and validates it
// (slack.DataVisualizationBlock.Validate encodes Slack's documented limits: a title
// of 1 to 50 characters; a pie, bar, area or line chart; 1 to 6 series with unique
// names of at most 20 characters, each with exactly one point, of at most 20, for
// every one of the unique axis categories of at most 20 characters; axis labels of at
// most 50; 1 to 6 pie segments of positive value), and where Slack draws it.
func (v *blockValidator) chart(b map[string]any, ptr string) {
	if !chartSurfaces[v.surface] {
		v.fail(ptr+"/type", "data_visualization blocks are not supported in a %s", v.surface)
		return
	}
	if _, ok := b["title"].(string); !ok {
		v.fail(ptr+"/title", "missing required field: title")
		return
	}
	c, ok := b["chart"].(map[string]any)
	if !ok {
		v.fail(ptr+"/chart", "missing required field: chart")
		return
	}
	if t, _ := c["type"].(string); t != "pie" && t != "bar" && t != "area" && t != "line" {
		v.fail(ptr+"/chart/type", "must be one of pie, bar, area or line, not %q", t)
		return
	}
	var dv slack.DataVisualizationBlock
	if err := json.Unmarshal(mustJSON(b), &dv); err != nil {
		v.fail(ptr, "invalid data_visualization block: %v", err)
		return
	}
	if err := dv.Validate(); err != nil {
		v.fail(ptr, "invalid data_visualization block: %v", err)
	}
}

// array returns b[key] as a list of min..max items, reporting otherwise.
func (v *blockValidator) array(b map[string]any, key, ptr string, minItems, maxItems int) []any {
	list, ok := b[key].([]any)
	if !ok {
		v.fail(ptr+"/"+key, "missing required field: %s", key)
		return nil
	}
	if len(list) < minItems {
		v.fail(ptr+"/"+key, "must provide at least %d items", minItems)
	}
	if len(list) > maxItems {
		v.fail(ptr+"/"+key, "no more than %d items allowed", maxItems)
	}
	return list
}

// text checks a text object.
func (v *blockValidator) text(raw any, ptr string, maxLen int, plainOnly, required bool) {
	if raw == nil {
		if required {
			v.fail(ptr, "missing required field")
		}
		return
	}
	m, ok := raw.(map[string]any)
	if !ok {
		v.fail(ptr, "must be a text object")
		return
	}
	typ, _ := m["type"].(string)
	switch {
	case typ == "plain_text":
	case typ == "mrkdwn" && !plainOnly:
	case typ == "mrkdwn":
		v.fail(ptr+"/type", "must be plain_text")
	default:
		v.fail(ptr+"/type", "must be plain_text or mrkdwn, not %q", typ)
	}
	t, ok := m["text"].(string)
	switch {
	case !ok:
		v.fail(ptr+"/text", "missing required field: text")
	case t == "":
		v.fail(ptr+"/text", "must be more than 0 characters")
	case utf8.RuneCountInString(t) > maxLen:
		v.fail(ptr+"/text", "must be less than %d characters", maxLen+1)
	}
}

// element checks a block element; actionIDs, when not nil, collects the
// action_ids of one block to find duplicates.
func (v *blockValidator) element(raw any, ptr string, actionIDs map[string]bool) {
	e, ok := raw.(map[string]any)
	if !ok {
		v.fail(ptr, "must be an object")
		return
	}
	typ, _ := e["type"].(string)
	if !knownElementTypes[typ] {
		v.fail(ptr+"/type", "unsupported element type %q", typ)
		return
	}
	if raw, ok := e["action_id"]; ok {
		id, isStr := raw.(string)
		switch {
		case !isStr:
			v.fail(ptr+"/action_id", "must be a string")
		case utf8.RuneCountInString(id) > maxIDLen:
			v.fail(ptr+"/action_id", "must be less than %d characters", maxIDLen+1)
		case actionIDs != nil && actionIDs[id]:
			v.fail(ptr+"/action_id", "duplicate action_id %q", id)
		case actionIDs != nil:
			actionIDs[id] = true
		}
	}
	if p, ok := e["placeholder"]; ok {
		v.text(p, ptr+"/placeholder", maxPlaceholderLen, true, true)
	}
	switch typ {
	case "button":
		v.text(e["text"], ptr+"/text", maxButtonTextLen, true, true)
		v.str(e, "value", ptr+"/value", maxButtonValueLen)
		v.str(e, "url", ptr+"/url", maxURLLen)
		if st, ok := e["style"]; ok && st != "primary" && st != "danger" {
			v.fail(ptr+"/style", "must be primary or danger")
		}
	case "image":
		if _, ok := e["alt_text"].(string); !ok {
			v.fail(ptr+"/alt_text", "missing required field: alt_text")
		}
	case "plain_text_input":
		if n, ok := e["max_length"].(json.Number); ok {
			if i, err := n.Int64(); err != nil || i > maxInputMaxLength || i < 1 {
				v.fail(ptr+"/max_length", "must be between 1 and %d", maxInputMaxLength)
			}
		}
	case "static_select", "multi_static_select":
		v.options(e, ptr, maxOptions, true, 0)
	case "overflow":
		v.options(e, ptr, maxOverflowOptions, true, 1)
	case "radio_buttons", "checkboxes":
		v.options(e, ptr, maxChoiceOptions, false, 1)
	}
}

// options checks an element's options (and option_groups for selects).
func (v *blockValidator) options(e map[string]any, ptr string, maxItems int, plainOnly bool, minItems int) {
	check := func(list []any, lp string) {
		for i, o := range list {
			op := fmt.Sprintf("%s/%d", lp, i)
			m, ok := o.(map[string]any)
			if !ok {
				v.fail(op, "must be an object")
				continue
			}
			v.text(m["text"], op+"/text", maxOptionTextLen, plainOnly, true)
			val, ok := m["value"].(string)
			switch {
			case !ok:
				v.fail(op+"/value", "missing required field: value")
			case utf8.RuneCountInString(val) > maxOptionValueLen:
				v.fail(op+"/value", "must be less than %d characters", maxOptionValueLen+1)
			}
		}
	}
	if groups, ok := e["option_groups"].([]any); ok {
		if len(groups) > maxItems {
			v.fail(ptr+"/option_groups", "no more than %d items allowed", maxItems)
		}
		for i, g := range groups {
			gm, _ := g.(map[string]any)
			opts, _ := gm["options"].([]any)
			check(opts, fmt.Sprintf("%s/option_groups/%d/options", ptr, i))
		}
		return
	}
	if _, ok := e["options"]; !ok && minItems == 0 {
		return
	}
	check(v.array(e, "options", ptr, minItems, maxItems), ptr+"/options")
}

// hasInputBlock reports whether blocks holds an input block.
func hasInputBlock(blocks any) bool {
	list, _ := blocks.([]any)
	for _, b := range list {
		if m, ok := b.(map[string]any); ok && m["type"] == "input" {
			return true
		}
	}
	return false
}

// blockElements returns the interactive elements of a block.
func blockElements(b map[string]any) []map[string]any {
	var out []map[string]any
	add := func(raw any) {
		if m, ok := raw.(map[string]any); ok {
			out = append(out, m)
		}
	}
	switch b["type"] {
	case "actions", "context_actions":
		list, _ := b["elements"].([]any)
		for _, e := range list {
			add(e)
		}
	case "section":
		add(b["accessory"])
	case "input":
		add(b["element"])
	}
	return out
}

// assignIDsLocked gives every block without a block_id, and every element
// without an action_id, a generated one, as Slack does when it stores
// blocks.
func (s *Server) assignIDsLocked(blocks any) {
	list, _ := blocks.([]any)
	for _, item := range list {
		b, ok := item.(map[string]any)
		if !ok {
			continue
		}
		if _, ok := b["block_id"]; !ok {
			b["block_id"] = s.genIDLocked()
		}
		for _, e := range blockElements(b) {
			if t, _ := e["type"].(string); t == "image" {
				continue
			}
			if _, ok := e["action_id"]; !ok {
				e["action_id"] = s.genIDLocked()
			}
		}
	}
}

// genIDLocked returns a short, unique, random-looking ID like Slack's
// generated block and action IDs (5 characters of [0-9A-Za-z]).
func (s *Server) genIDLocked() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	const space = 62 * 62 * 62 * 62 * 62
	// 387420489 is coprime with 62, so n -> n*k mod 62^5 is a bijection.
	x := (s.nextIDLocked() * 387420489) % space
	var b [5]byte
	for i := range b {
		b[i] = alphabet[x%62]
		x /= 62
	}
	return string(b[:])
}

// findElement finds the element with actionID (in the block with blockID,
// when given) in blocks.
func findElement(blocks any, actionID, blockID string) (block, elem map[string]any, ok bool) {
	list, _ := blocks.([]any)
	for _, item := range list {
		b, isMap := item.(map[string]any)
		if !isMap {
			continue
		}
		if blockID != "" && b["block_id"] != blockID {
			continue
		}
		for _, e := range blockElements(b) {
			if e["action_id"] == actionID {
				return b, e, true
			}
		}
	}
	return nil, nil, false
}

// findOption returns the option of element e whose value is value.
func findOption(e map[string]any, value string) (map[string]any, bool) {
	var all []any
	if opts, ok := e["options"].([]any); ok {
		all = append(all, opts...)
	}
	if groups, ok := e["option_groups"].([]any); ok {
		for _, g := range groups {
			if gm, ok := g.(map[string]any); ok {
				if opts, ok := gm["options"].([]any); ok {
					all = append(all, opts...)
				}
			}
		}
	}
	for _, o := range all {
		if m, ok := o.(map[string]any); ok && m["value"] == value {
			return m, true
		}
	}
	return nil, false
}

// joinErrors is the compact form of validation messages for logs and
// error records.
func joinErrors(errs []string) string { return strings.Join(errs, "; ") }
