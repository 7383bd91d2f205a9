"""The `elegy` client and Elegy's extensions (moods, mood, resolve, sleep) on the demo library, paced output."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import songs
from harness import elegy


@pytest.fixture(scope="module")
def daemon(start_daemon, demo_library, pulse):
    return start_daemon(demo_library, "pulse", pulse=pulse, name="elegy")


def status_json(daemon) -> dict:
    return json.loads(elegy(daemon, "status", "--json").stdout)


def queue_files(daemon) -> list[str]:
    return [song["file"] for song in json.loads(elegy(daemon, "queue", "--json").stdout)["songs"]]


@pytest.fixture(scope="module")
def resolved(daemon) -> dict:
    return json.loads(elegy(daemon, "resolve", "--json").stdout)


def test_status_human_and_json(daemon):
    human = elegy(daemon, "status").stdout
    assert re.search(r"volume:\s*\d+%", human), human
    status = status_json(daemon)
    for key in ("state", "song", "position", "queue_length", "elapsed", "duration", "volume", "repeat", "random",
                "single", "consume", "bitrate", "audio", "updating_db", "error", "mood", "sleep"):
        assert key in status, f"{key} missing from {status}"
    assert status["state"] in ("play", "pause", "stop")
    # The default subcommand is status.
    assert elegy(daemon).stdout == human


def test_add_play_queue_json(daemon, demo_library):
    elegy(daemon, "clear")
    elegy(daemon, "add", songs.DEMO_BEBOP_BLUE)
    elegy(daemon, "play")
    status = status_json(daemon)
    assert status["state"] == "play"
    assert status["song"]["file"] == songs.DEMO_BEBOP_BLUE
    assert status["song"]["title"] == "Blue"
    queue = json.loads(elegy(daemon, "queue", "--json").stdout)
    assert queue["current"] == 1
    assert [song["file"] for song in queue["songs"]] == [songs.DEMO_BEBOP_BLUE]
    elegy(daemon, "stop")


def test_moods(daemon):
    human = elegy(daemon, "moods").stdout
    assert "farewell" in human
    moods = json.loads(elegy(daemon, "moods", "--json").stdout)["moods"]
    assert len(moods) >= 10
    assert all(mood["name"] and mood["description"] for mood in moods)
    assert "farewell" in {mood["name"] for mood in moods}


def test_mood_farewell_plays_found_songs(daemon, resolved):
    elegy(daemon, "mood", "farewell")
    files = queue_files(daemon)
    assert files, "farewell found songs in the demo library"
    assert not set(files) & set(songs.DEMO_DECOYS)
    found_anywhere = {song["file"] for p in resolved["playlists"] for song in p["songs"] if song["status"] == "found"}
    assert set(files) <= found_anywhere
    status = status_json(daemon)
    assert status["state"] == "play"
    assert status["mood"] == "farewell"
    assert "mood: farewell" in elegy(daemon, "status").stdout


def test_resolve_json_shape(resolved):
    assert set(resolved) == {"playlists"}
    names = [playlist["name"] for playlist in resolved["playlists"]]
    assert "tearjerkers" in names
    for playlist in resolved["playlists"]:
        assert set(playlist) == {"name", "songs"}
        assert playlist["songs"]
        for song in playlist["songs"]:
            assert isinstance(song["title"], str) and song["title"]
            assert isinstance(song["artist"], str)
            if song["status"] == "found":
                assert set(song) - {"rejected"} == {"title", "artist", "status", "file", "score"}, song
                assert isinstance(song["file"], str) and song["file"]
                assert isinstance(song["score"], (int, float)) and 0 < song["score"] <= 1
                for refused in song.get("rejected", []):
                    assert set(refused) == {"file", "score", "reason"}, refused
                    assert refused["reason"].startswith("rejected: "), refused
                    assert refused["file"] != song["file"], song
            else:
                assert song["status"] == "missing", song
                assert set(song) == {"title", "artist", "status", "candidates"}, song
                for candidate in song["candidates"]:
                    assert set(candidate) == {"file", "score", "reason"}, candidate
                    assert isinstance(candidate["score"], (int, float))
                    assert isinstance(candidate["reason"], str) and candidate["reason"]


def test_resolve_names_the_rule_that_refused_an_off_vocal_file(resolved):
    michishirube = [song for p in resolved["playlists"] for song in p["songs"] if song["title"] == "Michishirube"]
    assert michishirube and all(song["status"] == "found" for song in michishirube), michishirube
    for song in michishirube:
        assert song["file"] == "Minori Chihara - Michishirube (TV Size).ogg", song
        refused = {entry["file"]: entry["reason"] for entry in song.get("rejected", [])}
        assert refused.get(songs.DEMO_OFF_VOCAL, "").startswith("rejected: off-vocal"), song


def test_resolve_finds_demo_songs_and_rejects_decoys(resolved, demo_library):
    found = [song for p in resolved["playlists"] for song in p["songs"] if song["status"] == "found"]
    found_files = {song["file"] for song in found}
    assert len(found_files) >= 5, found_files
    for file in found_files:
        assert (demo_library / file).is_file(), file
    for decoy in songs.DEMO_DECOYS:
        assert decoy not in found_files, f"decoy {decoy} was matched"
    blues = [song for song in found if song["title"] == "Blue"]
    assert blues, "Cowboy Bebop's Blue is in the demo library"
    assert {song["file"] for song in blues} == {songs.DEMO_BEBOP_BLUE}


def test_resolve_one_playlist_human_and_unknown(daemon, resolved):
    single = json.loads(elegy(daemon, "resolve", "tearjerkers", "--json").stdout)
    assert [p["name"] for p in single["playlists"]] == ["tearjerkers"]
    assert single["playlists"][0] == next(p for p in resolved["playlists"] if p["name"] == "tearjerkers")
    human = elegy(daemon, "resolve", "tearjerkers").stdout
    assert "Blue" in human and songs.DEMO_BEBOP_BLUE in human
    unknown = elegy(daemon, "resolve", "no-such-list", check=False)
    assert unknown.returncode == 1 and unknown.stderr.strip()


def test_load_tearjerkers_enqueues_only_found_songs(daemon, resolved):
    tearjerkers = next(p for p in resolved["playlists"] if p["name"] == "tearjerkers")
    expected = [song["file"] for song in tearjerkers["songs"] if song["status"] == "found"]
    assert expected
    elegy(daemon, "clear")
    elegy(daemon, "load", "tearjerkers")
    assert queue_files(daemon) == expected
    names = [p["name"] for p in json.loads(elegy(daemon, "playlists", "--json").stdout)["playlists"]]
    assert "tearjerkers" in names


def test_sleep_timer_shows_in_status(daemon):
    elegy(daemon, "mood", "farewell")
    elegy(daemon, "sleep", "30m")
    status = status_json(daemon)
    assert status["sleep"] is not None and 1790 <= status["sleep"] <= 1800, status
    assert re.search(r"sleep: (29|30)m left", elegy(daemon, "status").stdout)
    elegy(daemon, "sleep", "off")
    assert status_json(daemon)["sleep"] is None
    bad = elegy(daemon, "sleep", "soon", check=False)
    assert bad.returncode in (1, 2) and bad.stderr.strip()
    elegy(daemon, "stop")


def test_update_wait(daemon):
    result = elegy(daemon, "update", "--wait", timeout=60)
    assert result.returncode == 0
    assert status_json(daemon)["updating_db"] is None


def test_exit_codes(daemon, tmp_path):
    elegy(daemon, "clear")
    refused = elegy(daemon, "play", "99", check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip(), "the daemon's message goes to stderr"
    missing = elegy(daemon, "add", "no/such/file.flac", check=False)
    assert missing.returncode == 1
    usage = elegy(daemon, "volume", "loud", check=False)
    assert usage.returncode == 2
    dead = tmp_path / "dead.socket"
    import socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(dead))  # a socket file nobody listens on
    unreachable = elegy(daemon, "status", check=False, socket_path=str(dead))
    assert unreachable.returncode == 69, unreachable
    absent = elegy(daemon, "status", check=False, socket_path=str(tmp_path / "absent"))
    assert absent.returncode == 69
