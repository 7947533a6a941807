//go:build !unix

package userfile

import "os"

// openNonBlocking opens path read-only. Off Unix there are no FIFOs in the
// file system to block on, and Open has already refused devices.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
