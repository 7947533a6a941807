package routine

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is what every parse error matches with errors.Is: the routine
// file is not a valid routine.
var ErrInvalid = errors.New("invalid routine")

// Error is one problem in a routine file, at a position.
type Error struct {
	File string
	Pos  Pos
	// Msg says what is wrong and, in parentheses, what would be valid.
	Msg string
}

// Error formats the problem as file:line:col: message.
func (e *Error) Error() string {
	f := e.File
	if f == "" {
		f = "<routine>"
	}
	return fmt.Sprintf("%s:%d:%d: %s", f, e.Pos.Line, e.Pos.Col, e.Msg)
}

// Is makes every Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// ErrorList is every problem found in one file, in file order.
type ErrorList []*Error

// Error lists the problems one per line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the problems, so that errors.As finds an *Error.
func (l ErrorList) Unwrap() []error {
	es := make([]error, len(l))
	for i, e := range l {
		es[i] = e
	}
	return es
}
