"""TOML of the small test packages the attribution and cost tests share: measures on current policies in
Oslo and Bergen from 2020 (assumption: test values), and a scenario file around them."""

TOLLS_X2 = """# Twice the tolls in force (model/data/toll_rates.csv; assumption: a test).
[[measure]]
kind = "toll_change"
label = "tolls x2"
municipality = "oslo"
start_year = 2020
factor = 2.0
"""

PARKING_60 = """# 60 NOK per car trip into A zones (assumption: a test).
[[measure]]
kind = "parking_fee"
label = "parking 60"
municipality = "oslo"
start_year = 2020
fee_nok = { A = 60 }
"""

BIOGAS = """# Half the bus diesel replaced by biogas (assumption: a test).
[[measure]]
kind = "bus_biogas"
label = "biogas"
municipality = "oslo"
start_year = 2020
share = 0.5
"""


def parking_fee(label: str, municipality: str, start_year: int, fee: str, replaces: str | None = None) -> str:
    """A parking fee measure, ``fee`` a TOML table like ``{ B = 20 }`` (assumption: a test value), ending the
    measure labelled ``replaces`` if given."""
    return (f'# A parking fee (assumption: a test value).\n[[measure]]\nkind = "parking_fee"\nlabel = "{label}"\n'
            f'municipality = "{municipality}"\nstart_year = {start_year}\nfee_nok = {fee}\n'
            + (f'replaces = "{replaces}"\n' if replaces else ""))


def scenario(name: str, extends: str, *measures: str) -> str:
    """A scenario file ``name`` extending ``extends`` with ``measures`` (TOML blocks as above)."""
    return f'[scenario]\nname = "{name}"\nextends = "{extends}"\n\n' + "\n".join(measures)
