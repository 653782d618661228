package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// chartJSON is a data_visualization block as JSON, built from maps so that a test can
// break any part of it.
func chartJSON(t *testing.T, block map[string]any) string {
	t.Helper()
	raw, err := json.Marshal([]any{block})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// lineBlock is a valid line chart: a title, categories and series of one point per
// category.
func lineBlock(title string, cats []string, series ...map[string]any) map[string]any {
	return map[string]any{
		"type": "data_visualization", "title": title,
		"chart": map[string]any{"type": "line", "series": series, "axis_config": map[string]any{"categories": cats}},
	}
}

// seriesOf is a series named name with one point (value 1, 2, ...) for each label.
func seriesOf(name string, labels ...string) map[string]any {
	data := make([]any, len(labels))
	for i, l := range labels {
		data[i] = map[string]any{"label": l, "value": i + 1}
	}
	return map[string]any{"name": name, "data": data}
}

// weekCats is n distinct category labels.
func weekCats(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Week %d", i+1)
	}
	return out
}

// postBlocks sends blocks (JSON) with chat.postMessage as a form, as slack-go does, and
// returns Slack's answer.
func postBlocks(t *testing.T, srv *Server, blocks string) slack.SlackResponse {
	t.Helper()
	resp, err := http.PostForm(srv.APIURL()+"chat.postMessage", url.Values{
		"token": {DefaultBotToken}, "channel": {"U1"}, "text": {"Programme figures"}, "blocks": {blocks},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body slack.SlackResponse
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body
}

// TestChartBlockLimits: the double accepts a data_visualization block in a message
// and refuses, with invalid_blocks and a pointer to the block, every one that breaks
// Slack's documented limits.
func TestChartBlockLimits(t *testing.T) {
	srv := newTestServer(t, Options{})
	three := []string{"30 Nov", "7 Dec", "14 Dec"}
	with := func(b map[string]any, edit func(chart map[string]any)) map[string]any {
		edit(b["chart"].(map[string]any))
		return b
	}
	for _, tc := range []struct {
		name  string
		block map[string]any
		ok    bool
	}{
		{"line chart", lineBlock("Check-ins sent, last 3 weeks", three, seriesOf("Sent", three...)), true},
		{"bar chart of two series", with(lineBlock("Kudos and goals", three, seriesOf("Kudos given", three...), seriesOf("Goals done", three...)),
			func(c map[string]any) { c["type"] = "bar" }), true},
		{"area chart", with(lineBlock("Pairs", three, seriesOf("Active pairs", three...)), func(c map[string]any) { c["type"] = "area" }), true},
		{"pie chart", map[string]any{"type": "data_visualization", "title": "Roles", "chart": map[string]any{
			"type": "pie", "segments": []any{map[string]any{"label": "Mentors", "value": 3}, map[string]any{"label": "Mentees", "value": 4}}}}, true},
		{"20 points", lineBlock("Twenty weeks", weekCats(20), seriesOf("Sent", weekCats(20)...)), true},
		{"50-character title", lineBlock(strings.Repeat("é", 50), three, seriesOf("Sent", three...)), true},
		{"6 series", lineBlock("Six", three, seriesOf("A", three...), seriesOf("B", three...), seriesOf("C", three...),
			seriesOf("D", three...), seriesOf("E", three...), seriesOf("F", three...)), true},
		{"axis labels of 50", with(lineBlock("Labels", three, seriesOf("Sent", three...)), func(c map[string]any) {
			c["axis_config"].(map[string]any)["x_label"] = strings.Repeat("x", 50)
			c["axis_config"].(map[string]any)["y_label"] = strings.Repeat("y", 50)
		}), true},

		{"21 points", lineBlock("Too many weeks", weekCats(21), seriesOf("Sent", weekCats(21)...)), false},
		{"a point whose label is not a category", lineBlock("Stray", three, seriesOf("Sent", "30 Nov", "7 Dec", "21 Dec")), false},
		{"a category without its point", lineBlock("Missing", three, seriesOf("Sent", "30 Nov", "7 Dec")), false},
		{"two points for one category", lineBlock("Twice", three, seriesOf("Sent", "30 Nov", "7 Dec", "7 Dec")), false},
		{"51-character title", lineBlock(strings.Repeat("t", 51), three, seriesOf("Sent", three...)), false},
		{"empty title", lineBlock("", three, seriesOf("Sent", three...)), false},
		{"no title", func() map[string]any {
			b := lineBlock("x", three, seriesOf("Sent", three...))
			delete(b, "title")
			return b
		}(), false},
		{"7 series", lineBlock("Seven", three, seriesOf("A", three...), seriesOf("B", three...), seriesOf("C", three...),
			seriesOf("D", three...), seriesOf("E", three...), seriesOf("F", three...), seriesOf("G", three...)), false},
		{"no series", lineBlock("None", three), false},
		{"duplicate series name", lineBlock("Twins", three, seriesOf("Sent", three...), seriesOf("Sent", three...)), false},
		{"series name of 21", lineBlock("Long name", three, seriesOf(strings.Repeat("n", 21), three...)), false},
		{"category of 21", lineBlock("Long category", []string{strings.Repeat("c", 21)}, seriesOf("Sent", strings.Repeat("c", 21))), false},
		{"duplicate category", lineBlock("Twin weeks", []string{"7 Dec", "7 Dec"}, seriesOf("Sent", "7 Dec", "7 Dec")), false},
		{"no categories", lineBlock("Empty axis", []string{}, seriesOf("Sent", "7 Dec")), false},
		{"x label of 51", with(lineBlock("Labels", three, seriesOf("Sent", three...)), func(c map[string]any) {
			c["axis_config"].(map[string]any)["x_label"] = strings.Repeat("x", 51)
		}), false},
		{"unknown chart type", with(lineBlock("Scatter", three, seriesOf("Sent", three...)), func(c map[string]any) { c["type"] = "scatter" }), false},
		{"no chart", map[string]any{"type": "data_visualization", "title": "Nothing"}, false},
		{"a value that is not a number", lineBlock("Words", []string{"7 Dec"}, map[string]any{"name": "Sent",
			"data": []any{map[string]any{"label": "7 Dec", "value": "twelve"}}}), false},
		{"pie segment of 0", map[string]any{"type": "data_visualization", "title": "Roles", "chart": map[string]any{
			"type": "pie", "segments": []any{map[string]any{"label": "Mentors", "value": 0}}}}, false},
		{"7 pie segments", map[string]any{"type": "data_visualization", "title": "Roles", "chart": map[string]any{
			"type": "pie", "segments": func() []any {
				var out []any
				for i := range 7 {
					out = append(out, map[string]any{"label": fmt.Sprint("S", i), "value": 1})
				}
				return out
			}()}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := postBlocks(t, srv, chartJSON(t, tc.block))
			if tc.ok {
				if !body.Ok {
					t.Fatalf("refused a valid chart: %s %v", body.Error, body.ResponseMetadata.Messages)
				}
				return
			}
			if body.Ok || body.Error != "invalid_blocks" {
				t.Fatalf("got ok=%v error=%q, want invalid_blocks", body.Ok, body.Error)
			}
			if len(body.ResponseMetadata.Messages) == 0 || !strings.Contains(body.ResponseMetadata.Messages[0], "/blocks/0") {
				t.Errorf("messages %q do not point at the block", body.ResponseMetadata.Messages)
			}
		})
	}
}

// TestChartBlockSurfaces: Slack draws charts in messages and Home tabs, not modals; a
// chart Slack would refuse in a Home tab is refused there too (invalid_arguments, as
// for every view). slack-go's own types go over the wire here.
func TestChartBlockSurfaces(t *testing.T) {
	srv := newTestServer(t, Options{})
	ctx := testCtx(t)
	api := apiClient(srv, DefaultBotToken)
	cats := []string{"30 Nov", "7 Dec"}
	chart := func(title string, labels ...string) slack.Block {
		points := make([]slack.DataVisualizationDataPoint, len(labels))
		for i, l := range labels {
			points[i] = slack.NewDataVisualizationDataPoint(l, float64(i))
		}
		return slack.NewDataVisualizationBlock(title, slack.NewDataVisualizationLineChart(
			slack.NewDataVisualizationAxisConfig(cats...), slack.NewDataVisualizationDataSeries("Sent", points...)))
	}
	home := func(b slack.Block) error {
		_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1",
			View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{b}}}})
		return err
	}

	if _, _, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("Check-ins sent", false), slack.MsgOptionBlocks(chart("Check-ins sent", cats...))); err != nil {
		t.Fatalf("chart in a message: %v", err)
	}
	if err := home(chart("Check-ins sent", cats...)); err != nil {
		t.Fatalf("chart in a Home tab: %v", err)
	}
	r, err := srv.WaitRecord(ctx, func(r Record) bool { return r.Kind == "view_publish" })
	if err != nil || !strings.Contains(string(r.View), `"data_visualization"`) {
		t.Fatalf("Home tab record %s, %v", r.View, err)
	}
	if got := slackError(t, home(chart("Check-ins sent", "30 Nov", "14 Dec"))); got != "invalid_arguments" {
		t.Errorf("Home tab chart with a point off the axis: error %q, want invalid_arguments", got)
	}
	if got := slackError(t, home(chart(strings.Repeat("t", 51), cats...))); got != "invalid_arguments" {
		t.Errorf("Home tab chart with a 51-character title: error %q, want invalid_arguments", got)
	}

	srv.mu.Lock()
	trigger := srv.newTriggerLocked("U1")
	srv.mu.Unlock()
	_, err = api.OpenViewContext(ctx, trigger, slack.ModalViewRequest{Type: slack.VTModal,
		Title: slack.NewTextBlockObject(slack.PlainTextType, "Figures", false, false), Blocks: slack.Blocks{BlockSet: []slack.Block{chart("Check-ins sent", cats...)}}})
	if got := slackError(t, err); got != "invalid_arguments" {
		t.Errorf("chart in a modal: error %q, want invalid_arguments", got)
	}
}
