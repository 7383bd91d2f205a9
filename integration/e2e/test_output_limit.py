"""max_output_buffer_size: an answer past the limit is refused with an ACK (the client stays connected), and a
queue of 16,384 songs works under the default, through python-mpd2 and mpc."""

from __future__ import annotations

import os

import mpd
import pytest

import harness
from harness import media

ALBUMS, TRACKS = 60, 10  # 600 songs: `listallinfo` is about 110 KiB, `listall` about 30 KiB


@pytest.fixture(scope="module")
def many_songs(session_root):
    """600 hard links of one short FLAC, in 60 album directories."""
    root = session_root / "many"
    source = media.write_flac(session_root / "one.flac", seconds=0.1, title="Same Song", artist="Many Copies")
    for album in range(ALBUMS):
        directory = root / f"Album {album:03}"
        directory.mkdir(parents=True)
        for track in range(TRACKS):
            os.link(source, directory / f"{track + 1:02} - Copy.flac")
    return root


def start(session_root, music, name, config_text):
    root = session_root / name
    root.mkdir()
    config = root / "elegy.toml"
    config.write_text(config_text)
    daemon = harness.Elegyd(root, music, "null", config=config, verbose=True, inherit_env=False)
    daemon.start(limit=30)
    daemon.wait_scanned(limit=60)
    return daemon


@pytest.fixture(scope="module")
def limited(session_root, many_songs):
    daemon = start(session_root, many_songs, "limit64", "max_output_buffer_size = 64\n")
    yield daemon
    daemon.stop()


@pytest.fixture(scope="module")
def default(session_root, many_songs):
    daemon = start(session_root, many_songs, "limitdefault", "")
    yield daemon
    daemon.stop()


def connect(daemon) -> mpd.MPDClient:
    client = mpd.MPDClient()
    client.timeout = 30
    client.connect(str(daemon.socket))
    return client


def test_an_answer_past_the_limit_is_an_ack_and_the_client_stays(limited):
    client = connect(limited)
    try:
        with pytest.raises(mpd.CommandError) as refused:
            client.listallinfo()
        assert "Output buffer is full" in str(refused.value)
        assert "max_output_buffer_size (64 KiB)" in str(refused.value)
        # Same connection: a smaller answer is whole, and the daemon says in its log what it refused.
        assert len([entry for entry in client.listall() if "file" in entry]) == ALBUMS * TRACKS
        assert client.status()["state"] == "stop"
    finally:
        client.disconnect()
    assert "passed max_output_buffer_size and was refused" in limited.log_text()
    assert limited.alive()


def test_mpc_reports_the_refusal(limited):
    refused = harness.mpc(limited, "search", "artist", "Many Copies", check=False)
    assert refused.returncode != 0
    assert "Output buffer is full" in refused.stderr, refused
    found = harness.mpc(limited, "search", "filename", "Album 001/")
    assert len(found.stdout.splitlines()) == TRACKS


def test_a_queue_of_16384_songs_is_listed_saved_and_loaded_under_the_default(default):
    client = connect(default)
    try:
        client.clear()
        client.command_list_ok_begin()
        for _ in range(16384 // (ALBUMS * TRACKS)):
            client.add("")
        client.command_list_end()
        for index in range(16384 % (ALBUMS * TRACKS)):
            client.add(f"Album {index // TRACKS:03}/{index % TRACKS + 1:02} - Copy.flac")
        records = client.playlistinfo()
        assert len(records) == 16384
        assert [int(record["pos"]) for record in records] == list(range(16384))
        with pytest.raises(mpd.CommandError):
            client.add("Album 000/01 - Copy.flac")  # the queue's limit, as MPD's max_playlist_length
        client.save("sixteen-k")
        assert len(client.listplaylistinfo("sixteen-k")) == 16384
        client.clear()
        client.load("sixteen-k")
        assert int(client.status()["playlistlength"]) == 16384
    finally:
        client.disconnect()
    assert default.alive()
