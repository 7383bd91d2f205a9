"""A line-level MPD-protocol client on a Unix socket, for exact-byte assertions, and python-mpd2 for the rest."""

from __future__ import annotations

import contextlib
import os
import socket

GREETING = b"OK MPD "


class ConnectionClosed(EOFError, ConnectionError):
    """The server closed the connection while an answer was awaited (an EOFError and a ConnectionError)."""


class ProtocolError(AssertionError):
    """The server said something a client cannot take: no `OK MPD` greeting."""


class Ack(AssertionError):
    """A command expected to succeed got an `ACK [...]` (or no `OK`)."""


class RawClient:
    """One connection. `greeting` is the server's first line (checked to be `OK MPD ...` unless greeting=False);
    lines are decoded as UTF-8 (`errors` as for bytes.decode)."""

    def __init__(self, path: os.PathLike | str, timeout: float = 10, greeting: bool = True,
                 errors: str = "strict"):
        self.errors = errors
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.buffer = b""
        self.greeting = None
        try:
            self.sock.connect(os.fspath(path))
            if greeting:
                self.greeting = self.readline()
                if not self.greeting.startswith(GREETING.decode()):
                    raise ProtocolError(f"no MPD greeting from {path}: {self.greeting!r}")
        except BaseException:
            self.sock.close()
            raise

    # Bytes and lines ---------------------------------------------------------------------------------------

    def send(self, data: bytes | str) -> None:
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionClosed(f"connection closed (pending {self.buffer[:200]!r})")
        self.buffer += chunk

    def readline(self) -> str:
        while b"\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode("utf-8", self.errors)

    def read_exactly(self, count: int) -> bytes:
        """The next `count` bytes as they are (a binary chunk of `albumart`)."""
        while len(self.buffer) < count:
            self._fill()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    # Answers -------------------------------------------------------------------------------------------------

    def response(self) -> list[str]:
        """Lines up to and including the final `OK` or `ACK …`."""
        lines = []
        while True:
            line = self.readline()
            lines.append(line)
            if line == "OK" or line.startswith("ACK "):
                return lines

    def command(self, line: str) -> list[str]:
        """Sends one command line; its answer's lines, the final `OK`/`ACK` included."""
        self.send(line + "\n")
        return self.response()

    def ok(self, line: str) -> list[str]:
        """The answer's lines before `OK`; raises Ack (an AssertionError) on anything else."""
        lines = self.command(line)
        if lines[-1] != "OK":
            raise Ack(f"{line!r} -> {lines}")
        return lines[:-1]

    def fields(self, line: str) -> dict[str, str]:
        """A command's `key: value` lines as a dict (the last of a key wins); raises Ack on ACK."""
        return _pairs(self.ok(line))

    def response_fields(self) -> dict[str, str]:
        """The next answer (of a command already sent) as `fields` gives it."""
        lines = self.response()
        if lines[-1] != "OK":
            raise Ack(f"-> {lines}")
        return _pairs(lines[:-1])

    def at_eof(self, timeout: float = 5) -> bool:
        """True when the server closed the connection (EOF or reset) with nothing more to read."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b"" and not self.buffer
        except ConnectionResetError:
            return not self.buffer
        except socket.timeout:
            return False

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "RawClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pairs(lines: list[str]) -> dict[str, str]:
    out = {}
    for item in lines:
        key, _, value = item.partition(": ")
        out[key] = value
    return out


def socket_answers(path: os.PathLike | str, timeout: float = 2) -> bool:
    """Whether an MPD greeting comes back from `path`."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(os.fspath(path))
            data = b""
            while b"\n" not in data:
                chunk = sock.recv(256)
                if not chunk:
                    return False
                data += chunk
            return data.startswith(GREETING)
    except OSError:
        return False


@contextlib.contextmanager
def python_mpd_client(socket_path: os.PathLike | str, timeout: float = 10):
    """A connected python-mpd2 client, disconnected afterwards."""
    import mpd  # python-mpd2: installed by scripts/install-deps.sh

    client = mpd.MPDClient()
    client.timeout = timeout
    client.connect(os.fspath(socket_path))
    try:
        yield client
    finally:
        client.disconnect()
