"""`list` and `count … group` over runs of songs, as Debian's MPD answers them. Elegy counts a song whose values equal
the previous song's without looking them up again (songs sorted by path come album by album); this library breaks
such runs in every way a real one does: a value that changes inside an album directory, a second value (two ARTIST
comments, two ALBUMs), a missing AlbumArtist that falls back to Artist, a song without tags in the middle of a run,
and a run that resumes after the break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import harness
from harness.media import run

# Path, then the flac -T tags of that file, in path order.
SONGS = [
    ("runs/a/01.flac", ["ALBUM=Run", "ALBUMARTIST=Alpha", "ARTIST=Xen", "DATE=2001", "GENRE=Anime"]),
    ("runs/a/02.flac", ["ALBUM=Run", "ALBUMARTIST=Alpha", "ARTIST=Xen", "ARTIST=Yui", "DATE=2001", "GENRE=Anime"]),
    ("runs/a/03.flac", ["ALBUM=Run", "ARTIST=Beta", "DATE=2001", "GENRE=Anime"]),
    ("runs/a/04.flac", ["ALBUM=Run", "ALBUMARTIST=Alpha", "ARTIST=Xen", "DATE=2002", "GENRE=Anime"]),
    ("runs/a/05.flac", ["ALBUM=Walk", "ALBUMARTIST=Alpha", "ARTIST=Xen", "GENRE=Anime"]),
    ("runs/a/06.flac", ["ALBUM=Walk", "ALBUMARTIST=Alpha", "ARTIST=Xen"]),
    ("runs/b/01.flac", ["ALBUM=Run", "ALBUM=Run Again", "ALBUMARTIST=Alpha", "ARTIST=Zed", "DATE=2001"]),
    ("runs/b/02.flac", []),
    ("runs/b/03.flac", ["ALBUM=Run", "ALBUMARTIST=Alpha", "ARTIST=Zed", "DATE=2001"]),
    ("runs/b/04.flac", ["ALBUM=Run", "ALBUMARTIST=Alpha", "ARTIST=Zed", "DATE=2001"]),
    ("runs/c/01.flac", ["ALBUM=Run", "ALBUMARTIST=Alpha", "ARTIST=Xen", "DATE=2001", "GENRE=Anime"]),
]

QUERIES = [
    "list album", "list date", "list albumartist", "list artist", "list genre",
    "list album group albumartist", "list album group date group artist", "list artist group album",
    "list genre group date", "list date group albumartist group genre", "list genre group album", "list title group album",
    "count group artist", "count group album", "count group date", "count group albumartist", "count group genre",
    "count albumartist Alpha group album", "list album albumartist Alpha group date",
]


@pytest.fixture(scope="module")
def servers(start_daemon, session_root):
    harness.media.require("sox", "flac")
    root = session_root / "list-runs-vs-mpd"
    shutil.rmtree(root, ignore_errors=True)
    music = root / "music"
    music.mkdir(parents=True)
    wav = harness.media.synth(root / "tone.wav", 0.2, "sine", "440", "gain", "-6")
    for path, tags in SONGS:
        target = music / path
        target.parent.mkdir(parents=True, exist_ok=True)
        title = ["-T", f"TITLE={Path(path).stem} {target.parent.name}"] if tags else []
        arguments = [argument for tag in tags for argument in ("-T", tag)] + title
        run(["flac", "-s", "-f", *arguments, "-o", str(target), str(wav)])
    mpd = harness.ReferenceMPD(root / "mpd", music).start()
    try:
        mpd.update()
        yield mpd, start_daemon(music, "null", name="list-runs")
    finally:
        mpd.stop()


@pytest.mark.parametrize("query", QUERIES)
def test_list_and_count_over_runs_answer_as_mpd_does(servers, query):
    mpd, daemon = servers
    mpd.assert_same_answer(daemon, query)
