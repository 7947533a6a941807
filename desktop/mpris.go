// The MPRIS player (https://specifications.freedesktop.org/mpris-spec/):
// org.mpris.MediaPlayer2 and its Player interface at /org/mpris/MediaPlayer2.

package desktop

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"

	"github.com/cued-dev/cued/daemon/api"
)

// The names MPRIS gives cued.
const (
	BusName     = "org.mpris.MediaPlayer2.cued"
	ObjectPath  = dbus.ObjectPath("/org/mpris/MediaPlayer2")
	RootIface   = "org.mpris.MediaPlayer2"
	PlayerIface = "org.mpris.MediaPlayer2.Player"
	// NoTrack is the track id while no session plays.
	NoTrack = dbus.ObjectPath("/org/mpris/MediaPlayer2/TrackList/NoTrack")
)

// mpris is the player object on one bus connection. Its D-Bus methods run
// on godbus's goroutines and touch only props (safe) and the daemon;
// update runs on the event loop's.
type mpris struct {
	conn  *dbus.Conn
	c     Controller
	o     *Options
	props *prop.Properties

	// session is the history id of the session the track ids count, and
	// serial how many sessions were seen (track ids must not repeat);
	// only update (the event loop) touches them.
	session string
	serial  int
}

// newMPRIS exports the player on conn and takes its bus name.
func newMPRIS(conn *dbus.Conn, c Controller, o *Options) (*mpris, error) {
	m := &mpris{conn: conn, c: c, o: o}
	props, err := prop.Export(conn, ObjectPath, m.initialProps())
	if err != nil {
		return nil, err
	}
	m.props = props
	// Position is read on demand (see position), never stored.
	if err := conn.ExportMethodTable(map[string]any{
		"Get":    m.get,
		"GetAll": m.getAll,
		"Set":    props.Set,
	}, ObjectPath, "org.freedesktop.DBus.Properties"); err != nil {
		return nil, err
	}
	if err := conn.ExportMethodTable(map[string]any{
		"Raise": func() *dbus.Error { return nil },
		"Quit":  func() *dbus.Error { return nil },
	}, ObjectPath, RootIface); err != nil {
		return nil, err
	}
	if err := conn.ExportMethodTable(m.playerMethods(), ObjectPath, PlayerIface); err != nil {
		return nil, err
	}
	if err := conn.Export(introspect.NewIntrospectable(m.introspection()), ObjectPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return nil, err
	}
	if err := requestName(conn); err != nil {
		return nil, err
	}
	return m, nil
}

// requestName takes org.mpris.MediaPlayer2.cued, or the instance name the
// specification gives a second player of the same name.
func requestName(conn *dbus.Conn) error {
	r, err := conn.RequestName(BusName, dbus.NameFlagDoNotQueue)
	if err != nil {
		return fmt.Errorf("request %s: %w", BusName, err)
	}
	if r == dbus.RequestNameReplyPrimaryOwner || r == dbus.RequestNameReplyAlreadyOwner {
		return nil
	}
	alt := fmt.Sprintf("%s.instance%d", BusName, os.Getpid())
	if r, err = conn.RequestName(alt, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("%s and %s are taken", BusName, alt)
	}
	return nil
}

func (m *mpris) initialProps() prop.Map {
	ro := func(v any) *prop.Prop { return &prop.Prop{Value: v, Emit: prop.EmitTrue} }
	konst := func(v any) *prop.Prop { return &prop.Prop{Value: v, Emit: prop.EmitConst} }
	return prop.Map{
		RootIface: {
			"CanQuit":             konst(false),
			"CanRaise":            konst(false),
			"HasTrackList":        konst(false),
			"Identity":            konst("cued"),
			"SupportedUriSchemes": konst([]string{}),
			"SupportedMimeTypes":  konst([]string{}),
		},
		PlayerIface: {
			"PlaybackStatus": ro("Stopped"),
			"Metadata":       ro(map[string]dbus.Variant{"mpris:trackid": dbus.MakeVariant(NoTrack)}),
			"Rate":           konst(1.0),
			"MinimumRate":    konst(1.0),
			"MaximumRate":    konst(1.0),
			// The master level, as a linear factor (see volumeOf).
			"Volume": {Value: 1.0, Writable: true, Emit: prop.EmitTrue, Callback: m.setVolume},
			// Position is answered by get; this entry is for
			// introspection only and is never announced.
			"Position":      {Value: int64(0), Emit: prop.EmitFalse},
			"CanGoNext":     ro(false),
			"CanGoPrevious": ro(false),
			"CanPlay":       ro(m.o.Routine != ""),
			"CanPause":      ro(false),
			"CanSeek":       konst(false),
			"CanControl":    konst(true),
		},
	}
}

// get is Properties.Get with Position read from the daemon.
func (m *mpris) get(iface, name string) (dbus.Variant, *dbus.Error) {
	if iface == PlayerIface && name == "Position" {
		return dbus.MakeVariant(m.position()), nil
	}
	return m.props.Get(iface, name)
}

// getAll is Properties.GetAll with Position read from the daemon.
func (m *mpris) getAll(iface string) (map[string]dbus.Variant, *dbus.Error) {
	all, err := m.props.GetAll(iface)
	if err == nil && iface == PlayerIface {
		all["Position"] = dbus.MakeVariant(m.position())
	}
	return all, err
}

// position is the position in the track (the part playing), in
// microseconds, as the daemon has it now.
func (m *mpris) position() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	st, err := m.c.Status(ctx)
	if err != nil {
		return 0
	}
	start, _ := trackSpan(st)
	return max(0, st.ElapsedMS-start) * 1000
}

// trackSpan is where the track (the part playing, or the whole session
// between parts) starts in the session and how long it is, in ms.
func trackSpan(st api.Status) (startMS, lengthMS int64) {
	if st.PartIndex >= 0 && st.PartLengthMS > 0 {
		return st.PartStartMS, st.PartLengthMS
	}
	return 0, st.LengthMS
}

func (m *mpris) playerMethods() map[string]any {
	verb := func(v api.Verb) func() *dbus.Error {
		return func() *dbus.Error {
			return m.do(func(ctx context.Context) error { _, err := m.c.Control(ctx, v); return err })
		}
	}
	return map[string]any{
		"Next":      verb(api.VerbNext),
		"Previous":  verb(api.VerbPrev),
		"Pause":     verb(api.VerbPause),
		"Stop":      verb(api.VerbStop),
		"Play":      func() *dbus.Error { return m.do(func(ctx context.Context) error { return m.play(ctx, false) }) },
		"PlayPause": func() *dbus.Error { return m.do(func(ctx context.Context) error { return m.play(ctx, true) }) },
		// CanSeek is false: the specification has these do nothing.
		"Seek":        func(int64) *dbus.Error { return nil },
		"SetPosition": func(dbus.ObjectPath, int64) *dbus.Error { return nil },
		"OpenUri": func(string) *dbus.Error {
			return dbus.NewError(BusName+".Error.NotSupported", []any{"cued plays its routines, not URIs"})
		},
	}
}

// do runs a control with a deadline; a refusal (nothing to pause) is no
// error, as MPRIS asks of a method that cannot act.
func (m *mpris) do(f func(ctx context.Context) error) *dbus.Error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := f(ctx); err != nil && !refused(err) {
		return dbus.MakeFailedError(err)
	}
	return nil
}

// play is Play (toggle false) and PlayPause (toggle true): resume a pause,
// go on from a wait, pause a session (toggle only), start the session a
// prompt offers, or start Options.Routine when nothing plays or waits.
func (m *mpris) play(ctx context.Context, toggle bool) error {
	st, err := m.c.Status(ctx)
	if err != nil {
		return err
	}
	switch st.State {
	case api.StatePaused:
		_, err = m.c.Control(ctx, api.VerbResume)
	case api.StatePlaying:
		// The daemon's rule: at a wait both go on; elsewhere toggle
		// pauses and resume does nothing.
		verb := api.VerbResume
		if toggle {
			verb = api.VerbToggle
		}
		_, err = m.c.Control(ctx, verb)
	case api.StatePrompt:
		_, err = m.c.Play(ctx, api.PlayRequest{})
	case api.StateIdle:
		if m.o.Routine != "" {
			_, err = m.c.Play(ctx, api.PlayRequest{Routine: m.o.Routine})
		}
	}
	return err
}

// update brings the properties to the status of e and emits what MPRIS
// announces: PropertiesChanged for what changed (never Position), Seeked
// after a skip or a recovery.
func (m *mpris) update(e api.Event) {
	st := e.Status
	want := map[string]any{
		"PlaybackStatus": playbackStatus(st),
		"Metadata":       m.metadata(st),
		"CanGoNext":      st.Session != "",
		"CanGoPrevious":  st.Session != "",
		"CanPlay":        st.State == api.StatePaused || st.State == api.StatePrompt || st.Session != "" || m.o.Routine != "",
		"CanPause":       st.Session != "",
		"Volume":         volumeOf(st.Volume.Master),
	}
	for name, v := range want {
		if !equalValue(m.props.GetMust(PlayerIface, name), v) {
			m.set(name, v)
		}
	}
	if e.Type == api.EventSeek || e.Type == api.EventRecovered {
		start, _ := trackSpan(st)
		_ = m.conn.Emit(ObjectPath, PlayerIface+".Seeked", max(0, st.ElapsedMS-start)*1000)
	}
}

// set stores a Player property and announces it. prop's SetMust panics
// when the announcement fails (the bus went away under it): the value is
// stored by then, and the lost bus is seen and handled by the event loop
// (keepConnected), so the panic is contained here. The bus may be gone
// before the connection knows it (a write's broken pipe comes first), so
// a network error counts as the bus going away too.
func (m *mpris) set(name string, v any) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		err, _ := r.(error)
		var op *net.OpError
		if m.conn.Connected() && !errors.As(err, &op) {
			panic(r) // not the bus going away: a bug to see
		}
	}()
	m.props.SetMust(PlayerIface, name, v)
}

// setVolume is a Set of Volume (a desktop's slider, `playerctl volume`):
// the daemon's master level becomes the factor's dB, within the daemon's
// range. A refusal leaves the property as it was.
func (m *mpris) setVolume(c *prop.Change) *dbus.Error {
	v, ok := c.Value.(float64)
	if !ok || math.IsNaN(v) {
		return dbus.MakeFailedError(fmt.Errorf("volume %v is not a number", c.Value))
	}
	db := masterOf(v, m.o.VolumeFloor)
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if _, err := m.c.Volume(ctx, api.VolumeRequest{Master: &db}); err != nil {
		return dbus.MakeFailedError(err) // refused too: the property stays
	}
	return nil
}

// masterOf is the master level in dB of MPRIS's Volume v, a linear factor
// (1: as designed, 0: silent): 20·log10(v), and floor for what is below
// it (0 included).
func masterOf(v, floor float64) float64 {
	if v <= 0 {
		return floor
	}
	return max(floor, 20*math.Log10(v))
}

// volumeOf is the factor of master level db.
func volumeOf(db float64) float64 { return math.Pow(10, db/20) }

// playbackStatus is MPRIS's word for the player's state.
func playbackStatus(st api.Status) string {
	switch st.State {
	case api.StatePlaying, api.StateStarting:
		return "Playing"
	case api.StatePaused:
		return "Paused"
	}
	return "Stopped"
}

// metadata describes the track: the part playing, titled by the part, with
// the routine as album; a track id that changes with the session and the
// part. A prompt shows what it offers.
func (m *mpris) metadata(st api.Status) map[string]dbus.Variant {
	md := map[string]dbus.Variant{}
	switch {
	case st.Session != "":
		if st.Session != m.session {
			m.session = st.Session
			m.serial++
		}
		id := dbus.ObjectPath(fmt.Sprintf("/org/cued/session%d/part%d", m.serial, st.PartIndex+1))
		_, length := trackSpan(st)
		title := st.Part
		if title == "" {
			title = st.Name
		}
		md["mpris:trackid"] = dbus.MakeVariant(id)
		md["mpris:length"] = dbus.MakeVariant(length * 1000)
		md["xesam:title"] = dbus.MakeVariant(title)
		md["xesam:album"] = dbus.MakeVariant(st.Name)
		md["xesam:artist"] = dbus.MakeVariant([]string{"cued"})
		md["xesam:trackNumber"] = dbus.MakeVariant(int32(st.PartIndex + 1))
	case st.Prompt != nil:
		md["mpris:trackid"] = dbus.MakeVariant(NoTrack)
		md["xesam:title"] = dbus.MakeVariant("Time for " + st.Prompt.Routine + ": press play")
		md["xesam:artist"] = dbus.MakeVariant([]string{"cued"})
	default:
		md["mpris:trackid"] = dbus.MakeVariant(NoTrack)
	}
	return md
}

// equalValue compares two property values as D-Bus would send them.
func equalValue(a, b any) bool {
	return dbus.MakeVariant(a).String() == dbus.MakeVariant(b).String()
}

func (m *mpris) introspection() *introspect.Node {
	arg := func(name, typ, dir string) introspect.Arg {
		return introspect.Arg{Name: name, Type: typ, Direction: dir}
	}
	noArgs := func(names ...string) []introspect.Method {
		var ms []introspect.Method
		for _, n := range names {
			ms = append(ms, introspect.Method{Name: n})
		}
		return ms
	}
	player := noArgs("Next", "Previous", "Pause", "PlayPause", "Stop", "Play")
	player = append(player,
		introspect.Method{Name: "Seek", Args: []introspect.Arg{arg("Offset", "x", "in")}},
		introspect.Method{Name: "SetPosition", Args: []introspect.Arg{arg("TrackId", "o", "in"), arg("Position", "x", "in")}},
		introspect.Method{Name: "OpenUri", Args: []introspect.Arg{arg("Uri", "s", "in")}})
	return &introspect.Node{
		Name: string(ObjectPath),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			prop.IntrospectData,
			{Name: RootIface, Methods: noArgs("Raise", "Quit"), Properties: m.props.Introspection(RootIface)},
			{Name: PlayerIface, Methods: player, Properties: m.props.Introspection(PlayerIface),
				Signals: []introspect.Signal{{Name: "Seeked", Args: []introspect.Arg{arg("Position", "x", "")}}}},
		},
	}
}
