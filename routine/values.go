package routine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// scalar returns the node's value when it is a scalar, or reports what
// was expected.
func (d *decoder) scalar(n *yaml.Node, key, want string) (string, bool) {
	if d.alias(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errf(n, "%s must be %s, not %s", key, want, describe(n))
		return "", false
	}
	return n.Value, true
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func (d *decoder) text(n *yaml.Node, key string) string {
	v, ok := d.scalar(n, key, "text")
	if ok && n.Tag != "!!str" {
		d.errf(n, "%s must be text, not %s (quote it)", key, describe(n))
		return ""
	}
	if ok && strings.TrimSpace(v) == "" {
		d.errf(n, "%s is empty (write the text)", key)
	}
	return strings.TrimSpace(v)
}

func (d *decoder) ident(n *yaml.Node, key string) string {
	v, ok := d.scalar(n, key, "an id")
	if ok && !idPattern.MatchString(v) {
		d.errf(n, "%s %q is not a valid id (lower-case letters, digits and dashes, at most 64)", key, v)
	}
	return v
}

func (d *decoder) boolean(n *yaml.Node, key string) bool {
	v, ok := d.scalar(n, key, "true or false")
	if !ok {
		return false
	}
	if n.Tag != "!!bool" {
		d.errf(n, "%s must be true or false, not %q", key, v)
		return false
	}
	b, _ := strconv.ParseBool(strings.ToLower(v))
	return b
}

func (d *decoder) integer(n *yaml.Node, key string, lo, hi int) int {
	v, ok := d.scalar(n, key, "a whole number")
	if !ok {
		return 0
	}
	i, err := strconv.Atoi(v)
	if n.Tag != "!!int" || err != nil {
		d.errf(n, "%s must be a whole number, not %q (%d to %d)", key, v, lo, hi)
		return 0
	}
	if i < lo || i > hi {
		d.errf(n, "%s %d is out of range (%d to %d)", key, i, lo, hi)
	}
	return i
}

// intRange reads "3", 3 or "2-3".
func (d *decoder) intRange(n *yaml.Node, key string, lo, hi int) IntRange {
	v, ok := d.scalar(n, key, "a count or a range")
	if !ok {
		return IntRange{}
	}
	want := fmt.Sprintf("a count from %d to %d, or a range such as 2-3", lo, hi)
	parts := strings.Split(strings.TrimSpace(v), "-")
	if len(parts) > 2 || strings.HasPrefix(v, "-") {
		d.errf(n, "%s %q is not a count or a range (%s)", key, v, want)
		return IntRange{}
	}
	var r [2]int
	for i, p := range parts {
		x, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			d.errf(n, "%s %q is not a count or a range (%s)", key, v, want)
			return IntRange{}
		}
		r[i] = x
	}
	if len(parts) == 1 {
		r[1] = r[0]
	}
	return d.checkIntRange(n, key, IntRange{r[0], r[1]}, lo, hi)
}

func (d *decoder) checkIntRange(n *yaml.Node, key string, r IntRange, lo, hi int) IntRange {
	switch {
	case r.Min > r.Max:
		d.errf(n, "%s %s has its low end above its high end (write it low-high, e.g. %d-%d)", key, r, r.Max, r.Min)
	case r.Min < lo || r.Max > hi:
		d.errf(n, "%s %s is out of range (%d to %d)", key, r, lo, hi)
	default:
		return r
	}
	return IntRange{}
}

// duration reads one duration with a unit: "45s", "1.5s", "2m", "500ms".
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("no unit")
	}
	return time.ParseDuration(s)
}

// durationRange reads "45s", "30s-60s" or "30-60s" (the unit of the high
// end applies to a bare low end).
func (d *decoder) durationRange(n *yaml.Node, key string, lo, hi time.Duration) DurationRange {
	v, ok := d.scalar(n, key, "a duration or a range")
	if !ok {
		return DurationRange{}
	}
	one, rng := durationExamples(lo, hi)
	want := fmt.Sprintf("a duration from %s to %s such as %s, or a range such as %s",
		FormatDuration(lo), FormatDuration(hi), one, rng)
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "-") {
		d.errf(n, "%s %q is negative (%s)", key, v, want)
		return DurationRange{}
	}
	parts := strings.Split(t, "-")
	if len(parts) > 2 {
		d.errf(n, "%s %q is not a duration or a range (%s)", key, v, want)
		return DurationRange{}
	}
	if len(parts) == 2 {
		if _, err := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64); err == nil {
			unit := strings.TrimLeft(strings.TrimSpace(parts[1]), "0123456789.")
			parts[0] = strings.TrimSpace(parts[0]) + unit
		}
	}
	var r [2]time.Duration
	for i, p := range parts {
		x, err := parseDuration(p)
		if err != nil {
			if err.Error() == "no unit" {
				d.errf(n, "%s %q needs a unit (%s)", key, v, want)
			} else {
				d.errf(n, "%s %q is not a duration or a range (%s)", key, v, want)
			}
			return DurationRange{}
		}
		if x%time.Millisecond != 0 {
			d.errf(n, "%s %q is finer than a millisecond (%s)", key, v, want)
			return DurationRange{}
		}
		r[i] = x
	}
	if len(parts) == 1 {
		r[1] = r[0]
	}
	res := DurationRange{r[0], r[1]}
	switch {
	case res.Min > res.Max:
		d.errf(n, "%s %s has its low end above its high end (write it low-high, e.g. %s-%s)",
			key, t, FormatDuration(res.Max), FormatDuration(res.Min))
	case res.Min < lo || res.Max > hi:
		d.errf(n, "%s %s is out of range (%s)", key, t, want)
	default:
		return res
	}
	return DurationRange{}
}

// durationExamples gives a value and a range within lo to hi for an error
// message: the usual ones (45s or 1m, 30s-60s) where they fit.
func durationExamples(lo, hi time.Duration) (string, string) {
	if lo <= 30*time.Second && hi >= time.Minute {
		return "45s or 1m", "30s-60s"
	}
	mid := ((lo + hi) / 2).Round(time.Second)
	return FormatDuration(mid), FormatDuration(lo) + "-" + FormatDuration(mid)
}

// single reads a duration that may not be a range.
func (d *decoder) single(n *yaml.Node, key string, lo, hi time.Duration) time.Duration {
	r := d.durationRange(n, key, lo, hi)
	if r.Min != r.Max {
		d.errf(n, "%s must be one duration, not a range (e.g. %s)", key, FormatDuration(r.Min))
	}
	return r.Min
}
