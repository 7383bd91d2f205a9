"""Connection floods: 300 simultaneous connections against the 256 limit, and 64 idle clients while another
hammers the queue. Nothing leaks: fds back to the baseline, RSS within 2×."""

import selectors
import socket
import time

from harness import media
import results
from conftest import RSS_FACTOR, timeout, wait_until

LIMIT = 256


def open_raw(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + timeout(10)
    while True:
        try:
            sock.connect(str(path))  # blocking: waits while the listen backlog is full
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    sock.settimeout(timeout(10))
    return sock


def read_first_line(sock):
    data = b""
    try:
        while b"\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data.split(b"\n", 1)[0].decode(errors="replace"), data


def test_300_simultaneous_connections(daemon_factory):
    daemon = daemon_factory("flood")
    daemon.start()
    time.sleep(0.2)
    fds_before = daemon.fd_count()
    rss_before = daemon.rss_kb()

    socks = [open_raw(daemon.socket) for _ in range(300)]
    greeted, refused, other = [], [], []
    for sock in socks:
        line, _ = read_first_line(sock)
        if line.startswith("OK MPD "):
            greeted.append(sock)
        elif line.startswith("ACK ") or line == "":
            refused.append((sock, line))
        else:
            other.append(line)
    assert not other, f"unexpected first lines: {other[:5]}"
    assert len(greeted) == LIMIT, f"{len(greeted)} greeted"
    assert len(refused) == 300 - LIMIT
    for sock, line in refused:
        assert line == "" or "too many" in line, line
        rest, _ = read_first_line(sock)  # refused connections are closed after the ACK
        assert rest == "", rest
    # Every admitted connection works.
    for sock in greeted[:: 17]:
        sock.sendall(b"ping\n")
        assert read_first_line(sock)[0] == "OK"
    fds_full = daemon.fd_count()

    for sock in socks:
        sock.close()
    fds_after = daemon.settled_fd_count(fds_before)
    conn = daemon.connect()  # admission is back: new connections get the greeting
    assert conn.greeting.startswith("OK MPD ")
    assert conn.command("ping") == ["OK"]
    conn.close()
    more = [daemon.connect() for _ in range(LIMIT)]  # and all 256 slots are free again
    for extra in more:
        extra.close()
    fds_after = daemon.settled_fd_count(fds_before)
    rss_after = daemon.rss_kb()
    figures = {"connections": 300, "greeted": len(greeted), "refused": len(refused), "fds_before": fds_before,
               "fds_with_256_clients": fds_full, "fds_after": fds_after, "rss_kb_before": rss_before,
               "rss_kb_after": rss_after}
    print("\nflood:", figures)
    results.record("flood_300", figures)
    assert fds_after <= fds_before, f"fds: {fds_before} before, {fds_after} after:\n{daemon.fd_listing()}"
    assert rss_after <= RSS_FACTOR * rss_before
    daemon.assert_alive()


class IdleClient:
    def __init__(self, path, subsystems=b""):
        self.sock = open_raw(path)
        line, rest = read_first_line(self.sock)
        assert line.startswith("OK MPD "), line
        self.sock.setblocking(False)
        self.buffer = b""
        self.subsystems = subsystems
        self.events = {}
        self.responses = 0
        self.last_event = 0.0
        self.idle()

    def idle(self):
        self.sock.sendall(b"idle" + self.subsystems + b"\n")

    def on_readable(self):
        data = self.sock.recv(65536)
        if not data:
            raise AssertionError("idle client disconnected")
        self.buffer += data
        while b"OK\n" in self.buffer or b"ACK " in self.buffer:
            if self.buffer.startswith(b"ACK "):
                raise AssertionError(f"idle answered with {self.buffer[:200]!r}")
            response, self.buffer = self.buffer.split(b"OK\n", 1)
            for line in response.decode().splitlines():
                assert line.startswith("changed: "), line
                name = line[9:]
                self.events[name] = self.events.get(name, 0) + 1
            self.responses += 1
            self.last_event = time.monotonic()
            self.idle()  # re-idle at once, as clients do


def test_idle_clients_while_hammering(daemon_factory, long_mode):
    seconds = 30 if long_mode else 10
    daemon = daemon_factory("idle")
    media.write_silent_wav(daemon.music / "long.wav", 30)
    media.write_wav(daemon.music / "short.wav", 0.2)
    daemon.start()
    daemon.wait_scanned()
    setup = daemon.connect()
    setup.ok('add "long.wav"')
    setup.close()
    time.sleep(0.2)
    fds_before = daemon.fd_count()
    rss_before = daemon.rss_kb()

    clients = [IdleClient(daemon.socket, b"" if index % 2 else b" playlist player") for index in range(64)]
    selector = selectors.DefaultSelector()
    for client in clients:
        selector.register(client.sock, selectors.EVENT_READ, client)

    hammer = daemon.connect()
    commands = 0
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        for line in ('add "short.wav"', "play 0", "next", "delete 0", 'add "long.wav"', "delete 1"):
            hammer.send(line + "\n")
            answer = hammer.response()
            assert answer[-1] == "OK" or answer[-1].startswith("ACK "), answer
            commands += 1
        for key, _ in selector.select(timeout=0):
            key.data.on_readable()
    # One last change after the hammering: every client must hear about it.
    settle_until = time.monotonic() + timeout(5)
    while time.monotonic() < settle_until:
        for key, _ in selector.select(timeout=0.05):
            key.data.on_readable()
    final_mark = time.monotonic()
    hammer.ok("clear")
    hammer.close()
    deadline = time.monotonic() + timeout(5)
    while time.monotonic() < deadline and not all(c.last_event > final_mark for c in clients):
        for key, _ in selector.select(timeout=0.05):
            key.data.on_readable()
    late = [index for index, client in enumerate(clients) if client.last_event <= final_mark]
    assert not late, f"idle clients {late} never heard about the final change"
    for client in clients:
        assert client.events.get("playlist", 0) > 0 and client.events.get("player", 0) > 0, client.events

    rss_during = daemon.rss_kb()
    for client in clients:
        client.sock.close()
    fds_after = daemon.settled_fd_count(fds_before)
    rss_after = daemon.rss_kb()
    responses = [client.responses for client in clients]
    figures = {"seconds": seconds, "idle_clients": 64, "hammer_commands": commands,
               "idle_wakeups_min": min(responses), "idle_wakeups_max": max(responses),
               "fds_before": fds_before, "fds_after": fds_after, "rss_kb_before": rss_before,
               "rss_kb_during": rss_during, "rss_kb_after": rss_after}
    print("\nidle flood:", figures)
    results.record("idle_flood_long" if long_mode else "idle_flood", figures)
    assert fds_after <= fds_before, f"fds: {fds_before} before, {fds_after} after:\n{daemon.fd_listing()}"
    assert rss_after <= RSS_FACTOR * rss_before, f"RSS {rss_before} kB before, {rss_after} kB after"
    assert daemon.command("ping") == ["OK"]
    daemon.assert_alive()


def test_client_that_never_reads(daemon_factory):
    """A client pipelines `status` as fast as it can and never reads an answer: the daemon stops reading from it
    (its memory stays put) and keeps serving everyone else. Before back-pressure this grew the daemon to 1 GB."""
    daemon = daemon_factory("noread")
    daemon.start()
    time.sleep(0.2)
    rss_before = daemon.rss_kb()
    flood = open_raw(daemon.socket)
    flood.settimeout(0.5)
    chunk = b"status\n" * 10_000
    sent = 0
    began = time.monotonic()
    try:
        while time.monotonic() - began < 5:
            flood.sendall(chunk)
            sent += len(chunk)
    except socket.timeout:
        pass  # the daemon stopped reading: the kernel buffers are full
    rss_during = daemon.rss_kb()
    other = daemon.connect()
    assert other.command("ping") == ["OK"]
    other.close()
    flood.close()
    figures = {"bytes_sent_before_blocked": sent, "rss_kb_before": rss_before, "rss_kb_during": rss_during}
    print("\nnever-reading client:", figures)
    results.record("never_reading_client", figures)
    assert sent < 64 * 1024 * 1024, f"the daemon took {sent} bytes from a client that reads nothing"
    assert rss_during <= RSS_FACTOR * rss_before, f"RSS {rss_before} kB -> {rss_during} kB"
    daemon.assert_alive()
