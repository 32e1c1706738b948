"""What a server process does once its app is built, before it serves."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Put every object alive now (the imported modules, the app just built) out of the
    garbage collector's reach, so that its collections scan only what requests create. Call
    it once the app is built, before serving. Without it a full collection walked the few
    hundred thousand startup objects: a ~100 ms stall that set the service's p99 under load."""
    gc.collect()
    gc.freeze()
