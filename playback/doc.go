// Package playback plays a mixed session through the sound device. It is
// the only package that imports beep's speaker (and so cgo and ALSA); the
// mixer (package audio) builds and tests without either.
//
// # The device, once per process
//
// The speaker can be initialised only once per process (oto allows a single
// context), and a device that failed to open stays failed for the life of
// the process: every later Start returns the same error. The rate of the
// first successful Start is the rate of every later one.
//
// On Linux speaker.Init may return nil although ALSA failed to open any
// device; the failure surfaces from the first speaker.Resume, which this
// package calls right after Init. With no sound server ALSA and the JACK
// plugin print some 25 lines on stderr; this package installs a silent ALSA
// error handler and points file descriptor 2 at /dev/null while the device
// opens (tens of milliseconds, at most OpenTimeout, once per process:
// anything else the process writes to stderr in that window is lost). The
// caller gets one error instead, wrapping ErrNoDevice, that says what
// failed and that `cued render` works without a device; without a sound
// server it comes within tens of milliseconds. Opening gives up after
// OpenTimeout, so a wedged sound server cannot hang the caller, and Play
// watches for a device that stops taking samples.
//
// # Nothing is skipped
//
// The time from Init to the first sound varies from nothing to over a
// second (the sound server starting its stream), but no sample of the
// session is lost to it: oto pulls from beep's mixer into a FIFO buffer that
// the ALSA thread drains in order, writing every frame (after an underrun it
// recovers and writes the same frames again). What the device has not yet
// played is delayed, never dropped, so the first cue is heard whole without
// padding the session with silence. Silence the speaker plays before the
// session was added (its buffer is primed at Init) comes before the session,
// not instead of it. Recorded through a PulseAudio null sink, every sample
// of a session arrives in order and bit-exact, the first included.
//
// One caveat lies below oto: ALSA's PulseAudio plugin reports a server
// underrun as an xrun by default (its handle_underrun option), oto recovers
// with snd_pcm_prepare, and the plugin's prepare replaces the stream,
// discarding what the server still held. Underruns come from a starved
// process: on a two-core machine under a load of 1.5 to 7 (parallel builds
// and fuzzers), every buffer size tried (40, 100, 200 ms) showed gaps of
// silence from a few to hundreds of milliseconds in some runs, and once 163
// frames of a cue went missing; at 500 ms a run under load 3 passed. On an
// otherwise idle machine a 40 ms buffer played every session tested sample
// for sample (test/real-playback.sh). So the guarantee above holds while the
// process gets its share of the CPU; a larger audio.buffer_ms buys margin at
// the cost of the latency of pause and skip.
//
// # Control
//
// A Player's Pause, Resume, Seek, Position and Stop take speaker.Lock and do
// nothing slow under it: no I/O, no allocation, no decoding (a Session's
// Seek is a binary search). Their effect is heard after the samples already
// buffered, about the buffer size given to Start (config audio.buffer_ms).
package playback
