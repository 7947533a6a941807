// Package sounds holds cued's built-in voice pack, embedded in the binary.
//
// The pack lives in the folder default/: one MP3 per cue, named
// <cue-id>.mp3, and a manifest.json that lists every clip with its text,
// the SHA-256 of that text and of the file, and its duration. The script
// sounds/generate makes the whole folder from the cue list of
// `cued cues`; see docs/voice.md for how, and for recording your own pack.
package sounds

import (
	"embed"
	"io/fs"
)

//go:embed default
var embedded embed.FS

// Default is the built-in voice pack: a file system whose root holds
// <cue-id>.mp3 for every cue of the built-in routines and every shared
// word, and manifest.json. Pass it to voice.Load as the last voice.Pack, so
// that a user's own pack comes first and this one fills in what it lacks.
var Default fs.FS = mustSub(embedded, "default")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // only if dir is not a valid path: a bug here, caught by the tests
	}
	return sub
}
