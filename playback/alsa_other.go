//go:build android || darwin || js || windows || nintendosdk || playstation5

package playback

// Elsewhere than ALSA systems there is no probe noise to silence.

func quietALSA()          {}
func muteStderr() int     { return -1 }
func restoreStderr(_ int) {}
