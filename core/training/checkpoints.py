"""Moved to ``core.checkpoints`` (checkpoint IO lives once, low in core, below the forecasters).

Kept as a thin re-export so existing imports keep working.
"""

from core.checkpoints import (  # noqa: F401
    atomic_write_bytes,
    atomic_write_json,
    export_pretrained,
    load_model,
    read_checkpoint,
    save_checkpoint,
)
