"""python-mpd2 (unmodified) against elegyd, paced output, generated + demo library."""

from __future__ import annotations

import asyncio
import threading
import time

import mpd
import mpd.asyncio
import pytest

import harness
import songs

AURORA = "Aurora Lane/Northern Lights"


@pytest.fixture(scope="module")
def daemon(start_daemon, combined_library, pulse):
    return start_daemon(combined_library, "pulse", pulse=pulse, name="pympd")


def code(error: mpd.CommandError) -> int:
    """The ACK code (python-mpd2 3.1 gives an enum, older versions an int)."""
    return getattr(error.errno, "value", error.errno)


def wait_until_heard(client, timeout: float = 10) -> None:
    """Waits until playback is audibly under way (the engine's own `player` events are then behind us)."""
    deadline = time.monotonic() + timeout
    while float(client.status().get("elapsed", 0)) < 0.2:
        assert time.monotonic() < deadline, client.status()
        time.sleep(0.05)


@pytest.fixture
def client(daemon):
    client = mpd.MPDClient()
    client.timeout = 10
    client.connect(str(daemon.socket))
    yield client
    try:
        client.close()
    except Exception:
        pass
    client.disconnect()


def test_greeting_and_status_keys(client):
    assert client.mpd_version == "0.23.5"
    status = client.status()
    for key in ("volume", "repeat", "random", "single", "consume", "playlist", "playlistlength", "state"):
        assert key in status, status
    assert status["state"] in ("play", "pause", "stop")
    assert 0 <= int(status["volume"]) <= 100


def test_add_and_playlistinfo_records_start_with_file(client):
    client.clear()
    assert client.add(AURORA) is None
    client.add(f"{AURORA}/01 - First Light.flac")
    records = client.playlistinfo()
    assert [r["file"] for r in records] == [
        f"{AURORA}/01 - First Light.flac", f"{AURORA}/02 - Polar Night.flac",
        f"{AURORA}/03 - Ice Harbour.flac", f"{AURORA}/01 - First Light.flac"]
    for position, record in enumerate(records):
        assert next(iter(record)) == "file", record
        assert record["pos"] == str(position)
        assert record["title"] and record["artist"] == "Aurora Lane"
        assert record["format"] == "44100:16:2"
    ids = [r["id"] for r in records]
    assert len(set(ids)) == 4, "queue ids are unique"
    assert client.playlistid(ids[1])[0]["file"] == f"{AURORA}/02 - Polar Night.flac"


def test_playlistfind_and_playlistsearch_give_the_matching_queue_entries(client):
    """Exact and case-insensitive matches over the queue, with their positions, as MPD answers them."""
    client.clear()
    client.add(AURORA)
    client.add("Brook Tamsin/Paper Boats")
    found = client.playlistfind("artist", "Aurora Lane")
    assert [(r["pos"], r["title"]) for r in found] == [("0", "First Light"), ("1", "Polar Night"),
                                                       ("2", "Ice Harbour")]
    assert client.playlistfind("artist", "aurora lane") == []
    searched = client.playlistsearch("title", "harbour")
    assert [(r["pos"], r["file"]) for r in searched] == [
        ("2", f"{AURORA}/03 - Ice Harbour.flac"), ("3", "Brook Tamsin/Paper Boats/01 - Harbour Song.flac")]
    assert [r["pos"] for r in client.playlistsearch("(title contains 'o')")] == ["1", "2", "3", "4"]
    client.clear()


def test_playback_commands_return_nothing(client):
    client.clear()
    client.add(AURORA)
    assert client.play(0) is None
    assert client.status()["state"] == "play"
    assert client.pause(1) is None
    assert client.status()["state"] == "pause"
    assert client.seekcur(1) is None
    assert float(client.status()["elapsed"]) == pytest.approx(1.0, abs=0.3)
    assert client.pause(0) is None
    assert client.next() is None
    status = client.status()
    assert status["state"] == "play" and status["song"] == "1"
    assert client.currentsong()["title"] == "Polar Night"
    assert client.previous() is None
    assert client.setvol(70) is None
    assert client.status()["volume"] == "70"
    assert client.random(0) is None and client.repeat(0) is None
    assert client.single(0) is None and client.consume(0) is None
    assert client.ping() is None
    assert client.stop() is None
    assert client.status()["state"] == "stop"


def test_idle_in_a_thread_sees_anothers_next(daemon, client):
    client.clear()
    client.add(AURORA)
    client.play(0)
    wait_until_heard(client)
    result: list = []
    idler = mpd.MPDClient()
    idler.timeout = 15
    idler.connect(str(daemon.socket))

    def wait() -> None:
        result.append(idler.idle("player"))

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive()
    client.next()
    thread.join(10)
    idler.disconnect()
    assert result == [["player"]]
    client.stop()


def test_command_list_returns_per_command_results(client):
    client.clear()
    client.command_list_ok_begin()
    client.add(f"{AURORA}/01 - First Light.flac")
    client.addid(f"{AURORA}/02 - Polar Night.flac")
    client.status()
    client.ping()
    results = client.command_list_end()
    assert len(results) == 4
    assert results[0] is None
    assert int(results[1]) > 0  # addid's Id
    assert results[2]["playlistlength"] == "2"
    assert results[3] is None


def test_errors_have_mpd_codes(client):
    with pytest.raises(mpd.CommandError) as missing:
        client.add("nope")
    assert code(missing.value) == 50
    assert missing.value.command == "add"
    with pytest.raises(mpd.CommandError) as bad:
        client.setvol("x")
    assert code(bad.value) == 2
    assert bad.value.command == "setvol"
    with pytest.raises(mpd.CommandError) as failed_list:
        client.command_list_ok_begin()
        client.ping()
        client.add("nope")
        client.command_list_end()
    assert code(failed_list.value) == 50 and str(failed_list.value).startswith("[50@1] {add}"), failed_list.value
    assert client.ping() is None, "the connection survives errors"


def test_idle_and_noidle_with_the_asyncio_client(daemon, client):
    """python-mpd2's asyncio client sends `idle` whenever it is quiet for 0.1 s and `noidle` before every command:
    each command below interrupts an idle. An idle() consumer hears `player` after another client's `next`."""
    client.clear()
    client.add(AURORA)
    client.play(0)
    wait_until_heard(client)

    async def scenario() -> tuple[list[str], list[str]]:
        aclient = mpd.asyncio.MPDClient()
        await aclient.connect(str(daemon.socket))
        states = []
        for _ in range(4):
            states.append((await aclient.status())["state"])
            await asyncio.sleep(0.3)  # long enough for the client to enter idle
        heard: list[str] = []

        async def consume() -> None:
            async for subsystems in aclient.idle(["player"]):
                heard.extend(subsystems)
                return

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.5)
        await asyncio.get_running_loop().run_in_executor(None, client.next)
        await asyncio.wait_for(task, 10)
        states.append((await aclient.status())["song"])
        aclient.disconnect()
        return states, heard

    states, heard = asyncio.run(scenario())
    assert states == ["play"] * 4 + ["1"]
    assert heard == ["player"]
    client.stop()


def test_noidle_on_the_wire(daemon):
    """What python-mpd2's asyncio client sends, checked byte for byte: `noidle` ends an idle with `OK` (nothing
    changed) or with the changes; `noidle` when not idling gets no reply."""
    with harness.RawClient(daemon.socket) as raw:
        # Changes may still arrive from the previous test (the engine reports a stop once the device is closed):
        # idle until a second passes quietly, then noidle must end the idle with a bare OK.
        for _ in range(10):
            raw.send("idle\n")
            raw.sock.settimeout(1)
            try:
                changes = raw.response()
            except TimeoutError:
                break
            finally:
                raw.sock.settimeout(10)
            assert changes[-1] == "OK" and all(line.startswith("changed: ") for line in changes[:-1]), changes
        else:
            pytest.fail("the daemon never went quiet")
        raw.send("noidle\n")
        assert raw.response() == ["OK"]
        raw.send("noidle\n")
        assert raw.command("ping") == ["OK"]
        assert raw.command("setvol 55") == ["OK"]
        raw.send("idle mixer\n")
        assert raw.response() == ["changed: mixer", "OK"]


def test_tagtypes_limit_song_records(client):
    client.clear()
    client.add(f"{AURORA}/01 - First Light.flac")
    available = client.tagtypes()
    assert {"Artist", "Album", "Title", "Track"} <= set(available)
    client.tagtypes("clear")
    client.tagtypes("enable", "Artist")
    assert client.tagtypes() == ["Artist"]
    record = client.playlistinfo()[0]
    assert next(iter(record)) == "file"
    assert record["artist"] == "Aurora Lane"
    for tag in ("title", "album", "track"):
        assert tag not in record, record
    client.tagtypes("all")
    assert client.playlistinfo()[0]["title"] == "First Light"


def test_curated_playlists_load_found_demo_songs(client):
    names = [p["playlist"] for p in client.listplaylists()]
    for curated in ("tearjerkers", "heartbreak-26", "mixtape", "melancholy"):
        assert curated in names, names
    client.clear()
    client.load("tearjerkers")
    files = [r["file"] for r in client.playlistinfo()]
    assert files, "some tearjerkers are in the demo library"
    assert all(f.startswith("demo/") for f in files), files
    for decoy in songs.DEMO_DECOYS:
        assert f"demo/{decoy}" not in files
    listed = [entry["file"] if isinstance(entry, dict) else entry for entry in client.listplaylist("tearjerkers")]
    assert listed == files
    with pytest.raises(mpd.CommandError) as unknown:
        client.load("no-such-playlist")
    assert code(unknown.value) == 50


def test_searchaddpl_toggleoutput_and_binarylimit(client):
    """Commands some clients send without asking: a search added to a stored playlist, the output toggle, the
    binary chunk limit (accepted; MPD's minimum is 64)."""
    name = "searchaddpl-test"
    try:
        client.playlistclear(name)
        client.searchaddpl(name, "(Album contains 'northern')")
        songs = client.listplaylistinfo(name)
        assert songs and all(song["file"].startswith(AURORA) for song in songs), songs
        client.searchaddpl(name, "album", "Northern Lights")
        assert len(client.listplaylistinfo(name)) == 2 * len(songs)
    finally:
        client.rm(name)
    assert client.toggleoutput(0) is None
    with pytest.raises(mpd.CommandError) as missing:
        client.toggleoutput(7)
    assert code(missing.value) == 50
    assert client.binarylimit(128) is None
    with pytest.raises(mpd.CommandError) as small:
        client.binarylimit(10)
    assert code(small.value) == 2


def test_subscribe_readmessages_and_their_errors(daemon, client):
    """python-mpd2's message commands: messages wait until read, in order; MPD's ACK codes for a double subscribe
    (56), an unknown subscription (50) and a bad channel name (2)."""
    with harness.python_mpd_client(daemon.socket) as other:
        client.subscribe("rain")
        with pytest.raises(mpd.CommandError) as twice:
            client.subscribe("rain")
        assert code(twice.value) == 56
        assert "rain" in other.channels()
        other.sendmessage("rain", "first")
        other.sendmessage("rain", "second one")
        assert client.readmessages() == [{"channel": "rain", "message": "first"},
                                         {"channel": "rain", "message": "second one"}]
        assert client.readmessages() == []
        client.unsubscribe("rain")
        with pytest.raises(mpd.CommandError) as unknown:
            client.unsubscribe("rain")
        assert code(unknown.value) == 50
        with pytest.raises(mpd.CommandError) as bad:
            client.subscribe("no spaces allowed")
        assert code(bad.value) == 2
