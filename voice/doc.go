// Package voice turns voice packs into a bank of ready-to-mix clips.
//
// A voice pack is a folder (any fs.FS) whose root holds one recording per
// spoken cue, named <cue-id>.mp3 or <cue-id>.wav, and optionally a
// manifest.json written by sounds/generate. Load reads the clips a session
// needs from the packs given (a user's pack first, then the built-in one),
// decodes each file once, mixes it down to mono and resamples it once to the
// output rate, so that playing a session never decodes anything: the mixer
// only copies float32 samples out of the Bank.
//
// Decoding is the expensive part (go-mp3 runs at roughly 150 to 200 times
// real time on one core), so Load decodes only the clips asked for, in parallel,
// and keeps the decoded, resampled samples in a cache folder keyed by the
// SHA-256 of the file, the output rate and the decoder and resampler
// versions. A second run reads each clip with one file read.
//
// Files are judged by what they hold, never by what their headers claim: a
// truncated MP3 yields the samples that are really there, a WAV header that
// promises more frames than the file holds yields the frames present, and
// every file is capped in size (MaxFileSize) and length (MaxClipLength).
// MP3 files written by LAME (or ffmpeg) are trimmed of their encoder delay
// and padding using the LAME tag, so a clip decodes to exactly the samples
// that were encoded. Every load error names the file and the formats that
// are accepted.
//
// A cue that no pack has is never silent: Load speaks it with a speech
// synthesiser when one is installed (festival's text2wave or espeak-ng), or
// else plays a soft two-note stand-in tone, and logs one warning that names
// those cues.
//
// Check reports what is wrong with a pack (missing clips, unused clips,
// clips recorded for an older text, unreadable files) for `cued voices`.
package voice
