package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// picFlags are the flags of a command that can draw what it shows as a
// picture: --svg, --png and -o.
type picFlags struct {
	svg, png bool
	out      string
}

func (p *picFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&p.svg, "svg", false, "draw it as an SVG picture (to -o FILE, or standard output)")
	cmd.Flags().BoolVar(&p.png, "png", false, "draw it as a PNG picture (to -o FILE; needs rsvg-convert, Debian's librsvg2-bin)")
	cmd.Flags().StringVarP(&p.out, "output", "o", "", "the picture's file (with --svg or --png)")
}

// any reports whether a picture was asked for.
func (p *picFlags) any() bool { return p.svg || p.png }

// errRasteriser is wrapped when --png cannot find rsvg-convert.
var errRasteriser = errors.New("rsvg-convert not found (Debian: apt-get install librsvg2-bin; or use --svg)")

// write draws the picture with draw and writes it where the flags say: an
// SVG to -o or standard output, a PNG (the SVG converted by rsvg-convert)
// to -o. A file is written whole or not at all.
func (p *picFlags) write(cmd *cobra.Command, draw func(io.Writer) error) error {
	switch {
	case p.svg && p.png:
		return errors.New("--svg and --png: choose one")
	case p.out == "" && !p.png, p.out == "-" && !p.png:
		return draw(cmd.OutOrStdout())
	case p.out == "" || p.out == "-":
		return errors.New("--png needs -o FILE.png")
	}
	var buf bytes.Buffer
	if err := draw(&buf); err != nil {
		return err
	}
	if p.png {
		png, err := rasterise(cmd, buf.Bytes())
		if err != nil {
			return err
		}
		buf.Reset()
		buf.Write(png)
	}
	return writeWhole(p.out, buf.Bytes())
}

// rasterise converts an SVG to PNG with rsvg-convert.
func rasterise(cmd *cobra.Command, svg []byte) ([]byte, error) {
	path, err := exec.LookPath("rsvg-convert")
	if err != nil {
		return nil, fmt.Errorf("--png: %w", errRasteriser)
	}
	var out, stderr bytes.Buffer
	c := exec.CommandContext(cmd.Context(), path, "--format", "png")
	c.Stdin, c.Stdout, c.Stderr = bytes.NewReader(svg), &out, &stderr
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("--png: rsvg-convert: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out.Bytes(), nil
}

// writeWhole writes b to path whole or not at all (writeFileWhole).
func writeWhole(path string, b []byte) error {
	return writeFileWhole(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// writeFileWhole writes path through a temporary file in the same
// folder, renamed into place once write has succeeded: a reader never
// sees half a file, and a failure (or Ctrl-C) leaves the old one.
func writeFileWhole(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o644); err != nil { // CreateTemp's 0600 is for secrets
		f.Close()
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
