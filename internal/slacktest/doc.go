// Package slacktest is a test double of Slack that speaks Slack's real wire
// protocol on 127.0.0.1.
//
// A Server answers the Web API (form and JSON bodies, exactly as
// github.com/slack-go/slack sends them), hands out Socket Mode websocket URLs
// from apps.connections.open, and serves those websockets: it sends `hello`,
// pings the client, delivers envelopes and routes the client's
// acknowledgements back to the caller. The bot under test therefore runs
// unchanged: point its Web API client at APIURL() with slack.OptionAPIURL and
// give it the server's tokens, and its socketmode.Client connects by itself.
//
// Everything a person in the workspace would see — a message, an ephemeral
// reply, an updated message, an opened or published view — becomes a Record,
// in order, so tests (and the `mentorbot demo` terminal UI, through
// Options.OnRecord) can follow the conversation. Every Web API call is kept as
// a Call. Builders such as SlashCommand, BlockAction, ViewSubmission and
// AppHomeOpened play the part of a person: they deliver realistic payloads
// over Socket Mode and interpret the bot's acknowledgement as Slack would.
//
// The double enforces the rules that most often break real bots: token
// types, Block Kit limits (block counts, text lengths, duplicate block_id),
// trigger_id expiry (3 s, single use), response_url limits (5 uses, 30 min),
// channel membership, deactivated users, and the 3-second acknowledgement
// deadline. Faults can be injected with RateLimit and FailNext.
//
// With Options.PayloadDir (or $MENTORBOT_PAYLOAD_DIR) set, every payload the
// app sends — Web API arguments, ack payloads, response_url bodies — is also
// appended to a JSON-lines file there, which the conformance gate in
// ./conformance checks against Slack's TypeScript definitions and limits
// (see payloads.go).
//
// The package does not import "testing": `mentorbot demo` uses it too.
//
// # Web API methods
//
// auth.test, apps.connections.open, chat.postMessage, chat.postEphemeral,
// chat.update, conversations.open, conversations.history, users.info,
// users.list (cursor pages, as strict as Slack's docs: see users.go), views.open, views.push, views.update, views.publish,
// files.getUploadURLExternal and files.completeUploadExternal (with the
// upload URL in between: slack-go's UploadFileContext). Any other method
// answers unknown_method. apps.connections.open takes the app-level token,
// every other method the bot token (Authorization: Bearer, or a `token`
// form field); a missing token answers not_authed, an unknown one
// invalid_auth, the other kind not_allowed_token_type.
//
// # Identifier schemes
//
//   - Default slash-command channel: "C0GENERAL" (#general, the bot is a
//     member); see Options.CommandChannel.
//   - A person's DM with the bot: "D" + user ID, e.g. "DU123" (DMChannelID).
//     chat.postMessage to a user ID posts there.
//   - A group DM (conversations.open with several users): "G" + 8 digits,
//     stable for the same set of users.
//   - Message timestamps: "<unix seconds>.<6 digits>" from the server clock,
//     strictly increasing and unique across channels.
//   - Views: "V" + 10 digits; a person's Home tab keeps one ID.
package slacktest
