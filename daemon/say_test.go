package daemon_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
)

// TestSay: where and repeat speak over the session playing through
// Options.Overlay: the answer says the words, the device mixes the
// session anew from the new spec (and a recovery would too), an event
// tells it; refused while nothing plays or paused, and with Overlay's
// own refusal as it is.
func TestSay(t *testing.T) {
	h := start(t, func(o *daemon.Options) {
		o.Overlay = func(spec []byte, pos int, verb api.Verb) (daemon.Said, error) {
			if verb == api.VerbRepeat {
				return daemon.Said{}, &api.Error{Status: http.StatusConflict, Message: "the session speaks now"}
			}
			return daemon.Said{Spec: append(spec, "+where"...), Words: "Part two, of three. Twenty seconds left.", At: 1500 * time.Millisecond}, nil
		}
	})
	ctx := context.Background()
	var ae *api.Error
	if _, err := h.c.Verb(ctx, "where"); !errors.As(err, &ae) || ae.Status != http.StatusConflict {
		t.Fatalf("where while idle: %v, want 409", err)
	}
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("playing", func(s api.Status) bool { return s.State == api.StatePlaying })
	st, err := h.c.Verb(ctx, "where")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.Said, "Part two") || st.SaidAtMS != 1500 || st.State != api.StatePlaying {
		t.Fatalf("where answered %q, %s", st.Said, st.State)
	}
	if n, spec := h.out.last().Remixes(); n != 1 || string(spec) != "r1+where" {
		t.Fatalf("the device got %d remix(es), spec %q; want 1, r1+where", n, spec)
	}
	if _, err := h.c.Verb(ctx, "repeat"); !errors.As(err, &ae) || ae.Message != "the session speaks now" {
		t.Fatalf("repeat: %v, want Overlay's refusal", err)
	}
	if _, err := h.c.Verb(ctx, "pause"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.c.Verb(ctx, "where"); !errors.As(err, &ae) || ae.Status != http.StatusConflict {
		t.Fatalf("where while paused: %v, want 409", err)
	}
}
