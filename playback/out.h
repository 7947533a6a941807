// The ALSA writer thread and the ring it plays from (see out.go).

#ifndef CUED_OUT_H
#define CUED_OUT_H

#include <alsa/asoundlib.h>
#include <pthread.h>
#include <stdint.h>

// cued_out is shared by Go and the writer thread. Go writes frames at
// ring[w % cap .. ] and then publishes w; the thread claims frames from r
// (under mu) and counts them in done once ALSA has them. Go may overwrite
// a slot only when done has passed it. The counters are read and written
// with atomic operations on both sides (sync/atomic in Go).
typedef struct cued_out {
	uint64_t w;      // frames written by Go (Go stores, thread loads)
	uint64_t r;      // frames claimed by the thread (thread stores under mu)
	uint64_t done;   // frames of the ring handed to ALSA (thread stores)
	uint64_t silent; // frames of silence written (at the start, ring empty)
	int32_t err;     // the ALSA error that stopped the thread, or 0
	int32_t stop;    // set by Go to end the thread
	int32_t asleep;  // set while the thread has stopped the device, idle (thread stores)
	uint64_t idle;   // frames of silence in a row after which the device is stopped (0: never)
	int32_t hungry;  // set while the thread writes silence for want of frames (thread stores)
	uint64_t restarts; // times the thread dropped queued silence for frames that came (thread stores)
	int16_t *ring;   // cap interleaved stereo frames, 16-bit
	uint64_t cap;
	unsigned long period; // frames per ALSA period, as granted
	unsigned long buffer; // frames of ALSA buffer, as granted
	unsigned int rate;    // frames per second, as granted
	snd_pcm_t *pcm;
	pthread_mutex_t mu;
	pthread_t thread;
	int16_t *zeros; // one period of silence
	int wakefd;     // an eventfd that wakes a dozing thread (-1: none, it looks every 50 ms)
	struct cued_pulse *pa; // the PulseAudio stream in place of pcm and thread (pulse.c), or NULL
} cued_out;

// cued_out_open opens the ALSA device name for playback of interleaved
// stereo 16-bit at rate (resampled by ALSA where the device cannot), with
// a buffer near buffer_frames in two periods, and a ring of ring_frames
// plus three times the buffer granted.
// It returns 0 or a negative ALSA error; *where names the failed call.
int cued_out_open(cued_out **o, const char *name, unsigned int rate,
		unsigned long buffer_frames, uint64_t ring_frames, const char **where);

// cued_out_start starts the writer thread. It writes 20 ms of silence, then
// the ring, which Go fills first so that the session follows at once.
// After idle frames of silence in a row (the ring empty: nothing to play,
// or paused) it stops the device (snd_pcm_drop) and sleeps, looking at the
// ring (woken by cued_out_wake, and once a second); when frames come it prepares the device again
// and writes 20 ms of silence before them, as at the start.
int cued_out_start(cued_out *o);

// cued_out_wake wakes the thread if it dozes (asleep set): Go calls it
// after publishing frames to a dozing device, which then restarts at once
// rather than at its next look.
void cued_out_wake(cued_out *o);

// cued_out_cut drops every frame Go wrote that the thread has not claimed
// yet, and returns the index from which Go writes again.
uint64_t cued_out_cut(cued_out *o);

// cued_out_close stops the thread (waiting for it at most one period plus
// one second) and frees everything. It returns -1 without freeing when
// the thread did not stop (a device that wedged inside ALSA).
int cued_out_close(cued_out *o);

// cued_out_claim takes up to max published frames from the ring for the
// device (the ALSA thread, or the PulseAudio stream's): they are no longer
// Go's to cut. It returns how many, from *start.
uint64_t cued_out_claim(cued_out *o, uint64_t max, uint64_t *start);

// cued_out_take claims up to max frames as the thread would, copies them
// to dst and counts them played: tests stand in for the device with it.
uint64_t cued_out_take(cued_out *o, uint64_t max, int16_t *dst);

// cued_out_fake is a cued_out with no device and no thread, for tests.
cued_out *cued_out_fake(unsigned int rate, unsigned long buffer_frames, uint64_t ring_frames);

#endif
