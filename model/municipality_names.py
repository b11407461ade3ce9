"""The municipalities as users name them: by framtid id, by name, or by municipality number (those of 2020 and
2024, and of 2019 where the 2020 mergers left the borders as they were), casefolded; a number of 2019 that names a
smaller area than the model's is refused with the reason. Read by the observation files, the scenario files'
population anchors and the command line's municipality options."""

from __future__ import annotations

import re
from functools import lru_cache

from . import dims


@lru_cache(maxsize=1)
def municipality_aliases() -> dict[str, str]:
    """framtid id, name and municipality number (casefolded) -> framtid id: the numbers of 2020 and of 2024
    (the county reform renumbered seven of the 13, borders unchanged), and those of 2019 where the 2020
    mergers left the borders as they were (:func:`merged_numbers` are the others)."""
    from .data_store import municipalities

    out = {m: m for m in dims.MUNICIPALITIES}
    for m in municipalities():
        out[m.name.casefold()] = m.id
        out[m.kommunenummer_2024] = m.id
        if m.kommunenummer_2019 not in merged_numbers():
            out[m.kommunenummer_2019] = m.id
        out[m.kommunenummer_2020] = m.id
    return out


@lru_cache(maxsize=1)
def merged_numbers() -> dict[str, str]:
    """Numbers of 2019 that name a smaller municipality than the model's (merged in 2020 under another number)
    -> framtid id: figures under them are for other borders."""
    from .data_store import municipalities

    return {m.kommunenummer_2019: m.id for m in municipalities()
            if m.merged_2020 and m.kommunenummer_2019 not in (m.kommunenummer_2020, m.kommunenummer_2024)}


def merger_reason(number: str) -> str:
    """Why a number of 2019 that names a smaller area than the model's is refused."""
    m = merged_numbers()[number]
    return (f"{number} is {m}'s number before the 2020 merger, for its smaller area; the model holds {m} in its "
            "2020 borders: give figures for those, numbered as in 2020 or 2024")


def leading_number(text: str) -> str:
    """'0301 Oslo' or '3201 - Bærum' (a number and the name, as statistics tables write them) -> the number
    where the name is that of the number's municipality; else the text as it is."""
    match = re.fullmatch(r"(\d{4})\s*[-–:]?\s+(.+)", text.strip())
    if match:
        named = municipality_aliases().get(match[2].strip().casefold())
        if named is not None and named in (municipality_aliases().get(match[1]), merged_numbers().get(match[1])):
            return match[1]
    return text
