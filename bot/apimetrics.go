package bot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// maxPeek bounds how much of a Web API response is read to find its outcome; Slack's
// answers to the methods the bot calls are far smaller.
const maxPeek = 1 << 20

// countingTransport counts every Web API call by method and outcome. It sits below
// slack-go's retry wrapper, so each attempt of a rate-limited call is counted.
type countingTransport struct {
	next   http.RoundTripper
	apiURL string
	calls  *prometheus.CounterVec
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := "response_url"
	if strings.HasPrefix(req.URL.String(), t.apiURL) {
		method = path.Base(req.URL.Path)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.calls.WithLabelValues(method, "transport_error").Inc()
		return nil, err
	}
	outcome := "ok"
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		outcome = "rate_limited"
	case resp.StatusCode != http.StatusOK:
		outcome = "http_" + strconv.Itoa(resp.StatusCode)
	case method != "response_url":
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxPeek))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var r struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		if rerr != nil || json.Unmarshal(body, &r) != nil {
			outcome = "unreadable"
		} else if !r.OK {
			outcome = slackErrorLabel(r.Error)
		}
	}
	t.calls.WithLabelValues(method, outcome).Inc()
	return resp, nil
}

// slackErrorLabel keeps a Slack error name usable as a label value of bounded size.
func slackErrorLabel(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r == '_' {
			return r
		}
		return -1
	}, name)
	if name == "" || len(name) > 40 {
		return "error"
	}
	return name
}
