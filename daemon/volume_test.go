package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
)

// TestVolume: the daemon starts at Options.Volume; POST /volume changes
// the levels it names, has the session playing mixed anew from
// Revolume's spec (on the device, and for a recovery), gives later
// sessions the levels through PlayRequest.Volume, and refuses levels
// Revolume refuses and malformed bodies, changing nothing.
func TestVolume(t *testing.T) {
	var mu sync.Mutex
	var asked []api.Volume // PlayRequest.Volume of each Prepare
	h := start(t, func(o *daemon.Options) {
		o.Volume = api.Volume{Master: -3}
		base := o.Prepare
		o.Prepare = func(ctx context.Context, req api.PlayRequest) (daemon.Session, error) {
			mu.Lock()
			if req.Volume != nil {
				asked = append(asked, *req.Volume)
			}
			mu.Unlock()
			return base(ctx, req)
		}
		o.Revolume = func(spec []byte, v api.Volume) ([]byte, error) {
			if v.Master > 12 {
				return nil, errors.New("master too loud")
			}
			if spec == nil {
				return nil, nil
			}
			return fmt.Appendf(nil, "%s@%g/%g", strings.Split(string(spec), "@")[0], v.Master, v.Voice), nil
		}
	})
	ctx := context.Background()
	if v := h.status().Volume; v != (api.Volume{Master: -3}) {
		t.Fatalf("starting levels %+v, want master -3", v)
	}
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("playing", func(s api.Status) bool { return s.State == api.StatePlaying })
	two := 2.0
	st, err := h.c.Volume(ctx, api.VolumeRequest{Voice: &two})
	if err != nil {
		t.Fatal(err)
	}
	if want := (api.Volume{Master: -3, Voice: 2}); st.Volume != want {
		t.Fatalf("levels after voice=2: %+v, want %+v", st.Volume, want)
	}
	n, spec := h.out.last().Remixes()
	if n != 1 || string(spec) != "r1@-3/2" {
		t.Fatalf("the device got %d remix(es), spec %q; want 1, \"r1@-3/2\"", n, spec)
	}
	loud := 20.0
	if _, err := h.c.Volume(ctx, api.VolumeRequest{Master: &loud}); err == nil || !strings.Contains(err.Error(), "master too loud") {
		t.Fatalf("master=20: %v, want Revolume's refusal", err)
	}
	if code, body := h.raw(http.MethodPost, "/volume", strings.NewReader(`{"bass": 3}`)); code != http.StatusBadRequest || !strings.Contains(string(body), "master, voice, pacing, signals, breath") {
		t.Fatalf("unknown key: %d %s", code, body)
	}
	if n, _ := h.out.last().Remixes(); n != 1 || h.status().Volume.Voice != 2 {
		t.Fatalf("a refused change changed something: %d remixes, levels %+v", n, h.status().Volume)
	}
	if _, err := h.c.Verb(ctx, "stop"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 2 || asked[0] != (api.Volume{Master: -3}) || asked[1] != (api.Volume{Master: -3, Voice: 2}) {
		t.Fatalf("Prepare got levels %+v, want master -3, then with voice 2", asked)
	}
}

// TestVolumeRefusedWithoutRevolume: a daemon that cannot mix anew says so.
func TestVolumeRefusedWithoutRevolume(t *testing.T) {
	h := start(t, nil)
	code, body := h.raw(http.MethodPost, "/volume", strings.NewReader(`{"master": -6}`))
	if code != http.StatusNotImplemented {
		t.Fatalf("POST /volume without Revolume: %d %s, want 501", code, body)
	}
}
