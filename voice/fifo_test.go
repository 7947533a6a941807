//go:build unix

package voice

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cued-dev/cued/internal/userfile"
)

// TestPackFIFO: a FIFO named like a clip in a pack on disk is refused at
// once, with the pack and the file named, by Load and by Check; nothing
// blocks on it.
func TestPackFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "cue.mp3"), 0o644); err != nil {
		t.Fatal(err)
	}
	pack := Pack{Name: "my-pack", FS: userfile.DirFS{Dir: dir, What: "a voice clip"}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := Load(t.Context(), Options{Rate: 44100, Packs: []Pack{pack}, Texts: map[string]string{"cue": "Cue."}, Synth: SynthNone})
		if !errors.Is(err, userfile.ErrNotRegular) || !strings.Contains(err.Error(), "my-pack") || !strings.Contains(err.Error(), "cue.mp3") {
			t.Errorf("Load: %v; want the FIFO refused, naming the pack and the file", err)
		}
		rep := Check(pack.FS, map[string]string{"cue": "Cue."})
		if len(rep.Unreadable) != 1 || !errors.Is(rep.Unreadable[0], userfile.ErrNotRegular) {
			t.Errorf("Check: unreadable %v", rep.Unreadable)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("blocked on a FIFO in the pack")
	}
}
