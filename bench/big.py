#!/usr/bin/env python3
"""Issue 11's benchmark: elegyd and Debian's MPD on one large generated library (bench/biglibrary.py), side by side in
one run. Every operation runs on both daemons in turn (interleaved, minimum of --reps), and every answer is compared:
an operation whose answers differ is reported as such, so that no daemon wins by answering something else.

Prints a Markdown table. Run by bench/big.sh (which builds release and generates the library)."""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
import harness  # noqa: E402

# Lines that are not the same question for both daemons: the decoders differ (MPD's libmad gives 24-bit, Elegy
# float), lossy durations differ by a frame (MPD counts an MP3's encoder padding), and so do sums of them
# (`playtime`); queue ids are each daemon's own.
VOLATILE = (b"Format: ", b"Time: ", b"duration: ", b"playtime: ", b"Id: ", b"updating_db: ")
# Lines that start a record; within a record MPD prints tags in the file's order, Elegy in MPD's tag order, which
# no client depends on, so lines are compared sorted within each record and records in order.
RECORD_STARTS = (b"file: ", b"directory: ", b"playlist: ")


class FastClient:
    """A minimal MPD-protocol client: sends a command and reads the whole answer as bytes, so that the client's own
    cost stays small next to the daemon's even for answers of tens of megabytes."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(300)
        self.sock.connect(str(path))
        self.buffer = bytearray()
        self._read_until_line()  # greeting

    def _read_until_line(self):
        while b"\n" not in self.buffer:
            self._fill()
        end = self.buffer.index(b"\n") + 1
        line = bytes(self.buffer[:end])
        del self.buffer[:end]
        return line

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise EOFError("connection closed")
        self.buffer += chunk

    def command(self, text: str) -> bytes:
        self.sock.sendall(text.encode() + b"\n")
        while True:
            if self.buffer.endswith(b"\nOK\n") or self.buffer == b"OK\n":
                break
            last = self.buffer.rfind(b"\n", 0, len(self.buffer) - 1) + 1
            if self.buffer.endswith(b"\n") and self.buffer[last:].startswith(b"ACK "):
                break
            self._fill()
        answer = bytes(self.buffer)
        self.buffer.clear()
        return answer

    def close(self):
        self.sock.close()


class Contender:
    name = "?"

    def connect(self) -> FastClient:
        return FastClient(self.socket)

    def rss_mib(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def wait_answer(self, limit=600) -> float:
        """Seconds from now until the socket answers `ping`."""
        start = time.perf_counter()
        while time.perf_counter() - start < limit:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
            try:
                client = self.connect()
                client.command("ping")
                client.close()
                return time.perf_counter() - start
            except (OSError, EOFError):
                time.sleep(0.0005)
        raise RuntimeError(f"{self.name} did not answer")

    def wait_idle_db(self, songs: int, limit=1800):
        client = self.connect()
        try:
            deadline = time.perf_counter() + limit
            while time.perf_counter() < deadline:
                if b"updating_db" not in client.command("status"):
                    stats = client.command("stats").decode()
                    count = next((int(line.split(": ")[1]) for line in stats.splitlines()
                                  if line.startswith("songs: ")), 0)
                    if count >= songs:
                        return
                time.sleep(0.01)
            raise RuntimeError(f"{self.name}: library not complete after {limit} s")
        finally:
            client.close()


class MPD(Contender):
    name = "mpd"

    def __init__(self, work: Path, music: Path):
        self.work, self.music = work, music
        self.work.mkdir(parents=True, exist_ok=True)
        (work / "playlists").mkdir(exist_ok=True)
        self.socket = work / "socket"
        self.conf = work / "mpd.conf"
        # Answers of tens of MB (listallinfo of 100,000 songs) need a bigger output buffer than MPD's 8 MiB.
        self.conf.write_text(
            f'music_directory "{music}"\ndb_file "{work}/db"\nplaylist_directory "{work}/playlists"\n'
            f'bind_to_address "{self.socket}"\nauto_update "no"\nzeroconf_enabled "no"\n'
            'max_output_buffer_size "262144"\nmax_playlist_length "16384"\n'
            'audio_output {\n  type "null"\n  name "n"\n}\n')
        self.proc = None

    def start(self) -> float:
        if self.socket.exists():
            self.socket.unlink()
        self.log = open(self.work / "mpd.log", "ab")
        self.proc = subprocess.Popen(["mpd", "--no-daemon", "--stderr", str(self.conf)], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log, env={"HOME": str(self.work), "PATH": "/usr/bin:/bin"})
        return self.wait_answer()

    def forget_index(self):
        (self.work / "db").unlink(missing_ok=True)

    def scan(self):
        client = self.connect()
        client.command("update")
        client.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(60)
        self.proc = None


class Elegy(Contender):
    name = "elegyd"

    def __init__(self, work: Path, music: Path, binary: str):
        self.daemon = harness.Elegyd(work, music, "null", binary=binary, playlists=None,
                                     log_path=work / "elegyd.log")
        self.socket = self.daemon.socket
        self.proc = None

    def start(self) -> float:
        self.daemon.start(wait=False)
        self.proc = self.daemon.proc
        return self.wait_answer()

    def forget_index(self):
        self.daemon.forget_index()

    def scan(self):
        pass  # elegyd scans on its own when it starts without an index

    def stop(self):
        self.daemon.stop(limit=60, strict=False)
        self.proc = None


# Elegy lists its curated playlists among the stored ones (by design: MPD clients can load them); MPD has none.
CURATED = {f"playlist: {path.stem}".encode() for path in (Path(__file__).resolve().parents[1] / "Playlists").glob("*.toml")}


def normalized(answer: bytes) -> list[bytes]:
    lines, skipping = [], False
    for line in answer.split(b"\n"):
        if line.startswith(RECORD_STARTS):
            skipping = line in CURATED
        elif line in (b"OK", b"") or line.startswith(b"ACK "):
            skipping = False  # the end of the answer is never part of a record
        if not skipping and not line.startswith(VOLATILE):
            lines.append(line)
    return lines


def records(lines: list[bytes]) -> list[list[bytes]]:
    """Lines grouped into records, each record's lines after its first sorted."""
    grouped: list[list[bytes]] = []
    for line in lines:
        if line.startswith(RECORD_STARTS) or not grouped:
            grouped.append([line])
        else:
            grouped[-1].append(line)
    return [[record[0]] + sorted(record[1:]) for record in grouped]


def compare(answers: dict[str, bytes]) -> str:
    mpd, ours = normalized(answers["mpd"]), normalized(answers["elegyd"])
    if mpd == ours or records(mpd) == records(ours):
        return "same"
    if sorted(mpd) == sorted(ours):
        return "same lines, records in another order"
    missing = len(set(mpd) - set(ours))
    extra = len(set(ours) - set(mpd))
    return f"DIFFERENT ({missing} lines only in MPD's, {extra} only in elegyd's)"


def album_directories(music: Path) -> list[tuple[str, int]]:
    """Every directory holding songs, relative, with its song count, in a seeded random order."""
    found = []
    for directory, _, files in os.walk(music):
        count = sum(1 for name in files if name.endswith((".flac", ".mp3", ".m4a")))
        if count:
            found.append((os.path.relpath(directory, music), count))
    found.sort()
    random.Random(5).shuffle(found)
    return found


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--elegyd", required=True)
    parser.add_argument("--library", required=True, help="root written by biglibrary.py (its music/ is served)")
    parser.add_argument("--songs", type=int, required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--work", default="/tmp/elegy-big-work")
    parser.add_argument("--reuse-index", action="store_true",
                        help="keep the indexes of the last run in --work and skip the scan (for quick re-runs)")
    args = parser.parse_args()
    music = Path(args.library) / "music"
    work = Path(args.work)
    if not args.reuse_index:
        shutil.rmtree(work, ignore_errors=True)
    contenders = [MPD(work / "mpd", music), Elegy(work / "elegyd", music, args.elegyd)]
    rows = []

    # Scan from empty: spawn to a complete library.
    scan = {}
    for contender in contenders:
        if not args.reuse_index:
            contender.forget_index()
        began = time.perf_counter()
        contender.start()
        if not args.reuse_index:
            contender.scan()
        contender.wait_idle_db(args.songs)
        scan[contender.name] = time.perf_counter() - began
    rows.append(("scan from empty (spawn to complete library)" if not args.reuse_index
                 else "start with the index of the last run (spawn to complete library)", scan, "—"))
    rss_loaded = {c.name: c.rss_mib() for c in contenders}

    clients = {c.name: c.connect() for c in contenders}

    def timed(label, setup, command, compare_answers=True):
        best = {}
        answers = {}
        for _ in range(args.reps):
            for contender in contenders:
                client = clients[contender.name]
                for line in setup:
                    client.command(line)
                began = time.perf_counter()
                answer = client.command(command)
                elapsed = time.perf_counter() - began
                best[contender.name] = min(best.get(contender.name, elapsed), elapsed)
                answers[contender.name] = answer
        verdict = compare(answers) if compare_answers else "not compared"
        for name, answer in answers.items():
            if answer.startswith(b"ACK") or b"\nACK " in answer[-300:]:
                verdict += f"; {name}: {answer[-200:].decode(errors='replace').strip()}"
        rows.append((label, best, verdict))

    # Update with nothing changed: `update` and wait for its end. elegyd's first one after a start walks the whole
    # tree (stat of every file, as MPD's every one does); once that walk has ended with auto_update's watches on
    # every directory, later ones look only where events were (none here), so the two are rows of their own.
    first, best = {}, {}
    for rep in range(args.reps + 1):
        for contender in contenders:
            client = clients[contender.name]
            began = time.perf_counter()
            client.command("update")
            while b"updating_db" in client.command("status"):
                time.sleep(0.001)
            elapsed = time.perf_counter() - began
            if rep == 0:
                first[contender.name] = elapsed
            else:
                best[contender.name] = min(best.get(contender.name, 1e9), elapsed)
    rows.append(("update, nothing changed: first after start (one run)", first, "—"))
    rows.append(("update, nothing changed: later (elegyd: watched)", best, "—"))

    directories = album_directories(music)
    queue_dirs, total = [], 0
    for directory, count in directories:
        if total + count > 16000:
            continue
        queue_dirs.append(directory)
        total += count
    add_list = "command_list_begin\n" + "\n".join(f"add {quote(d)}" for d in queue_dirs) + "\ncommand_list_end"
    some_artist = queue_dirs[0].split("/")[0]
    library_ops = [
        (f"find artist (one of {len(set(d.split('/')[0] for d in queue_dirs))})", f"find artist {quote(some_artist)}"),
        ('search title "two words"', 'search title "rain night"'),
        ('search any "x"', 'search any "memo"'),
        ("search filter expression", "search \"((artist contains 'star') AND (album contains 'sky'))\""),
        ('search any "x" sort Album window 20:70', 'search any "memo" sort Album window 20:70'),
        ('search title "x" sort -Track', 'search title "rain" sort -Track'),
        ("list album group albumartist", "list album group albumartist"),
        ("list date", "list date"),
        ("count group artist", "count group artist"),
        ("lsinfo of an album", f"lsinfo {quote(queue_dirs[1])}"),
        ("lsinfo of the root", "lsinfo"),
        ("listall", "listall"),
        ("listallinfo", "listallinfo"),
    ]
    for label, command in library_ops:
        timed(label, [], command)

    timed(f"add of {len(queue_dirs)} directories (command list, {total} songs) to an empty queue", ["clear"],
          add_list)
    for label, command in [
        (f"playlistinfo ({total} songs)", "playlistinfo"),
        ("plchanges 0", "plchanges 0"),
        ('playlistsearch title "x"', 'playlistsearch title "rain"'),
    ]:
        timed(label, [], command)
    timed(f"save of the {total}-song queue", ["rm big-bench"], "save big-bench")
    timed(f"load of a {total}-song playlist", ["clear"], "load big-bench")
    timed("delete of a range (1000 songs)", [], "delete 0:1000", compare_answers=True)
    timed("move of a range (1000 songs)", [], "move 0:1000 2000")
    timed(f"shuffle of {total - 1000 * args.reps}+ songs", [], "shuffle", compare_answers=False)
    for client in clients.values():
        client.command("clear")
        client.close()
    # Settled memory, not the instant after the last command: both daemons get the same two seconds (elegyd
    # trims its heap a second after big answers and big removals).
    time.sleep(2)
    rss_end = {c.name: c.rss_mib() for c in contenders}

    # Startup with a cached index: spawn to the first answer.
    best = {}
    for _ in range(args.reps):
        for contender in contenders:
            contender.stop()
            best[contender.name] = min(best.get(contender.name, 1e9), contender.start())
    rows.append(("startup with the cached index (spawn to first answer)", best, "—"))
    for contender in contenders:
        contender.stop()

    print(f"{args.songs} songs ({music}); MPD {mpd_version()}; min of {args.reps}; times in ms\n")
    print("| Operation | elegyd | MPD | elegyd / MPD | answers |")
    print("|---|---:|---:|---:|---|")
    for label, times, verdict in rows:
        e, m = times["elegyd"] * 1000, times["mpd"] * 1000
        print(f"| {label} | {e:.1f} | {m:.1f} | {e / m:.2f}× | {verdict} |")
    print(f"| RSS after the scan (MiB) | {rss_loaded['elegyd']:.1f} | {rss_loaded['mpd']:.1f} | "
          f"{rss_loaded['elegyd'] / rss_loaded['mpd']:.2f}× | |")
    print(f"| RSS at the end (MiB) | {rss_end['elegyd']:.1f} | {rss_end['mpd']:.1f} | "
          f"{rss_end['elegyd'] / rss_end['mpd']:.2f}× | |")


def mpd_version():
    out = subprocess.run(["mpd", "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0].split()[-1] if out else "?"


if __name__ == "__main__":
    main()
