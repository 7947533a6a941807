//go:build darwin || windows

package playback

// hushSpeaker: CoreAudio and WASAPI print nothing of their own.
func hushSpeaker() func() { return func() {} }

// speakerHint ends the error of a speaker that found no device.
const speakerHint = ""
