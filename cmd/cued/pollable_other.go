//go:build !unix

package main

import "os"

// pollable returns f: off Unix the pipe is read as it is.
func pollable(_ int, f *os.File) *os.File { return f }
