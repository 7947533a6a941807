// The PulseAudio output: the ring of out.h drained by a PulseAudio stream
// (see pulse.go).

#ifndef CUED_PULSE_H
#define CUED_PULSE_H

#include "out.h"

// cued_pulse_open connects to the sound server (PulseAudio, or PipeWire's
// pipewire-pulse) within timeout_ms and opens a playback stream of
// interleaved stereo 16-bit at rate, corked, that holds about queue_frames
// in the server and asks for more each time request_frames are played,
// and a ring as cued_out_open's (three times the granted queue beyond
// ring_frames). A rewrite of what the server holds (a recall, or the
// silence dropped for frames that came) lands at least lead_frames past the
// frame heard (more through PipeWire). It returns 0 or a negative
// PulseAudio error (PA_ERR_*); *where names the step that failed.
int cued_pulse_open(cued_out **o, unsigned int rate, unsigned long queue_frames,
		unsigned long request_frames, uint64_t lead_frames, uint64_t ring_frames, int timeout_ms, const char **where);

// cued_pulse_start uncorks the stream: 20 ms of silence, then the ring,
// which Go fills first. The server's requests are answered from the ring,
// or with silence when it is empty; after idle frames of silence in a row
// the stream is corked and flushed (asleep set) until Go wakes it.
int cued_pulse_start(cued_out *o);

// cued_pulse_recall takes back what the server holds unheard, beyond the
// frames cued_out_cut takes back: everything from the open's lead past the
// frame heard now, but nothing before ring index floor. It returns
// the ring index from which Go writes again; the server plays what Go
// publishes from there in the place of what it held, seamlessly (the
// stream is rewritten in place: PA_SEEK_ABSOLUTE).
uint64_t cued_pulse_recall(cued_out *o, uint64_t floor);

// cued_pulse_wake tells the stream's thread that Go published frames: it
// writes what a recall owes, drops queued silence for them, or wakes a
// corked stream.
void cued_pulse_wake(cued_out *o);

// cued_pulse_error is the PulseAudio error that stopped the stream, or 0.
int cued_pulse_error(cued_out *o);

// cued_pulse_close disconnects and frees everything.
void cued_pulse_close(cued_out *o);

#endif
