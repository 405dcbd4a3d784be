"""A ZIP archive written as it is sent: members are bytes or files, read a chunk at a time."""
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Member:
    """One file of the archive: `content` in memory, or the file at `path` (read in chunks)."""

    name: str
    content: bytes | None = None
    path: Path | None = None


class _Pipe:
    """A write-only, unseekable file: zipfile then writes data descriptors instead of seeking back."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        """What was written since the last drain (nothing when nothing was)."""
        out, self.parts = b"".join(self.parts), []
        if out:
            yield out


def stream_zip(members: list[Member]) -> Iterator[bytes]:
    """The archive's bytes, yielded per chunk: at most one chunk of one file is in memory at a time."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            with archive.open(member.name, mode="w", force_zip64=member.path is not None) as entry:
                for chunk in _chunks(member):
                    entry.write(chunk)
                    yield from pipe.drain()
            yield from pipe.drain()
    yield from pipe.drain()


def _chunks(member: Member) -> Iterator[bytes]:
    if member.path is None:
        yield member.content or b""
        return
    with open(member.path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            yield chunk
