package picture

// Helpers shared by the timeline's and the history's tests.

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"os/exec"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./picture -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what is drawn now (%d bytes against %d); if the change is meant, go test ./picture -update", path, len(got), len(want))
	}
}

// element is an SVG element read back: its name and attributes.
type element struct {
	name  string
	attrs map[string]string
}

// readSVG parses b as XML (failing the test where it is not) and returns
// its elements.
func readSVG(t *testing.T, b []byte) []element {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var els []element
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not valid XML: %v", err)
		}
		if s, ok := tok.(xml.StartElement); ok {
			e := element{name: s.Name.Local, attrs: map[string]string{}}
			for _, a := range s.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			els = append(els, e)
		}
	}
	if len(els) == 0 || els[0].name != "svg" {
		t.Fatal("no <svg> root element")
	}
	return els
}

// pngSize converts svg with rsvg-convert and reads the PNG's width and
// height from its IHDR chunk.
func pngSize(t *testing.T, svg []byte) (int, int) {
	t.Helper()
	c := exec.Command("rsvg-convert", "--format", "png")
	c.Stdin = bytes.NewReader(svg)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	png, err := c.Output()
	if err != nil {
		t.Fatalf("rsvg-convert: %v: %s", err, stderr.String())
	}
	if len(png) < 24 || string(png[1:4]) != "PNG" || string(png[12:16]) != "IHDR" {
		t.Fatalf("rsvg-convert wrote no PNG (%d bytes)", len(png))
	}
	return int(binary.BigEndian.Uint32(png[16:20])), int(binary.BigEndian.Uint32(png[20:24]))
}
