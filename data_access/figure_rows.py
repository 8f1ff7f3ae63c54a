"""The figures of one area as every reader gets them: a module of its own so that figures and ages (which
figures calls for a life stage) both name it without importing each other."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Figures(TypedDict):
    """mpi.rules.area_figures of one area, with where they come from; crisis_<rule> where rules were asked for."""

    surveyed_households: int
    surveyed_persons: int
    poor_persons: int
    target_poor_persons: int
    target_poor_households: int | None
    crisis_persons: int
    dimension_target_poor: dict[str, int]
    indicator_target_poor: dict[str, int | None]  # None: not known under this definition
    deprived_dimensions_target_poor: dict[str, int]
    headcount_ratio: float
    intensity: float
    mpi: float
    source: str  # survey | published
    definition: str  # who counts as target poor
    crisis_ge3: NotRequired[int]
    crisis_basic_needs: NotRequired[int]
    age: NotRequired[str]  # the life stage counted (issue 34), when one was asked for
    age_split: NotRequired[bool]  # False: the area's figures are published ones, which carry no ages
