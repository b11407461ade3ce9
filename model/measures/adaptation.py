"""Measure kinds of adaptation to climate change: less sealed surface, green areas, stormwater, flood-safe location."""

from __future__ import annotations

KINDS = ()
