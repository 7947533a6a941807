// Package userfile reads the files a user names or drops in a folder
// (routine files, a config file, voice clips): only a regular file is
// opened (a symlink to one is fine), it is opened without blocking, so a
// FIFO or a device never holds the caller, and it is read through a hard
// cap, so that a file that grows or lies about its size cannot exhaust
// memory.
package userfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Errors callers test with errors.Is.
var (
	// ErrNotRegular means the path names a FIFO, a device, a socket or a
	// directory: something that is not a regular file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge means the file holds more than the cap allows.
	ErrTooLarge = errors.New("file too large")
)

// Error is a refusal of a file: it names the file, what kind of file it is
// (for ErrNotRegular) or the cap (for ErrTooLarge), and what was expected.
type Error struct {
	// Path is the file as the caller named it.
	Path string
	// What is the kind of file the caller expected, as a noun phrase
	// ("a routine file").
	What string
	// Kind is what the path is when it is not a regular file ("a named
	// pipe (FIFO)").
	Kind string
	// Max is the cap, in bytes.
	Max int64
	// Err is ErrNotRegular or ErrTooLarge.
	Err error
}

func (e *Error) Error() string {
	if errors.Is(e.Err, ErrTooLarge) {
		return fmt.Sprintf("%s: larger than %s, the most %s may have", e.Path, Size(e.Max), e.What)
	}
	return fmt.Sprintf("%s: is %s, not a regular file (%s must be a regular file)", e.Path, e.Kind, e.What)
}

// Unwrap returns ErrNotRegular or ErrTooLarge.
func (e *Error) Unwrap() error { return e.Err }

// Read returns the contents of the regular file at path, of at most max
// bytes; what names the file for the error ("a routine file"). A path
// that is not a regular file is refused before it is opened, and again
// after (the file may have been replaced in between), without blocking; a
// file of more than max bytes is refused after max+1 bytes are read.
func Read(path, what string, max int64) ([]byte, error) {
	f, err := Open(path, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path, what, max)
}

// Open opens the regular file at path for reading, refusing (with an
// *Error wrapping ErrNotRegular) anything else, without blocking on a FIFO
// or a device.
func Open(path, what string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{Path: path, What: what, Kind: Kind(st.Mode()), Err: ErrNotRegular}
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, err
	}
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, &Error{Path: path, What: what, Kind: Kind(st.Mode()), Err: ErrNotRegular}
	}
	return f, nil
}

// ReadAll reads r through a cap of max bytes: max+1 bytes read means the
// file is too large. path and what name it in the error.
func ReadAll(r io.Reader, path, what string, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &Error{Path: path, What: what, Max: max, Err: ErrTooLarge}
	}
	return b, nil
}

// Kind names the kind of a file mode that is not a regular file, as a
// noun phrase.
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m.IsRegular():
		return "a regular file"
	}
	return "not a plain file (" + m.Type().String() + ")"
}

// Size formats a byte count as the caps are usually given: 1 MiB, 4 MiB,
// 512 KiB, or bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// DirFS is an fs.FS of the files under a folder, like os.DirFS, whose Open
// refuses what is neither a regular file nor a directory (a FIFO, a
// device, a socket) without blocking on it.
type DirFS struct {
	// Dir is the folder.
	Dir string
	// What names its files in errors ("a voice clip").
	What string
}

// Open opens name under the folder; see DirFS.
func (d DirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	full := filepath.Join(d.Dir, filepath.FromSlash(name))
	st, err := os.Stat(full)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return Open(full, d.What)
	}
	// A folder may be swapped for a FIFO between the Stat and the open:
	// open without blocking and look again.
	f, err := openNonBlocking(full)
	if err != nil {
		return nil, err
	}
	if st, err = f.Stat(); err != nil || !st.IsDir() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, &Error{Path: full, What: d.What, Kind: Kind(st.Mode()), Err: ErrNotRegular}
	}
	return f, nil
}

// Stat returns what name is (following symlinks), without opening it.
func (d DirFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	return os.Stat(filepath.Join(d.Dir, filepath.FromSlash(name)))
}
