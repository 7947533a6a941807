package main

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cued-dev/cued/internal/needs"
)

// TestTimelineSVG: `cued timeline ROUTINE --svg` writes a valid SVG that
// names each part, to standard output or to -o FILE; --png without
// rsvg-convert says which package has it; bad flag mixes are refused.
func TestTimelineSVG(t *testing.T) {
	home := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		file string // where the SVG goes ("": standard output)
	}{
		{"to standard output", []string{"timeline", "tspine-3way", "--svg"}, ""},
		{"to a file", []string{"timeline", "tspine-3way", "--svg", "-o", "3way.svg"}, "3way.svg"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, home, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if tt.file != "" {
				b, err := os.ReadFile(filepath.Join(home, tt.file))
				if err != nil {
					t.Fatal(err)
				}
				if fi, _ := os.Stat(filepath.Join(home, tt.file)); fi.Mode().Perm() != 0o644 {
					t.Errorf("the picture's mode is %v, want 0644", fi.Mode().Perm())
				}
				out = string(b)
			}
			checkSVG(t, out, "Arms extended", "Forward arm hug", "Stationary extension")
		})
	}
	t.Run("--png without rsvg-convert", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, errOut, code := runCLI(t, home, "timeline", "tspine-3way", "--png", "-o", "x.png")
		if code == 0 || !strings.Contains(errOut, "librsvg2-bin") {
			t.Errorf("exit %d, stderr %q; want a failure naming librsvg2-bin", code, errOut)
		}
		if _, err := os.Stat(filepath.Join(home, "x.png")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("x.png was written (%v)", err)
		}
	})
	for _, args := range [][]string{{"--png"}, {"--svg", "--png", "-o", "y"}, {"-o", "z.svg"}, {"--json", "--svg"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, home, append([]string{"timeline", "tspine-3way"}, args...)...)
			if code == 0 {
				t.Errorf("exit 0, want a refusal; stderr %q", errOut)
			}
		})
	}
}

// TestTimelinePNGFile: with rsvg-convert, --png -o writes a PNG.
func TestTimelinePNGFile(t *testing.T) {
	needs.Program(t, "rsvg-convert", "librsvg2-bin")
	home := t.TempDir()
	if _, errOut, code := runCLI(t, home, "timeline", "tspine-basic", "--png", "-o", "b.png"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(filepath.Join(home, "b.png"))
	if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Fatalf("b.png is not a PNG (%d bytes, %v)", len(b), err)
	}
}

// checkSVG parses s as XML with an <svg> root and checks that each of
// want is the text of some element.
func checkSVG(t *testing.T, s string, want ...string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	texts := map[string]bool{}
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not valid XML: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = v.Name.Local
			}
		case xml.CharData:
			texts[strings.TrimSpace(string(v))] = true
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	for _, w := range want {
		found := false
		for k := range texts {
			if strings.Contains(k, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no element says %q", w)
		}
	}
}
