// Package audio mixes a compiled session (a sequencer.Timeline) into sound.
//
// The mixer is a Session: a beep.StreamSeeker whose samples at any position
// are a pure function of the timeline, the clips and the Options. NewSession
// does all the work that depends on the content once, up front: it
// synthesises every distinct tone (name, length, level) into a buffer,
// measures peaks, computes the duck envelope for speech and cuts the session
// into stretches, each with its fixed list of active sources. Stream then
// only adds the active buffers of the current stretch, with no allocation, no map
// look-up and no interface call per sample. Because nothing depends on what
// was streamed before, Seek(p) followed by Stream gives exactly the samples a
// full render has at p, whatever the chunk sizes; pausing (beep.Ctrl) loses
// nothing; and `cued render` writes, bit for bit, what the player plays.
//
// Sound design, for a listener lying on a foam roller with eyes closed:
// speech (voice clips) sits on top; while any clip plays, every other sound
// drops by Options.DuckDB with raised-cosine ramps of 30 ms that complete
// before the clip starts (ducking follows the clips' real extents; clips
// less than 60 ms apart stay ducked in between; the events' Ducked flag,
// the sequencer's view of the same overlap, is not needed). Tones are soft sines with a little second harmonic
// and smooth envelopes (raised-cosine attack and release of at least 5 ms,
// 80 ms on long tones), so every sound starts and ends at zero and nothing
// clicks: pacing ticks are short decaying plucks, countdown pips short
// steady beeps, the part chime two bell strikes, the end chime three, and the
// breath phases soft tones over the whole phase, swelling on inhale and
// ebbing on exhale, their pitch moving as the options say (config.yaml:
// rising for inhale, falling for exhale, near steady for hold and return).
// A tone's event GainDB is its peak level in dBFS.
//
// Nothing ever reaches full scale: stretches where the sum of the peaks of
// the active sources could exceed -1.5 dBFS pass through a static soft knee
// that keeps every sample below -1 dBFS. The knee is a function of the sample
// value only, so it keeps the mix pure; voice clips normalised to about
// -1.5 dBTP are untouched by it when they play alone.
//
// Render encodes any beep.Streamer as WAV (16-bit or 32-bit float) or raw
// 16-bit PCM, incrementally, to any writer, using the same 16-bit conversion
// as package playback.
package audio
