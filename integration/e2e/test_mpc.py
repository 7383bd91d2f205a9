"""mpc (Debian's, unmodified) against elegyd with a paced PulseAudio output."""

from __future__ import annotations

import os
import subprocess
import time

import mpd
import pytest

import harness
import songs
from harness import mpc

AURORA = "Aurora Lane/Northern Lights"


@pytest.fixture(scope="module")
def daemon(start_daemon, library, pulse):
    return start_daemon(library, "pulse", pulse=pulse, name="mpc")


def queue_album(daemon) -> None:
    mpc(daemon, "clear")
    mpc(daemon, "add", AURORA)


def elapsed(daemon) -> float:
    return float(daemon.status()["elapsed"])


def wait_until_heard(daemon, timeout: float = 10) -> None:
    """Waits until playback is audibly under way (the device is open and the clock runs)."""
    deadline = time.monotonic() + timeout
    while float(daemon.status().get("elapsed", 0)) < 0.2:
        assert time.monotonic() < deadline, daemon.status()
        time.sleep(0.05)


def test_update_then_listall(daemon):
    mpc(daemon, "update", "--wait")
    assert "updating_db" not in daemon.status()
    listed = mpc(daemon, "listall").stdout.splitlines()
    assert sorted(listed) == sorted(track.uri for track in songs.LIBRARY)


def test_add_root_and_playlist_shows_tags(daemon):
    mpc(daemon, "clear")
    mpc(daemon, "add", "/")
    shown = mpc(daemon, "playlist").stdout.splitlines()
    tracks = sorted(songs.LIBRARY, key=lambda track: track.uri)
    # The untagged FLAC is shown by its file: its path gives it no tags, as in MPD.
    assert shown == [track.display for track in tracks]


def test_play_status_seek_pause(daemon):
    queue_album(daemon)
    played = mpc(daemon, "play").stdout
    assert harness.mpc_state(played)[:3] == ("playing", 1, 3), played
    assert played.splitlines()[0] == "Aurora Lane - First Light"

    status = mpc(daemon, "status").stdout
    state, position, length, seconds = harness.mpc_state(status)
    assert (state, position, length) == ("playing", 1, 3), status
    assert "0:10 (" in status.splitlines()[1], status

    mpc(daemon, "seek", "5")
    status = mpc(daemon, "status").stdout
    assert harness.mpc_state(status)[0] == "playing", status
    assert harness.mpc_state(status)[3] == 5, status
    assert "0:05/0:10 (50%)" in status

    time.sleep(1.2)
    # The device's buffer refills after a seek: allow a little less than the wall-clock time.
    assert 5.7 <= elapsed(daemon) < 7.5, "elapsed must advance in real time on a paced output"

    paused = mpc(daemon, "pause").stdout
    assert harness.mpc_state(paused)[0] == "paused", f"{paused}\n{daemon.status()}\n{daemon.log_tail()}"
    time.sleep(0.3)  # the position settles on what was heard when the device stopped
    frozen = elapsed(daemon)
    time.sleep(1.5)
    assert elapsed(daemon) == pytest.approx(frozen, abs=0.01)
    status = mpc(daemon, "status").stdout
    assert harness.mpc_state(status)[0] == "paused", status

    resumed = mpc(daemon, "play").stdout
    assert harness.mpc_state(resumed)[:2] == ("playing", 1), resumed
    time.sleep(1.0)
    assert elapsed(daemon) > frozen + 0.5
    mpc(daemon, "stop")
    assert harness.mpc_state(mpc(daemon, "status").stdout)[0] is None


def test_next_prev_current(daemon):
    queue_album(daemon)
    mpc(daemon, "play", "1")
    assert mpc(daemon, "current").stdout.strip() == "Aurora Lane - First Light"
    moved = mpc(daemon, "next").stdout
    assert moved.splitlines()[0] == "Aurora Lane - Polar Night"
    assert harness.mpc_state(moved)[:2] == ("playing", 2)
    assert mpc(daemon, "current").stdout.strip() == "Aurora Lane - Polar Night"
    back = mpc(daemon, "prev").stdout
    assert back.splitlines()[0] == "Aurora Lane - First Light"
    assert harness.mpc_state(back)[:2] == ("playing", 1)
    mpc(daemon, "stop")
    assert mpc(daemon, "current").stdout == ""


def test_volume(daemon):
    assert "volume: 40%" in mpc(daemon, "volume", "40").stdout
    assert "volume: 40%" in mpc(daemon, "status").stdout
    assert daemon.status()["volume"] == "40"
    mpc(daemon, "volume", "100")


def test_modes_reflected_in_status(daemon):
    for mode in ("random", "repeat", "single", "consume"):
        mpc(daemon, mode, "on")
    line = [l for l in mpc(daemon, "status").stdout.splitlines() if l.startswith("volume:")][0]
    for mode in ("random", "repeat", "single", "consume"):
        assert f"{mode}: on" in line, line
    status = daemon.status()
    assert (status["random"], status["repeat"], status["single"], status["consume"]) == ("1", "1", "1", "1")
    for mode in ("random", "repeat", "single", "consume"):
        mpc(daemon, mode, "off")
    line = [l for l in mpc(daemon, "status").stdout.splitlines() if l.startswith("volume:")][0]
    for mode in ("random", "repeat", "single", "consume"):
        assert f"{mode}: off" in line, line


def test_save_clear_load_lsplaylists(daemon):
    queue_album(daemon)
    before = mpc(daemon, "playlist", "-f", "%file%").stdout.splitlines()
    assert len(before) == 3
    mpc(daemon, "save", "x")
    mpc(daemon, "clear")
    assert mpc(daemon, "playlist").stdout == ""
    mpc(daemon, "load", "x")
    assert mpc(daemon, "playlist", "-f", "%file%").stdout.splitlines() == before
    names = mpc(daemon, "lsplaylists").stdout.splitlines()
    assert "x" in names
    assert "tearjerkers" in names
    assert mpc(daemon, "playlist", "x").stdout.splitlines() == [
        "Aurora Lane - First Light", "Aurora Lane - Polar Night", "Aurora Lane - Ice Harbour"]
    saved = daemon.playlist_dir / "x.m3u"
    assert saved.exists() or saved.with_suffix(".m3u8").exists()
    # Saving over an existing playlist is refused, as in MPD.
    again = mpc(daemon, "save", "x", check=False)
    assert again.returncode != 0 and "exist" in again.stderr.lower(), again.stderr
    mpc(daemon, "rm", "x")
    assert "x" not in mpc(daemon, "lsplaylists").stdout.splitlines()


def test_idle_reports_player_after_another_clients_next(daemon):
    queue_album(daemon)
    mpc(daemon, "play")
    wait_until_heard(daemon)
    idler = subprocess.Popen(["mpc", "idle"], env=daemon.client_env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        assert idler.poll() is None, "mpc idle returned before anything changed"
        mpc(daemon, "next")
        out, err = idler.communicate(timeout=10)
    finally:
        if idler.poll() is None:
            idler.kill()
            idler.wait()
    assert idler.returncode == 0, err
    assert "player" in out.split(), out
    mpc(daemon, "stop")


def test_search_and_find(daemon):
    found = mpc(daemon, "search", "title", "polar").stdout.splitlines()
    assert found == [f"{AURORA}/02 - Polar Night.flac"]
    found = mpc(daemon, "find", "artist", "Brook Tamsin").stdout.splitlines()
    assert found == [track.uri for track in songs.GAPLESS_ALBUM]
    assert mpc(daemon, "find", "artist", "brook tamsin").stdout == "", "find is exact (case-sensitive)"
    found = mpc(daemon, "search", "artist", "cedar").stdout.splitlines()
    assert found == ["Cedar Hollow/Lanterns/01 - Quiet Rooms.mp3"]


def test_play_out_of_range_is_an_mpd_error(daemon):
    queue_album(daemon)
    result = mpc(daemon, "play", "99", check=False)
    assert result.returncode != 0
    assert "Bad song index" in result.stderr, result.stderr


def test_unknown_command_ack_exact(daemon):
    with harness.RawClient(daemon.socket) as client:
        assert client.greeting == "OK MPD 0.23.5"
        assert client.command("bogus") == ['ACK [5@0] {} unknown command "bogus"']
        assert client.command("ping") == ["OK"]


def test_status_right_after_a_command_shows_its_effect(daemon):
    """A client that asks right after `play`+`seekcur`, `next` or `pause` must see their effect, even while the
    audio thread is still opening the device for the previous command."""
    queue_album(daemon)
    with harness.RawClient(daemon.socket) as client:
        ids = [line.split(": ")[1] for line in client.command("playlistinfo") if line.startswith("Id: ")]
        for attempt in range(8):
            assert client.command("stop") == ["OK"]
            assert client.command("play 0") == ["OK"]
            assert client.command("seekcur 5") == ["OK"]
            status = client.fields("status")
            assert float(status["elapsed"]) >= 5, f"attempt {attempt}: after seekcur 5: {status}"
            assert client.command("next") == ["OK"]
            status = client.fields("status")
            assert status["songid"] == ids[1], f"attempt {attempt}: after next: {status}"
            current = client.fields("currentsong")
            assert current["Id"] == ids[1], f"attempt {attempt}: currentsong after next: {current}"
            assert client.command("pause 1") == ["OK"]
            assert client.fields("status")["state"] == "pause", f"attempt {attempt}"
        assert client.command("stop") == ["OK"]


def test_rescan_rereads_a_file_whose_size_and_mtime_did_not_change(start_daemon, session_root):
    """MPD's `rescan` reads every file again; `update` only new and changed ones. A tag edited in the FLAC's padding
    with the mtime preserved is invisible to `update` and picked up by `rescan`."""
    music = session_root / "rescan-music"
    album = music / "Artist" / "Album"
    album.mkdir(parents=True)
    song = album / "01 - Before.flac"
    harness.media.write_tone_flac(song, seconds=1)
    harness.media.run(["metaflac", "--set-tag=TITLE=Before", "--set-tag=ARTIST=Artist", str(song)])
    size = song.stat().st_size
    daemon = start_daemon(music, "null", name="rescan")
    assert mpc(daemon, "-f", "%title%", "listall").stdout.split() == ["Before"]

    harness.media.run(["metaflac", "--preserve-modtime", "--remove-tag=TITLE", "--set-tag=TITLE=Afters", str(song)])
    assert song.stat().st_size == size, "the edit must fit in the padding for this test to mean anything"
    mpc(daemon, "--wait", "update")
    assert mpc(daemon, "-f", "%title%", "listall").stdout.split() == ["Before"]
    mpc(daemon, "--wait", "rescan")
    assert mpc(daemon, "-f", "%title%", "listall").stdout.split() == ["Afters"]


def test_mpc_toggleoutput_and_outputs(daemon):
    """`mpc toggleoutput 1` (mpc numbers outputs from 1) is accepted; the one output stays enabled."""
    mpc(daemon, "toggleoutput", "1")
    assert "is enabled" in mpc(daemon, "outputs").stdout
    assert mpc(daemon, "toggleoutput", "2", check=False).returncode != 0


def test_client_to_client_messages_with_mpc(daemon):
    """`mpc waitmessage` subscribes and waits (idle message); `mpc sendmessage` reaches it; `mpc channels` lists the
    channel while someone listens; a message to a channel nobody listens on is an error."""
    waiter = subprocess.Popen(["mpc", "waitmessage", "rain"], env=daemon.client_env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while "rain" not in mpc(daemon, "channels").stdout.split():
            assert time.monotonic() < deadline, "the waiting mpc never subscribed"
            time.sleep(0.05)
        mpc(daemon, "sendmessage", "rain", "play the rain mood at 22:00")
        out, err = waiter.communicate(timeout=10)
        assert waiter.returncode == 0, err
        assert out.strip() == "play the rain mood at 22:00"
    finally:
        if waiter.poll() is None:
            waiter.kill()
    deadline = time.monotonic() + 10
    while "rain" in mpc(daemon, "channels").stdout.split():  # gone once the daemon sees the waiter disconnect
        assert time.monotonic() < deadline, "the channel outlived its only subscriber"
        time.sleep(0.05)
    failed = mpc(daemon, "sendmessage", "nobody-here", "x", check=False)
    assert failed.returncode != 0 and "nobody is subscribed" in failed.stderr


def test_albumart_in_chunks_with_mpc_and_python_mpd2(start_daemon, session_root):
    """`albumart` sends the song directory's cover in `binarylimit`-sized chunks; mpc and python-mpd2 put it back
    together byte for byte. A song without a cover, or an unknown song, gets ACK 50."""
    music = session_root / "albumart-music"
    with_cover, bare = music / "Artist" / "With Cover", music / "Artist" / "Bare"
    for directory in (with_cover, bare):
        directory.mkdir(parents=True)
        harness.media.write_tone_flac(directory / "01 - Song.flac")
    cover = os.urandom(20_000)
    (with_cover / "cover.jpg").write_bytes(cover)
    daemon = start_daemon(music, "null", name="albumart")
    uri = "Artist/With Cover/01 - Song.flac"

    out = subprocess.run(["mpc", "albumart", uri], env=daemon.client_env, capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == cover

    with harness.python_mpd_client(daemon.socket) as client:
        client.binarylimit(1000)
        art = client.albumart(uri)
        assert art["binary"] == cover
        for missing in ("Artist/Bare/01 - Song.flac", "Nobody/Nothing.flac"):
            with pytest.raises(mpd.CommandError) as error:
                client.albumart(missing)
            assert getattr(error.value.errno, "value", error.value.errno) == 50

    # On the wire: the total size, the chunk's length, the bytes, a newline, OK; an offset past the end is an error.
    with harness.RawClient(daemon.socket) as raw:
        assert raw.command("binarylimit 64") == ["OK"]
        raw.send(f'albumart "{uri}" 19990\n')
        assert raw.readline() == "size: 20000"
        assert raw.readline() == "binary: 10"
        assert raw.read_exactly(11) == cover[19990:] + b"\n"
        assert raw.readline() == "OK"
        assert raw.command(f'albumart "{uri}" 20001')[-1].startswith("ACK [2@0] {albumart}")


def test_listfiles_lists_every_file_with_size_and_time(start_daemon, session_root):
    """`listfiles` (python-mpd2): what is really in a directory, audio or not, directories first; dot files left
    out; a path leaving the music directory, or a missing one, is ACK 50."""
    music = session_root / "listfiles-music"
    album = music / "Artist" / "Album"
    (album / "Scans").mkdir(parents=True)
    harness.media.write_tone_flac(album / "01 - Song.flac")
    (album / "cover.jpg").write_bytes(b"x" * 1234)
    (album / ".hidden").write_text("no")
    daemon = start_daemon(music, "null", name="listfiles")
    with harness.python_mpd_client(daemon.socket) as client:
        listed = client.listfiles("Artist/Album")
        assert [entry.get("directory") or entry.get("file") for entry in listed] == [
            "Scans", "01 - Song.flac", "cover.jpg"]
        cover = next(entry for entry in listed if entry.get("file") == "cover.jpg")
        assert cover["size"] == "1234" and cover["last-modified"].endswith("Z")
        assert [entry.get("directory") for entry in client.listfiles()] == ["Artist"]
        for bad in ("../..", "Artist/Nope"):
            with pytest.raises(mpd.CommandError) as error:
                client.listfiles(bad)
            assert getattr(error.value.errno, "value", error.value.errno) == 50


def test_readpicture_sends_the_picture_embedded_in_a_flac(start_daemon, session_root):
    """`readpicture` (mpc and python-mpd2): the FLAC's embedded front cover, with its MIME type, in chunks; a song
    without one gets an empty, successful answer, as MPD gives."""
    music = session_root / "readpicture-music"
    music.mkdir()
    picture = os.urandom(5_000)
    (session_root / "picture.bin").write_bytes(picture)
    for name in ("with.flac", "without.flac"):
        harness.media.write_tone_flac(music / name)
    harness.media.run(["metaflac", f"--import-picture-from=3|image/png|front|1x1x24|{session_root / 'picture.bin'}",
             str(music / "with.flac")])
    daemon = start_daemon(music, "null", name="readpicture")

    out = subprocess.run(["mpc", "readpicture", "with.flac"], env=daemon.client_env, capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == picture

    with harness.python_mpd_client(daemon.socket) as client:
        client.binarylimit(512)
        found = client.readpicture("with.flac")
        assert found["binary"] == picture and found["type"] == "image/png"
        assert client.readpicture("without.flac") == {}
