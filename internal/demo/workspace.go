package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/slacktest"
)

// Channels of the sample workspace.
const (
	GeneralChannel = slacktest.DefaultCommandChannel // where slash commands are typed
	KudosChannel   = "CKUDOS"
)

// Person is a member of the simulated workspace.
type Person struct {
	ID, Name, RealName, TZ string
	Admin                  bool // listed in the bot's admins
}

// Channel is a channel of the simulated workspace.
type Channel struct {
	ID, Name  string
	BotMember bool
}

// Workspace is the simulated team: who can type commands and where the bot may post.
type Workspace struct {
	People   []Person
	Channels []Channel
}

// SampleWorkspace is a small team spread over time zones, with alice as the admin.
func SampleWorkspace() Workspace {
	return Workspace{
		People: []Person{
			{ID: "UALICE", Name: "alice", RealName: "Alice Schmidt", TZ: "Europe/Berlin", Admin: true},
			{ID: "UBERTRAM", Name: "bertram", RealName: "Bertram Cole", TZ: "America/New_York"},
			{ID: "UCHEN", Name: "chen", RealName: "Chen Wei", TZ: "Asia/Singapore"},
			{ID: "UDANA", Name: "dana", RealName: "Dana Hughes", TZ: "Europe/London"},
			{ID: "UEMEKA", Name: "emeka", RealName: "Emeka Okafor", TZ: "Africa/Lagos"},
			{ID: "UFARAH", Name: "farah", RealName: "Farah Khan", TZ: "Asia/Kolkata"},
		},
		Channels: []Channel{
			{ID: GeneralChannel, Name: "general", BotMember: true},
			{ID: KudosChannel, Name: "kudos", BotMember: true},
		},
	}
}

// AddTo adds the workspace's people and channels to srv. Each person's UTC offset is
// the one their zone has now, as Slack reports it.
func (w Workspace) AddTo(srv *slacktest.Server) error {
	for _, p := range w.People {
		loc, err := time.LoadLocation(p.TZ)
		if err != nil {
			return fmt.Errorf("time zone of %s: %w", p.Name, err)
		}
		_, offset := time.Now().In(loc).Zone()
		srv.AddUser(slacktest.User{ID: p.ID, Name: p.Name, RealName: p.RealName, TZ: p.TZ, TZOffset: offset})
	}
	for _, c := range w.Channels {
		srv.AddChannel(c.ID, c.Name, c.BotMember)
	}
	return nil
}

// The tokens the simulated Slack accepts.
const (
	BotToken = slacktest.DefaultBotToken
	AppToken = slacktest.DefaultAppToken
)

// Start runs a simulated Slack on 127.0.0.1 that holds w's people and channels, on
// the clock now (message timestamps, trigger and response_url expiry); nil means
// time.Now. Close the server when done.
func (w Workspace) Start(now func() time.Time) (*slacktest.Server, error) {
	srv, err := slacktest.New(slacktest.Options{Now: now})
	if err != nil {
		return nil, fmt.Errorf("simulated Slack: %w", err)
	}
	if err := w.AddTo(srv); err != nil {
		srv.Close()
		return nil, err
	}
	return srv, nil
}

// Admins returns the IDs of the people who are admins.
func (w Workspace) Admins() []string {
	var ids []string
	for _, p := range w.People {
		if p.Admin {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// person finds someone by name, ignoring case and a leading @.
func (w Workspace) person(name string) (Person, bool) {
	name = strings.TrimPrefix(name, "@")
	for _, p := range w.People {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return Person{}, false
}

// channel finds a channel by name, ignoring case and a leading #.
func (w Workspace) channel(name string) (Channel, bool) {
	name = strings.TrimPrefix(name, "#")
	for _, c := range w.Channels {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Channel{}, false
}

// Names resolves the IDs in records to what a person sees.
type Names struct {
	Users    map[string]string   // user ID -> name, without @
	Channels map[string]string   // channel ID -> name, without #
	Groups   map[string][]string // group DM ID -> its members' user IDs, without the bot
}

// Names returns the names of w's people and channels, and of the bot.
func (w Workspace) Names() Names {
	n := Names{
		Users:    map[string]string{slacktest.DefaultBotUserID: slacktest.DefaultBotName},
		Channels: map[string]string{},
		Groups:   map[string][]string{},
	}
	for _, p := range w.People {
		n.Users[p.ID] = p.Name
	}
	for _, c := range w.Channels {
		n.Channels[c.ID] = c.Name
	}
	return n
}

// user is the name of userID, or the ID itself when unknown.
func (n Names) user(userID string) string {
	if name, ok := n.Users[userID]; ok {
		return name
	}
	return userID
}

// where describes channelID as a heading: "#kudos", "DM to bertram", "group DM with
// alice, bertram".
func (n Names) where(channelID string) string {
	if name, ok := n.Channels[channelID]; ok {
		return "#" + name
	}
	if u, ok := strings.CutPrefix(channelID, "D"); ok {
		return "DM to " + n.user(u)
	}
	if members, ok := n.Groups[channelID]; ok {
		names := make([]string, len(members))
		for i, m := range members {
			names[i] = n.user(m)
		}
		return "group DM with " + strings.Join(names, ", ")
	}
	return "channel " + channelID
}
