// Package picture draws a session's timeline and the history of sessions
// as pictures: SVG files written with encoding/xml, and for the history
// also a plain-text grid for the terminal. It takes the data as it is
// (sequencer.Timeline, history.Record) and imports nothing else of the
// project; the CLI decides where the pictures go.
//
// Every drawn element that stands for something in the data carries data
// attributes (data-kind, data-start, ...) with the data's own values, so
// a picture can be read back and checked against what it was drawn from
// (the package's tests do).
package picture
