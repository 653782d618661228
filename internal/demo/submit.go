package demo

import (
	"encoding/json"
	"fmt"
	"strings"
)

// inputField says where a view_submission carries an input's value (key) and where
// the element holds the value it shows before anyone types (initial).
type inputField struct{ key, initial string }

var inputFields = map[string]inputField{
	"plain_text_input":           {"value", "initial_value"},
	"email_text_input":           {"value", "initial_value"},
	"url_text_input":             {"value", "initial_value"},
	"number_input":               {"value", "initial_value"},
	"rich_text_input":            {"rich_text_value", "initial_value"},
	"static_select":              {"selected_option", "initial_option"},
	"external_select":            {"selected_option", "initial_option"},
	"radio_buttons":              {"selected_option", "initial_option"},
	"multi_static_select":        {"selected_options", "initial_options"},
	"multi_external_select":      {"selected_options", "initial_options"},
	"checkboxes":                 {"selected_options", "initial_options"},
	"users_select":               {"selected_user", "initial_user"},
	"multi_users_select":         {"selected_users", "initial_users"},
	"conversations_select":       {"selected_conversation", "initial_conversation"},
	"multi_conversations_select": {"selected_conversations", "initial_conversations"},
	"channels_select":            {"selected_channel", "initial_channel"},
	"multi_channels_select":      {"selected_channels", "initial_channels"},
	"datepicker":                 {"selected_date", "initial_date"},
	"timepicker":                 {"selected_time", "initial_time"},
	"datetimepicker":             {"selected_date_time", "initial_date_time"},
}

// fieldOf is the inputField of an element type; unknown types carry a plain value.
func fieldOf(elementType string) inputField {
	if f, ok := inputFields[elementType]; ok {
		return f
	}
	return inputField{"value", "initial_value"}
}

// submission builds the state values of a modal submitted with assignments
// ("block_id=value"), as Slack sends them: every input block of the view, those not
// assigned with the value they show (their initial value, or none). Like Slack's
// client, it refuses a required input left empty.
func submission(view map[string]any, assignments []string, w Workspace) (map[string]map[string]any, error) {
	given := map[string]string{}
	for _, a := range assignments {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not block_id=value", a)
		}
		given[k] = v
	}
	var inputs []map[string]any
	known := map[string]bool{}
	for _, raw := range list(view, "blocks") {
		b, _ := raw.(map[string]any)
		if e, _ := b["element"].(map[string]any); str(b, "type") == "input" && e != nil {
			inputs = append(inputs, b)
			known[str(b, "block_id")], known[str(e, "action_id")] = true, true
		}
	}
	for _, k := range sortedKeys(given) {
		if known[k] {
			continue
		}
		if len(inputs) == 0 {
			return nil, fmt.Errorf("this modal has no inputs, so there is nothing to set with %s=", k)
		}
		ids := make([]string, len(inputs))
		for i, b := range inputs {
			ids[i] = str(b, "block_id")
		}
		return nil, fmt.Errorf("this modal has no input %q; its inputs are %s", k, strings.Join(ids, ", "))
	}

	values := map[string]map[string]any{}
	for _, b := range inputs {
		e := b["element"].(map[string]any)
		blockID, actionID, typ := str(b, "block_id"), str(e, "action_id"), str(e, "type")
		field := fieldOf(typ)
		val := map[string]any{"type": typ, field.key: e[field.initial]}
		s, ok := given[blockID]
		if !ok {
			s, ok = given[actionID]
		}
		if ok {
			v, err := inputValue(e, field.key, s, w)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", blockID, err)
			}
			val[field.key] = v
		}
		if optional, _ := b["optional"].(bool); !optional && empty(val[field.key]) {
			return nil, fmt.Errorf("%q is required: add %s=…", plainTextOf(b["label"]), blockID)
		}
		values[blockID] = map[string]any{actionID: val}
	}
	return values, nil
}

// inputValue turns what a person wrote into the value Slack submits under key.
func inputValue(e map[string]any, key, s string, w Workspace) (any, error) {
	switch key {
	case "selected_option":
		return option(e, s)
	case "selected_options":
		var opts []any
		for _, part := range splitList(s) {
			o, err := option(e, part)
			if err != nil {
				return nil, err
			}
			opts = append(opts, o)
		}
		return opts, nil
	case "selected_user":
		return userID(s, w)
	case "selected_users":
		var ids []any
		for _, part := range splitList(s) {
			id, err := userID(part, w)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, nil
	case "selected_conversation", "selected_channel":
		return channelID(s, w), nil
	case "selected_conversations", "selected_channels":
		var ids []any
		for _, part := range splitList(s) {
			ids = append(ids, channelID(part, w))
		}
		return ids, nil
	case "selected_date_time":
		return json.Number(s), nil
	case "rich_text_value":
		return map[string]any{"type": "rich_text", "elements": []any{map[string]any{
			"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": newlines(s)}},
		}}}, nil
	}
	return newlines(s), nil
}

// option finds the option of e whose value (or, failing that, text) is s. Elements
// whose options come from the app at run time (external_select) take s as the value.
func option(e map[string]any, s string) (map[string]any, error) {
	opts := optionList(e)
	if strings.Contains(str(e, "type"), "external") {
		return map[string]any{"text": map[string]any{"type": "plain_text", "text": s}, "value": s}, nil
	}
	for _, match := range []func(o map[string]any) bool{
		func(o map[string]any) bool { return str(o, "value") == s },
		func(o map[string]any) bool { return strings.EqualFold(str(o, "value"), s) },
		func(o map[string]any) bool { return strings.EqualFold(plainTextOf(o["text"]), s) },
	} {
		for _, o := range opts {
			if match(o) {
				return o, nil
			}
		}
	}
	vals, _ := options(e)
	return nil, fmt.Errorf("no option %q; choose one of %s", s, strings.Join(vals, ", "))
}

// userID resolves @name, name or a user ID of the workspace.
func userID(s string, w Workspace) (string, error) {
	if p, ok := w.person(s); ok {
		return p.ID, nil
	}
	for _, p := range w.People {
		if p.ID == s {
			return s, nil
		}
	}
	return "", fmt.Errorf("no one called %q here (type who to see the team)", s)
}

// channelID resolves #name to a channel ID; anything else is taken as an ID.
func channelID(s string, w Workspace) string {
	if c, ok := w.channel(s); ok {
		return c.ID
	}
	return s
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// newlines turns the two characters \n into a line break, so one line of input can
// fill a multi-line text box.
func newlines(s string) string { return strings.ReplaceAll(s, `\n`, "\n") }

// empty reports whether a submitted value is blank.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case []any:
		return len(v) == 0
	}
	return false
}
