"""Values written into TOML files (the scenario files ``framtid calibrate`` and ``framtid explore`` write): a value,
a key and a comment, each as TOML reads it back."""

from __future__ import annotations

import json
import math
import re
from datetime import date

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def value_text(value) -> str:
    """``value`` as a TOML value: a string, integer, float, date, list or inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML has no value for {value}")
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        # a JSON string is a TOML basic string, but for DEL, which TOML allows only escaped
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key_text(k)} = {value_text(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def key_text(key: str) -> str:
    return key if BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def comment_text(text: str) -> str:
    """``text`` for a comment line: control characters (a new line in a file name or a label) as "?"."""
    return "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in str(text))
