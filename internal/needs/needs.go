// Package needs is for tests that run a system program: where the suite
// installs it (scripts/test, under CI), its absence fails the test;
// elsewhere the test is skipped, naming the Debian package to install.
package needs

import (
	"os"
	"os/exec"
	"testing"
)

// Program returns the path of the program name, from Debian's package
// pkg: under CI (CI set) a missing one fails t, elsewhere it skips t.
func Program(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing (scripts/test installs it: apt-get install %s)", name, pkg)
	}
	t.Skipf("%s is not installed (apt-get install %s)", name, pkg)
	return ""
}
