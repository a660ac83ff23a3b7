"""The README's library snippet runs as printed and prints what the README says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def snippet_and_output() -> tuple[str, str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## The library") :]
    code, printed = re.search(r"```python\n(.*?)```.*?```text\n(.*?)```", section, re.S).groups()
    return code, printed


def test_readme_snippet_prints_what_the_readme_says(tmp_path):
    code, printed = snippet_and_output()
    # From another directory: the README's install makes `core` importable anywhere.
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == printed


def test_the_frames_and_autoencoders_snippets_run(tmp_path):
    text = (ROOT / "README.md").read_text()
    for heading in ("## Frames (`core.frames`)", "## Autoencoders (`core.autoencoders`)"):
        section = text[text.index(heading) :]
        code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False
        )
        assert result.returncode == 0, (heading, result.stderr[-2000:])
        assert result.stdout.strip(), heading  # it prints what it claims to
