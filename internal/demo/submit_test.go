package demo

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

func TestDemoSubmission(t *testing.T) {
	var view map[string]any
	if err := json.Unmarshal([]byte(modalView), &view); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		assignments []string
		want        string // the values as JSON
		wantErr     string
	}{
		{
			name: "untouched inputs keep what they show",
			want: `{"days":{"days":{"selected_options":null,"type":"checkboxes"}},` +
				`"goals":{"goals":{"type":"plain_text_input","value":null}},` +
				`"manager":{"manager":{"selected_user":"UDANA","type":"users_select"}},` +
				`"role":{"role":{"selected_option":{"text":{"text":"Mentor","type":"plain_text"},"value":"mentor"},"type":"static_select"}},` +
				`"topics":{"topics":{"type":"plain_text_input","value":"go"}}}`,
		},
		{
			name:        "every kind of input set",
			assignments: []string{"role=MENTEE", "topics=go, public speaking", `goals=Learn Go\nTalk`, "manager=@bertram", "days=tue, mon"},
			want: `{"days":{"days":{"selected_options":[{"text":{"text":"tue","type":"plain_text"},"value":"tue"},{"text":{"text":"mon","type":"plain_text"},"value":"mon"}],"type":"checkboxes"}},` +
				`"goals":{"goals":{"type":"plain_text_input","value":"Learn Go\nTalk"}},` +
				`"manager":{"manager":{"selected_user":"UBERTRAM","type":"users_select"}},` +
				`"role":{"role":{"selected_option":{"text":{"text":"Mentee: I'd like a mentor","type":"plain_text"},"value":"mentee"},"type":"static_select"}},` +
				`"topics":{"topics":{"type":"plain_text_input","value":"go, public speaking"}}}`,
		},
		{name: "required input emptied", assignments: []string{"topics="}, wantErr: `"Topics" is required: add topics=`},
		{name: "unknown input", assignments: []string{"topics=go", "colour=red"}, wantErr: `no input "colour"; its inputs are role, topics, goals, manager, days`},
		{name: "not an assignment", assignments: []string{"topics"}, wantErr: `"topics" is not block_id=value`},
		{name: "no such option", assignments: []string{"role=boss"}, wantErr: `role: no option "boss"; choose one of mentee, mentor`},
		{name: "no such person", assignments: []string{"manager=@zed"}, wantErr: `manager: no one called "@zed" here`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values, err := submission(view, tt.assignments, SampleWorkspace())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := json.Marshal(values); string(got) != tt.want {
				t.Errorf("values\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestDemoOption(t *testing.T) {
	elem := map[string]any{"type": "static_select", "options": []any{
		map[string]any{"text": map[string]any{"type": "plain_text", "text": "Mentor"}, "value": "mentee"},
		map[string]any{"text": map[string]any{"type": "plain_text", "text": "Mentee"}, "value": "mentor"},
		map[string]any{"text": map[string]any{"type": "plain_text", "text": "x"}, "value": "X"},
	}}
	tests := []struct{ typed, want string }{
		{"mentee", "mentee"}, // the value wins over another option's text
		{"MENTOR", "mentor"}, // then the value in any case
		{"x", "X"},
		{"Mentee", "mentee"}, // a value in any case before a text
	}
	for _, tt := range tests {
		o, err := option(elem, tt.typed)
		if err != nil || str(o, "value") != tt.want {
			t.Errorf("option(%q) = %v, %v; want value %q", tt.typed, o, err, tt.want)
		}
	}
	if o, err := option(map[string]any{"type": "external_select"}, "anything"); err != nil || str(o, "value") != "anything" {
		t.Errorf("external_select option = %v, %v; want the typed value", o, err)
	}
}

func TestDemoScreens(t *testing.T) {
	buttons := func(values ...string) json.RawMessage {
		var els []string
		for _, v := range values {
			els = append(els, `{"type":"button","action_id":"done","text":{"type":"plain_text","text":"Done"},"value":"`+v+`"}`)
		}
		var blocks []string
		for i, e := range els {
			blocks = append(blocks, `{"type":"actions","block_id":"b`+string(rune('0'+i))+`","elements":[`+e+`]}`)
		}
		return json.RawMessage("[" + strings.Join(blocks, ",") + "]")
	}
	modal := func(title string) json.RawMessage {
		return json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"` + title + `"},"blocks":[]}`)
	}
	records := []slacktest.Record{
		{Seq: 1, Kind: "message", Channel: "DUALICE", TS: "1.1", Blocks: buttons("1")},
		{Seq: 2, Kind: "message", Channel: "DUBERTRAM", TS: "1.2", Blocks: buttons("9")},
		{Seq: 3, Kind: "ephemeral", Channel: "C0GENERAL", User: "UALICE", TS: "1.3", Blocks: buttons("1", "2")},
		{Seq: 4, Kind: "ephemeral", Channel: "C0GENERAL", User: "UCHEN", TS: "1.4", Blocks: buttons("7")},
		{Seq: 5, Kind: "message", Channel: "G00000042", TS: "1.5", Blocks: buttons("5")},
		{Seq: 6, Kind: "view_open", User: "UALICE", ViewID: "VA", View: modal("First")},
		{Seq: 7, Kind: "view_push", User: "UALICE", ViewID: "VB", View: modal("Second")},
		{Seq: 8, Kind: "view_close", User: "UALICE", ViewID: "VB"},
		{Seq: 9, Kind: "view_open", User: "UDANA", ViewID: "VD", View: modal("Dana's")},
		{Seq: 10, Kind: "view_open", User: "UDANA", ViewID: "VE", View: modal("Dana's second")},
		{Seq: 11, Kind: "delete", Channel: "C0GENERAL", User: "UCHEN", TS: "1.4"},
	}
	s := fold(records)
	n := testNames()

	clickTests := []struct {
		user, value       string
		wantTS, wantBlock string
		wantOK            bool
	}{
		{"UALICE", "", "1.5", "b0", true},  // the newest she sees: the group DM
		{"UALICE", "2", "1.5", "b0", true}, // a value names a button only among several on one surface
		{"UBERTRAM", "", "1.5", "b0", true},
		{"UCHEN", "", "", "", false}, // her ephemeral was deleted; not in the group DM
		{"UDANA", "", "", "", false},
	}
	for _, tt := range clickTests {
		sf, block, _, ok := s.clickable(tt.user, "done", tt.value, n)
		gotTS := ""
		if sf != nil {
			gotTS = sf.ts
		}
		if ok != tt.wantOK || gotTS != tt.wantTS || block != tt.wantBlock {
			t.Errorf("clickable(%s, done, %q) = %q %q %v, want %q %q %v", tt.user, tt.value, gotTS, block, ok, tt.wantTS, tt.wantBlock, tt.wantOK)
		}
	}

	// Without the group DM, alice's newest is her ephemeral with two buttons.
	s = fold(records[:4])
	if sf, block, _, _ := s.clickable("UALICE", "done", "2", n); sf == nil || sf.ts != "1.3" || block != "b1" {
		t.Errorf("clickable(UALICE, done, 2) on her ephemeral = %+v, block %q; want 1.3, b1", sf, block)
	}
	if sf, block, _, _ := s.clickable("UALICE", "done", "", n); sf == nil || sf.ts != "1.3" || block != "b0" {
		t.Errorf("clickable(UALICE, done) on her ephemeral = %+v, block %q; want 1.3, b0", sf, block)
	}

	s = fold(records)
	for user, want := range map[string]string{"UALICE": "VA", "UDANA": "VE", "UBERTRAM": ""} {
		got := ""
		if sf, ok := s.topModal(user); ok {
			got = sf.viewID
		}
		if got != want {
			t.Errorf("topModal(%s) = %q, want %q", user, got, want)
		}
	}
	if _, ok := s.surfaces["VD"]; ok {
		t.Error("a modal replaced by views.open is still on screen")
	}
}
