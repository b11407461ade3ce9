"""Write the embedded observed emissions 2009-2013 of the 13 municipalities as a long observation file
for ``framtid hindcast``:

    python tools/observed_2009_2013.py observed.csv
    framtid hindcast results/current-policies.nc --observed observed.csv --out plots/

Rows: the inventory values of ``framtid.model.data_store.observations()`` at sector or source level
(``emissions.sector.*``, ``emissions.source.*``), years 2009-2013, each in the GWP basis recorded with
it [t CO2e/yr]. Values whose GWP basis is not stated ("unknown") are left out, and so are road-traffic
group totals and check totals; the script says how many on stderr.

These are the values the model was calibrated on in 2009, so 2009 is not a test. Of 2011 and 2013, the
road-traffic, heating and waste rows are out of sample in the sense that no level or response was fitted to
them; the van, heavy-vehicle and bus rows are not quite (their efficiency gains were lowered after these rows
were seen), industry and the other driven-by-path sectors follow reported emissions, and the variance of the
model's discrepancy was fitted on all of them (``tools/fit_discrepancy.py``; README, "Checking the model
against history").
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import Counter
import tempfile
from pathlib import Path

from framtid.model.errors import ResultExistsError
from framtid.model.observed import embedded
from framtid.model.safe_write import publish

HEADER = ("municipality", "year", "sector", "value", "gwp")


def rows() -> tuple[list[tuple], list[str]]:
    """(rows of the long layout, descriptions of the observations left out)."""
    kept, left_out = embedded()
    return [(o.municipality, o.year, o.name, o.value, o.gwp) for o in kept], left_out


def write(path: Path, table: list[tuple], force: bool) -> None:
    """Write the CSV atomically (temporary file in the folder, then its name); refuse to overwrite
    unless ``force``."""
    if path.exists() and not force:
        sys.exit(f"{path}: exists already; choose another name or pass --force to replace it")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(table)
        os.chmod(tmp, 0o644)
        publish(tmp, path, force)      # exclusive unless force, as for result files
    except ResultExistsError as exc:
        sys.exit(str(exc))
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the CSV file to write (e.g. observed.csv)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    table, left_out = rows()
    write(args.out, table, args.force)
    print(f"wrote {args.out}: {len(table)} observations of {len({r[0] for r in table})} municipalities, "
          f"{min(r[1] for r in table)}-{max(r[1] for r in table)}", file=sys.stderr)
    if left_out:
        counts = Counter(left_out)
        print(f"left out {len(left_out)}: " + "; ".join(f"{why}: {n}" for why, n in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
