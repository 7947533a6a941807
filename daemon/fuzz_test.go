package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzAPI sends arbitrary requests (method, path with query, body)
// through the daemon's real handler into its player goroutine. Every
// answer must be one of the protocol's codes with a JSON body (a one-line
// error for every 4xx and 5xx), and the daemon must still answer /status
// afterwards: no input panics it, wedges it or leaves it starting.
func FuzzAPI(f *testing.F) {
	h := start(f, nil)
	seeds := []struct {
		method, path, body string
	}{
		{"GET", "/status", ""},
		{"POST", "/play", `{"routine":"r1","level":"gentle"}`},
		{"POST", "/play", `{"routine":"nope"}`},
		{"POST", "/play", `{"routine":"r1","level":"max"}`},
		{"POST", "/play", `{"routine":"r1","work_ms":-1}`},
		{"POST", "/play", `{"routine":"r1"} {"routine":"r1"}`},
		{"POST", "/play", `{"colour":"red"}`},
		{"POST", "/play", `[`},
		{"POST", "/pause", ""}, {"POST", "/resume", "{}"}, {"POST", "/toggle", ""}, {"POST", "/next", ""},
		{"POST", "/prev", ""}, {"POST", "/stop", ""}, {"POST", "/reload", ""},
		{"GET", "/routines", ""}, {"GET", "/schedule?n=3", ""}, {"GET", "/schedule?n=0", ""},
		{"GET", "/events", ""}, {"DELETE", "/status", ""}, {"GET", "/nope", ""}, {"POST", "/stop", "not json"},
		{"POST", "/play", strings.Repeat(" ", 70<<10)},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, []byte(s.body))
	}
	valid := map[int]bool{200: true, 400: true, 404: true, 405: true, 409: true, 413: true, 503: true, 504: true}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		code, out, ok := serve(t, h, method, path, body, 100*time.Millisecond)
		if !ok {
			return // not a request the HTTP server would pass to a handler
		}
		switch {
		case !valid[code]:
			t.Fatalf("%s %s: status %d", method, path, code)
		case code != 200:
			var e struct{ Error string }
			if err := json.Unmarshal(out, &e); err != nil || e.Error == "" || strings.Contains(e.Error, "\n") {
				t.Fatalf("%s %s: %d with body %q, not a one-line JSON error", method, path, code, out)
			}
		case strings.HasPrefix(path, "/events"):
			if !bytes.HasPrefix(out, []byte("event: status\n")) {
				t.Fatalf("events began %q", out[:min(len(out), 40)])
			}
		case !json.Valid(out):
			t.Fatalf("%s %s: 200 with body %q, not JSON", method, path, out)
		}
		serve(t, h, "POST", "/stop", nil, time.Second)
		code, out, _ = serve(t, h, "GET", "/status", nil, time.Second)
		var st struct{ State string }
		if json.Unmarshal(out, &st); code != 200 || st.State != "idle" {
			t.Fatalf("after %s %s: status %d %s; want idle", method, path, code, out)
		}
	})
}

// serve passes one request to the daemon's handler and returns the code
// and body. ok is false for a method or target no HTTP server would hand
// to a handler. A request that streams (/events) is cut after timeout.
func serve(t testing.TB, h *harness, method, path string, body []byte, timeout time.Duration) (code int, out []byte, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://cued"+path, bytes.NewReader(body))
	if err != nil || !strings.HasPrefix(req.URL.Path, "/") || req.URL.Host != "cued" {
		return 0, nil, false
	}
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { defer close(done); h.d.ServeHTTP(rec, req) }()
	select {
	case <-done:
	case <-time.After(timeout + 5*time.Second):
		t.Fatalf("%s %s: no answer within %v", method, path, timeout+5*time.Second)
	}
	return rec.Code, rec.Body.Bytes(), true
}
