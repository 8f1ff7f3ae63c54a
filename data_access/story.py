"""The facts an area's story is told from, each read through the same functions the API answers with."""

from __future__ import annotations

from data_access import areas, figures, logbook
from mpi import catalogue
from mpi.rules import ALL_DIMENSIONS_MASK


def facts(code: str, year: int, viewer=None, mask: int = ALL_DIMENSIONS_MASK) -> dict:
    """The area, its parent and siblings (for standing), its children (for pockets), indicators and Logbook progress.
    Raises figures.NotFound when the area has no figures that year."""
    area = figures.area_summary(code, year, mask)
    chain = areas.ancestors(code)
    parent_code = chain[-2]["code"] if len(chain) > 1 else None
    parent = figures.area_summary(parent_code, year, mask) if parent_code else None
    siblings = figures.children_summaries(parent_code, year, mask) if parent_code else []
    children = figures.children_summaries(code, year, mask) if area["level"] != "tambon" else []
    villages = figures.village_summaries(code, year, mask) if area["level"] == "tambon" else []
    return {
        "area": area,
        "parent": parent,
        "siblings": siblings,
        "children": children,
        "villages": villages,
        "indicators": {i.code: i for i in catalogue.indicators_for_year(year)},
        "progress": logbook.progress(code, year, viewer=viewer),
        "year": year,
        "mask": mask,
    }
