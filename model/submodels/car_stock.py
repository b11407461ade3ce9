"""How many cars the residents own, and how a change of ownership reaches the car fleet's vintages.

The car stock is the population times the 2009 cars per capita, moved by the lever ``car_ownership_change``
(car sharing) against 2009 (:func:`car_ownership`, :func:`car_stock_target`). A change of ownership moves cars
across every vintage alike (:func:`cars_kept`, ``fleet.advance_vintages``' ``kept``): members of car sharing sell
or scrap the cars they have, and those who buy cars again buy them of every age; the year's new cars replace what
was scrapped and follow the population. Read by the transport year (``transport.advance``), the new-car choice
(cars per capita) and the history fit's replay of the fleet (``car_replay``).
"""

from __future__ import annotations

import numpy as np

from .transport_state import CAR_CLASS, TransportState


def car_ownership(state: TransportState, levers: dict) -> np.ndarray:
    """Cars per capita relative to 2009's ``(D, M)`` [1]: ``(1 + o) / (1 + o_2009)`` of the lever
    ``car_ownership_change`` o (car sharing)."""
    return (1.0 + levers["car_ownership_change"]) / (1.0 + state.base_levers["car_ownership_change"])


def car_stock_target(state: TransportState, population: np.ndarray, ownership: np.ndarray) -> np.ndarray:
    """The cars ``(D, M)`` [cars] the year's turnover brings the stock to: population x the 2009 cars per capita
    x ``ownership`` ``(D, M)`` [1], the cars per capita relative to 2009's (:func:`car_ownership`)."""
    return population * state.cars_per_capita_base * ownership


def cars_kept(ownership: np.ndarray, before: np.ndarray) -> np.ndarray:
    """The surviving cars the residents keep this year, relative to the survivors ``(D, M)`` [1]: ``c_t / c_(t-1)``
    of the cars per capita ``ownership`` c_t (:func:`car_ownership`) against ``before`` c_(t-1), last year's
    turnover's (``TransportState.car_ownership``). An ownership change moves cars across every vintage alike
    (``fleet.advance_vintages``): members of car sharing sell or scrap the cars they have (below 1), and those who
    leave it, or a rise of ownership, buy cars of every age on the second-hand market (above 1); the year's new
    cars replace what was scrapped and follow the population. Otherwise a car-sharing measure would turn the fleet
    over faster, as a scrappage scheme does: giving up cars by buying fewer new ones and taking them back new. 1 to
    the bit where ownership has not changed."""
    return ownership / before


def class_kept(kept: np.ndarray, shape: tuple) -> np.ndarray | None:
    """The cars' ``kept`` share ``(D, M)`` spread over the vehicle classes ``shape`` ``(D, M, C)``, the other
    classes keeping all (their stock follows their vkm); None where the residents keep every car and no more (the
    turnover's usual rule, to the bit)."""
    if np.all(kept == 1.0):
        return None
    out = np.ones(shape)
    out[:, :, CAR_CLASS] = kept
    return out
