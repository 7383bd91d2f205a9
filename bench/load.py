#!/usr/bin/env python3
"""Latency under load and underruns, for issue 12 (one shape for the server). Compares elegyd builds given with
`--daemon LABEL=PATH` (e.g. the commit before the change and after it) on the same generated library, one after
the other in one run. Prints Markdown tables.

`status` subcommand: `status` round-trip p50/p99/max from one client while three other clients, each in its own
process, loop over `save` of a 16,384-song queue, `listfiles` of a 10,000-file directory and `albumart` of a
10 MiB cover (whole, in 1 MiB chunks). Also the same figures with no load.

`underruns` subcommand: plays 0.2-second tracks gaplessly to a paced output (PulseAudio's null sink) with a
100 ms buffer (`output.buffer_time`) while a `rescan` re-reads a 100,000-song library, and reads the underrun
count from `outputs` (a build without the count says so).

The library is hard links to one template FLAC (made once with sox), so generating 100,000 songs takes seconds.
"""

import argparse
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def make_template(directory, seconds):
    path = os.path.join(directory, f"template-{seconds}.flac")
    if not os.path.exists(path):
        subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", path, "synth", str(seconds), "sine", "440"],
                       check=True)
        subprocess.run(["metaflac", "--set-tag=ARTIST=Bench", "--set-tag=ALBUM=Load", "--set-tag=TITLE=Tone", path],
                       check=True)
    return path


# ext4 allows 65,000 links to one inode; a fresh copy of the template is taken well before that.
LINKS_PER_COPY = 50_000
_link_sources = {}


def link_many(template, directory, count, prefix=""):
    """Hard-links `count` files named after their number in `directory`, all with the template's contents."""
    os.makedirs(directory, exist_ok=True)
    source, used = _link_sources.get(template, (template, 0))
    for number in range(count):
        if used >= LINKS_PER_COPY:
            copy = f"{template}.copy{len(os.listdir(os.path.dirname(template)))}"
            shutil.copyfile(template, copy)
            source, used = copy, 0
        os.link(source, os.path.join(directory, f"{prefix}{number:06d}.flac"))
        used += 1
    _link_sources[template] = (source, used)


class Client:
    """A raw MPD-protocol client: one command, the whole answer up to OK or ACK."""

    def __init__(self, path, timeout=120):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = b""
        self.read_line()  # greeting

    def read_line(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def read_bytes(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def command(self, line):
        self.sock.sendall(line.encode() + b"\n")
        lines = []
        while True:
            got = self.read_line()
            if got == b"OK":
                return lines
            if got.startswith(b"ACK"):
                raise RuntimeError(f"{line}: {got.decode(errors='replace')}")
            if got.startswith(b"binary: "):
                self.read_bytes(int(got[8:]) + 1)
            lines.append(got.decode(errors="replace"))

    def close(self):
        self.sock.close()


def field(lines, name):
    prefix = name + ": "
    return next((line[len(prefix):] for line in lines if line.startswith(prefix)), None)


class Daemon:
    def __init__(self, binary, work, music, device="null", buffer_ms=None, env_extra=None):
        self.binary = binary
        self.work = work
        self.socket = os.path.join(work, "socket")
        self.music = music
        self.device = device
        self.buffer_ms = buffer_ms
        self.env_extra = env_extra or {}
        self.proc = None

    def start(self):
        for sub in ("config", "data", "cache", "state", "runtime"):
            os.makedirs(os.path.join(self.work, sub), mode=0o700, exist_ok=True)
        config = os.path.join(self.work, "elegy.toml")
        with open(config, "w") as f:
            f.write(f'music_directory = "{self.music}"\n[output]\ndevice = "{self.device}"\n')
            if self.buffer_ms:
                f.write(f"buffer_time = {self.buffer_ms}\n")
        env = dict(os.environ)
        env.update({
            "HOME": self.work, "XDG_CONFIG_HOME": os.path.join(self.work, "config"),
            "XDG_DATA_HOME": os.path.join(self.work, "data"), "XDG_CACHE_HOME": os.path.join(self.work, "cache"),
            "XDG_STATE_HOME": os.path.join(self.work, "state"), "XDG_RUNTIME_DIR": os.path.join(self.work, "runtime"),
        })
        env.update(self.env_extra)
        self.log = open(os.path.join(self.work, "elegyd.log"), "w")
        self.proc = subprocess.Popen([self.binary, "--socket", self.socket, "--config", config],
                                     stdout=self.log, stderr=self.log, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                return Client(self.socket)
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("elegyd did not answer")

    def wait_for_scan(self, client, songs, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = client.command("status")
            stats = client.command("stats")
            if field(status, "updating_db") is None and int(field(stats, "songs") or 0) >= songs:
                return
            time.sleep(0.1)
        raise RuntimeError("the scan did not finish")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


# ---------------------------------------------------------------- status under load


def loader(socket_path, lines, stop, counter):
    client = Client(socket_path, timeout=300)
    while not stop.is_set():
        for line in lines:
            client.command(line)
        with counter.get_lock():
            counter.value += 1
    client.close()


def measure_status(socket_path, seconds):
    client = Client(socket_path)
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        client.command("status")
        samples.append((time.perf_counter() - started) * 1000)
    client.close()
    samples.sort()
    return {
        "n": len(samples), "p50": samples[len(samples) // 2], "p99": samples[int(len(samples) * 0.99)],
        "max": samples[-1],
    }


def run_status(args):
    base = tempfile.mkdtemp(prefix="elegy-load-")
    try:
        template = make_template(base, 0.2)
        music = os.path.join(base, "music")
        link_many(template, os.path.join(music, "queue"), 16384)
        link_many(template, os.path.join(music, "many"), 10000)
        os.makedirs(os.path.join(music, "cover"))
        os.link(template, os.path.join(music, "cover", "song.flac"))
        with open(os.path.join(music, "cover", "cover.png"), "wb") as f:
            f.write(os.urandom(10 << 20))
        songs = 16384 + 10000 + 1
        albumart = ["binarylimit 1048576"] + [f"albumart cover/song.flac {offset}" for offset in range(0, 10 << 20, 1 << 20)]
        loads = [["save load replace"], ["listfiles many"], albumart]
        rows = []
        for label, binary in args.daemon:
            work = tempfile.mkdtemp(prefix=f"elegy-{label}-", dir=base)
            daemon = Daemon(binary, work, music)
            client = daemon.start()
            try:
                daemon.wait_for_scan(client, songs)
                client.command("add queue")
                client.command("save load")
                quiet = measure_status(daemon.socket, args.seconds)
                stop = multiprocessing.Event()
                counters = [multiprocessing.Value("i", 0) for _ in loads]
                workers = [multiprocessing.Process(target=loader, args=(daemon.socket, lines, stop, counter))
                           for lines, counter in zip(loads, counters)]
                for worker in workers:
                    worker.start()
                time.sleep(1)
                loaded = measure_status(daemon.socket, args.seconds)
                stop.set()
                for worker in workers:
                    worker.join(120)
                rows.append((label, quiet, loaded, [counter.value for counter in counters]))
            finally:
                client.close()
                daemon.stop()
        print(f"`status` round trip, ms ({args.seconds} s of back-to-back requests each; load: save of a 16,384-song "
              "queue, listfiles of 10,000 files, albumart of a 10 MiB cover, each looping in its own client)\n")
        print("| build | p50 idle | p99 idle | p50 loaded | p99 loaded | max loaded | requests loaded | "
              "save / listfiles / albumart loops |")
        print("|---|---|---|---|---|---|---|---|")
        for label, quiet, loaded, loops in rows:
            print(f"| {label} | {quiet['p50']:.3f} | {quiet['p99']:.3f} | {loaded['p50']:.3f} | {loaded['p99']:.3f} | "
                  f"{loaded['max']:.1f} | {loaded['n']} | {' / '.join(map(str, loops))} |")
    finally:
        shutil.rmtree(base, ignore_errors=True)


# ---------------------------------------------------------------- underruns during a rescan


class Pulse:
    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, mode=0o700, exist_ok=True)
        self.env = {"HOME": directory, "XDG_RUNTIME_DIR": directory, "PULSE_RUNTIME_PATH": directory}

    def start(self):
        env = dict(os.environ, **self.env)
        self.proc = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit",
             "--load=module-null-sink sink_name=null rate=44100 norewinds=1", "--load=module-native-protocol-unix",
             f"--log-target=file:{self.directory}/pulse.log"], env=env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("pulseaudio did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


def run_underruns(args):
    base = tempfile.mkdtemp(prefix="elegy-underruns-")
    try:
        short = make_template(base, 0.2)
        music = os.path.join(base, "music")
        link_many(short, os.path.join(music, "short"), args.tracks)
        per_directory = 1000
        for start in range(0, args.songs, per_directory):
            link_many(short, os.path.join(music, "library", f"{start // per_directory:03d}"),
                      min(per_directory, args.songs - start))
        rows = []
        for label, binary in args.daemon:
            pulse = Pulse(os.path.join(base, f"pulse-{label}"))
            pulse.start()
            work = tempfile.mkdtemp(prefix=f"elegy-{label}-", dir=base)
            daemon = Daemon(binary, work, music, device="pulse", buffer_ms=100, env_extra=pulse.env)
            client = daemon.start()
            try:
                daemon.wait_for_scan(client, args.songs + args.tracks)
                client.command("add short")
                client.command("play 0")
                time.sleep(1)
                first_song = int(field(client.command("status"), "song") or 0)
                # One rescan of a page-cached library takes about a second here: rescans follow each other for
                # `--seconds` so that many track joins happen while the scanner's threads are busy.
                started = time.monotonic()
                rescans = 0
                while time.monotonic() - started < args.seconds:
                    client.command("rescan")
                    rescans += 1
                    while field(client.command("status"), "updating_db") is not None:
                        time.sleep(0.05)
                rescan_seconds = time.monotonic() - started
                status = client.command("status")
                outputs = client.command("outputs")
                counted = [line.split("=", 1)[1] for line in outputs if line.startswith("attribute: underruns=")]
                buffer = [line.split("=", 1)[1] for line in outputs if line.startswith("attribute: buffer_time=")]
                joins = int(field(status, "song") or 0) - first_song
                rows.append((label, rescans, rescan_seconds, field(status, "state"), joins,
                             counted[0] if counted else "not counted by this build",
                             buffer[0] if buffer else "250 (fixed in this build)"))
            finally:
                client.close()
                daemon.stop()
                pulse.stop()
        print(f"Underruns while `rescan` re-reads {args.songs:,} songs, playing 0.2 s tracks gaplessly to PulseAudio's "
              "null sink (paced)\n")
        print("| build | buffer_time ms | rescans | seconds | state after | tracks joined meanwhile | underruns |")
        print("|---|---|---|---|---|---|---|")
        for label, rescans, seconds, state, joins, underruns, buffer in rows:
            print(f"| {label} | {buffer} | {rescans} | {seconds:.1f} | {state} | {joins} | {underruns} |")
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["status", "underruns"])
    parser.add_argument("--daemon", action="append", required=True, type=lambda text: tuple(text.split("=", 1)),
                        help="LABEL=PATH of an elegyd binary (repeatable)")
    parser.add_argument("--seconds", type=float, default=10, help="measuring time per phase (status), rescanning time (underruns)")
    parser.add_argument("--songs", type=int, default=100_000, help="library size (underruns)")
    parser.add_argument("--tracks", type=int, default=600, help="0.2 s tracks in the queue (underruns)")
    args = parser.parse_args()
    for _, binary in args.daemon:
        if not os.access(binary, os.X_OK):
            sys.exit(f"not an executable: {binary}")
    run_status(args) if args.what == "status" else run_underruns(args)


if __name__ == "__main__":
    main()
