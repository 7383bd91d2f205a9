#!/usr/bin/env python3
"""Generates a large library quickly for bench/big.py: one short tone encoded once per format, then every song written
directly from that template with its own tags (FLAC: STREAMINFO + a VORBIS_COMMENT block + the template's frames;
MP3: an ID3v2.4 tag + the template's frames; M4A: the template copied and tagged with mutagen). No encoder runs per
song, so 100,000 songs take about a minute.

The library looks like a real one: artist albums and compilations (OSTs under "Various Artists", sorted by album
artist), multi-disc albums in Disc N folders, Japanese and romaji titles, some songs without date or genre. The same
seed gives the same library. Usage: biglibrary.py DIR [--songs N] [--seed S]"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

WORDS = ["blue", "rain", "night", "summer", "tears", "light", "memory", "sky", "farewell", "letter", "spring", "snow",
         "wind", "star", "promise", "dream", "home", "river", "song", "last", "train", "heart", "moon", "time"]
KANA = ["あめ", "よる", "なつ", "なみだ", "ひかり", "きおく", "そら", "さよなら", "てがみ", "はる", "ゆき", "かぜ", "ほし",
        "やくそく", "ゆめ", "いえ", "かわ", "うた", "さいご", "こころ", "つき", "とき"]
SHOWS = ["Anohana", "Clannad", "Your Lie in April", "Violet Evergarden", "Kanon", "Angel Beats", "Naruto",
         "Madoka Magica", "Erased", "Toradora", "Plastic Memories", "Air", "Grave of the Fireflies", "Hotarubi"]
GENRES = ["Anime", "J-Pop", "Soundtrack", "Rock", "Classical", "Ambient", "Jazz"]


def run(argv):
    result = subprocess.run(argv, capture_output=True)
    if result.returncode != 0:
        sys.exit(f"{argv[0]} failed: {result.stderr.decode(errors='replace')}")


def templates(work: Path) -> dict[str, bytes | Path]:
    """The template tone in each format: FLAC's STREAMINFO and frames, MP3's frames, an untagged M4A."""
    work.mkdir(parents=True, exist_ok=True)
    wav = work / "tone.wav"
    run(["sox", "-q", "-n", "-r", "44100", "-b", "16", "-c", "2", str(wav), "synth", "0.3", "sine", "440", "gain", "-6"])
    flac = work / "tone.flac"
    run(["flac", "-s", "-f", "--no-padding", "--no-seektable", "-o", str(flac), str(wav)])
    data = flac.read_bytes()
    assert data[:4] == b"fLaC"
    position, streaminfo = 4, None
    while True:
        header = data[position]
        length = int.from_bytes(data[position + 1:position + 4], "big")
        if header & 0x7F == 0:
            streaminfo = data[position + 4:position + 4 + length]
        position += 4 + length
        if header & 0x80:
            break
    mp3 = work / "tone.mp3"
    run(["lame", "--silent", "--noreplaygain", "-b", "128", str(wav), str(mp3)])
    m4a = work / "tone.m4a"
    run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-c:a", "aac", "-b:a", "96k", str(m4a)])
    return {"streaminfo": streaminfo, "flac_frames": data[position:], "mp3_frames": mp3.read_bytes(), "m4a": m4a}


def vorbis_block(tags: list[tuple[str, str]]) -> bytes:
    vendor = b"elegy-bench"
    body = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(tags))
    for key, value in tags:
        entry = f"{key}={value}".encode()
        body += struct.pack("<I", len(entry)) + entry
    return body


def syncsafe(value: int) -> bytes:
    return bytes([(value >> 21) & 0x7F, (value >> 14) & 0x7F, (value >> 7) & 0x7F, value & 0x7F])


ID3_FRAMES = {"TITLE": "TIT2", "ARTIST": "TPE1", "ALBUM": "TALB", "ALBUMARTIST": "TPE2", "TRACKNUMBER": "TRCK",
              "DISCNUMBER": "TPOS", "DATE": "TDRC", "GENRE": "TCON", "COMPOSER": "TCOM"}


def id3_tag(tags: list[tuple[str, str]]) -> bytes:
    frames = b""
    for key, value in tags:
        payload = b"\x03" + value.encode()
        frames += ID3_FRAMES[key].encode() + syncsafe(len(payload)) + b"\x00\x00" + payload
    return b"ID3\x04\x00\x00" + syncsafe(len(frames)) + frames


def write_flac(path: Path, template, tags):
    block = vorbis_block(tags)
    streaminfo = template["streaminfo"]
    path.write_bytes(b"fLaC" + bytes([0]) + len(streaminfo).to_bytes(3, "big") + streaminfo
                     + bytes([0x84]) + len(block).to_bytes(3, "big") + block + template["flac_frames"])


def write_mp3(path: Path, template, tags):
    path.write_bytes(id3_tag(tags) + template["mp3_frames"])


MP4_KEYS = {"TITLE": "\xa9nam", "ARTIST": "\xa9ART", "ALBUM": "\xa9alb", "ALBUMARTIST": "aART", "DATE": "\xa9day",
            "GENRE": "\xa9gen", "COMPOSER": "\xa9wrt"}


def write_m4a(path: Path, template, tags):
    from mutagen import mp4
    shutil.copyfile(template["m4a"], path)
    file = mp4.MP4(path)
    for key, value in tags:
        if key == "TRACKNUMBER":
            file["trkn"] = [(int(value), 0)]
        elif key == "DISCNUMBER":
            file["disk"] = [(int(value), 0)]
        else:
            file[MP4_KEYS[key]] = [value]
    file.save()


def title(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return "".join(rng.sample(KANA, 2))
    return " ".join(rng.sample(WORDS, rng.choice((1, 2, 3)))).title()


def generate(root: Path, songs: int, seed: int) -> int:
    rng = random.Random(seed)
    template = templates(root / ".template")
    music = root / "music"
    if music.exists():
        shutil.rmtree(music)
    written = 0
    album_number = 0
    artists = [f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}" for _ in range(1500)]
    while written < songs:
        album_number += 1
        compilation = rng.random() < 0.2
        discs = 2 if rng.random() < 0.1 else 1
        tracks = min(rng.randint(8, 14), max(1, (songs - written) // discs))
        album_artist = "Various Artists" if compilation else rng.choice(artists)
        album = (f"{rng.choice(SHOWS)} Original Soundtrack {album_number}" if compilation
                 else f"{title(rng)} {album_number}")
        date = None if rng.random() < 0.1 else str(rng.randint(1985, 2025))
        genre = None if rng.random() < 0.15 else rng.choice(GENRES)
        kind = rng.choices(("flac", "mp3", "m4a"), (0.5, 0.35, 0.15))[0]
        folder = music / (album_artist.replace("/", "_")) / album
        for disc in range(1, discs + 1):
            directory = folder / f"Disc {disc}" if discs > 1 else folder
            directory.mkdir(parents=True, exist_ok=True)
            for track in range(1, tracks + 1):
                if written >= songs:
                    break
                name = title(rng)
                artist = rng.choice(artists) if compilation else album_artist
                tags = [("TITLE", name), ("ARTIST", artist), ("ALBUM", album), ("ALBUMARTIST", album_artist),
                        ("TRACKNUMBER", str(track)), ("DISCNUMBER", str(disc))]
                if date:
                    tags.append(("DATE", date))
                if genre:
                    tags.append(("GENRE", genre))
                path = directory / f"{track:02d} - {name.replace('/', '_')}.{kind}"
                {"flac": write_flac, "mp3": write_mp3, "m4a": write_m4a}[kind](path, template, tags)
                written += 1
    return written


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    root = Path(args.dir)
    stamp = root / f".generated-{args.songs}-{args.seed}"
    if stamp.exists():
        print(f"{root}: {args.songs} songs already generated", file=sys.stderr)
        return
    for old in root.glob(".generated-*"):
        old.unlink()
    count = generate(root, args.songs, args.seed)
    stamp.write_text(str(count))
    print(f"{root}: wrote {count} songs", file=sys.stderr)


if __name__ == "__main__":
    main()
