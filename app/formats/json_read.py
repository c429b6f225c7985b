"""JSON reading for label files, the index and labelme files: orjson, with the standard json
module as the fallback for what orjson refuses but Python writes and reads: NaN and Infinity
(labelme saves with json.dump, which writes them) and integers beyond 64 bits. Those files then
reach the same checks as before (a NaN coordinate is refused by the geometry check with its own
message) instead of being called invalid JSON. orjson parses a coordinate-heavy file ~1.6x faster.
"""

from __future__ import annotations

import json

import orjson


def loads(data: bytes | str) -> object:
    """The parsed value. Raises ValueError (json.JSONDecodeError, or UnicodeDecodeError for
    bytes that are not UTF-8) for text that is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
