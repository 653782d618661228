package bot

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Splitting and cutting mrkdwn never cuts an entity or a Slack token in two, and a
// quoted line cut in two stays quoted.

func TestSections(t *testing.T) {
	x, y := func(n int) string { return strings.Repeat("x", n) }, func(n int) string { return strings.Repeat("y", n) }
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"short", "hello", []string{"hello"}},
		{"at a line break", x(10) + "\n" + y(3500), []string{x(10), y(3000), y(500)}},
		{"entity across the limit", x(2998) + "&amp;" + y(10), []string{x(2998), "&amp;" + y(10)}},
		{"&lt; across the limit", x(2999) + "&lt;" + y(3), []string{x(2999), "&lt;" + y(3)}},
		{"mention across the limit", x(2995) + "<@U12345>" + y(5), []string{x(2995), "<@U12345>" + y(5)}},
		{"broadcast across the limit", x(2997) + "<!here> now", []string{x(2997), "<!here> now"}},
		{"channel link across the limit, after a space", x(2990) + " <#C1|general> ok",
			[]string{x(2990), "<#C1|general> ok"}},
		{"at the last space", strings.Repeat("word ", 700), []string{strings.Repeat("word ", 599) + "word", strings.Repeat("word ", 100)}},
		{"quoted line cut in two", "*Kudos*\n>" + x(3500), []string{"*Kudos*", ">" + x(2999), ">" + x(501)}},
		{"quoted entities cut in two", "*Kudos*\n>" + strings.Repeat("&amp;", 700),
			[]string{"*Kudos*", ">" + strings.Repeat("&amp;", 599), ">" + strings.Repeat("&amp;", 101)}},
		{"quoted lines split between lines", "*K*\n>" + x(2000) + "\n>" + y(2000), []string{"*K*\n>" + x(2000), ">" + y(2000)}},
		{"a lone < and & are text", x(2998) + "a<b&c" + y(5), []string{x(2998) + "a<", "b&c" + y(5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range sections(tt.in) {
				s, ok := b.(*slack.SectionBlock)
				if !ok || s.Text == nil || s.Text.Type != slack.MarkdownType {
					t.Fatalf("block %#v is not a mrkdwn section", b)
				}
				if n := utf8.RuneCountInString(s.Text.Text); n > maxSectionText {
					t.Errorf("section of %d characters", n)
				}
				got = append(got, s.Text.Text)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d sections %s, want %d %s", len(got), abbrev(got), len(tt.want), abbrev(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("section %d = %s, want %s", i, abbrev(got[i:i+1]), abbrev(tt.want[i:i+1]))
				}
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 4, "abc…"},
		{strings.Repeat("x", 10) + "&amp;", 13, strings.Repeat("x", 10) + "…"},
		{"a &lt;b&gt;", 6, "a …"},
		{"a &gt;", 6, "a &gt;"},
		{"see <@U123> now", 8, "see …"},
		{"see <#C1|general> now", 12, "see …"},
		{"<!here> hi", 5, "…"},
		{"go <https://example.com|the doc> now", 20, "go …"},
		{"AT&T rocks", 4, "AT&…"},
		{"a <b> c", 5, "a <b…"},
		{"one <@U1>\n<@U2", 13, "one <@U1>\n<@…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.max); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestQuoteCutsNoEntityOrToken(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"a &amp; b", 4, "a …"},
		{"hi <@U123|alice> there", 8, "hi …"},
		{"&&&&&&", 3, "&amp;&amp;…"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in, tt.max); got != tt.want {
			t.Errorf("Quote(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// abbrev shows long strings by their ends.
func abbrev(ss []string) string {
	var out []string
	for _, s := range ss {
		r := []rune(s)
		if len(r) > 24 {
			s = string(r[:10]) + "…(" + strconv.Itoa(len(r)) + ")…" + string(r[len(r)-10:])
		}
		out = append(out, "\""+s+"\"")
	}
	return "[" + strings.Join(out, " ") + "]"
}
