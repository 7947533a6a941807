// Package encode writes a rendered session as a file that phones and
// podcast players play: MP3 encoded by LAME (the lame program, Debian's
// package lame), preceded by an ID3v2.3 tag that names the session and
// holds a chapter per part, so that a player lists the parts and skips
// between them.
//
// cued does not encode audio itself: LAME is the reference MP3 encoder,
// and it writes the LAME header that tells decoders its delay and padding,
// so a gapless decoder (ffmpeg, go-mp3 with cued's trim, most podcast
// players) gives back the render's timing to the sample, and the chapters'
// times are the timeline's.
package encode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// ErrNoEncoder is the error (wrapped) when the encoder program is not
// installed; its message names the Debian package.
var ErrNoEncoder = errors.New("the MP3 encoder lame is not installed (Debian: apt-get install lame)")

// Options say what PCM MP3 reads and how it encodes it.
type Options struct {
	// Rate is the PCM's sample rate in Hz (44100 or 48000 in cued).
	Rate int
	// Channels is 1 or 2.
	Channels int
	// Bitrate is the constant bit rate in kbit/s (default 128). Constant,
	// so that a player seeks to a chapter exactly by time.
	Bitrate int
	// Lame is the encoder program (default "lame", looked up in PATH).
	Lame string
	// TempDir is where LAME writes before the tag is put in front of its
	// output (default os.TempDir()); LAME needs a file it can seek in to
	// write its header last.
	TempDir string
}

// DefaultBitrate is Options.Bitrate's default, in kbit/s: 0.96 MB a
// minute, clear for a voice and the session's tones.
const DefaultBitrate = 128

// MP3 encodes 16-bit little-endian interleaved PCM read from pcm until
// EOF and writes the MP3 file to w: the ID3 tag of tags, then LAME's
// frames. The LAME header (its first frame) records the encoder's delay
// and padding. A missing encoder is ErrNoEncoder; an encoder that fails
// is an error with what it printed.
func MP3(ctx context.Context, w io.Writer, pcm io.Reader, tags Tags, o Options) error {
	tag, err := tags.ID3()
	if err != nil {
		return err
	}
	args, err := o.args()
	if err != nil {
		return err
	}
	path, err := lookLame(o.Lame)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(o.TempDir, "cued-*.mp3")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)

	cmd := exec.CommandContext(ctx, path, append(args, "-", name)...)
	cmd.Stdin = pcm
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("lame: %w: %s", err, lameSaid(stderr.String()))
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	// Gone from the folder now (where the system allows it), so that a
	// process killed while it copies (a closed pipe: SIGPIPE) leaves
	// nothing behind; the open file stays readable.
	_ = os.Remove(name)
	if _, err := w.Write(tag); err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// Check reports whether the encoder program lame (default "lame" in
// PATH) is there: ErrNoEncoder if not. A caller checks before it opens
// the file it would write, so that a missing encoder leaves no file.
func Check(lame string) error {
	_, err := lookLame(lame)
	return err
}

func lookLame(lame string) (string, error) {
	if lame == "" {
		lame = "lame"
	}
	path, err := exec.LookPath(lame)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoEncoder, err)
	}
	return path, nil
}

// args are LAME's options for raw PCM of o: signed 16-bit little-endian
// at o.Rate, joint stereo (or mono), constant bit rate, quiet, and no
// ReplayGain analysis (the session's levels are cued's own).
func (o Options) args() ([]string, error) {
	if o.Rate < 8000 || o.Rate > 48000 {
		return nil, fmt.Errorf("MP3 takes rates from 8000 to 48000 Hz, not %d", o.Rate)
	}
	mode := map[int]string{1: "m", 2: "j"}[o.Channels]
	if mode == "" {
		return nil, fmt.Errorf("MP3 takes 1 or 2 channels, not %d", o.Channels)
	}
	br := o.Bitrate
	if br == 0 {
		br = DefaultBitrate
	}
	if !slices.Contains(Bitrates, br) {
		return nil, fmt.Errorf("MP3 bit rate %d kbit/s: use one of %v", br, Bitrates)
	}
	khz := strconv.FormatFloat(float64(o.Rate)/1000, 'f', -1, 64)
	return []string{
		"-r", "-s", khz, "--resample", khz, // never resampled: the timing stays the render's
		"--bitwidth", "16", "--signed", "--little-endian", "-m", mode,
		"--cbr", "-b", strconv.Itoa(br), "--noreplaygain", "--silent",
	}, nil
}

// Bitrates are the constant bit rates MP3 takes, in kbit/s (MPEG-1
// Layer III's, for 32 to 48 kHz).
var Bitrates = []int{32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}

// lameSaid is what LAME printed, without the warning Debian's build
// prints on every run with raw input (libsndfile and -r).
func lameSaid(stderr string) string {
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.Contains(l, "libsndfile") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "; ")
}
