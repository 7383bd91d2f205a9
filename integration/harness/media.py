"""Test audio, good and hostile, written by the tests themselves: WAV and hostile files from Python (the wave
module, exact bytes), tones and noise from sox, encoded with flac/lame/oggenc/opusenc and tagged."""

import math
import os
import random
import shutil
import struct
import subprocess
import wave
from pathlib import Path

ENCODERS = {".flac": "flac", ".mp3": "lame", ".ogg": "oggenc", ".opus": "opusenc"}


def run(argv, **kwargs):
    """Runs a tool, failing loudly with its output when it fails."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def require(*tools):
    for tool in tools:
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is required (scripts/install-deps.sh installs it)")


# sox ----------------------------------------------------------------------------------------------------------


def synth(path, seconds, *effects, rate=44100, bits=16, channels=2):
    """`sox -n` into `path` (its format from the suffix): `synth SECONDS` followed by `effects`, e.g.
    ("sine", "440") or ("sine", "220", "pinknoise", "gain", "-n", "-3")."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    run(["sox", "-q", "-n", "-r", str(rate), "-b", str(bits), "-c", str(channels), str(path),
         "synth", str(seconds), *effects])
    return path


def write_tone_flac(path, seconds=0.2):
    """A short untagged 44.1 kHz 16-bit stereo FLAC of a 440 Hz tone (tests that need a file, not its sound)."""
    return synth(path, seconds, "sine", "440")


def encode(wav, path, title=None, artist=None, album=None, track=None):
    """Encodes `wav` into `path` by its suffix (.flac, .mp3 with ID3v2, .ogg, .opus), with the tags given."""
    path = Path(path)
    suffix = path.suffix.lower()
    require(ENCODERS[suffix])
    if suffix == ".flac":
        run(["flac", "-s", "-f", "-5", "-o", str(path), str(wav)])
        tags = [f"--set-tag={key}={value}" for key, value in
                (("TITLE", title), ("ARTIST", artist), ("ALBUM", album), ("TRACKNUMBER", track)) if value is not None]
        if tags:
            run(["metaflac", *tags, str(path)])
    elif suffix == ".mp3":
        tags = [flag for key, value in (("--tt", title), ("--ta", artist), ("--tl", album), ("--tn", track))
                if value is not None for flag in (key, str(value))]
        run(["lame", "--quiet", "-b", "192", "--id3v2-only", *tags, str(wav), str(path)])
    elif suffix == ".ogg":
        tags = [flag for key, value in (("-t", title), ("-a", artist), ("-l", album), ("-N", track))
                if value is not None for flag in (key, str(value))]
        run(["oggenc", "-Q", *tags, "-o", str(path), str(wav)])
    else:
        tags = [flag for key, value in (("--title", title), ("--artist", artist), ("--album", album),
                                        ("--tracknumber", track)) if value is not None for flag in (key, str(value))]
        run(["opusenc", "--quiet", *tags, str(wav), str(path)])
    return path


def write_song(path, seconds, *effects, **tags):
    """A sox-made sound (`synth` effects) encoded by the suffix of `path` and tagged (`encode`'s keywords)."""
    path = Path(path)
    wav = synth(path.with_suffix(".tmp.wav"), seconds, *effects)
    try:
        return encode(wav, path, **tags)
    finally:
        wav.unlink()


def decoded_pcm(path):
    """A FLAC's samples as signed 16-bit little-endian interleaved PCM (what a bit-perfect output receives)."""
    return subprocess.run(
        ["flac", "-d", "-s", "--force-raw-format", "--endian=little", "--sign=signed", "-c", str(path)],
        capture_output=True, check=True).stdout


def generate_demo_library(root):
    """scripts/demo-library.sh's messy library of curated songs and decoys, under `root`."""
    from .paths import REPO

    run(["bash", str(REPO / "scripts" / "demo-library.sh"), str(root)])


# Python-written WAV -------------------------------------------------------------------------------------------


def pcm16(seconds, rate=44100, channels=2, freq=440.0, amplitude=0.3):
    frames = int(seconds * rate)
    step = 2 * math.pi * freq / rate
    one = [int(32767 * amplitude * math.sin(step * i)) for i in range(min(frames, rate))]
    # Repeat a one-second period so that long files are cheap to make.
    samples = (one * (frames // max(1, len(one)) + 1))[:frames]
    data = bytearray()
    for value in samples:
        data += struct.pack("<h", value) * channels
    return bytes(data)


def write_wav(path, seconds=1.0, rate=44100, channels=2, freq=440.0):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm16(seconds, rate, channels, freq))
    return path


def write_silent_wav(path, seconds, rate=8000, channels=1):
    """A long file that is cheap to write: zeros."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        chunk = b"\0" * (rate * channels * 2)
        for _ in range(int(seconds)):
            out.writeframes(chunk)
    return path


def write_flac(path, seconds=1.0, title=None, artist=None, freq=440.0):
    path = Path(path)
    tmp = path.with_suffix(".tmp.wav")
    write_wav(tmp, seconds, freq=freq)
    args = ["flac", "-s", "-f", "--fast", "-o", str(path)]
    if title:
        args += ["-T", f"TITLE={title}"]
    if artist:
        args += ["-T", f"ARTIST={artist}"]
    subprocess.run(args + [str(tmp)], check=True)
    tmp.unlink()
    return path


def wav_header(channels, rate, bits=16, data_bytes=0, format_tag=1, fmt_extra=b""):
    block = max(1, channels) * bits // 8
    fmt = struct.pack("<HHIIHH", format_tag, channels, rate, rate * block, block, bits) + fmt_extra
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", data_bytes)
    return b"RIFF" + struct.pack("<I", len(body) + data_bytes - 4 + 4) + body


# Hostile contents ---------------------------------------------------------------------------------------------


def truncated_flac(path, keep=30):
    """A FLAC cut inside its STREAMINFO block: libsndfile cannot open it."""
    good = Path(str(path) + ".full.flac")
    write_flac(good, 1.0)
    Path(path).write_bytes(good.read_bytes()[:keep])
    good.unlink()


def zero_length(path):
    Path(path).write_bytes(b"")


def random_bytes(path, rng, size=64 * 1024):
    # No 0xFF bytes: MP3 decoders resynchronise on 0xFFE frame headers and would find "audio" in noise.
    Path(path).write_bytes(bytes(rng.randrange(0, 255) for _ in range(size)))


def zero_channel_wav(path):
    Path(path).write_bytes(wav_header(0, 44100, data_bytes=4096) + b"\0" * 4096)


def megahertz_wav(path):
    Path(path).write_bytes(wav_header(2, 1_000_000, data_bytes=40000) + b"\0" * 40000)


def vorbis_in_wav(path):
    """What lmms ships (effects/scratch01.ogg ...): a RIFF/WAVE whose fmt tag is 0x6771 (Vorbis mode 3+) with
    Ogg pages as its data; libsndfile refuses it."""
    ogg = b"OggS\0\x02" + b"\0" * 20 + b"\x01\x1e\x01vorbis" + b"\0" * 23
    extra = struct.pack("<H", 0)
    Path(path).write_bytes(wav_header(2, 44100, data_bytes=len(ogg), format_tag=0x6771, fmt_extra=extra) + ogg)


def fifo(path):
    os.mkfifo(path)


def symlink_loop(directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    os.symlink("..", directory / "up")          # a directory loop
    os.symlink("b.flac", directory / "a.flac")  # a file loop
    os.symlink("a.flac", directory / "b.flac")


def have_tools():
    return all(shutil.which(tool) for tool in ("flac",))


HOSTILE_WRITERS = {
    "truncated.flac": lambda p, rng: truncated_flac(p),
    "empty.wav": lambda p, rng: zero_length(p),
    "noise.mp3": lambda p, rng: random_bytes(p, rng),
    "zero-channels.wav": lambda p, rng: zero_channel_wav(p),
    "one-megahertz.wav": lambda p, rng: megahertz_wav(p),
    "vorbis-in.wav": lambda p, rng: vorbis_in_wav(p),
}


def make_rng(seed):
    return random.Random(seed)
