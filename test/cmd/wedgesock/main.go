// Command wedgesock stands in for a wedged sound server: it listens on a
// Unix socket, accepts every connection and never answers, until it is
// killed or -for has passed. The real-playback test points PULSE_SERVER
// at it to check that `cued play` gives up instead of hanging.
//
//	wedgesock [-for 30s] SOCKET
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	d := flag.Duration("for", 30*time.Second, "how long to run")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: wedgesock [-for 30s] SOCKET")
		os.Exit(2)
	}
	path := flag.Arg(0)
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wedgesock:", err)
		os.Exit(1)
	}
	defer os.Remove(path)
	time.AfterFunc(*d, func() { l.Close() })
	var held []net.Conn // kept open, never read or written
	for {
		c, err := l.Accept()
		if err != nil {
			break
		}
		held = append(held, c)
	}
	_ = held
}
