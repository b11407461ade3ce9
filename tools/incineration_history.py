"""Write what the residents' own waste explains of the incinerators' reported change after 2009:
model/data/incineration_history.csv.

    python tools/incineration_history.py            # rewrites the file
    python tools/incineration_history.py --check    # exit 1 if it is out of date

The hosts' incinerators report their emissions to the plant register for 2010-2013, and energy supply adds the
change against 2009 (``energy_supply.reported_changes``). The plants burn the hosts' own residents' waste too,
whose fossil CO2 the waste submodel follows and energy supply adds as well: under the policy history the
residents' change after 2009 (the landfill ban of July 2009 sending their waste to the incinerators in 2010, the
growing population) is inside the reports already. This file holds that change, F(t) / F(2009) - 1 of the
residents' fossil CO2 incinerated in the default run of current-policies, for the reported years; energy supply
takes it out of the residents' term where it adds the reports, so that the history's runs meet the reports and
another scenario adds only its own departure from the history. Re-run it when a change of the model moves the
waste submodel's history; ``tests/test_energy_supply.py`` fails until then.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from framtid.model import api, dims
from framtid.model.submodels.energy_supply import REPORTED_YEARS
from framtid.model.safe_write import regenerate

OUT = Path(__file__).resolve().parent.parent / "model" / "data" / "incineration_history.csv"
SOURCE = ("derived: the residents' fossil CO2 incinerated (incineration_fossil_co2) of the default run of "
          "current-policies, relative to 2009 (tools/incineration_history.py)")


def text() -> str:
    record = api.run_scenario(api.load_scenario("framtid:current-policies")).record
    fossil = np.asarray(record["incineration_fossil_co2"])[:, 0]                     # (T, M) [t CO2/yr]
    years = list(dims.YEARS)
    first = fossil[years.index(dims.BASE_YEAR)]
    lines = ["municipality,year,relative_change,source"]
    for m, name in enumerate(dims.MUNICIPALITIES):
        for year in REPORTED_YEARS:
            change = fossil[years.index(year), m] / first[m] - 1.0 if first[m] > 0.0 else 0.0
            lines.append(f'{name},{year},{change:.9g},"{SOURCE}"')
    return "\n".join(lines) + "\n"


def main(check: bool) -> int:
    return regenerate(OUT, text(), check)


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
