package slacktest

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// users.list as Slack documents it (docs.slack.dev/reference/methods/users.list and
// docs.slack.dev/apis/web-api/pagination):
//   - Every member of the workspace, deactivated ones and bots included, in no
//     particular order (here: by id), a page at a time.
//   - `limit` is at most 1000 (more is read as 1000); without one (or 0) Slack tries
//     to send everything, and a workspace too large for that answers limit_required.
//     A limit that is not a number is invalid_arguments.
//   - `cursor` is empty for the first page, else a response_metadata.next_cursor
//     returned before; anything else is invalid_cursor.
//   - Every answer carries response_metadata.next_cursor: "" on the last page.
//   - A page may hold fewer members than `limit` even when more follow ("avoid the
//     temptation to check the size of results against the limit"): here every page
//     but the last holds one fewer than asked, so a client that stops on a short page
//     misses people.
//
// users.list is Tier 2 (20+ calls a minute); RateLimit("users.list", …) simulates the
// refusals.

const (
	usersListMax           = 1000
	usersListCursorPrefix  = "user:"
	usersListLimitRequired = 1000 // members beyond which a call without limit is refused
)

func init() { apiMethods["users.list"] = (*Server).apiUsersList }

func (s *Server) apiUsersList(req *apiRequest) (map[string]any, *apiError) {
	ids := make([]string, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	limit := 0
	if l := req.str("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return nil, errCode("invalid_arguments", "[ERROR] invalid value for limit: "+l)
		}
		limit = min(n, usersListMax)
	}
	if limit == 0 {
		if len(ids) > usersListLimitRequired {
			return nil, errCode("limit_required")
		}
		limit = len(ids)
	}
	from := 0
	if c := req.str("cursor"); c != "" {
		dec, err := base64.StdEncoding.DecodeString(c)
		id, ok := strings.CutPrefix(string(dec), usersListCursorPrefix)
		if err != nil || !ok || id == "" {
			return nil, errCode("invalid_cursor")
		}
		// The page starts at the first member from id on (id may have been removed
		// since the cursor was issued).
		from, _ = slices.BinarySearch(ids, id)
	}
	end := min(from+limit, len(ids))
	next := ""
	if end < len(ids) {
		if limit > 1 {
			end-- // a short page although more follow, as Slack may answer
		}
		next = base64.StdEncoding.EncodeToString([]byte(usersListCursorPrefix + ids[end]))
	}
	members := make([]map[string]any, 0, end-from)
	for _, id := range ids[from:end] {
		members = append(members, s.userWire(s.users[id]))
	}
	return map[string]any{
		"members":           members,
		"cache_ts":          s.opts.Now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next},
	}, nil
}
