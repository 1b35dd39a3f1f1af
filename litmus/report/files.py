"""Output files that appear whole or not at all: written beside their final name, then renamed
over it (a rename within one folder is atomic), so that a run stopped half-way (Ctrl-C, SIGTERM,
a full disk) never leaves a truncated graph or litmus file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def whole_file(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` to write; renamed to `target` when the block ends
    normally (unless the block removed it: nothing to keep), removed when it raises."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    os.chmod(temporary, 0o666 & ~_umask())  # as open() would make it (mkstemp makes it private)
    try:
        yield temporary
        if temporary.exists():
            os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_whole(target: Path, text: str) -> None:
    """Write `text` (UTF-8) to `target` whole or not at all."""
    with whole_file(target) as temporary:
        temporary.write_text(text, encoding="utf-8")


__all__ = ["whole_file", "write_whole"]
