"""The protocol a database runs on: the shipped pathways plus the clinic's own, their rules checked.

A clinic adds a pathway by dropping a TOML file into the database's `pathways/` folder, so every user
of that database gets it (docs/PATHWAYS.md). The files are read and checked each time a command or
the app opens the database: a mistake is refused with the file, the line and the field named.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from checklists.rules import check_rules
from seeds.loader import Catalogue, default_catalogue, load_catalogue

CLINIC_PATHWAYS_DIR = "pathways"


@lru_cache(maxsize=1)
def shipped_protocol() -> Catalogue:
    """The shipped pathways, checked against their rules once per process."""
    return check_rules(default_catalogue())


def load_protocol(db_dir: Path | str) -> Catalogue:
    """The catalogue for the database in `db_dir`; PathwayFileError naming the file if one is malformed."""
    clinic_dir = Path(db_dir).expanduser() / CLINIC_PATHWAYS_DIR
    if not clinic_dir.is_dir():
        return shipped_protocol()
    return check_rules(load_catalogue(clinic_dir=clinic_dir))
