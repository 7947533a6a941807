// Package library holds the built-in routines (embedded YAML files) and
// loads a user's routine folders beside them.
package library

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cued-dev/cued/internal/userfile"
	"github.com/cued-dev/cued/routine"
)

//go:embed *.yaml
var builtin embed.FS

// ErrNotFound is returned by Set.Find for an id no routine has.
var ErrNotFound = errors.New("no such routine")

// Builtin parses the embedded routines, in id order. An error means the
// binary itself is broken; tests make sure it is not.
func Builtin() ([]*routine.Routine, error) {
	names, err := fs.Glob(builtin, "*.yaml")
	if err != nil {
		return nil, err
	}
	var rs []*routine.Routine
	for _, n := range names {
		b, err := builtin.ReadFile(n)
		if err != nil {
			return nil, err
		}
		r, err := routine.Parse("routines/"+n, b)
		if err != nil {
			return nil, fmt.Errorf("built-in routine: %w", err)
		}
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	return rs, nil
}

// Source says where a routine of a Set came from.
type Source struct {
	Routine *routine.Routine
	// Builtin is true for an embedded routine.
	Builtin bool
}

// Set is the routines a user can play: the built-in ones, then those of
// the user's folders. A user routine with a built-in id replaces it.
type Set struct {
	list []Source
}

// Load builds a Set from the built-in routines and every *.yaml file of
// dirs (a missing folder is skipped). A file that does not parse is left
// out and its problems are returned in the error, with file:line:col;
// every good routine is still in the Set.
func Load(dirs ...string) (*Set, error) {
	return LoadOver(nil, dirs...)
}

// LoadOver is Load for a reload: where a file that does not parse now gave
// a routine in prev, that previous version stays in the Set, so that a
// half-edited file never takes a routine away. Every other file, new or
// changed, is taken as it is now. prev may be nil.
func LoadOver(prev *Set, dirs ...string) (*Set, error) {
	b, err := Builtin()
	if err != nil {
		return nil, err
	}
	s := &Set{}
	for _, r := range b {
		s.add(Source{Routine: r, Builtin: true})
	}
	var errs []error
	for _, d := range dirs {
		files, err := filepath.Glob(filepath.Join(d, "*.yaml"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sort.Strings(files)
		for _, f := range files {
			r, err := ParseFile(f)
			if err != nil {
				errs = append(errs, err)
				if old := prev.fromFile(f); old != nil {
					s.add(Source{Routine: old})
					errs = append(errs, fmt.Errorf("%s: the previous version of routine %q stays in use", f, old.ID))
				}
				continue
			}
			s.add(Source{Routine: r})
		}
	}
	return s, errors.Join(errs...)
}

// MaxFileSize is the most a routine file may hold.
const MaxFileSize = 1 << 20

// ParseFile reads and parses one routine file. Only a regular file (or a
// symlink to one) is read, through the MaxFileSize cap: a FIFO, a device
// or a folder is refused at once with an error wrapping
// userfile.ErrNotRegular, a larger file with userfile.ErrTooLarge.
func ParseFile(path string) (*routine.Routine, error) {
	b, err := userfile.Read(path, "a routine file", MaxFileSize)
	if err != nil {
		return nil, err
	}
	return routine.Parse(path, b)
}

func (s *Set) add(src Source) {
	for i, x := range s.list {
		if x.Routine.ID == src.Routine.ID {
			s.list[i] = src
			return
		}
	}
	s.list = append(s.list, src)
}

// fromFile returns the user routine read from file, or nil.
func (s *Set) fromFile(file string) *routine.Routine {
	if s == nil {
		return nil
	}
	for _, x := range s.list {
		if !x.Builtin && x.Routine.File == file {
			return x.Routine
		}
	}
	return nil
}

// All returns the routines in order: built-in first, then user ones.
func (s *Set) All() []Source { return s.list }

// Find returns the routine with the given id, or a path to a routine file.
func (s *Set) Find(id string) (*routine.Routine, error) {
	if strings.HasSuffix(id, ".yaml") || strings.ContainsRune(id, os.PathSeparator) {
		return ParseFile(id)
	}
	var ids []string
	for _, x := range s.list {
		if x.Routine.ID == id {
			return x.Routine, nil
		}
		ids = append(ids, x.Routine.ID)
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrNotFound, id, strings.Join(ids, ", "))
}
