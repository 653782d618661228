package demo

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// style is how text reaches the person: with ANSI escapes for *bold*, _italic_ and
// ~strike~ on a terminal, or plain, the marks of bold and italic left out.
type style struct {
	ansi bool
}

// ANSI escapes of the emphasis Slack's mrkdwn has; each is ended by its own reset, so
// they nest.
const (
	ansiBold, ansiBoldOff     = "\x1b[1m", "\x1b[22m"
	ansiItalic, ansiItalicOff = "\x1b[3m", "\x1b[23m"
	ansiStrike, ansiStrikeOff = "\x1b[9m", "\x1b[29m"
)

// mrkdwnToken matches Slack's control sequences: mentions, channels, links.
var mrkdwnToken = regexp.MustCompile(`<([^<>]*)>`)

// unescaper undoes the three escapes of mrkdwn; a Replacer does not rescan its output,
// so &amp;lt; becomes the literal &lt;.
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// mrkdwn turns Slack mrkdwn into what a person reads: <@U…|name> is @name, <#C…|name>
// is #name, <!here> is @here, a link shows its label (its address when it has none),
// a quoted line starts with a bar, :emoji_names: the bot uses are the emoji, *bold*
// and _italic_ are shown as such (st), and &lt; &gt; &amp; are unescaped. Text in
// `code` is left as written, backticks included.
func mrkdwn(s string, n Names, st style) string {
	s = mrkdwnToken.ReplaceAllStringFunc(s, func(tok string) string {
		inner := tok[1 : len(tok)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			if name, ok := n.Users[target[1:]]; ok {
				return "@" + name
			}
			if hasLabel {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return target
		case strings.HasPrefix(target, "#"):
			if name, ok := n.Channels[target[1:]]; ok {
				return "#" + name
			}
			if hasLabel {
				return "#" + label
			}
			return target
		case strings.HasPrefix(target, "!"):
			if hasLabel {
				return label
			}
			word, _, _ := strings.Cut(target[1:], "^")
			return "@" + word
		case hasLabel && label != "":
			return label
		}
		return strings.TrimPrefix(target, "mailto:")
	})
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		for _, mark := range []string{"&gt;", ">"} {
			if rest, ok := strings.CutPrefix(l, mark); ok {
				l = quoteBar + strings.TrimPrefix(rest, " ")
				break
			}
		}
		lines[i] = outsideCode(l, func(t string) string { return emphasize(emojify(t), st) })
	}
	return unescaper.Replace(strings.Join(lines, "\n"))
}

// quoteBar starts a quoted line.
const quoteBar = " │ "

// plainText is a plain_text object's text as Slack shows it: :emoji_names: as emoji.
func plainText(s string) string { return emojify(s) }

// outsideCode applies fn to the parts of line outside `code` spans (after an
// unclosed backtick, the rest is left as written).
func outsideCode(line string, fn func(string) string) string {
	parts := strings.Split(line, "`")
	for i := 0; i < len(parts); i += 2 {
		parts[i] = fn(parts[i])
	}
	return strings.Join(parts, "`")
}

// emphasize shows *bold*, _italic_ and ~strike~ in st.
func emphasize(s string, st style) string {
	type mark struct {
		c       byte
		on, off string
		keep    bool // shown with its marks when plain
	}
	for _, m := range []mark{{'_', ansiItalic, ansiItalicOff, false}, {'~', ansiStrike, ansiStrikeOff, true}, {'*', ansiBold, ansiBoldOff, false}} {
		on, off := m.on, m.off
		if !st.ansi {
			on, off = "", ""
			if m.keep {
				continue
			}
		}
		s = emphasizeMark(s, m.c, on, off)
	}
	return s
}

// emphasizeMark replaces each span c…c that Slack formats with on…off. As in Slack, a
// span opens at a mark not preceded by a letter or digit and followed by a non-space,
// and closes, on the same line, at a mark preceded by a non-space and not followed by a
// letter or digit: snake_case and 2*3*4 stay as written.
func emphasizeMark(s string, c byte, on, off string) string {
	if strings.IndexByte(s, c) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == c && opensAt(s, i, c) {
			if j := closesAfter(s, i, c); j > 0 {
				b.WriteString(on)
				b.WriteString(s[i+1 : j])
				b.WriteString(off)
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func opensAt(s string, i int, c byte) bool {
	if i+1 >= len(s) || s[i+1] == c || s[i+1] == ' ' || s[i+1] == '\t' {
		return false
	}
	if esc := strings.LastIndex(s[:i], "\x1b["); i == 0 || esc >= 0 && esc >= i-5 && s[i-1] == 'm' {
		return true // at the start, or just after an escape another mark wrote
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !wordRune(r)
}

// closesAfter returns the index of the mark that closes the span opened at i, or -1.
func closesAfter(s string, i int, c byte) int {
	for j := i + 2; j < len(s); j++ {
		if s[j] == '\n' {
			return -1
		}
		if s[j] != c || s[j-1] == ' ' || s[j-1] == '\t' {
			continue
		}
		if j+1 == len(s) {
			return j
		}
		if r, _ := utf8.DecodeRuneInString(s[j+1:]); !wordRune(r) {
			return j
		}
	}
	return -1
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// emojiName matches an :emoji_name: (and a skin tone after one).
var emojiName = regexp.MustCompile(`:([a-z0-9_+'-]+):(:skin-tone-[2-6]:)?`)

// emojify shows each :name: of emojis as the emoji; other names stay as written.
func emojify(s string) string {
	if strings.IndexByte(s, ':') < 0 {
		return s
	}
	return emojiName.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : strings.IndexByte(m[1:], ':')+1]
		if e, ok := emojis[name]; ok {
			return e
		}
		return m
	})
}

// emojis are the emoji the bot uses (grep bot/ for :[a-z_]+:), the status emoji of
// people away, and the ones messages commonly carry.
var emojis = map[string]string{
	"+1": "👍", "-1": "👎", "100": "💯", "airplane": "✈️", "alarm_clock": "⏰",
	"arrow_down": "⬇️", "arrow_forward": "▶️", "arrow_left": "⬅️", "arrow_right": "➡️",
	"arrow_up": "⬆️", "arrows_counterclockwise": "🔄", "balloon": "🎈",
	"ballot_box_with_check": "☑️", "bar_chart": "📊", "beach_with_umbrella": "🏖️",
	"bell": "🔔", "blue_heart": "💙", "blush": "😊", "book": "📖", "books": "📚",
	"briefcase": "💼", "bulb": "💡", "bust_in_silhouette": "👤",
	"busts_in_silhouette": "👥", "calendar": "📆", "chart_with_upwards_trend": "📈",
	"clap": "👏", "clipboard": "📋", "clock10": "🕙", "computer": "💻",
	"confetti_ball": "🎊", "construction": "🚧", "crossed_fingers": "🤞",
	"dart": "🎯", "date": "📅", "desert_island": "🏝️", "email": "📧",
	"envelope": "✉️", "exclamation": "❗", "eyes": "👀",
	"face_with_thermometer": "🤒", "fire": "🔥", "first_place_medal": "🥇",
	"gear": "⚙️", "gift": "🎁", "grinning": "😀", "green_heart": "💚",
	"hammer_and_wrench": "🛠️", "handshake": "🤝", "heart": "❤️",
	"heavy_check_mark": "✔️", "heavy_minus_sign": "➖", "heavy_plus_sign": "➕",
	"hourglass": "⌛", "hourglass_flowing_sand": "⏳", "house": "🏠",
	"hugging_face": "🤗", "inbox_tray": "📥", "information_source": "ℹ️",
	"key": "🔑", "large_blue_circle": "🔵", "large_green_circle": "🟢",
	"large_yellow_circle": "🟡", "leftwards_arrow_with_hook": "↩️", "link": "🔗",
	"lock": "🔒", "mag": "🔍", "mask": "😷", "medal": "🏅", "memo": "📝",
	"mortar_board": "🎓", "muscle": "💪", "no_entry": "⛔", "no_entry_sign": "🚫",
	"ok_hand": "👌", "outbox_tray": "📤", "page_facing_up": "📄", "palm_tree": "🌴",
	"partying_face": "🥳", "pause_button": "⏸️", "pencil": "📝", "pencil2": "✏️",
	"point_right": "👉", "pray": "🙏", "purple_heart": "💜", "pushpin": "📌",
	"question": "❓", "raised_hand": "✋", "raised_hands": "🙌", "recycle": "♻️",
	"red_circle": "🔴", "repeat": "🔁", "ribbon": "🎀", "rocket": "🚀",
	"seedling": "🌱", "shield": "🛡️", "sleeping": "😴", "slightly_smiling_face": "🙂",
	"smile": "😄", "smiley": "😃", "sparkles": "✨", "speech_balloon": "💬",
	"spiral_calendar_pad": "🗓️", "sports_medal": "🏅", "star": "⭐", "star-struck": "🤩",
	"star2": "🌟", "stopwatch": "⏱️", "sunglasses": "😎", "sunny": "☀️",
	"sweat_smile": "😅", "tada": "🎉", "thinking_face": "🤔", "thumbsup": "👍",
	"trophy": "🏆", "umbrella": "☂️", "v": "✌️", "warning": "⚠️", "wastebasket": "🗑️",
	"wave": "👋", "white_check_mark": "✅", "white_circle": "⚪",
	"white_large_square": "⬜", "white_square": "⬜", "wink": "😉", "wrench": "🔧",
	"writing_hand": "✍️", "x": "❌", "yellow_heart": "💛", "zzz": "💤",
}
