// Package playback plays a mixed session through the sound device. It is
// the only package that uses cgo, ALSA and libpulse; the mixer (package
// audio) builds and tests without any of them.
//
// # Three outputs, one engine
//
// The engine (Player: the ring, the lookahead, the fades, the controls) is
// plain Go and drains through one of three outputs (Options.Output):
//
//   - Pulse: a PulseAudio stream (PulseAudio, or PipeWire's
//     pipewire-pulse), fed from the ring by libpulse's own thread (pulse.c;
//     Linux with cgo, the default there). The server holds three buffers
//     (pulseQueue), and a control takes back what it holds unheard
//     (Player.rewind, drain.recall), so it is heard at once and not after
//     them. With no server at all the default opens ALSA instead.
//   - ALSA: a C thread on ALSA, below (Linux with cgo).
//   - Beep: beep's speaker (github.com/gopxl/beep/v2/speaker, on oto), which
//     pulls the ring as a beep.Streamer: CoreAudio on macOS and WASAPI on
//     Windows with no cgo, ALSA on Linux with cgo (the default off Linux).
//     It costs more CPU and holds more (the speaker's buffer and its
//     driver's, Options.Held), so controls are heard later. Its driver keeps device errors to
//     itself, so a speaker that has not pulled more than its buffer within
//     1.75 s of Init counts as no device (oto's player fills its buffer
//     at once, with or without a device).
//
// Each stops its device after idleStop (5 s) with nothing to play: the
// PulseAudio stream corked, the ALSA stream dropped, the speaker
// suspended; frames restart it.
//
// All give the device the render's samples: the PulseAudio and ALSA ring
// holds them as 16-bit values converted as audio.Render converts them
// (pcm.S16), and beep's speaker converts with the same rule. A build
// without any (Linux without cgo) plays nothing and says so in one line.
//
// # How sound reaches the device
//
// A plain C thread (out.c) writes to ALSA the way aplay does: it waits in
// poll(2) for a period of room, then writes. It takes its frames from a
// ring that Go fills, through the same beep.StreamSeeker a render pulls,
// a second ahead (the lookahead) and twice a second, with
// atomic loads and stores on shared memory and no cgo call. When the ring
// is empty (paused, or Go late) the thread writes silence, so the device
// never underruns on our account. When frames come again and the device
// holds only that silence (more than the 30 ms a restart costs), the
// thread drops it and restarts the device, so that a start or a resume is
// not heard a buffer late; Go wakes it for that through an eventfd it
// polls beside the device. The PulseAudio output takes frames from the
// same ring in libpulse's main loop, answering the server's requests, and
// rewrites queued silence in place for frames that came.
//
// Why not beep's speaker: its driver (oto) blocks a goroutine inside a cgo
// call for every ALSA period, and the Go runtime answers every such call
// with a burst of 20 µs wake-ups of its monitor thread. Playing to a
// PulseAudio null sink with a 100 ms buffer on a 2-core machine, beep's
// speaker used 3.8 % of a core; this package uses about 0.5 %, of which
// ALSA's PulseAudio plugin takes 0.2 % (bench/playcpu.sh). aplay, for
// reference, uses 0.26 %.
//
// # Controls are not delayed by the lookahead
//
// Pause, Resume, Seek and Stop cut the ring back to the last frame the
// thread has taken, put the session at the sample that frame held, and
// refill from there, so they are heard after the device's own buffer
// (config audio.buffer_ms) and not after the lookahead. The PulseAudio
// output cuts further back, to 20 ms past the frame being heard (recallLead), never
// before the previous control's cut (the engine keeps the session's
// place from there on only), so its controls are heard at once. Pause and Stop fade
// out over 12 ms and Resume fades in, so nothing clicks; a pause holds the
// session at the first sample it did not play, so nothing is lost. Seek
// fades out, jumps and fades in. The fade's gain at the cut is recomputed
// from where the thread stopped, so a control during a fade goes on
// smoothly from what the device has.
//
// # One player
//
// `cued play` plays its session with a Player in-process; the daemon's
// sink child plays each session the daemon sends it with a Player too
// (Open at its start, then StartPaused and Resume per session), so the
// fades, the pause rule and the seek are the same in both.
//
// # The device, once per process
//
// The device is opened once per process, at the rate of the first Start
// (or Open),
// and a device that failed to open stays failed for the life of the
// process: every later Start returns the same error. ALSA's "default"
// device is tried, then "pulse". With no sound server ALSA and its plugins
// print lines on stderr; this package installs a silent ALSA error handler
// and points file descriptor 2 at /dev/null while the device opens (tens
// of milliseconds, at most OpenTimeout, once per process: anything else the
// process writes to stderr in that window is lost). The caller gets one
// error instead, wrapping ErrNoDevice, that says what failed and that
// `cued render` works without a device. Opening gives up after
// OpenTimeout, so a wedged sound server cannot hang the caller, and Wait
// reports a device whose thread failed, or that took no frame at all for a
// few seconds.
//
// # Nothing is skipped
//
// The thread writes 20 ms of silence first (a sound server starting a
// stream may drop its first frames: PulseAudio dropped 18 to 204 of them),
// then the ring, which is filled before the thread starts, so the session
// follows at once from its first frame. What the device has not yet played is delayed,
// never dropped: after an underrun (a starved machine) the thread recovers
// and writes the same frames again. Recorded through a PulseAudio null
// sink, every sample of a session arrives in order and bit-exact, the first
// included (test/real-playback.sh).
//
// One caveat lies below us: ALSA's PulseAudio plugin reports a server
// underrun as an xrun by default (its handle_underrun option), and its
// recovery replaces the stream, discarding what the server still held.
// The lookahead shields the ring from a late Go, not the thread from a
// starved machine: on a 2-core machine under heavy load, a buffer of 40 ms
// gapped where 100 ms (the default) did not.
//
// # Control
//
// A Player's methods take the engine's mutex and do nothing slow under it:
// no I/O, no allocation, no decoding (a Session's Seek is a binary search);
// the fill itself does not allocate either. A control refills the ring
// before it returns, so that the thread, which may take frames the moment
// the ring is cut, does not find it empty and write a period of silence.
package playback
