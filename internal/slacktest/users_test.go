package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// usersListCall posts users.list with form values and decodes the answer.
func usersListCall(t *testing.T, srv *Server, form url.Values) (members []string, next string, errName string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.APIURL()+"users.list", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+DefaultBotToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		OK       bool   `json:"ok"`
		Error    string `json:"error"`
		Members  []struct{ ID string }
		Metadata *struct {
			NextCursor *string `json:"next_cursor"`
		} `json:"response_metadata"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if !body.OK {
		return nil, "", body.Error
	}
	if body.Metadata == nil || body.Metadata.NextCursor == nil {
		t.Fatalf("users.list answer without response_metadata.next_cursor")
	}
	for _, m := range body.Members {
		members = append(members, m.ID)
	}
	return members, *body.Metadata.NextCursor, ""
}

func TestUsersListPages(t *testing.T) {
	srv := newTestServer(t, Options{})
	for i := range 10 {
		srv.AddUser(User{ID: fmt.Sprintf("UX%02d", i), Name: fmt.Sprintf("x%d", i), Deleted: i == 3, IsBot: i == 4})
	}
	want := []string{"U1", "U2", "U3", DefaultBotUserID}
	for i := range 10 {
		want = append(want, fmt.Sprintf("UX%02d", i))
	}
	slices.Sort(want)

	t.Run("raw pages", func(t *testing.T) {
		var got []string
		cursor, pages := "", 0
		for {
			members, next, errName := usersListCall(t, srv, url.Values{"limit": {"4"}, "cursor": {cursor}})
			if errName != "" {
				t.Fatalf("users.list: %s", errName)
			}
			pages++
			if len(members) > 4 {
				t.Fatalf("page of %d members for limit 4", len(members))
			}
			got = append(got, members...)
			if next == "" {
				break
			}
			cursor = next
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages held %v, want every member once (deactivated and bots too): %v", got, want)
		}
		if pages < 4 {
			t.Errorf("%d pages for %d members at limit 4", pages, len(want))
		}
	})

	t.Run("slack-go pagination", func(t *testing.T) {
		users, err := apiClient(srv, DefaultBotToken).GetUsersContext(testCtx(t), slack.GetUsersOptionLimit(3))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range users {
			got = append(got, u.ID)
			if u.ID == "UX03" && !u.Deleted {
				t.Error("a deactivated member is not marked deleted")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("GetUsersContext = %v, want %v", got, want)
		}
	})

	t.Run("no limit: everyone at once", func(t *testing.T) {
		members, next, errName := usersListCall(t, srv, url.Values{})
		if errName != "" || next != "" || !slices.Equal(members, want) {
			t.Errorf("users.list without limit = %v, %q, %q", members, next, errName)
		}
	})

	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"forged cursor", url.Values{"limit": {"2"}, "cursor": {"bm90IGEgY3Vyc29y"}}, "invalid_cursor"},
		{"not base64", url.Values{"limit": {"2"}, "cursor": {"%%%"}}, "invalid_cursor"},
		{"limit not a number", url.Values{"limit": {"lots"}}, "invalid_arguments"},
		{"negative limit", url.Values{"limit": {"-1"}}, "invalid_arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, errName := usersListCall(t, srv, tc.form); errName != tc.want {
				t.Errorf("error = %q, want %q", errName, tc.want)
			}
		})
	}

	t.Run("limit_required for a large workspace", func(t *testing.T) {
		big := newTestServer(t, Options{})
		for i := range usersListLimitRequired + 1 {
			big.AddUser(User{ID: fmt.Sprintf("UB%04d", i)})
		}
		if _, _, errName := usersListCall(t, big, url.Values{}); errName != "limit_required" {
			t.Errorf("users.list without limit on more than %d members: error %q, want limit_required", usersListLimitRequired, errName)
		}
		members, _, errName := usersListCall(t, big, url.Values{"limit": {"5000"}})
		if errName != "" || len(members) > usersListMax {
			t.Errorf("limit 5000: %d members, error %q; want at most %d", len(members), errName, usersListMax)
		}
	})
}
