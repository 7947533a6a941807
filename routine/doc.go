// Package routine defines the routine format (YAML, strict) and its parser.
//
// A routine is what a coach writes: metadata, ordered steps with spoken
// set-up cues, and the work of each step, either timed (a duration or a
// range, repeated over segments, paced by an oscillation rhythm) or
// breath-paced (a count of reps, each an inhale, an exhale on extension, a
// hold and a return). Ranges are resolved by a Level (gentle, standard,
// full) or by explicit overrides when a session is compiled.
//
// Parse decodes through yaml.v3 nodes so that every problem is reported as
// file:line:col with what would be valid; it never panics on any input.
// docs/routines.md documents the format with a complete example.
package routine
