// Package api holds the request and response types of the cued daemon's
// control protocol (JSON over HTTP on a Unix socket, see docs/protocol.md),
// shared by the server (package daemon) and its clients (package
// daemon/client and the CLI), so that both sides always agree on the wire
// format.
package api

import (
	"fmt"
	"time"

	"github.com/cued-dev/cued/routine"
)

// MaxBody is the largest request body the daemon reads, in bytes; a larger
// body is answered with 413.
const MaxBody = 64 << 10

// State is the player's state, as Status.State reports it.
type State string

// The states of the player.
const (
	StateIdle     State = "idle"     // nothing plays
	StateStarting State = "starting" // a session is being prepared or the output opened
	StatePlaying  State = "playing"  // a session plays
	StatePaused   State = "paused"   // a session is paused
	StatePrompt   State = "prompt"   // a scheduled session waits for play or toggle
)

// DeviceState is the audio output's state, as Device.State reports it.
type DeviceState string

// The states of the audio device.
const (
	DeviceIdle  DeviceState = "idle"  // no output is open (nothing plays); not known to be faulty
	DeviceOK    DeviceState = "ok"    // the output is open and plays
	DeviceFault DeviceState = "fault" // the last attempt to play failed; the daemon retries
)

// EventType is the type of an event of GET /events (Event.Type, and the
// SSE event name).
type EventType string

// The event types sent on GET /events.
const (
	EventStatus    EventType = "status"    // the first event on every stream: the current status
	EventStart     EventType = "start"     // a session started
	EventPart      EventType = "part"      // the session entered another part
	EventProgress  EventType = "progress"  // once a second while a session plays
	EventPause     EventType = "pause"     // the session was paused
	EventResume    EventType = "resume"    // the session was resumed
	EventSeek      EventType = "seek"      // next or prev moved the session
	EventGoOn      EventType = "go-on"     // play or toggle released a wait: the session goes on
	EventVolume    EventType = "volume"    // POST /volume changed the levels (the status has them)
	EventSay       EventType = "say"       // where or repeat: message is what is said over the session
	EventEnd       EventType = "end"       // the session played to its end
	EventStop      EventType = "stop"      // the session was stopped before its end
	EventPrompt    EventType = "prompt"    // a scheduled session invites the user to start
	EventSkipped   EventType = "skipped"   // a scheduled session was skipped (one was playing, or it was missed)
	EventFault     EventType = "fault"     // the audio output failed
	EventRecovered EventType = "recovered" // the audio output works again
	EventReload    EventType = "reload"    // the configuration and routines were re-read
	EventFailed    EventType = "failed"    // a session could not start; Message says why
	EventSnooze    EventType = "snooze"    // a prompt was put off; Status.Snoozed says until when
)

// Verb is a control verb: POST /<verb> with no body, answered with the
// Status after it.
type Verb string

// The control verbs.
const (
	VerbPause  Verb = "pause"  // pause the session
	VerbResume Verb = "resume" // resume it
	VerbToggle Verb = "toggle" // pause or resume; start the session a prompt offers
	VerbNext   Verb = "next"   // skip to the next part or segment
	VerbPrev   Verb = "prev"   // back to this part's start, or the one before near its start
	VerbStop   Verb = "stop"   // stop the session, dismiss a prompt or a snoozed one
	VerbSnooze Verb = "snooze" // put the prompt off (10 minutes by default)
	VerbWhere  Verb = "where"  // say over the session where it is: part, breath or time left
	VerbRepeat Verb = "repeat" // say the part's last cue again
)

// Verbs lists every control verb.
var Verbs = []Verb{VerbPause, VerbResume, VerbToggle, VerbNext, VerbPrev, VerbStop, VerbSnooze, VerbWhere, VerbRepeat}

// PlayRequest is the body of POST /play. Every field is optional: an empty
// Routine plays the session a prompt waits for; zero values keep the
// routine's level choices.
type PlayRequest struct {
	// Routine is a routine id or the path of a routine file.
	Routine string `json:"routine,omitempty"`
	// Level is gentle, standard or full; "" means the configured level.
	Level string `json:"level,omitempty"`
	// Pace is timed or wait; "" means the configured pace.
	Pace string `json:"pace,omitempty"`
	// WorkMS overrides the length of each timed segment, in milliseconds.
	WorkMS int64 `json:"work_ms,omitempty"`
	// Reps overrides the number of breaths of breath-paced parts.
	Reps int `json:"reps,omitempty"`
	// Segments overrides the number of segments of repeated parts.
	Segments int `json:"segments,omitempty"`
	// Steps overrides those values for the steps it names by id
	// (`cued play --work arm-hug=40s`).
	Steps map[string]StepOverride `json:"steps,omitempty"`
	// Volume sets the session's levels; nil takes the daemon's (those of
	// config.yaml's audio.volume, as POST /volume last changed them).
	Volume *Volume `json:"volume,omitempty"`
}

// Volume is the listener's levels in dB, as audio.volume in config.yaml:
// master on every sound, and one per kind of sound on top of it.
type Volume struct {
	Master  float64 `json:"master"`
	Voice   float64 `json:"voice"`
	Pacing  float64 `json:"pacing"`
	Signals float64 `json:"signals"`
	Breath  float64 `json:"breath"`
}

// VolumeRequest is the body of POST /volume: each level set replaces the
// daemon's, the others stay.
type VolumeRequest struct {
	Master  *float64 `json:"master,omitempty"`
	Voice   *float64 `json:"voice,omitempty"`
	Pacing  *float64 `json:"pacing,omitempty"`
	Signals *float64 `json:"signals,omitempty"`
	Breath  *float64 `json:"breath,omitempty"`
}

// Apply returns v with the levels r sets.
func (r VolumeRequest) Apply(v Volume) Volume {
	for _, f := range []struct {
		set *float64
		to  *float64
	}{{r.Master, &v.Master}, {r.Voice, &v.Voice}, {r.Pacing, &v.Pacing}, {r.Signals, &v.Signals}, {r.Breath, &v.Breath}} {
		if f.set != nil {
			*f.to = *f.set
		}
	}
	return v
}

// StepOverride is what PlayRequest.Steps sets for one step; zero keeps the
// routine's level choice (or the request's own value).
type StepOverride struct {
	WorkMS   int64 `json:"work_ms,omitempty"`
	Reps     int   `json:"reps,omitempty"`
	Segments int   `json:"segments,omitempty"`
}

// Work returns WorkMS as a duration.
func (r PlayRequest) Work() time.Duration { return time.Duration(r.WorkMS) * time.Millisecond }

// Validate rejects values no routine accepts, before any work is done.
func (r PlayRequest) Validate() error {
	if r.Level != "" {
		if _, err := routine.ParseLevel(r.Level); err != nil {
			return err
		}
	}
	if r.WorkMS < 0 || r.Reps < 0 || r.Segments < 0 {
		return fmt.Errorf("work_ms, reps and segments must not be negative")
	}
	for id, o := range r.Steps {
		if o.WorkMS < 0 || o.Reps < 0 || o.Segments < 0 {
			return fmt.Errorf("steps.%s: work_ms, reps and segments must not be negative", id)
		}
	}
	return nil
}

// Device is the state of the audio output.
type Device struct {
	// State is DeviceIdle, DeviceOK or DeviceFault.
	State DeviceState `json:"state"`
	// Error is the last device error while State is DeviceFault.
	Error string `json:"error,omitempty"`
	// Since is when the device entered State.
	Since time.Time `json:"since,omitzero"`
}

// Prompt is a scheduled session that waits to be started.
type Prompt struct {
	Routine string    `json:"routine"`
	Level   string    `json:"level,omitempty"`
	At      time.Time `json:"at"`
}

// Status is the answer of GET /status and of every control verb.
type Status struct {
	// State is one of the State constants.
	State State `json:"state"`
	// Session is the id of the session in the history (history.Record's
	// ID); empty when idle.
	Session string `json:"session,omitempty"`
	// Routine, Name and Level describe the session; empty when idle.
	Routine string `json:"routine,omitempty"`
	Name    string `json:"name,omitempty"`
	Level   string `json:"level,omitempty"`
	// Part is the name of the part playing, PartIndex its index from 0
	// and Parts the number of parts.
	Part      string `json:"part,omitempty"`
	PartIndex int    `json:"part_index"`
	Parts     int    `json:"parts"`
	// PartStartMS and PartLengthMS place the part playing in the
	// session (zero when none plays).
	PartStartMS  int64 `json:"part_start_ms,omitempty"`
	PartLengthMS int64 `json:"part_length_ms,omitempty"`
	// ElapsedMS is the position of what the listener has heard,
	// RemainingMS what is left and LengthMS the length of the session.
	ElapsedMS   int64 `json:"elapsed_ms"`
	RemainingMS int64 `json:"remaining_ms"`
	LengthMS    int64 `json:"length_ms"`
	// Paused is true while the session is paused.
	Paused bool `json:"paused"`
	// Waiting is true while the session holds at a wait for the listener
	// (a reminder sounds now and then): play, toggle or next goes on.
	Waiting bool `json:"waiting,omitempty"`
	// Device is the state of the audio output.
	Device Device `json:"device"`
	// Volume is the daemon's levels: the session's, and the next one's.
	Volume Volume `json:"volume"`
	// Said is what where or repeat is saying, in words, SaidAtMS where
	// in the session it starts and SaidCues its cue ids (their answer
	// only).
	Said     string   `json:"said,omitempty"`
	SaidAtMS int64    `json:"said_at_ms,omitempty"`
	SaidCues []string `json:"said_cues,omitempty"`
	// Prompt is set while a scheduled session waits for play or toggle.
	Prompt *Prompt `json:"prompt,omitempty"`
	// Next is the next scheduled session, if any.
	Next *Scheduled `json:"next,omitempty"`
	// Snoozed is a prompt put off by snooze, and when it comes back.
	Snoozed *Scheduled `json:"snoozed,omitempty"`
}

// Event is one server-sent event of GET /events: its Type is also the SSE
// event name, and the JSON of the whole Event is its data.
type Event struct {
	Type EventType `json:"type"`
	Time time.Time `json:"time"`
	// Message is a human sentence for faults, skips and reloads.
	Message string `json:"message,omitempty"`
	// Status is the player's status when the event happened.
	Status Status `json:"status"`
}

// Error is the body of every 4xx and 5xx answer.
type Error struct {
	// Status is the HTTP status code (not sent: it is the response's).
	Status int `json:"-"`
	// Message says what went wrong, in one line.
	Message string `json:"error"`
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Routine is one entry of GET /routines.
type Routine struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Parts   int    `json:"parts"`
	Builtin bool   `json:"builtin"`
	File    string `json:"file,omitempty"`
}

// Scheduled is one upcoming scheduled session (GET /schedule).
type Scheduled struct {
	At      time.Time `json:"at"`
	Routine string    `json:"routine"`
	Mode    string    `json:"mode"`
	Level   string    `json:"level,omitempty"`
}

// ReloadResult is the answer of POST /reload.
type ReloadResult struct {
	// OK is false when something could not be re-read; the previous
	// version of it stays in use.
	OK bool `json:"ok"`
	// Problems lists every problem, with file:line:col where known.
	Problems []string `json:"problems,omitempty"`
}
