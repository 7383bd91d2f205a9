"""A seeded generator of hostile MPD-protocol input, and a driver that pipelines it into a connection.

One *input* is one line (or one raw chunk) handed to the daemon. A connection carries a body of lines that keep
the connection open (known commands with random arguments, unknown commands, bad quoting, invalid UTF-8, NULs,
command lists of every size, idle/noidle) and may end with one input that makes the server close it (random
bytes, an empty line, a 1 MiB line, `idle` inside a list, `close`) followed by more commands that must be
ignored. A sentinel (an unknown command with a unique name) ends the body: seeing its ACK means every input
before it was answered; EOF means the server closed the connection; neither within the time limit is a hang.

Commands that change the queue only ever get arguments that must fail (the suite asserts the queue is unchanged).
"""

import errno
import random
import select
import socket
import time

# Every command elegyd knows, with its argument count range (from DaemonCore.commandTable()).
COMMANDS = {
    "ping": (0, 0), "commands": (0, 0), "notcommands": (0, 0), "tagtypes": (0, 8), "outputs": (0, 0),
    "enableoutput": (1, 1), "disableoutput": (1, 1), "decoders": (0, 0), "urlhandlers": (0, 0),
    "clearerror": (0, 0), "stats": (0, 0), "status": (0, 0), "currentsong": (0, 0), "moods": (0, 0),
    "resolve": (0, 1), "sleep": (0, 1), "update": (0, 1), "rescan": (0, 1), "lsinfo": (0, 1),
    "listall": (0, 1), "listallinfo": (0, 1), "find": (1, 6), "search": (1, 6), "count": (1, 6),
    "list": (1, 6), "play": (0, 1), "playid": (0, 1), "pause": (0, 1), "stop": (0, 0), "next": (0, 0),
    "previous": (0, 0), "seek": (2, 2), "seekid": (2, 2), "seekcur": (1, 1), "setvol": (1, 1), "volume": (1, 1),
    "getvol": (0, 0), "random": (1, 1), "repeat": (1, 1), "single": (1, 1), "crossfade": (1, 1),
    "mixrampdb": (1, 1), "mixrampdelay": (1, 1), "replay_gain_mode": (1, 1), "replay_gain_status": (0, 0),
    "listplaylists": (0, 0), "listplaylist": (1, 2), "listplaylistinfo": (1, 2), "save": (1, 2), "rm": (1, 1),
    "rename": (2, 2), "playlistadd": (2, 3), "playlistclear": (1, 1), "playlistdelete": (2, 2),
    "playlistmove": (3, 3), "prio": (2, 4), "prioid": (2, 4), "rangeid": (2, 2), "playlistinfo": (0, 1),
    "playlist": (0, 0), "playlistid": (0, 1), "plchanges": (1, 2), "plchangesposid": (1, 2),
    "playlistfind": (1, 6), "playlistsearch": (1, 6),
}

# Commands that change the queue when they succeed: these get only arguments that must fail.
MUTATING = {"add", "addid", "clear", "delete", "deleteid", "move", "moveid", "swap", "swapid", "shuffle",
            "findadd", "searchadd", "load", "mood", "consume"}

NUMBERS = ["0", "1", "2", "-1", "-0", "+1", "99999999999", "2147483647", "2147483648", "4294967295",
           "4294967296", "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
           "18446744073709551616", "1" * 400, "-" + "9" * 300, "0x10", "1e3", "１２", "٣", "00000000000000001"]
FLOATS = ["0", "0.5", ".5", "1e300", "-1e300", "1e19", "9.3e18", "1.8e308", "inf", "-inf", "nan", "+1e300",
          "-1e300", "1e-300", "+0.1", "-0.1", "5.", "1e", "e5", "+", "-", "1" * 400, "4e15", "3.4e38"]
RANGES = ["5:2", "0:", ":", ":5", "1:-1", "-1:3", "-1", "99999999999:", "0:99999999999", "2147483647:",
          "3:3", "0:0", "1:2:3", "a:b", "-5:-2", "4294967295:4294967296", "9:"]
TAGS = ["artist", "Artist", "ALBUM", "title", "any", "file", "base", "Date", "genre", "MUSICBRAINZ_TRACKID",
        "nosuchtag", "AlbumArtist", "group", "sort", "window", "position", "-artist", "clear", "all", "enable",
        "disable"]
FILTERS = ["(artist == 'x')", "(artist == \"x\")", "(title contains 'a')", "(!(title == 'b'))",
           "((artist == 'a') AND (title != 'b'))", "(base '')", "(base '..')", "(file starts_with '')",
           "(any !contains 'x')", "(", "((", "(artist ==", "(artist == 'x'", "(artist ~= 'x')",
           "(artist == 'x') junk", "()", "(AND)", "(!)", "(!" * 70 + "(artist == 'x')" + ")" * 70,
           "(" * 100 + ")" * 100, "((artist == 'x') OR (title == 'y'))", "(modified-since '0')",
           "(artist == '\\", "(artist == '\\'')", "(Title starts_with 'é')", "(prio >= 5)"]


class Generator:
    def __init__(self, seed, known_playlists=(), known_moods=()):
        self.rng = random.Random(seed)
        self.known_playlists = list(known_playlists)
        self.known_moods = list(known_moods)
        self.inputs = 0
        self.kinds = {}

    # Pieces ------------------------------------------------------------------------------------------------

    def _count(self, kind, n=1):
        self.inputs += n
        self.kinds[kind] = self.kinds.get(kind, 0) + n

    def word(self, lo=1, hi=12):
        r = self.rng
        first = r.choice("abcdefghijklmnopqrstuvwxyz")
        return first + "".join(r.choice("abcdefghijklmnopqrstuvwxyzABCXYZ0189_") for _ in range(r.randint(lo, hi) - 1))

    def text(self):
        r = self.rng
        kind = r.randrange(8)
        if kind == 0:
            return ""
        if kind == 1:
            return "".join(chr(r.randrange(0x20, 0x7F)) for _ in range(r.randint(1, 30)))
        if kind == 2:
            return "".join(chr(r.choice([r.randrange(0xA0, 0xD7FF), r.randrange(0x1F300, 0x1F6FF)]))
                           for _ in range(r.randint(1, 10)))
        if kind == 3:
            return r.choice(["..", "../..", "/", "//", "../../../../etc/passwd", ".hidden", "a/b", "tearjerkers",
                             "rain", "x" * r.randint(1000, 20000), "\\", "\"", "'"])
        if kind == 4:
            return r.choice(self.known_playlists + self.known_moods + ["rain"])
        return self.word()

    def raw_argument(self):
        """An argument as bytes on the wire (quoted or not, sometimes invalid)."""
        r = self.rng
        kind = r.randrange(10)
        if kind == 0:
            return r.choice(NUMBERS).encode()
        if kind == 1:
            return r.choice(FLOATS).encode()
        if kind == 2:
            return r.choice(RANGES).encode()
        if kind == 3:
            return r.choice(TAGS).encode()
        if kind == 4:
            return quote(r.choice(FILTERS).encode())
        if kind == 5:
            # Invalid UTF-8 inside quotes, sometimes with NULs.
            junk = bytes(r.choice([0xFF, 0xC0, 0x80, 0xED, 0xA0, 0xF8, 0x00, 0xFE]) for _ in range(r.randint(1, 6)))
            return b'"' + junk + b'x"'
        if kind == 6:
            return quote(self.text().encode())
        if kind == 7:
            return self.text().replace(" ", "").replace('"', "").encode() or b"x"
        if kind == 8:
            return b'"' + self.word().encode() + b"\0" + self.word().encode() + b'"'
        return quote(r.choice(NUMBERS + FLOATS + RANGES).encode())

    def invalid_argument(self, command, position):
        """Arguments a queue-changing command must refuse (so the queue stays as it is)."""
        r = self.rng
        bad_number = r.choice(["abc", "", "1.5", "99999999999", "-5", "5:2", "1:2:3", "0x1", "１", "+-1",
                               "200000", "4294967295", "9" * 40])
        if command in ("add", "addid"):
            return quote(("zz-missing-" + self.text()[:200]).encode()) if position == 0 else bad_number.encode()
        if command in ("load", "mood"):
            return quote(("zz-missing-" + self.text()[:200]).encode()) if position == 0 else bad_number.encode()
        if command in ("findadd", "searchadd"):
            return quote(r.choice(["(", "(artist ==", "((artist == 'a')", "(nosuch == 'x')", "(!)", "()",
                                   "(artist == 'x') junk"]).encode())
        if command == "consume":
            return quote(r.choice(["2", "-1", "on", "yes", "true", "oneshotx", "", "11"]).encode())
        if command == "shuffle":
            return quote(r.choice(["5:2", "abc", "-5", "1:2:3", "", "x:"]).encode())
        # delete, deleteid, move, moveid, swap, swapid: positions and ids far beyond the queue, or malformed.
        return quote(bad_number.encode())

    def command_line(self):
        """One line that keeps the connection open."""
        r = self.rng
        roll = r.random()
        if roll < 0.06:
            return b" ".join([self.word().encode()] + [self.raw_argument() for _ in range(r.randint(0, 3))]), "unknown"
        if roll < 0.10:
            # Bad quoting: unterminated, garbage after the closing quote, a quote inside a bare word.
            bad = r.choice([b'"unterminated', b'"x"y', b'ab"cd', b'"\\', b'"', b'""""'])
            return r.choice(list(COMMANDS)).encode() + b" " + bad, "bad-quote"
        if roll < 0.16:
            command = r.choice(sorted(MUTATING))
            if command in ("clear",):
                count = r.randint(1, 3)  # clear takes no argument: any argument is refused
            elif command == "shuffle":
                count = r.choice([1, 2, 3])
                if count > 1:
                    return b" ".join([b"shuffle"] + [self.raw_argument() for _ in range(count)]), "mutating"
            else:
                count = r.randint(1, 3)
            args = [self.invalid_argument(command, i) for i in range(count)]
            if command in ("delete", "deleteid", "move", "moveid", "swap", "swapid"):
                args[0] = self.invalid_argument(command, 0)
            return b" ".join([command.encode()] + args), "mutating"
        command = r.choice(list(COMMANDS))
        lo, hi = COMMANDS[command]
        count = r.randint(lo, hi) if r.random() < 0.8 else r.randint(0, hi + 2)
        return b" ".join([command.encode()] + [self.raw_argument() for _ in range(count)]), "command"

    # Segments ------------------------------------------------------------------------------------------------

    def body(self, budget):
        """Lines that keep the connection open, about `budget` inputs."""
        r = self.rng
        lines = []
        while len(lines) < budget:
            roll = r.random()
            if roll < 0.04:
                mode = r.choice([b"command_list_begin", b"command_list_ok_begin"])
                size = r.randint(0, 40)
                items = [self.command_line()[0] for _ in range(size)]
                lines += [mode] + items + [b"command_list_end"]
                self._count("list", size + 2)
            elif roll < 0.05:
                lines += [b"idle" + r.choice([b"", b" player", b" playlist", b" nosuch"]), b"noidle"]
                self._count("idle-noidle", 2)
            elif roll < 0.06:
                lines.append(b"noidle")
                self._count("noidle")
            else:
                line, kind = self.command_line()
                lines.append(line)
                self._count(kind)
        return lines

    def huge_list(self, size=10_000):
        r = self.rng
        mode = r.choice([b"command_list_begin", b"command_list_ok_begin"])
        items = [r.choice([b"ping", b"status", b"currentsong", b"playlistinfo"]) for _ in range(size)]
        self._count("10k-list", size + 2)
        return [mode] + items + [b"command_list_end"]

    def closer(self):
        """One input after which the server closes the connection, then commands it must ignore."""
        r = self.rng
        kind = r.randrange(10)
        if kind == 0:
            # The first byte is not a lower-case letter: MPD (and elegyd) drop such a connection without a word.
            first = r.choice([b for b in range(256) if not 0x61 <= b <= 0x7A and b != 0x0A])
            line, name = bytes([first]) + bytes(r.randrange(256) for _ in range(r.randint(0, 512))), "random-bytes"
        elif kind == 9:
            # Random bytes after a command letter: may or may not close (several lines, each an ACK or a close),
            # so only harmless commands follow.
            chunk = bytes([r.randrange(0x61, 0x7B)]) + bytes(r.randrange(256) for _ in range(r.randint(1, 512)))
            self._count("random-bytes")
            self._count("after-close", 2)
            return [chunk, b"ping", b"status"]
        elif kind == 1:
            line, name = b"\0" * r.randint(1, 64) + b"ping", "nul-line"
        elif kind == 2:
            line, name = b"", "empty-line"
        elif kind == 3:
            line, name = b"a" + bytes(r.randrange(0x21, 0x7F) for _ in range(8)) + b"\xff\xfe", "bad-command-word"
        elif kind == 4:
            line, name = b"command_list_begin\nstatus\nidle", "idle-in-list"
        elif kind == 5:
            line, name = b"close", "close"
        elif kind == 6:
            # `idle` answers at once when changes are pending (then `status` is just a command): maybe a close.
            self._count("command-while-idle")
            self._count("after-close", 2)
            return [b"idle\nstatus", b"ping", b"status"]
        elif kind == 7:
            line, name = r.choice([b"Status", b"1ping", b"GET / HTTP/1.1", b"\xef\xbb\xbfping"]), "not-a-command"
        else:
            line, name = b"find artist \"" + b"x" * (1024 * 1024) + b"\"", "1MiB-line"
        self._count(name)
        after = [b"ping", b"status", b"clear", b"add \"\"", b"command_list_end"]
        self._count("after-close", len(after))
        return [line] + after

    def connection(self, budget, huge=False):
        """The lines of one connection (without the sentinel) and whether the server should close it; `huge` adds
        a 10,000-command list."""
        r = self.rng
        lines = self.body(budget)
        if huge:
            lines += self.huge_list()
        closes = r.random() < 0.45
        if closes:
            lines += self.closer()
        return lines, closes


def quote(data):
    return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


class DriveResult:
    __slots__ = ("outcome", "sent", "received", "seconds")

    def __init__(self, outcome, sent, received, seconds):
        self.outcome, self.sent, self.received, self.seconds = outcome, sent, received, seconds


def drive(path, payload, sentinel, limit):
    """Sends `payload` while reading answers; returns when the sentinel's ACK arrives ("answered"), the server
    closes ("closed"), or `limit` seconds pass ("hang")."""
    began = time.monotonic()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(limit)
    sock.connect(str(path))
    sock.setblocking(False)
    sent = 0
    received = 0
    tail = b""
    outcome = "hang"
    writing = True
    try:
        while time.monotonic() - began < limit:
            readable, writable, _ = select.select([sock], [sock] if writing else [], [], 0.5)
            if writable:
                try:
                    sent += sock.send(payload[sent:sent + 262144])
                except BlockingIOError:
                    pass
                except OSError as error:
                    if error.errno in (errno.EPIPE, errno.ECONNRESET):
                        writing = False
                    else:
                        raise
                if sent >= len(payload):
                    writing = False
            if readable:
                try:
                    data = sock.recv(262144)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    outcome = "closed"
                    break
                if not data:
                    outcome = "closed"
                    break
                received += len(data)
                tail = (tail + data)[-4096:]
                if sentinel in tail:
                    outcome = "answered"
                    break
    finally:
        sock.close()
    return DriveResult(outcome, sent, received, time.monotonic() - began)
