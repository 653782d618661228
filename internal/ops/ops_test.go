package ops

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReadyz(t *testing.T) {
	never := make(chan struct{})
	t.Cleanup(func() { close(never) })
	tests := []struct {
		name     string
		ready    ReadyFunc
		code     int
		wantBody string
	}{
		{"ready", func(context.Context) error { return nil }, http.StatusOK, "ready"},
		{"not ready", func(context.Context) error { return errors.New("Slack is not connected") }, http.StatusServiceUnavailable, "Slack is not connected"},
		{"a check that waits for its context", func(ctx context.Context) error {
			<-ctx.Done()
			return errors.New("the database did not answer in time")
		}, http.StatusServiceUnavailable, "did not answer in time"},
		{"a check that ignores its context", func(context.Context) error { <-never; return nil }, http.StatusServiceUnavailable, "did not finish"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Handler(NewMetrics(), tt.ready)
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if d := time.Since(start); d >= time.Second {
				t.Errorf("/readyz answered after %v, want within a second", d)
			}
			if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("/readyz = %d %q, want %d with %q", rec.Code, rec.Body, tt.code, tt.wantBody)
			}
		})
	}
}
