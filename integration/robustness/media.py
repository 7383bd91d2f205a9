"""Test audio, good and hostile, written by the tests themselves (python's wave module, flac, lame)."""

import math
import os
import random
import shutil
import struct
import subprocess
import wave
from pathlib import Path


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
