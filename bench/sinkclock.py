"""Wall-clock timing of what reaches the private sound server's sink.

Used by bench/daemon-latency.sh and bench/play-latency.sh: Recorder reads
the sink's monitor (parecord, 5 ms latency) in 10 ms chunks and stamps each
with its arrival time, so that "request -> silence" and "request -> sound"
can be measured at the sink.
"""
import struct, subprocess, threading, time

LOUD = 300  # peak above this (about -40 dBFS) is sound


class Recorder:
    def __init__(self):
        self.proc = subprocess.Popen(["parecord", "--device=cue.monitor", "--raw", "--format=s16le",
                                      "--rate=44100", "--channels=2", "--latency-msec=5"],
                                     stdout=subprocess.PIPE)
        self.chunks = []  # (arrival wall time, peak) per 10 ms
        threading.Thread(target=self._read, daemon=True).start()
        time.sleep(1)

    def _read(self):
        while True:
            b = self.proc.stdout.read(441 * 4)
            if not b:
                return
            self.chunks.append((time.time(), max(abs(x) for x in struct.unpack("<%dh" % (len(b) // 2), b))))

    def first_sound(self, since):
        """Arrival time of the first loud chunk after since, or None."""
        return next((t for t, p in list(self.chunks) if t >= since and p > LOUD), None)

    def silence(self, since, hold=0.3):
        """Start of the first run of quiet chunks lasting hold seconds after since, or None."""
        run = []
        for t, p in list(self.chunks):
            if t < since:
                continue
            if p <= LOUD:
                run.append(t)
                if run[-1] - run[0] >= hold:
                    return run[0]
            else:
                run = []
        return None

    def close(self):
        self.proc.terminate()


def ms(v):
    return "n/a" if v is None else "%d ms" % round(v * 1000)
