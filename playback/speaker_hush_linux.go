//go:build linux && cgo

package playback

// hushSpeaker: oto opens the device through ALSA on Linux, whose probes
// print on stderr as the alsa output's do.
func hushSpeaker() func() { return hushALSA() }

// speakerHint ends the error of a speaker that found no device.
const speakerHint = ` (on Linux it plays to ALSA's "default" device: is a sound server running?)`
