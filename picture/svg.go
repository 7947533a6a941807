package picture

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
)

// The SVG elements the pictures are drawn with, written by encoding/xml:
// no SVG is assembled from strings. Each element may carry data
// attributes (data-*) that say what it shows, in the timeline's or the
// history's own terms, so that a test (or a script) can read a picture
// back and check it against the data it was drawn from.

// svg is a whole document.
type svg struct {
	XMLName    xml.Name `xml:"svg"`
	NS         string   `xml:"xmlns,attr"`
	Width      num      `xml:"width,attr"`
	Height     num      `xml:"height,attr"`
	ViewBox    string   `xml:"viewBox,attr"`
	FontFamily string   `xml:"font-family,attr"`
	FontSize   num      `xml:"font-size,attr"`
	Title      string   `xml:"title"`
	Kids       []any
}

// group is a <g>: elements that belong together (one part, one day).
type group struct {
	XMLName xml.Name   `xml:"g"`
	Class   string     `xml:"class,attr,omitempty"`
	Data    []xml.Attr `xml:",any,attr"`
	Kids    []any
}

// rect is a <rect>, with an optional tooltip (<title>).
type rect struct {
	XMLName xml.Name   `xml:"rect"`
	X       num        `xml:"x,attr"`
	Y       num        `xml:"y,attr"`
	W       num        `xml:"width,attr"`
	H       num        `xml:"height,attr"`
	RX      num        `xml:"rx,attr,omitempty"`
	Fill    string     `xml:"fill,attr,omitempty"`
	Stroke  string     `xml:"stroke,attr,omitempty"`
	Class   string     `xml:"class,attr,omitempty"`
	Data    []xml.Attr `xml:",any,attr"`
	Tip     string     `xml:"title,omitempty"`
}

// text is a <text>.
type text struct {
	XMLName xml.Name   `xml:"text"`
	X       num        `xml:"x,attr"`
	Y       num        `xml:"y,attr"`
	Anchor  string     `xml:"text-anchor,attr,omitempty"`
	Size    num        `xml:"font-size,attr,omitempty"`
	Weight  string     `xml:"font-weight,attr,omitempty"`
	Fill    string     `xml:"fill,attr,omitempty"`
	Class   string     `xml:"class,attr,omitempty"`
	Data    []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
}

// line is a <line>.
type line struct {
	XMLName xml.Name   `xml:"line"`
	X1      num        `xml:"x1,attr"`
	Y1      num        `xml:"y1,attr"`
	X2      num        `xml:"x2,attr"`
	Y2      num        `xml:"y2,attr"`
	Stroke  string     `xml:"stroke,attr"`
	Width   num        `xml:"stroke-width,attr,omitempty"`
	Dash    string     `xml:"stroke-dasharray,attr,omitempty"`
	Class   string     `xml:"class,attr,omitempty"`
	Data    []xml.Attr `xml:",any,attr"`
	Tip     string     `xml:"title,omitempty"`
}

// polyline is a <polyline>: points as "x,y x,y ...".
type polyline struct {
	XMLName xml.Name   `xml:"polyline"`
	Points  string     `xml:"points,attr"`
	Stroke  string     `xml:"stroke,attr"`
	Width   num        `xml:"stroke-width,attr,omitempty"`
	Fill    string     `xml:"fill,attr"`
	Class   string     `xml:"class,attr,omitempty"`
	Data    []xml.Attr `xml:",any,attr"`
	Tip     string     `xml:"title,omitempty"`
}

// num is a length or coordinate, written with at most two decimals so
// that golden files do not change with the last bit of a float.
type num float64

// MarshalXMLAttr writes n with at most two decimals.
func (n num) MarshalXMLAttr(name xml.Name) (xml.Attr, error) {
	return xml.Attr{Name: name, Value: n.String()}, nil
}

// String is n with at most two decimals.
func (n num) String() string {
	return strconv.FormatFloat(math.Round(float64(n)*100)/100, 'f', -1, 64)
}

// data is a list of data-NAME attributes, given as name, value pairs.
func data(kv ...string) []xml.Attr {
	a := make([]xml.Attr, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		a = append(a, xml.Attr{Name: xml.Name{Local: "data-" + kv[i]}, Value: kv[i+1]})
	}
	return a
}

// write writes doc as an indented SVG file with its XML declaration.
func (doc *svg) write(w io.Writer) error {
	doc.NS = "http://www.w3.org/2000/svg"
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("picture: %w", err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
