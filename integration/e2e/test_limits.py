"""Protocol limits: an over-long line, an over-long command list, many connections — refused, never a crash."""

from __future__ import annotations

import re
import socket
import time

import pytest

import harness

ACK = re.compile(r"^ACK \[(\d+)@(\d+)\] \{\w*\} \S.*$")


@pytest.fixture(scope="module")
def daemon(start_daemon, library):
    return start_daemon(library, "null", name="limits")


def test_line_over_64_kib_gets_an_ack_then_the_connection_closes(daemon):
    with harness.RawClient(daemon.socket) as client:
        assert client.command("ping") == ["OK"]
        try:
            client.send(b"search title " + b"x" * (70 * 1024) + b"\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close before reading all of it; the ACK must still be there
        line = client.readline()
        assert ACK.match(line), line
        assert "too long" in line
        assert client.at_eof(), "the connection must close after the ACK"
    assert daemon.alive()


def test_command_list_of_5000_pings_gets_an_ack(daemon):
    with harness.RawClient(daemon.socket) as client:
        client.send("command_list_begin\n" + "ping\n" * 5000 + "command_list_end\n")
        line = client.readline()
        match = ACK.match(line)
        assert match, line
        assert int(match.group(1)) == 2
        assert "too long" in line
        # Nothing of the list ran: no OK follows; the next command is answered normally if the connection lives.
        try:
            assert client.command("ping") == ["OK"]
        except (EOFError, ConnectionResetError):
            pass
    assert daemon.alive()


def test_a_list_at_the_limit_still_runs(daemon):
    with harness.RawClient(daemon.socket) as client:
        client.send("command_list_ok_begin\n" + "ping\n" * 4096 + "command_list_end\n")
        assert client.response() == ["list_OK"] * 4096 + ["OK"]


def test_new_connection_answered_after_the_abuse(daemon):
    with harness.RawClient(daemon.socket) as client:
        assert client.greeting == "OK MPD 0.23.5"
        assert client.command("ping") == ["OK"]


def test_connection_limit_refuses_the_257th(daemon):
    clients = []
    try:
        for _ in range(256):
            clients.append(harness.RawClient(daemon.socket))
        assert all(c.greeting == "OK MPD 0.23.5" for c in clients)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as extra:
            extra.settimeout(5)
            extra.connect(str(daemon.socket))
            data = b""
            try:
                while chunk := extra.recv(4096):
                    data += chunk
            except ConnectionResetError:
                pass
            assert not data.startswith(b"OK MPD"), data
            assert data == b"" or ACK.match(data.decode().strip()), data
    finally:
        for client in clients:
            client.close()
    # Closed connections are counted out again (the server notices the closes asynchronously).
    deadline = time.monotonic() + 5
    while not harness.socket_answers(daemon.socket) and time.monotonic() < deadline:
        time.sleep(0.05)
    with harness.RawClient(daemon.socket) as client:
        assert client.command("ping") == ["OK"]
    assert daemon.alive()


def test_shuffle_range_past_the_end_is_an_ack_not_a_crash(daemon):
    """`shuffle 5:` on a 3-song queue once built the range 5..<3 and killed the daemon."""
    with harness.RawClient(daemon.socket) as client:
        assert client.command("clear") == ["OK"]
        for _ in range(3):
            assert client.command('add "Aurora Lane/Northern Lights/02 - Polar Night.flac"') == ["OK"]
        for argument in ("5:", "5:9", "4:"):
            line = client.command(f"shuffle {argument}")[-1]
            assert ACK.match(line) and line.startswith("ACK [2@0] {shuffle}"), line
        assert client.command("shuffle 1:") == ["OK"]
        assert client.command("shuffle 3:") == ["OK"]
        assert client.command("ping") == ["OK"]
