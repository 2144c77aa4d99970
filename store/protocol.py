"""The protocol a database runs on: the shipped pathways plus the clinic's own, their rules checked,
less the items the clinic has switched off.

A clinic adds a pathway by dropping a TOML file into the database's `pathways/` folder, so every user
of that database gets it (docs/PATHWAYS.md). The files are read and checked each time a command or
the app opens the database: a mistake is refused with the file, the line and the field named. An item
the clinic rejected and switched off (`rounds pathways disable`, docs/PROTOCOL.md) is left out of the
catalogue the engine is given, so it leaves every checklist; the case files keep its records.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from checklists.rules import check_rules
from seeds.loader import Catalogue, default_catalogue, load_catalogue
from store.errors import CorruptCaseFile
from store.repository import SETTINGS_FILE
from store.storage import read_file

# store/signoff.py's DISABLED_TABLE: its name, looked for in the settings' bytes before that module
# (and the reviews' rules with it) is imported, which every command would otherwise pay for.
_DISABLED_MARK = b'"disabled"'

CLINIC_PATHWAYS_DIR = "pathways"


@lru_cache(maxsize=1)
def shipped_protocol() -> Catalogue:
    """The shipped pathways, checked against their rules once per process."""
    return check_rules(default_catalogue())


def clinic_catalogue(db_dir: Path | str) -> Catalogue:
    """Every pathway of the database in `db_dir`, switched-off items included (the protocol document
    and the reviews need them); PathwayFileError naming the file if one is malformed."""
    clinic_dir = Path(db_dir).expanduser() / CLINIC_PATHWAYS_DIR
    if not clinic_dir.is_dir():
        return shipped_protocol()
    return check_rules(load_catalogue(clinic_dir=clinic_dir))


def load_protocol(db_dir: Path | str) -> Catalogue:
    """The catalogue the engine is given for the database in `db_dir`: less the switched-off items."""
    catalogue = clinic_catalogue(db_dir)
    disabled = _disabled(Path(db_dir).expanduser())
    if not disabled:
        return catalogue
    from checklists.signoff import without_disabled

    return check_rules(without_disabled(catalogue, disabled))


def _disabled(db_dir: Path):
    path = db_dir / SETTINGS_FILE
    try:
        found = read_file(path) if path.is_file() else None
        if found is None or _DISABLED_MARK not in found[0]:
            return ()  # the usual case: nothing switched off, decided from the bytes alone
        from store.signoff import read_disabled

        return read_disabled(path)
    except CorruptCaseFile:
        # Reported by the policy read of the same command (or listed as a warning); the checklist is
        # still shown, with every item, rather than nothing at all.
        return ()
