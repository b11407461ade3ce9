"""Canonical coordinates of every array in framtid.

Every stock and flow array has the Monte Carlo ``draw`` axis first and the
``municipality`` axis second: shape ``(D, M, ...)``. The labels below are the
single source of truth for the order of the remaining axes; submodels index
with them and the results schema uses them as xarray coordinates.
"""

from __future__ import annotations

BASE_YEAR = 2009
FINAL_YEAR = 2050
YEARS = tuple(range(BASE_YEAR, FINAL_YEAR + 1))

# Municipalities, 2020 borders (after the 2020 mergers of Drammen,
# Kristiansand, Stavanger, Sandnes and Trondheim).
MUNICIPALITIES = (
    "oslo", "baerum", "drammen", "fredrikstad", "sarpsborg", "porsgrunn", "skien",
    "kristiansand", "stavanger", "sandnes", "bergen", "trondheim", "tromso",
)

# Functional city regions for commuting.
REGIONS = {
    "oslo": ("oslo", "baerum"),
    "drammen": ("drammen",),
    "nedre_glomma": ("fredrikstad", "sarpsborg"),
    "grenland": ("porsgrunn", "skien"),
    "kristiansand": ("kristiansand",),
    "nord_jaeren": ("stavanger", "sandnes"),
    "bergen": ("bergen",),
    "trondheim": ("trondheim",),
    "tromso": ("tromso",),
}
REGION_OF = {m: r for r, ms in REGIONS.items() for m in ms}

# Land use: zone types of the ABC principle (A: central, public-transport hub;
# B: mixed urban; C: car-oriented periphery).
ZONES = ("A", "B", "C")

# Passenger transport.
PURPOSES = ("commute", "errands", "leisure")
PERIODS = ("peak", "offpeak")
MODES = ("car_driver", "car_passenger", "public_transport", "bicycle", "walk")
VEHICLE_CLASSES = ("car", "van", "heavy", "bus")
POWERTRAINS = ("petrol", "diesel", "phev", "bev")
MAX_VEHICLE_AGE = 30  # ages 0..30; the last age is an open-ended class

# Buildings.
BUILDING_TYPES = ("house", "apartment", "non_residential")
CONSTRUCTION_PERIODS = (
    "pre_tek49", "tek49", "tek69", "tek87", "tek97", "tek07", "tek10", "tek17", "tek21",
)
HEATING_SYSTEMS = (
    "direct_electric", "heat_pump", "district_heating", "oil_boiler",
    "paraffin_stove", "gas_boiler", "wood_stove",
)
CARRIERS = (
    "electricity", "district_heat", "heating_oil", "paraffin", "natural_gas", "lpg", "wood",
)

# Waste.
WASTE_FRACTIONS = (
    "food", "garden", "paper", "wood", "textiles", "plastics", "glass_metal", "other",
)
TREATMENTS = ("material_recovery", "biological", "incineration", "landfill")

# Greenhouse gases. F-gases are carried directly in CO2-equivalents.
GASES = ("co2", "ch4", "n2o", "fgas_co2e")

# Inventory sectors (Miljødirektoratet's municipal inventory, territorial).
SECTORS = (
    "road_passenger_cars", "road_vans", "road_heavy_vehicles", "road_buses",
    "heating", "waste_wastewater", "energy_supply", "industry", "shipping",
    "other_mobile", "agriculture", "aviation", "fgas_products",
)

# Emission sources: the leaves under the sectors. Each source belongs to
# exactly one sector; calibration works on sources.
SOURCE_SECTOR = {
    "cars": "road_passenger_cars",
    "vans": "road_vans",
    "heavy_vehicles": "road_heavy_vehicles",
    "buses": "road_buses",
    "heating_oil": "heating",
    "heating_paraffin": "heating",
    "heating_natural_gas": "heating",
    "heating_lpg": "heating",
    "heating_wood": "heating",
    "heating_other": "heating",
    "landfill_gas": "waste_wastewater",
    "wastewater": "waste_wastewater",
    "biological_treatment": "waste_wastewater",
    "waste_incineration": "energy_supply",
    "district_heating_fuels": "energy_supply",
    "industry": "industry",
    "shipping": "shipping",
    "other_mobile": "other_mobile",
    "agriculture": "agriculture",
    "aviation": "aviation",
    "fgas_products": "fgas_products",
}
SOURCES = tuple(SOURCE_SECTOR)

# Groups above sectors that the inventory also reports (e.g. "Veitrafikk").
SECTOR_GROUPS = {
    "road_traffic": ("road_passenger_cars", "road_vans", "road_heavy_vehicles", "road_buses"),
}


def index(labels: tuple[str, ...], label: str) -> int:
    """Position of ``label`` in ``labels`` with a clear error if absent."""
    try:
        return labels.index(label)
    except ValueError:
        raise KeyError(f"{label!r} is not one of {', '.join(labels)}") from None
