"""The command line of the data builders: the folder of the reference statistics, and their own options.

    python tools/build_data.py [SHARED_DATA]        # default: ../shared/data beside the repository
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data"


def arguments(doc: str, *options: tuple[str, dict]) -> argparse.Namespace:
    """Parse the builder's arguments: the reference folder (``shared``, which must exist) and ``options``
    (name, keyword arguments of ``add_argument``); ``doc`` is the builder's docstring (its first line the
    description)."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("shared", nargs="?", type=Path, default=DEFAULT,
                        help=f"folder of the reference statistics (default: {DEFAULT})")
    for name, kwargs in options:
        parser.add_argument(name, **kwargs)
    args = parser.parse_args()
    if not args.shared.is_dir():
        parser.error(f"{args.shared}: no such folder")
    return args
