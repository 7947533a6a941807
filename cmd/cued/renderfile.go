package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/encode"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
)

// renderJob is one `cued render`: the app, the command (its context and
// output), the session flags and the format asked for.
type renderJob struct {
	app     *app
	cmd     *cobra.Command
	flags   *sessionFlags
	format  string // --format, or "" for the file's extension
	bitrate int
}

// fileFormat is what render writes: MP3, or a PCM encoding.
type fileFormat struct {
	mp3 bool
	enc audio.Encoding
}

// ext is the file name extension of f, for --all.
func (f fileFormat) ext() string {
	switch {
	case f.mp3:
		return ".mp3"
	case f.enc == audio.RawS16LE:
		return ".raw"
	}
	return ".wav"
}

// formatFor is the format a file at path gets: --format, else path's
// extension (.mp3, .raw or .pcm, .wav), else audio.format. MP3 also needs
// the encoder: without it formatFor fails (ErrNoEncoder), before any
// output is opened.
func (r renderJob) formatFor(path string) (fileFormat, error) {
	name := r.format
	if name == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".mp3":
			name = "mp3"
		case ".raw", ".pcm":
			name = "raw"
		default:
			name = r.app.cfg.Audio.Format
		}
	}
	if name == "mp3" {
		return fileFormat{mp3: true}, encode.Check("")
	}
	enc, err := audio.ParseEncoding(name)
	if err != nil {
		return fileFormat{}, fmt.Errorf("--format %q is not a format: use s16, f32, raw or mp3", name)
	}
	return fileFormat{enc: enc}, nil
}

// one renders the routine name to out ("-": standard output).
func (r renderJob) one(name, out, overlay string) error {
	ff, err := r.formatFor(out)
	if err != nil {
		return err
	}
	var s *audio.Session
	var tl *sequencer.Timeline
	if overlay != "" {
		if ff.mp3 {
			return fmt.Errorf("--overlay renders PCM only, not mp3")
		}
		s, err = r.app.renderSession(r.cmd.Context(), name, r.flags, overlay)
	} else {
		s, tl, err = r.app.prepareSession(r.cmd.Context(), name, r.flags)
	}
	if err != nil {
		return err
	}
	if regularOrNew(out) {
		return r.file(out, s, tl, ff)
	}
	w, closeOut, err := openOutput(r.cmd, out)
	if err != nil {
		return err
	}
	defer closeOut()
	if err := r.write(w, s, tl, ff); err != nil {
		return fmt.Errorf("render %s: %w", out, err)
	}
	return closeOut()
}

// regularOrNew reports whether path names a regular file or nothing yet:
// a file render writes whole or not at all, where "-", a FIFO or a device
// is written as it goes.
func regularOrNew(path string) bool {
	if path == "-" {
		return false
	}
	fi, err := os.Stat(path)
	return os.IsNotExist(err) || err == nil && fi.Mode().IsRegular()
}

// write writes session s (whose timeline is tl) to w in format ff.
func (r renderJob) write(w io.Writer, s *audio.Session, tl *sequencer.Timeline, ff fileFormat) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var err error
	if ff.mp3 {
		err = r.mp3(bw, s, tl)
	} else {
		err = audio.Render(bw, s, s.Format(), ff.enc)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// mp3 encodes s through LAME while it renders, tagged with tl's title and
// a chapter per part.
func (r renderJob) mp3(w io.Writer, s *audio.Session, tl *sequencer.Timeline) error {
	pr, pw := io.Pipe()
	rendered := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<16)
		err := audio.Render(bw, s, s.Format(), audio.RawS16LE)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		rendered <- err
	}()
	f := s.Format()
	err := encode.MP3(r.cmd.Context(), w, pr, sessionTags(tl),
		encode.Options{Rate: int(f.SampleRate), Channels: f.NumChannels, Bitrate: r.bitrate})
	pr.Close() // a render still writing after a failed encoder ends
	if rerr := <-rendered; rerr != nil && !errors.Is(rerr, io.ErrClosedPipe) {
		return rerr // the render's own error, not what the encoder made of it
	}
	return err
}

// sessionTags is what an MP3 of tl says about itself: its routine and
// level, and a chapter per part, from the part's start to its end. Parts
// only, not segments or sides: a player's chapter list of three to six
// parts reads at a glance, where one of every 30-second segment would not.
func sessionTags(tl *sequencer.Timeline) encode.Tags {
	t := encode.Tags{
		Title:  fmt.Sprintf("%s (%s)", tl.Name, tl.Level),
		Album:  "cued",
		Artist: "cued",
		Length: tl.Length,
		Fields: []encode.Field{{Name: "cued routine", Value: tl.Routine}, {Name: "cued level", Value: tl.Level}},
	}
	for _, st := range tl.Steps {
		t.Chapters = append(t.Chapters, encode.Chapter{Title: st.Name, Start: st.Start, End: st.End})
	}
	return t
}

// all renders every routine of the library at every level into the
// folder dir, at the timed pace (a file cannot wait for you), and writes
// the playlist cued.m3u. A level whose session is the one of the level
// before (the sound check's) is written once.
func (r renderJob) all(dir string) error {
	ff, err := r.formatFor(".mp3")
	if err != nil {
		return err
	}
	set, err := r.app.loadRoutines()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	flags := *r.flags
	flags.pace = "timed"
	var list playlist
	for _, src := range set.All() {
		var prev *sequencer.Timeline
		for _, level := range routine.Levels {
			flags.level = string(level)
			s, tl, err := prepareRoutine(r.cmd.Context(), &r.app.cfg, src.Routine, &flags, r.app.loader(nil))
			if err != nil {
				return fmt.Errorf("%s at %s: %w", src.Routine.ID, level, err)
			}
			if prev != nil && sameSession(prev, tl) {
				fmt.Fprintf(r.cmd.OutOrStdout(), "%s at %s: the session at %s, not written again\n", src.Routine.ID, level, prev.Level)
				continue
			}
			prev = tl
			name := src.Routine.ID + "-" + string(level) + ff.ext()
			if err := r.file(filepath.Join(dir, name), s, tl, ff); err != nil {
				return err
			}
			list = append(list, playlistEntry{file: name, title: sessionTags(tl).Title, length: tl.Length})
			fmt.Fprintf(r.cmd.OutOrStdout(), "%s\t%s\n", name, clock(tl.Length.Milliseconds()))
		}
	}
	return writeWhole(filepath.Join(dir, "cued.m3u"), list.m3u())
}

// sameSession reports whether a and b are the same session but for
// their level's name.
func sameSession(a, b *sequencer.Timeline) bool {
	return a.Length == b.Length && reflect.DeepEqual(a.Steps, b.Steps) && reflect.DeepEqual(a.Events, b.Events)
}

// file writes session s (timeline tl) into the file path, whole or not at
// all (writeFileWhole).
func (r renderJob) file(path string, s *audio.Session, tl *sequencer.Timeline, ff fileFormat) error {
	err := writeFileWhole(path, func(w io.Writer) error { return r.write(w, s, tl, ff) })
	if err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	return nil
}

// playlist is an extended M3U playlist of rendered files.
type playlist []playlistEntry

type playlistEntry struct {
	file, title string
	length      time.Duration
}

// m3u is the playlist as an extended M3U file (UTF-8): a #EXTINF line
// with the length in whole seconds and the title before each file,
// relative to the playlist's folder.
func (p playlist) m3u() []byte {
	var b strings.Builder
	b.WriteString("#EXTM3U\n")
	for _, e := range p {
		title := strings.Join(strings.Fields(e.title), " ") // a line of its own
		fmt.Fprintf(&b, "#EXTINF:%d,%s\n%s\n", int64(e.length.Seconds()+0.5), title, e.file)
	}
	return []byte(b.String())
}
