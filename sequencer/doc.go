// Package sequencer compiles a routine into a Timeline: every spoken cue,
// tone, pacing tick, breath phase and step boundary with its start and
// length, in milliseconds.
//
// Compile is pure and deterministic: no audio, no clock, no files. It needs
// the length of each spoken clip (a ClipLengths, implemented by the voice
// bank) so that speech never overlaps speech, timed work starts after its
// set-up talk, and pacing under speech is marked as ducked. The timeline
// has a canonical text dump (Format) and a JSON form (docs/timeline.md).
package sequencer
