package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"

	cued "github.com/cued-dev/cued"
	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/internal/userfile"
	"github.com/cued-dev/cued/playback"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
)

// Config mirrors config.yaml. Viper lives in this package only: every other
// package takes its own plain Options, built from this struct.
type Config struct {
	Session  SessionConfig   `mapstructure:"session"`
	Routines RoutinesConfig  `mapstructure:"routines"`
	Voice    VoiceConfig     `mapstructure:"voice"`
	Audio    AudioConfig     `mapstructure:"audio"`
	Daemon   DaemonConfig    `mapstructure:"daemon"`
	Desktop  DesktopConfig   `mapstructure:"desktop"`
	Schedule []ScheduleEntry `mapstructure:"schedule"`
}

// SessionConfig is the session section of config.yaml.
type SessionConfig struct {
	Level string        `mapstructure:"level"`
	Pace  string        `mapstructure:"pace"`
	Wait  time.Duration `mapstructure:"wait"`
	// TimeLeft is how often timed work says the time left (0: never).
	TimeLeft time.Duration `mapstructure:"time_left"`
}

// RoutinesConfig is the routines section of config.yaml.
type RoutinesConfig struct {
	Dirs []string `mapstructure:"dirs"`
}

// VoiceConfig is the voice section of config.yaml.
type VoiceConfig struct {
	Pack     string `mapstructure:"pack"`
	CacheDir string `mapstructure:"cache_dir"`
	Synth    string `mapstructure:"synth"`
}

// ToneConfig is one entry of audio.tones.
type ToneConfig struct {
	Freq    float64 `mapstructure:"freq"`
	FreqEnd float64 `mapstructure:"freq_end"`
	GainDB  float64 `mapstructure:"gain_db"`
}

// AudioConfig is the audio section of config.yaml.
type AudioConfig struct {
	Output   string                `mapstructure:"output"`
	Rate     int                   `mapstructure:"rate"`
	BufferMS int                   `mapstructure:"buffer_ms"`
	Format   string                `mapstructure:"format"`
	DuckDB   float64               `mapstructure:"duck_db"`
	Volume   VolumeConfig          `mapstructure:"volume"`
	Tones    map[string]ToneConfig `mapstructure:"tones"`
	Role     string                `mapstructure:"role"`
	// LatencyMS is the output's own delay beyond what it reports (a
	// Bluetooth headset's), subtracted from what status and the progress
	// line say was heard.
	LatencyMS int `mapstructure:"latency_ms"`
	// Wake is the wake-up hum for outputs that sleep in silence.
	Wake WakeConfig `mapstructure:"wake"`
}

// WakeConfig is audio.wake in config.yaml (see sequencer.Wake).
type WakeConfig struct {
	Preroll   time.Duration `mapstructure:"preroll"`
	After     time.Duration `mapstructure:"after"`
	KeepAlive bool          `mapstructure:"keepalive"`
}

// wake is c's wake-up hum as the sequencer takes it.
func (c WakeConfig) wake() sequencer.Wake {
	return sequencer.Wake{Preroll: c.Preroll, After: c.After, KeepAlive: c.KeepAlive}
}

// VolumeConfig is audio.volume in config.yaml (see audio.Volume).
type VolumeConfig struct {
	Master  float64 `mapstructure:"master" json:"master"`
	Voice   float64 `mapstructure:"voice" json:"voice"`
	Pacing  float64 `mapstructure:"pacing" json:"pacing"`
	Signals float64 `mapstructure:"signals" json:"signals"`
	Breath  float64 `mapstructure:"breath" json:"breath"`
}

// volume is c as the mixer takes it.
func (c VolumeConfig) volume() audio.Volume { return audio.Volume(c) }

// DaemonConfig is the daemon section of config.yaml.
type DaemonConfig struct {
	Socket    string `mapstructure:"socket"`
	LogLevel  string `mapstructure:"log_level"`
	DailyGoal int    `mapstructure:"daily_goal"`
}

// DesktopConfig is the desktop section of config.yaml: what `cued serve`
// offers on the desktop's D-Bus.
type DesktopConfig struct {
	MPRIS   bool          `mapstructure:"mpris"`
	Notify  bool          `mapstructure:"notify"`
	Inhibit bool          `mapstructure:"inhibit"`
	Routine string        `mapstructure:"routine"`
	Snooze  time.Duration `mapstructure:"snooze"`
}

// ScheduleEntry is one scheduled session.
type ScheduleEntry struct {
	At      string `mapstructure:"at"`
	Routine string `mapstructure:"routine"`
	Mode    string `mapstructure:"mode"`
	Level   string `mapstructure:"level"`
}

// maxConfigSize is the most a config file may hold.
const maxConfigSize = 1 << 20

// loadConfig reads the embedded defaults, then the config file at path or,
// for "", the first one found (./config.yaml, then
// $XDG_CONFIG_HOME/cued/config.yaml), then CUED_* environment variables,
// and rejects unknown keys. It returns the configuration and the file it
// came from ("" for the defaults alone).
func loadConfig(path string) (Config, string, error) {
	if path == "" {
		path = findConfig()
	}
	var file []byte
	if path != "" {
		b, err := userfile.Read(path, "a config file", maxConfigSize)
		if err != nil {
			return Config{}, "", fmt.Errorf("config: %w", err)
		}
		file = b
	}
	c, err := decodeConfig(file, path)
	if err != nil {
		return Config{}, "", err
	}
	return c, path, nil
}

// decodeConfig builds the configuration from the embedded defaults, the
// YAML of the config file at path (nil: none) and CUED_* environment
// variables, rejecting unknown keys and invalid values.
func decodeConfig(file []byte, path string) (Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(cued.DefaultConfig)); err != nil {
		return Config{}, fmt.Errorf("built-in config.yaml: %w", err)
	}
	if file != nil {
		if err := v.MergeConfig(bytes.NewReader(file)); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
	}
	v.SetEnvPrefix("CUED")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	var c Config
	where := "(built-in defaults and CUED_* environment)"
	if path != "" {
		where = path
	}
	err := v.Unmarshal(&c, func(dc *mapstructure.DecoderConfig) { dc.ErrorUnused = true })
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w (see config.yaml in the repository for every valid key)", where, err)
	}
	if err := c.validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", where, err)
	}
	return c, nil
}

func findConfig() string {
	if _, err := os.Stat("config.yaml"); err == nil {
		return "config.yaml"
	}
	if p := filepath.Join(configHome(), "cued", "config.yaml"); fileExists(p) {
		return p
	}
	return ""
}

func (c *Config) validate() error {
	var errs []error
	if _, err := routine.ParseLevel(c.Session.Level); err != nil {
		errs = append(errs, fmt.Errorf("session.%v", err))
	}
	if c.Audio.LatencyMS < 0 || c.Audio.LatencyMS > 2000 {
		errs = append(errs, fmt.Errorf("audio.latency_ms %d is out of range (0 to 2000)", c.Audio.LatencyMS))
	}
	if t := c.Session.TimeLeft; t != 0 && (t < sequencer.MinTimeLeft || t > sequencer.MaxTimeLeft) {
		errs = append(errs, fmt.Errorf("session.time_left %v is out of range (%v to %v, or 0s for never)", t, sequencer.MinTimeLeft, sequencer.MaxTimeLeft))
	}
	if err := c.Audio.Volume.volume().Check(); err != nil {
		errs = append(errs, fmt.Errorf("audio.volume: %w", err))
	}
	if err := c.Audio.Wake.wake().Check(); err != nil {
		errs = append(errs, fmt.Errorf("audio.wake: %w", err))
	}
	if _, err := sequencer.ParsePace(c.Session.Pace); err != nil {
		errs = append(errs, fmt.Errorf("session.pace %q is not a pace (timed or wait)", c.Session.Pace))
	}
	if w := c.Session.Wait; w < sequencer.MinWaitLength || w > sequencer.MaxWaitLength {
		errs = append(errs, fmt.Errorf("session.wait %v is out of range (%v to %v)", w, sequencer.MinWaitLength, sequencer.MaxWaitLength))
	}
	if c.Audio.Output != "" {
		if _, err := playback.ParseOutput(c.Audio.Output); err != nil {
			errs = append(errs, fmt.Errorf("audio.output %q is not an output (pulse, alsa, beep, or \"\" for the platform's default)", c.Audio.Output))
		}
	}
	if c.Audio.Rate != 44100 && c.Audio.Rate != 48000 {
		errs = append(errs, fmt.Errorf("audio.rate %d is not supported (44100 or 48000)", c.Audio.Rate))
	}
	if c.Audio.BufferMS < 10 || c.Audio.BufferMS > 2000 {
		errs = append(errs, fmt.Errorf("audio.buffer_ms %d is out of range (10 to 2000)", c.Audio.BufferMS))
	}
	if c.Audio.Format != "s16" && c.Audio.Format != "f32" {
		errs = append(errs, fmt.Errorf("audio.format %q is not a format (s16 or f32)", c.Audio.Format))
	}
	switch c.Voice.Synth {
	case "auto", "espeak-ng", "festival", "none":
	default:
		errs = append(errs, fmt.Errorf("voice.synth %q is not a choice (auto, espeak-ng, festival or none)", c.Voice.Synth))
	}
	if c.Desktop.Snooze < time.Minute || c.Desktop.Snooze > 12*time.Hour {
		errs = append(errs, fmt.Errorf("desktop.snooze %v is out of range (1m to 12h, e.g. 10m)", c.Desktop.Snooze))
	}
	return errors.Join(errs...)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, fallback)
}

func configHome() string { return xdgDir("XDG_CONFIG_HOME", ".config") }
func cacheHome() string  { return xdgDir("XDG_CACHE_HOME", ".cache") }
func stateHome() string  { return xdgDir("XDG_STATE_HOME", ".local/state") }

// playbackOptions are the device options of config c: its output and
// buffer.
// announceRole names the media role of cued's sound streams for the sound
// server (config audio.role): libpulse reads PULSE_PROP_media.role from
// the environment into the streams of this process and of its children
// (the daemon's sink child), under PulseAudio and pipewire-pulse alike, so
// that a role policy (module-role-ducking, WirePlumber's) lowers the
// user's music under cued. A role the user set in the environment wins;
// "" announces none.
func announceRole(c *Config) {
	if _, set := os.LookupEnv(roleEnv); !set && c.Audio.Role != "" {
		os.Setenv(roleEnv, c.Audio.Role)
	}
}

// roleEnv is libpulse's environment variable for the media.role property.
const roleEnv = "PULSE_PROP_media.role"

func playbackOptions(c *Config) playback.Options {
	return playback.Options{Output: playback.Output(c.Audio.Output), BufferMS: c.Audio.BufferMS}
}
