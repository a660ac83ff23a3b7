"""What the evaluate commands share: bounded whole-number options and rewriting a README block in place."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number in [low, high], else argparse's one-line usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}, got {value:,}")
        return value

    return parse


SEED = whole_number(0, 2**63 - 1)


def replace_block(path: Path | str, start: str, end: str, text: str) -> bool:
    """Replace what lies between the markers ``start`` and ``end`` in ``path`` by ``text`` (the markers
    stay, so the next run finds them); False, with the file untouched, when the markers are absent."""
    path = Path(path)
    content = path.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(content):
        return False
    path.write_text(pattern.sub(lambda _: f"{start}\n{text}\n{end}", content, count=1))
    return True
