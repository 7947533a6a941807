//go:build unix

package userfile_test

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cued-dev/cued/internal/userfile"
)

// within fails the test instead of hanging when f takes longer than d.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still reading after %v: it blocked", d)
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "r.yaml")
	os.WriteFile(regular, []byte("id: x\n"), 0o644)
	link := filepath.Join(dir, "link.yaml")
	os.Symlink(regular, link)
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, make([]byte, 2<<20), 0o644)
	exact := filepath.Join(dir, "exact.yaml")
	os.WriteFile(exact, make([]byte, 1<<20), 0o644)
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s.yaml")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	tests := []struct {
		name, path string
		want       error  // nil: read
		msg        string // in the error's text
		size       int
	}{
		{"regular", regular, nil, "", 6},
		{"symlink to a regular file", link, nil, "", 6},
		{"exactly the cap", exact, nil, "", 1 << 20},
		{"over the cap", big, userfile.ErrTooLarge, big + ": larger than 1 MiB, the most a routine file may have", 0},
		{"fifo", fifo, userfile.ErrNotRegular, fifo + ": is a named pipe (FIFO), not a regular file", 0},
		{"device", "/dev/zero", userfile.ErrNotRegular, "/dev/zero: is a character device", 0},
		{"directory", dir, userfile.ErrNotRegular, dir + ": is a directory", 0},
		{"socket", sock, userfile.ErrNotRegular, "is a socket", 0},
		{"missing", filepath.Join(dir, "nope"), fs.ErrNotExist, "no such file", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			within(t, 2*time.Second, func() {
				b, err := userfile.Read(tt.path, "a routine file", 1<<20)
				if tt.want == nil {
					if err != nil || len(b) != tt.size {
						t.Errorf("got %d bytes, %v; want %d bytes", len(b), err, tt.size)
					}
					return
				}
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "\n") {
					t.Errorf("err %v; want %v with %q", err, tt.want, tt.msg)
				}
			})
		})
	}
}

// A FIFO that replaces a file after it was checked is still refused
// without blocking: Open checks the opened file again.
func TestDirFS(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.mp3"), []byte("ID3"), 0o644)
	syscall.Mkfifo(filepath.Join(dir, "b.mp3"), 0o644)
	fsys := userfile.DirFS{Dir: dir, What: "a voice clip"}
	within(t, 2*time.Second, func() {
		if b, err := fs.ReadFile(fsys, "a.mp3"); err != nil || string(b) != "ID3" {
			t.Errorf("a.mp3: %q %v", b, err)
		}
		if _, err := fs.ReadFile(fsys, "b.mp3"); !errors.Is(err, userfile.ErrNotRegular) {
			t.Errorf("b.mp3 (FIFO): %v", err)
		}
		if es, err := fs.ReadDir(fsys, "."); err != nil || len(es) != 2 {
			t.Errorf("ReadDir: %v %v", es, err)
		}
		if _, err := fsys.Open("../x"); err == nil {
			t.Error("../x opened")
		}
	})
}

func TestSize(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{{1 << 20, "1 MiB"}, {4 << 20, "4 MiB"}, {512 << 10, "512 KiB"}, {1000, "1000 bytes"}} {
		t.Run(tt.want, func(t *testing.T) {
			if got := userfile.Size(tt.n); got != tt.want {
				t.Errorf("Size(%d) = %q", tt.n, got)
			}
		})
	}
}
