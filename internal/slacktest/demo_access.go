package slacktest

import "slices"

// Read-only views of the Server's state for tools that show a simulated workspace to a
// person (`mentorbot demo`) without calling the Web API as the app, which would add
// Calls and payloads the app never made.

// GroupMembers returns the people in the group DM channelID, without the bot, sorted
// by user ID; ok is false when channelID is not a group DM of this Server.
func (s *Server) GroupMembers(channelID string) (members []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, found := s.channels[channelID]
	if !found || ch.kind != kindMPIM {
		return nil, false
	}
	return slices.DeleteFunc(slices.Clone(ch.members), func(m string) bool { return m == s.opts.BotUserID }), true
}
