"""Protocol fuzzing against the real daemon: ≥100,000 seeded inputs over many connections (--long: 1,000,000).

After the fuzz: the daemon is alive and answers `ping`, its RSS is within 2× of before, its fd count is back to the
baseline, no connection hung, and the queue (set up before, through another connection) is byte-identical.
"""

import concurrent.futures
import os
import time

from conftest import RSS_FACTOR, timeout
from fuzzgen import Generator, drive, quote
from harness import media
import results

DEFAULT_INPUTS = 100_000
LONG_INPUTS = 1_000_000
WORKERS = 4


def test_protocol_fuzz(daemon_factory, seed, long_mode):
    target = int(os.environ.get("ELEGY_FUZZ_INPUTS", 0)) or (LONG_INPUTS if long_mode else DEFAULT_INPUTS)
    daemon = daemon_factory("fuzz")
    for index in range(5):
        media.write_wav(daemon.music / f"Artist {index}" / f"0{index} - Song {index}.wav", 0.5, freq=300 + 50 * index)
    media.write_flac(daemon.music / "tagged.flac", 0.5, title="Rain", artist="Someone")
    daemon.start()
    daemon.wait_scanned()

    setup = daemon.connect()
    for path in sorted(p.relative_to(daemon.music).as_posix() for p in daemon.music.rglob("*.*")):
        setup.ok(f'add "{path}"')
    setup.ok("repeat 1")
    setup.send("playlistinfo\n")
    queue_before = setup.response()
    assert len([line for line in queue_before if line.startswith("file: ")]) == 6
    setup.close()
    moods = [line.split(": ", 1)[1] for line in daemon.command("moods") if line.startswith("mood: ")]

    time.sleep(0.2)
    rss_before = daemon.rss_kb()
    fds_before = daemon.fd_count()

    generator = Generator(seed, known_moods=moods)
    began = time.monotonic()
    stats = {"connections": 0, "answered": 0, "closed": 0, "hang": 0, "sent": 0, "received": 0,
             "unexpected_close": 0}
    hangs = []
    number = 0

    def jobs():
        nonlocal number
        while generator.inputs < target:
            number += 1
            lines, closes = generator.connection(generator.rng.randint(5, 200), huge=number % 300 == 1)
            sentinel = f"zzsentinel{seed}x{number}".encode()
            payload = b"\n".join(lines) + b"\nnoidle\ncommand_list_end\n" + sentinel + b"\n"
            yield number, payload, sentinel, closes

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        pending = set()
        for job in jobs():
            pending.add(pool.submit(run_one, daemon.socket, *job))
            if len(pending) >= WORKERS * 3:
                done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                collect(done, stats, hangs, daemon)
                daemon.assert_alive()
        done, _ = concurrent.futures.wait(pending)
        collect(done, stats, hangs, daemon)
    seconds = time.monotonic() - began

    daemon.assert_alive()
    check = daemon.connect()
    assert check.command("ping") == ["OK"]
    check.send("playlistinfo\n")
    queue_after = check.response()
    check.ok("stop")
    check.close()

    time.sleep(0.5)
    rss_after = daemon.rss_kb()
    fds_after = daemon.settled_fd_count(fds_before)
    summary = {
        "seed": seed, "inputs": generator.inputs, "connections": stats["connections"],
        "answered": stats["answered"], "closed_by_server": stats["closed"], "hangs": stats["hang"],
        "bytes_sent": stats["sent"], "bytes_received": stats["received"], "seconds": round(seconds, 1),
        "rss_kb_before": rss_before, "rss_kb_after": rss_after, "fds_before": fds_before, "fds_after": fds_after,
        "kinds": dict(sorted(generator.kinds.items())),
    }
    print("\nprotocol fuzz:", summary)
    results.record("protocol_fuzz_long" if long_mode else "protocol_fuzz", summary)

    assert not hangs, f"connections hung (no answer, no close) — seed {seed}: {hangs[:5]}"
    assert stats["unexpected_close"] == 0, f"the server closed {stats['unexpected_close']} connections early"
    assert generator.inputs >= target
    assert queue_after == queue_before, "the fuzz changed the queue"
    assert rss_after <= RSS_FACTOR * rss_before, f"RSS grew from {rss_before} kB to {rss_after} kB"
    assert fds_after <= fds_before, f"fds: {fds_before} before, {fds_after} after:\n{daemon.fd_listing()}"
    daemon.assert_alive()


def run_one(path, number, payload, sentinel, closes):
    result = drive(path, payload, sentinel, timeout(60))
    return number, closes, result


def collect(done, stats, hangs, daemon):
    for future in done:
        try:
            number, closes, result = future.result()
        except OSError as error:
            daemon.assert_alive()
            raise AssertionError(f"cannot talk to elegyd: {error}") from error
        stats["connections"] += 1
        stats["sent"] += result.sent
        stats["received"] += result.received
        outcome = result.outcome
        if outcome == "answered":
            stats["answered"] += 1
        elif outcome == "closed":
            stats["closed"] += 1
            if not closes:
                stats["unexpected_close"] += 1
        else:
            stats["hang"] += 1
            hangs.append((number, result.sent, result.received))


def test_fuzz_generator_is_reproducible():
    one, two = Generator(42), Generator(42)
    assert [one.connection(50) for _ in range(20)] == [two.connection(50) for _ in range(20)]
    assert quote(b'a"b\\') == b'"a\\"b\\\\"'
