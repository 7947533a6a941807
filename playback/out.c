//go:build linux && cgo

// The writer thread: a plain C thread that does what aplay does (wait for
// a period of room, write), so that waiting on the device never involves
// the Go scheduler. See out.go for why.

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "out.h"

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

static int hw_params(cued_out *o, unsigned int rate, unsigned long buffer, const char **where) {
	snd_pcm_hw_params_t *p;
	snd_pcm_hw_params_alloca(&p);
	snd_pcm_uframes_t buf = buffer, per = buffer / 2;
	int e;
#define TRY(call) do { if ((e = (call)) < 0) { *where = #call; return e; } } while (0)
	TRY(snd_pcm_hw_params_any(o->pcm, p));
	TRY(snd_pcm_hw_params_set_access(o->pcm, p, SND_PCM_ACCESS_RW_INTERLEAVED));
	TRY(snd_pcm_hw_params_set_format(o->pcm, p, SND_PCM_FORMAT_S16_LE));
	TRY(snd_pcm_hw_params_set_channels(o->pcm, p, 2));
	TRY(snd_pcm_hw_params_set_rate_resample(o->pcm, p, 1));
	TRY(snd_pcm_hw_params_set_rate_near(o->pcm, p, &rate, NULL));
	TRY(snd_pcm_hw_params_set_buffer_size_near(o->pcm, p, &buf));
	TRY(snd_pcm_hw_params_set_period_size_near(o->pcm, p, &per, NULL));
	TRY(snd_pcm_hw_params(o->pcm, p));
	TRY(snd_pcm_hw_params_get_buffer_size(p, &buf));
	TRY(snd_pcm_hw_params_get_period_size(p, &per, NULL));
#undef TRY
	o->rate = rate;
	o->buffer = buf;
	o->period = per;
	return 0;
}

int cued_out_open(cued_out **op, const char *name, unsigned int rate,
		unsigned long buffer_frames, uint64_t ring_frames, const char **where) {
	cued_out *o = calloc(1, sizeof *o);
	if (!o) { *where = "calloc"; return -ENOMEM; }
	// Opened non-blocking so that a device another program holds fails at
	// once ("Device or resource busy") instead of waiting for it; then
	// blocking, for the thread's writes.
	int e = snd_pcm_open(&o->pcm, name, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
	if (e < 0) { *where = "snd_pcm_open"; free(o); return e; }
	if ((e = snd_pcm_nonblock(o->pcm, 0)) < 0) {
		*where = "snd_pcm_nonblock";
		snd_pcm_close(o->pcm);
		free(o);
		return e;
	}
	if ((e = hw_params(o, rate, buffer_frames, where)) < 0) {
		snd_pcm_close(o->pcm);
		free(o);
		return e;
	}
	// Room for the lookahead beyond what ALSA granted (which may be more
	// than was asked): the thread may hold a buffer claimed, Go fills up
	// to the lookahead (at least two buffers) past it.
	o->cap = ring_frames + 3 * (uint64_t)o->buffer;
	o->ring = calloc(o->cap * 2, sizeof(int16_t));
	o->zeros = calloc(o->period * 2, sizeof(int16_t));
	if (!o->ring || !o->zeros) {
		snd_pcm_close(o->pcm);
		free(o->ring);
		free(o->zeros);
		free(o);
		*where = "calloc";
		return -ENOMEM;
	}
	o->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&o->mu, NULL);
	*op = o;
	return 0;
}

void cued_out_wake(cued_out *o) {
	uint64_t one = 1;
	if (o->wakefd >= 0 && write(o->wakefd, &one, sizeof one) < 0) { /* full: a wake is pending */ }
}

// write_all hands n frames at f to ALSA, waiting for room as it goes; it
// returns 0, or the error that recovery could not mend.
static int write_all(cued_out *o, const int16_t *f, snd_pcm_uframes_t n) {
	while (n > 0) {
		if (LOAD(&o->stop)) return 0;
		snd_pcm_sframes_t k = snd_pcm_writei(o->pcm, f, n);
		if (k == -EAGAIN) {
			snd_pcm_wait(o->pcm, 100); // not expected in blocking mode; never spin
			continue;
		}
		if (k < 0) {
			// An underrun (-EPIPE) or a suspend (-ESTRPIPE) is mended by
			// snd_pcm_recover; the same frames are then written again.
			int e = snd_pcm_recover(o->pcm, (int)k, 1);
			if (e < 0) return e;
			continue;
		}
		f += 2 * k;
		n -= k;
	}
	return 0;
}

uint64_t cued_out_claim(cued_out *o, uint64_t max, uint64_t *start) {
	pthread_mutex_lock(&o->mu);
	uint64_t r = o->r, n = LOAD(&o->w) - r;
	if (n > max) n = max;
	STORE(&o->r, r + n);
	pthread_mutex_unlock(&o->mu);
	*start = r;
	return n;
}

uint64_t cued_out_take(cued_out *o, uint64_t max, int16_t *dst) {
	uint64_t start, n = cued_out_claim(o, max, &start);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t at = (start + i) % o->cap;
		dst[2 * i] = o->ring[2 * at];
		dst[2 * i + 1] = o->ring[2 * at + 1];
	}
	STORE(&o->done, start + n);
	return n;
}

cued_out *cued_out_fake(unsigned int rate, unsigned long buffer_frames, uint64_t ring_frames) {
	cued_out *o = calloc(1, sizeof *o);
	o->rate = rate;
	o->buffer = buffer_frames;
	o->period = buffer_frames / 2;
	o->cap = ring_frames;
	o->ring = calloc(ring_frames * 2, sizeof(int16_t));
	o->zeros = calloc(o->period * 2 + 2, sizeof(int16_t));
	o->wakefd = -1;
	pthread_mutex_init(&o->mu, NULL);
	return o;
}

// lead writes 20 ms of silence: a sound server starting a stream may drop
// its first frames (PulseAudio with its sink already running lost 18 to
// 204 of them, up to 4.6 ms, in every run), which must not be the
// session's. None lost in any run since.
static int lead(cued_out *o) {
	for (unsigned long left = o->rate / 50; left > 0 && !LOAD(&o->stop);) {
		unsigned long k = left < o->period ? left : o->period;
		int e = write_all(o, o->zeros, k);
		if (e != 0) return e;
		STORE(&o->silent, LOAD(&o->silent) + k);
		left -= k;
	}
	return 0;
}

// doze stops the device while the ring stays empty: snd_pcm_drop, then it
// waits on the wake eventfd (Go writes it when it publishes frames and
// sees asleep; nothing else wakes the thread but a look once a second),
// then snd_pcm_prepare and the lead-in silence once frames come. It
// returns 0, or the error that stopped the device.
static int doze(cued_out *o) {
	snd_pcm_drop(o->pcm);
	STORE(&o->asleep, 1);
	// Go stores w, then loads asleep; here asleep is stored, then w is
	// loaded: with a full fence between, one of the two sees the other.
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (!LOAD(&o->stop) && LOAD(&o->w) == o->r) {
		if (o->wakefd < 0) {
			struct timespec ts = {0, 50000000};
			nanosleep(&ts, NULL);
			continue;
		}
		struct pollfd p = {.fd = o->wakefd, .events = POLLIN};
		if (poll(&p, 1, 1000) > 0) {
			uint64_t v;
			if (read(o->wakefd, &v, sizeof v) < 0) { /* EAGAIN: woken already */ }
		}
	}
	// Awake before the device restarts: a device that hangs in
	// snd_pcm_prepare or in the lead-in is a stall Wait reports.
	STORE(&o->asleep, 0);
	int e = LOAD(&o->stop) ? 0 : snd_pcm_prepare(o->pcm);
	if (e == 0) e = lead(o);
	return e;
}

// wait_room waits up to ms for a period of room on the device, or for Go's
// wake (frames published while the thread writes silence), whichever
// comes first: poll(2) on the device's descriptors and the wake eventfd.
// It returns as snd_pcm_wait does: 1 (room, or woken), 0 (timed out) or a
// negative error.
static int wait_room(cued_out *o, int ms) {
	struct pollfd p[17];
	int n = snd_pcm_poll_descriptors_count(o->pcm);
	if (o->wakefd < 0 || n <= 0 || n > 16) return snd_pcm_wait(o->pcm, ms);
	if ((n = snd_pcm_poll_descriptors(o->pcm, p, n)) <= 0) return snd_pcm_wait(o->pcm, ms);
	p[n] = (struct pollfd){.fd = o->wakefd, .events = POLLIN};
	for (;;) {
		int k = poll(p, n + 1, ms);
		if (k < 0 && errno == EINTR) continue;
		if (k < 0) return -errno;
		if (k == 0) return 0;
		if (p[n].revents) {
			uint64_t v;
			if (read(o->wakefd, &v, sizeof v) < 0) { /* EAGAIN: woken already */ }
			return 1;
		}
		unsigned short rev = 0;
		int e = snd_pcm_poll_descriptors_revents(o->pcm, p, n, &rev);
		if (e < 0) return e;
		if (rev & (POLLERR | POLLNVAL)) {
			switch (snd_pcm_state(o->pcm)) {
			case SND_PCM_STATE_XRUN: return -EPIPE;
			case SND_PCM_STATE_SUSPENDED: return -ESTRPIPE;
			default: return -EIO;
			}
		}
		if (rev & POLLOUT) return 1;
	}
}

// restart drops what the device holds when that is only silence (the
// ring ran empty: a session paused, ended or not yet started) and more of
// it than the restart costs, so that the frames that came are heard
// without waiting it out: snd_pcm_drop, snd_pcm_prepare and the lead-in
// silence, as after a doze. Silence only: dropping sound would cut it
// without its fade. quiet is the silence written since the last frames of
// the ring. It returns 0, or the error that stopped the device.
static int restart(cued_out *o, uint64_t quiet) {
	snd_pcm_sframes_t queued = 0;
	if (snd_pcm_delay(o->pcm, &queued) < 0 || queued <= 0) return 0;
	if ((uint64_t)queued > quiet || (unsigned long)queued < o->rate / 50 + o->rate / 100) return 0;
	snd_pcm_drop(o->pcm);
	int e = snd_pcm_prepare(o->pcm);
	if (e == 0) e = lead(o);
	if (e == 0) STORE(&o->restarts, LOAD(&o->restarts) + 1);
	return e;
}

static void *run(void *arg) {
	cued_out *o = arg;
	lead(o); // a little silence first (a session's ring is filled before the thread starts)
	uint64_t quiet = 0; // frames of silence in a row
	while (!LOAD(&o->stop)) {
		if (o->idle > 0 && quiet >= o->idle && LOAD(&o->w) == o->r) {
			int e = doze(o);
			if (e < 0) { STORE(&o->err, e); break; }
			quiet = 0;
			continue;
		}
		if (quiet > 0 && LOAD(&o->w) != o->r) {
			STORE(&o->hungry, 0);
			int e = restart(o, quiet);
			if (e < 0) { STORE(&o->err, e); break; }
			quiet = 0;
		}
		// Wait for a period of room: what aplay does, in poll(2), with
		// a timeout so that stop is seen even if the device wedges.
		snd_pcm_sframes_t avail = snd_pcm_avail_update(o->pcm);
		if (avail < 0) {
			int e = snd_pcm_recover(o->pcm, (int)avail, 1);
			if (e < 0) { STORE(&o->err, e); break; }
			continue;
		}
		if ((snd_pcm_uframes_t)avail < o->period) {
			int e = wait_room(o, 1000);
			if (e < 0) {
				e = snd_pcm_recover(o->pcm, e, 1);
				if (e < 0) { STORE(&o->err, e); break; }
			}
			continue;
		}
		uint64_t start, n = cued_out_claim(o, (uint64_t)avail, &start);

		int e = 0;
		if (n == 0) {
			// Nothing to play (paused, or the feeder is late): keep the
			// device running on a period of silence rather than let it
			// underrun. Not less: ALSA's PulseAudio plugin answers a
			// server underrun by replacing the stream, losing what the
			// server held (keeping half a period queued lost 60 frames
			// at a resume).
			e = write_all(o, o->zeros, o->period);
			if (e == 0) STORE(&o->silent, LOAD(&o->silent) + o->period);
			quiet += o->period;
			// Go stores w, then loads hungry; here hungry is stored,
			// then w is loaded at the top of the loop: with a full fence
			// between, one of the two sees the other (as for asleep).
			STORE(&o->hungry, 1);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		} else {
			quiet = 0;
			STORE(&o->hungry, 0);
			uint64_t at = start % o->cap, first = o->cap - at;
			if (first > n) first = n;
			e = write_all(o, o->ring + 2 * at, first);
			if (e == 0 && n > first) e = write_all(o, o->ring, n - first);
			if (e == 0) STORE(&o->done, start + n);
		}
		if (e < 0) { STORE(&o->err, e); break; }
	}
	return NULL;
}

int cued_out_start(cued_out *o) {
	int e = pthread_create(&o->thread, NULL, run, o);
	if (e == 0) pthread_setname_np(o->thread, "cued-alsa"); // for top and bench/playcpu.sh
	return -e;
}

uint64_t cued_out_cut(cued_out *o) {
	pthread_mutex_lock(&o->mu);
	uint64_t r = o->r;
	STORE(&o->w, r);
	pthread_mutex_unlock(&o->mu);
	return r;
}

int cued_out_close(cued_out *o) {
	STORE(&o->stop, 1);
	cued_out_wake(o);
	if (o->thread) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1 + o->period / (o->rate ? o->rate : 1);
		if (pthread_timedjoin_np(o->thread, NULL, &ts) != 0) return -1;
	}
	if (o->pcm) {
		snd_pcm_drop(o->pcm);
		snd_pcm_close(o->pcm);
	}
	pthread_mutex_destroy(&o->mu);
	if (o->wakefd >= 0) close(o->wakefd);
	free(o->ring);
	free(o->zeros);
	free(o);
	return 0;
}
