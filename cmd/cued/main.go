// Command cued guides a mobility routine by sound alone: it compiles a
// routine into a timeline of spoken cues and tones, plays or renders it,
// and runs as a daemon controlled over a local socket.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd(newApp(os.Stderr)).Execute(); err != nil {
		var ec exitCode
		if asExit(err, &ec) {
			os.Exit(int(ec))
		}
		fmt.Fprintln(os.Stderr, "cued:", err)
		os.Exit(1)
	}
}
