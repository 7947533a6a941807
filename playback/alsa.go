//go:build linux && cgo

package playback

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

// ALSA's default error handler prints every failed device probe on stderr.
static void cued_alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

static void cued_quiet_alsa(void) { snd_lib_error_set_handler(cued_alsa_quiet); }

// cued_mute_stderr points fd 2 at /dev/null and returns a close-on-exec
// copy of the old one, or -1 if it could not.
static int cued_mute_stderr(void) {
	fflush(stderr);
	int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (saved < 0) return -1;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0) { close(saved); return -1; }
	dup2(null, 2);
	close(null);
	return saved;
}

static void cued_restore_stderr(int saved) {
	if (saved < 0) return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}
*/
import "C"

// quietALSA replaces ALSA's error printer with one that prints nothing, for
// the life of the process: device probes, underruns and plugin errors no
// longer reach stderr. Errors still reach us as return values.
func quietALSA() { C.cued_quiet_alsa() }

// muteStderr silences file descriptor 2 (the JACK plugin prints its
// failures there directly, not through ALSA) until restoreStderr.
func muteStderr() int { return int(C.cued_mute_stderr()) }

// restoreStderr undoes muteStderr.
func restoreStderr(saved int) { C.cued_restore_stderr(C.int(saved)) }
