"""The e2e suite's music: the generated library (what each file is, and how to write it) and the demo library's
decoys. Files are written with the harness's media maker; see integration/harness."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness import media


@dataclass(frozen=True)
class Track:
    """One generated file: its URI (relative to the music dir), tags and length."""

    uri: str
    artist: str
    album: str
    title: str
    track: int
    seconds: float
    tagged: bool = True

    @property
    def display(self) -> str:
        """How mpc prints it by default: `Artist - Title`, or the file of a song without tags (nothing is guessed
        from the path, as in MPD)."""
        return f"{self.artist} - {self.title}" if self.tagged else self.uri


# Three 10 s tracks for the paced tests (seek to 0:05, pause, next/prev while playing).
PACED_ALBUM = [
    Track("Aurora Lane/Northern Lights/01 - First Light.flac", "Aurora Lane", "Northern Lights", "First Light", 1, 10),
    Track("Aurora Lane/Northern Lights/02 - Polar Night.flac", "Aurora Lane", "Northern Lights", "Polar Night", 2, 10),
    Track("Aurora Lane/Northern Lights/03 - Ice Harbour.flac", "Aurora Lane", "Northern Lights", "Ice Harbour", 3, 10),
]
# Three short tracks of one format (44.1 kHz, 16-bit, stereo) with odd frame counts, for the bit-perfect test.
GAPLESS_ALBUM = [
    Track("Brook Tamsin/Paper Boats/01 - Harbour Song.flac", "Brook Tamsin", "Paper Boats", "Harbour Song", 1, 1.2345),
    Track("Brook Tamsin/Paper Boats/02 - Low Tide.flac", "Brook Tamsin", "Paper Boats", "Low Tide", 2, 0.7771),
    Track("Brook Tamsin/Paper Boats/03 - Salt Wind.flac", "Brook Tamsin", "Paper Boats", "Salt Wind", 3, 2.0013),
]
# An MP3 with ID3 tags and a FLAC whose only metadata is its path.
OTHER_TRACKS = [
    Track("Cedar Hollow/Lanterns/01 - Quiet Rooms.mp3", "Cedar Hollow", "Lanterns", "Quiet Rooms", 1, 3),
    Track("Dune Parade/Mirage/04 - Glass Desert.flac", "Dune Parade", "Mirage", "Glass Desert", 4, 3, tagged=False),
]
LIBRARY = PACED_ALBUM + GAPLESS_ALBUM + OTHER_TRACKS

# Files of the demo library (scripts/demo-library.sh) that are NOT the curated songs whose titles they share.
DEMO_DECOYS = [
    "Joni Mitchell/Blue/04 - Blue.flac",
    "mp3/Maroon 5 - Memories.mp3",
    "mp3/The Placeholders - Sunday Errands.mp3",
    "Home Recordings/Untitled Sketch 4.ogg",
    "Kitchen Tapes/Weather/03 - Orange Sky.flac",
    "Minori Chihara - Michishirube (Off Vocal).ogg",
    "mp3/Jane Doe - Orange (Piano Cover).mp3",
]
DEMO_OFF_VOCAL = "Minori Chihara - Michishirube (Off Vocal).ogg"
DEMO_BEBOP_BLUE = "The Seatbelts/Cowboy Bebop Blue/17 - Blue.flac"


def generate_library(root: Path) -> None:
    """Writes LIBRARY under `root`: noise-like chords (so a byte comparison means something), 44.1 kHz 16-bit."""
    media.require("sox", "flac", "metaflac", "lame")
    for index, track in enumerate(LIBRARY):
        tags = dict(title=track.title, artist=track.artist, album=track.album, track=track.track)
        media.write_song(root / track.uri, track.seconds, "sine", str(220 + 37 * index), "pinknoise",
                         "gain", "-n", "-3", **(tags if track.tagged else {}))
