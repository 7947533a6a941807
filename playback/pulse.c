//go:build linux && cgo

// The PulseAudio output: the ring of out.h drained by a playback stream
// that libpulse's threaded main loop feeds (see pulse.go for why). Every
// function below that touches the stream runs with the main loop's lock
// held: the loop's callbacks hold it, Go's calls take it.

#define _GNU_SOURCE
#include <pulse/pulseaudio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "pulse.h"

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

// LOGN is how many written chunks the stream remembers: more than the
// server can hold at once (a write per request, six requests a queue).
#define LOGN 64
#define SILENCE UINT64_MAX

// chunk is a run of frames written at stream frame at: ring frames from
// ring index ring on, or silence.
struct chunk {
	int64_t at;
	uint64_t ring;
	uint64_t n;
};

typedef struct cued_pulse {
	pa_threaded_mainloop *ml;
	pa_context *ctx;
	pa_stream *st;
	pa_io_event *wake; // Go's wake, on the cued_out's eventfd
	unsigned int rate;
	// wframe is the stream frame the next write lands at, end the one
	// after the last frame the server holds; a recall moves wframe back
	// (seek: the next write is PA_SEEK_ABSOLUTE there), and the frames
	// from wframe to end are owed: written beyond the server's requests,
	// in the place of what it held.
	int64_t wframe, end;
	int seek;
	struct chunk log[LOGN]; // the chunks written, oldest first
	int len;
	uint64_t quiet;     // frames of silence written in a row
	uint64_t lead;      // frames of silence to write before the next ring frames
	pa_usec_t recalled; // when the last recall was (0: its frames came)
	int corked, err, timedout;
	int started; // cued_pulse_start has run: requests are answered
	// ahead is the least a rewrite lands past the frame heard: Go's
	// recallLead, for the estimate of the frame heard (pa_stream_get_time)
	// can lag the sink by a few milliseconds; through PipeWire at least
	// 50 ms, since pipewire-pulse rewrites from the next graph cycle it
	// has not taken (1024-frame cycles seen: a rewrite 10 ms ahead landed
	// up to 14 ms late).
	uint64_t ahead;
	int info; // the server's name came
} cued_pulse;

static void signal_loop(cued_pulse *p) { pa_threaded_mainloop_signal(p->ml, 0); }

static void fail(cued_out *o, int err) {
	cued_pulse *p = o->pa;
	if (p->err == 0) p->err = err ? err : PA_ERR_UNKNOWN;
	STORE(&o->err, -p->err);
	signal_loop(p);
}

static void context_state(pa_context *c, void *u) {
	cued_out *o = u;
	pa_context_state_t s = pa_context_get_state(c);
	if (s == PA_CONTEXT_FAILED || s == PA_CONTEXT_TERMINATED) fail(o, pa_context_errno(c));
	signal_loop(o->pa);
}

static void stream_state(pa_stream *st, void *u) {
	cued_out *o = u;
	if (pa_stream_get_state(st) == PA_STREAM_FAILED) fail(o, pa_context_errno(o->pa->ctx));
	signal_loop(o->pa);
}

static void timeout(pa_mainloop_api *a, pa_time_event *e, const struct timeval *tv, void *u) {
	cued_pulse *p = u;
	p->timedout = 1;
	signal_loop(p);
}

// note records a written chunk, joining it to the last when it goes on
// from it.
static void note(cued_pulse *p, int64_t at, uint64_t ring, uint64_t n) {
	struct chunk *l = p->len ? &p->log[p->len - 1] : NULL;
	if (l && l->at + (int64_t)l->n == at &&
			(ring == SILENCE ? l->ring == SILENCE : l->ring != SILENCE && l->ring + l->n == ring)) {
		l->n += n;
		return;
	}
	if (p->len == LOGN) {
		memmove(p->log, p->log + 1, (LOGN - 1) * sizeof p->log[0]);
		p->len--;
	}
	p->log[p->len++] = (struct chunk){at, ring, n};
}

// put writes n frames at f to the stream, at wframe.
static int put(cued_out *o, const int16_t *f, uint64_t n, uint64_t ring) {
	cued_pulse *p = o->pa;
	int64_t off = p->seek ? p->wframe * 4 : 0;
	pa_seek_mode_t mode = p->seek ? PA_SEEK_ABSOLUTE : PA_SEEK_RELATIVE;
	if (pa_stream_write(p->st, f, n * 4, NULL, off, mode) < 0) {
		fail(o, pa_context_errno(p->ctx));
		return -1;
	}
	p->seek = 0;
	note(p, p->wframe, ring, n);
	p->wframe += (int64_t)n;
	if (p->wframe > p->end) p->end = p->wframe;
	return 0;
}

static int put_silence(cued_out *o, uint64_t n) {
	while (n > 0) {
		uint64_t k = n < o->buffer ? n : o->buffer;
		if (put(o, o->zeros, k, SILENCE) < 0) return -1;
		STORE(&o->silent, LOAD(&o->silent) + k);
		o->pa->quiet += k;
		n -= k;
	}
	return 0;
}


// put_ring writes up to max published frames; it returns how many.
static int64_t put_ring(cued_out *o, uint64_t max) {
	uint64_t start, n = cued_out_claim(o, max, &start);
	if (n == 0) return 0;
	uint64_t at = start % o->cap, first = o->cap - at;
	if (first > n) first = n;
	if (put(o, o->ring + 2 * at, first, start) < 0) return -1;
	if (n > first && put(o, o->ring, n - first, start + first) < 0) return -1;
	STORE(&o->done, start + n);
	o->pa->quiet = 0;
	return (int64_t)n;
}

// heard is the stream frame being heard now, or -1 before the server has
// said.
static int64_t heard(cued_pulse *p) {
	pa_usec_t t;
	if (pa_stream_get_time(p->st, &t) < 0) return -1;
	return (int64_t)(t * p->rate / PA_USEC_PER_SEC);
}

// rewrite makes the next write land at stream frame at (before end), in
// the place of what the server holds from there.
static void rewrite(cued_pulse *p, int64_t at) {
	if (at >= p->end) return;
	p->wframe = at;
	p->seek = 1;
	while (p->len > 0 && p->log[p->len - 1].at >= at) p->len--;
	if (p->len > 0) {
		struct chunk *l = &p->log[p->len - 1];
		if (l->at + (int64_t)l->n > at) l->n = (uint64_t)(at - l->at);
	}
}

// drop_silence rewrites the silence the server holds, from lead frames
// past the one heard, so that frames that came are not heard after it.
static void drop_silence(cued_out *o, uint64_t lead) {
	cued_pulse *p = o->pa;
	int64_t h = heard(p);
	if (h < 0 || p->len == 0) return;
	struct chunk *l = &p->log[p->len - 1];
	if (l->ring != SILENCE) return;
	int64_t at = h + (int64_t)lead;
	if (at < l->at) at = l->at;
	rewrite(p, at);
}

// service writes what the server asks for, and what a recall owes: ring
// frames, or silence for want of them; it corks an idle stream and
// uncorks it when frames come.
static void service(cued_out *o) {
	cued_pulse *p = o->pa;
	if (!p->started || p->err || pa_stream_get_state(p->st) != PA_STREAM_READY) return;
	int frames = LOAD(&o->w) != LOAD(&o->r);
	if (p->corked) {
		if (!frames) return;
		pa_operation *op = pa_stream_cork(p->st, 0, NULL, NULL);
		if (op) pa_operation_unref(op);
		p->corked = 0;
		p->lead = o->rate / 50;
		STORE(&o->asleep, 0);
	}
	if (frames && p->quiet > 0) drop_silence(o, p->lead ? 0 : p->ahead);
	size_t room = pa_stream_writable_size(p->st);
	if (room == (size_t)-1) return;
	uint64_t want = room / 4 + (p->end > p->wframe ? (uint64_t)(p->end - p->wframe) : 0);
	if (p->lead > 0 && want > 0 && frames) {
		uint64_t k = p->lead < want ? p->lead : want;
		if (put_silence(o, k) < 0) return;
		p->lead -= k;
		want -= k;
	}
	int64_t n = put_ring(o, want);
	if (n < 0) return;
	want -= (uint64_t)n;
	if (n > 0) {
		p->recalled = 0;
		STORE(&o->hungry, 0);
	}
	if (want == 0 || n > 0) return;
	// Nothing to play. Just after a recall, Go's frames are on their
	// way: the server still has what it held. Else silence, so that the
	// stream never underruns on our account; idle long enough, cork.
	if (p->recalled && pa_rtclock_now() - p->recalled < 20 * PA_USEC_PER_MSEC) return;
	p->recalled = 0;
	if (o->idle > 0 && p->quiet >= o->idle) {
		pa_operation *op = pa_stream_cork(p->st, 1, NULL, NULL);
		if (op) pa_operation_unref(op);
		p->corked = 1;
		STORE(&o->asleep, 1);
		return;
	}
	if (put_silence(o, want) < 0) return;
	STORE(&o->hungry, 1);
}

static void requested(pa_stream *st, size_t nbytes, void *u) { service(u); }

static void woken(pa_mainloop_api *a, pa_io_event *e, int fd, pa_io_event_flags_t f, void *u) {
	uint64_t v;
	if (read(fd, &v, sizeof v) < 0) { /* EAGAIN: woken already */ }
	service(u);
}

// wait_for waits (lock held) until ready says so, a failure, or the
// deadline; it returns 0 or a PA error.
static int wait_for(cued_out *o, int (*ready)(cued_pulse *)) {
	cued_pulse *p = o->pa;
	while (!ready(p)) {
		if (p->err) return p->err;
		if (p->timedout) return PA_ERR_TIMEOUT;
		pa_threaded_mainloop_wait(p->ml);
	}
	return 0;
}

static int context_ready(cued_pulse *p) { return pa_context_get_state(p->ctx) == PA_CONTEXT_READY; }
static int info_came(cued_pulse *p) { return p->info; }

static void server_info(pa_context *c, const pa_server_info *i, void *u) {
	cued_out *o = u;
	if (i && i->server_name && strstr(i->server_name, "PipeWire") && o->pa->ahead < o->rate / 20) o->pa->ahead = o->rate / 20;
	o->pa->info = 1;
	signal_loop(o->pa);
}
static int stream_ready(cued_pulse *p) { return pa_stream_get_state(p->st) == PA_STREAM_READY; }

static int open_context_stream(cued_out *o, unsigned long queue, unsigned long request, const char **where);

static int open_stream(cued_out *o, unsigned long queue, unsigned long request, int timeout_ms, const char **where) {
	cued_pulse *p = o->pa;
	pa_mainloop_api *api = pa_threaded_mainloop_get_api(p->ml);
	*where = "pa_context_new";
	if (!(p->ctx = pa_context_new(api, "cued"))) return PA_ERR_INTERNAL;
	pa_context_set_state_callback(p->ctx, context_state, o);
	pa_time_event *deadline = pa_context_rttime_new(p->ctx,
		pa_rtclock_now() + (pa_usec_t)timeout_ms * PA_USEC_PER_MSEC, timeout, p);
	int e = open_context_stream(o, queue, request, where);
	if (deadline) api->time_free(deadline);
	return e;
}

static int open_context_stream(cued_out *o, unsigned long queue, unsigned long request, const char **where) {
	cued_pulse *p = o->pa;
	*where = "connecting to the sound server";
	if (pa_context_connect(p->ctx, NULL, PA_CONTEXT_NOAUTOSPAWN, NULL) < 0) return pa_context_errno(p->ctx);
	int e = wait_for(o, context_ready);
	if (e) return e;
	*where = "asking the sound server its name";
	pa_operation *op = pa_context_get_server_info(p->ctx, server_info, o);
	if (!op) return pa_context_errno(p->ctx);
	pa_operation_unref(op);
	if ((e = wait_for(o, info_came))) return e;
	*where = "pa_stream_new";
	pa_sample_spec ss = {PA_SAMPLE_S16LE, o->rate, 2};
	if (!(p->st = pa_stream_new(p->ctx, "cued", &ss, NULL))) return pa_context_errno(p->ctx);
	pa_stream_set_state_callback(p->st, stream_state, o);
	pa_stream_set_write_callback(p->st, requested, o);
	pa_buffer_attr ba = {
		.maxlength = (uint32_t)-1,
		.tlength = (uint32_t)(queue * 4),
		.prebuf = (uint32_t)-1,
		.minreq = (uint32_t)(request * 4),
		.fragsize = (uint32_t)-1,
	};
	*where = "opening a playback stream";
	pa_stream_flags_t fl = PA_STREAM_START_CORKED | PA_STREAM_INTERPOLATE_TIMING |
		PA_STREAM_AUTO_TIMING_UPDATE | PA_STREAM_ADJUST_LATENCY;
	if (pa_stream_connect_playback(p->st, NULL, &ba, fl, NULL, NULL) < 0) return pa_context_errno(p->ctx);
	if ((e = wait_for(o, stream_ready))) return e;
	const pa_buffer_attr *got = pa_stream_get_buffer_attr(p->st);
	o->buffer = got->tlength / 4;
	o->period = got->minreq / 4;
	p->corked = 1;
	return 0;
}

int cued_pulse_open(cued_out **op, unsigned int rate, unsigned long queue_frames,
		unsigned long request_frames, uint64_t lead_frames, uint64_t ring_frames, int timeout_ms, const char **where) {
	cued_out *o = calloc(1, sizeof *o);
	cued_pulse *p = calloc(1, sizeof *p);
	if (!o || !p || !(p->ml = pa_threaded_mainloop_new())) {
		free(o);
		free(p);
		*where = "calloc";
		return PA_ERR_INTERNAL;
	}
	o->pa = p;
	o->rate = p->rate = rate;
	p->ahead = lead_frames;
	o->wakefd = -1;
	pthread_mutex_init(&o->mu, NULL);
	*where = "pa_threaded_mainloop_start";
	if (pa_threaded_mainloop_start(p->ml) < 0) {
		cued_pulse_close(o);
		return PA_ERR_INTERNAL;
	}
	pa_threaded_mainloop_lock(p->ml);
	int e = open_stream(o, queue_frames, request_frames, timeout_ms, where);
	if (e == 0) {
		o->cap = ring_frames + 3 * (uint64_t)o->buffer;
		o->ring = calloc(o->cap * 2, sizeof(int16_t));
		o->zeros = calloc(o->buffer * 2, sizeof(int16_t));
		o->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		*where = "calloc";
		if (!o->ring || !o->zeros || o->wakefd < 0) e = PA_ERR_INTERNAL;
	}
	if (e == 0) {
		pa_mainloop_api *api = pa_threaded_mainloop_get_api(p->ml);
		p->wake = api->io_new(api, o->wakefd, PA_IO_EVENT_INPUT, woken, o);
	}
	pa_threaded_mainloop_unlock(p->ml);
	if (e != 0) {
		cued_pulse_close(o);
		return e;
	}
	*op = o;
	return 0;
}

int cued_pulse_start(cued_out *o) {
	cued_pulse *p = o->pa;
	pa_threaded_mainloop_lock(p->ml);
	p->lead = o->rate / 50;
	p->corked = 0;
	p->started = 1;
	service(o);
	pa_operation *op = pa_stream_cork(p->st, 0, NULL, NULL);
	if (op) pa_operation_unref(op);
	int e = p->err;
	pa_threaded_mainloop_unlock(p->ml);
	return -e;
}

// ring_at is the ring index whose frame the stream holds at stream frame
// at, or the next ring frame written after it (o->r if none).
static uint64_t ring_at(cued_out *o, int64_t at) {
	cued_pulse *p = o->pa;
	for (int i = 0; i < p->len; i++) {
		struct chunk *c = &p->log[i];
		if (at >= c->at + (int64_t)c->n) continue;
		if (c->ring != SILENCE) return c->ring + (uint64_t)(at > c->at ? at - c->at : 0);
	}
	return o->r;
}

// stream_at is the stream frame that holds ring index r, or -1.
static int64_t stream_at(cued_pulse *p, uint64_t r) {
	for (int i = 0; i < p->len; i++) {
		struct chunk *c = &p->log[i];
		if (c->ring != SILENCE && r >= c->ring && r < c->ring + c->n) return c->at + (int64_t)(r - c->ring);
	}
	return -1;
}

uint64_t cued_pulse_recall(cued_out *o, uint64_t floor) {
	cued_pulse *p = o->pa;
	pa_threaded_mainloop_lock(p->ml);
	int64_t h = p->err || p->corked ? -1 : heard(p);
	int64_t at = h + (int64_t)p->ahead;
	uint64_t r = h < 0 || at >= p->end ? LOAD(&o->r) : ring_at(o, at);
	if (r < floor) {
		int64_t s = stream_at(p, floor);
		r = s < 0 ? LOAD(&o->r) : floor;
		at = s < 0 ? p->end : s;
	}
	pthread_mutex_lock(&o->mu);
	if (r > o->r) r = o->r;
	STORE(&o->r, r);
	STORE(&o->w, r);
	STORE(&o->done, r);
	pthread_mutex_unlock(&o->mu);
	if (h >= 0 && at < p->end) {
		rewrite(p, at);
		p->quiet = 0;
		p->recalled = pa_rtclock_now();
		STORE(&o->hungry, 1); // Go wakes the stream when it publishes
	}
	pa_threaded_mainloop_unlock(p->ml);
	return r;
}

int cued_pulse_error(cued_out *o) { return o->pa->err; }

void cued_pulse_close(cued_out *o) {
	cued_pulse *p = o->pa;
	if (p->ml) {
		pa_threaded_mainloop_lock(p->ml);
		if (p->wake) pa_threaded_mainloop_get_api(p->ml)->io_free(p->wake);
		if (p->st) {
			pa_stream_disconnect(p->st);
			pa_stream_unref(p->st);
		}
		if (p->ctx) {
			pa_context_disconnect(p->ctx);
			pa_context_unref(p->ctx);
		}
		pa_threaded_mainloop_unlock(p->ml);
		pa_threaded_mainloop_stop(p->ml);
		pa_threaded_mainloop_free(p->ml);
	}
	pthread_mutex_destroy(&o->mu);
	if (o->wakefd >= 0) close(o->wakefd);
	free(o->ring);
	free(o->zeros);
	free(p);
	free(o);
}
