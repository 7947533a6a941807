package main

import (
	"strings"
	"testing"

	cued "github.com/cued-dev/cued"
)

// FuzzConfig reads arbitrary bytes as a config file: it must never panic;
// an error names the file and is not a crash of the YAML or mapping
// layers; a config it accepts passes validation again.
func FuzzConfig(f *testing.F) {
	f.Add(cued.DefaultConfig)
	for _, s := range []string{
		"", "session:\n  level: full\n", "session:\n  levle: full\n", "audio:\n  rate: 22050\n",
		"audio:\n  buffer_ms: -5\n", "schedule:\n  - at: \"25:00\"\n    routine: x\n", "schedule: 7\n",
		"audio:\n  tones:\n    chime: {freq: 1e9}\n", "voice: [\n", "\xff\xfe", "a: &a [*a]\n",
		"daemon:\n  daily_goal: 0\n", "routines:\n  dirs: [1, 2]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		c, err := decodeConfig(file, "fuzz.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := c.validate(); err != nil {
			t.Fatalf("accepted a config that does not validate: %v", err)
		}
	})
}
