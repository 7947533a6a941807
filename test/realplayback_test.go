// Package test holds the real-playback test (see README.md). Its Go test
// only runs test/real-playback.sh, and only with CUED_REAL_AUDIO=1: it
// plays sound through a private PulseAudio server for about two and a half minutes.
package test

import (
	"os"
	"os/exec"
	"testing"
)

func TestRealPlayback(t *testing.T) {
	if os.Getenv("CUED_REAL_AUDIO") != "1" {
		t.Skip("set CUED_REAL_AUDIO=1 to play through a real sound server (test/real-playback.sh)")
	}
	cmd := exec.Command("./real-playback.sh")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("test/real-playback.sh: %v", err)
	}
}
