"""Several clients at once, mixing commands answered on the event loop (queue edits, playback, status) with
commands run on the core's queue (stored playlists, moods), while the engine races through short tracks on the
unpaced `null` output and sends its events. Every answer must be OK or an expected ACK, and every `status` +
`currentsong` pair sent as one command list must agree: a batch sees one consistent state."""

import random
import threading
import time

from harness import media
from conftest import timeout

# ACKs a command may legitimately get while others change the queue under it: a bad argument such as an index
# past the end (2), no such song, playlist or mood match (50), not playing (55), playlist already saved (56).
EXPECTED_ACK_CODES = {"2", "50", "55", "56"}


def ack_code(line):
    return line[len("ACK ["):].split("@", 1)[0]


def worker(path, seed, seconds, failures, counts):
    from conftest import connect

    rng = random.Random(seed)
    conn = connect(path)
    playlist = f"stress-{seed}"
    began = time.monotonic()
    try:
        while time.monotonic() - began < seconds and not failures:
            choice = rng.random()
            if choice < 0.25:
                conn.send("command_list_ok_begin\nstatus\ncurrentsong\ncommand_list_end\n")
                lines = conn.response()
                assert lines[-1] == "OK", lines
                first = lines.index("list_OK")
                status = dict(line.split(": ", 1) for line in lines[:first])
                song = dict(line.split(": ", 1) for line in lines[first + 1:-2])
                if "songid" in status:
                    assert song.get("Id") == status["songid"], (status, song)
                    assert song.get("Pos") == status["song"], (status, song)
                    assert int(status["song"]) < int(status["playlistlength"]), status
                else:
                    assert song == {}, (status, song)
                counts["checked"] += 1
                continue
            line = rng.choice([
                'add ""', "play", "play 3", "next", "previous", "pause", "stop", "delete 0", "delete 0:3",
                "shuffle", "random 1", "random 0", "consume 1", "consume 0", "repeat 1", "seekcur 0.05",
                f"save {playlist}", f"load {playlist}", f"rm {playlist}", "listplaylists", "mood farewell",
                "clear", "playlistinfo", "move 0 1",
            ])
            lines = conn.command(line)
            last = lines[-1]
            if last.startswith("ACK "):
                assert ack_code(last) in EXPECTED_ACK_CODES, f"{line!r} -> {last}"
            else:
                assert last == "OK", f"{line!r} -> {lines[-3:]}"
            counts["commands"] += 1
    except Exception as error:  # noqa: BLE001 - reported by the test thread
        failures.append(f"client {seed}: {error!r}")
    finally:
        conn.close()


def test_clients_racing_the_engine_see_consistent_state(daemon_factory, long_mode, seed):
    seconds = 30 if long_mode else 8
    daemon = daemon_factory("concurrency")
    for index in range(12):
        media.write_wav(daemon.music / f"{index:02d}.wav", 0.05, freq=300 + 20 * index)
    daemon.start()
    daemon.wait_scanned()
    failures, counts = [], {"commands": 0, "checked": 0}
    threads = [threading.Thread(target=worker, args=(daemon.socket, seed + index, seconds, failures, counts))
               for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout(seconds + 60))
    daemon.assert_alive()
    assert not failures, "\n".join(failures) + "\n" + daemon.log_tail()
    assert counts["checked"] > 50 and counts["commands"] > 200, counts
    # Still serving, and its own view is consistent once everything has settled.
    conn = daemon.connect()
    conn.ok("stop")
    status = conn.fields("status")
    assert status["state"] == "stop", status
    conn.close()
