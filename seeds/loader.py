"""Load and validate the pathway definitions (TOML) that ship in this folder.

The definitions are data; this loader turns them into frozen objects once, at start, and names the
file and field of anything malformed so a clinic editing a pathway sees exactly what to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent
PROVENANCE_LEVELS = ("literature", "seed-summary", "clinic-policy")
SEVERITIES = ("info", "warning", "critical")
EVENT_KINDS = (
    "saline", "abi", "fat-graft", "injection", "pt-start", "biopsy", "aat-test", "workup",
    "therapy-start", "therapy-stop", "assessment", "mri", "note",
)
# Anchors the engine knows how to resolve (checklists/windows.py); a pathway may only name these.
ANCHORS = (
    "enrolment", "onset", "first-saline", "etiology-set", "first-therapy-start", "last-injection",
    "inflammation-resolved",
)
CONDITIONS = ("no-complete-improvement", "no-improvement-by-opening")
SERIES = ("saline", "recurrence")
ETIOLOGIES = ("unknown", "aat-deficiency", "idiopathic", "vasculitis")
BIOPSY_DEPTHS = ("deep-excisional", "punch", "superficial")
_OFFSET = re.compile(r"^(\d+)([dwm])$")


class PathwayFileError(ValueError):
    """A pathway or reference file is malformed; the message names the file and the field."""


@dataclass(slots=True, frozen=True)
class Offset:
    """A distance from an anchor date: days, weeks or calendar months."""

    amount: int
    unit: str  # "d", "w" or "m"

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


@dataclass(slots=True, frozen=True)
class WindowRule:
    """Where an item's window sits: anchor + opens .. anchor + closes, both inclusive."""

    anchor: str
    opens: Offset
    closes: Offset
    condition: str | None = None


@dataclass(slots=True, frozen=True)
class EventMatch:
    """Which logged events satisfy an item (all non-voided events of `kind` that match)."""

    kind: str
    depth: str | None = None
    drug_contains: str | None = None
    count: int = 1


@dataclass(slots=True, frozen=True)
class SeriesRule:
    """A recurring item: how the first and later occurrences are placed and when the series ends."""

    kind: str  # "saline" or "recurrence"
    first: WindowRule
    next_opens: Offset | None = None
    next_closes: Offset | None = None
    limit_years: int | None = None


@dataclass(slots=True, frozen=True)
class ItemDef:
    id: str
    pathway: str
    title: str
    phase: str
    rationale: str
    sources: tuple[str, ...]
    provenance: str
    window: WindowRule | None = None
    satisfied_by: EventMatch | None = None
    etiology: str | None = None
    series: SeriesRule | None = None
    stops_when_resolved: bool = False
    reopened_by_injection: bool = False
    needs_resolved_inflammation: bool = False
    note: str | None = None


@dataclass(slots=True, frozen=True)
class AlertDef:
    code: str
    pathway: str
    severity: str
    title: str
    action: str
    sources: tuple[str, ...]
    provenance: str


@dataclass(slots=True, frozen=True)
class PathwayDef:
    id: str
    title: str
    summary: str
    anchors: str
    items: tuple[ItemDef, ...]
    alerts: tuple[AlertDef, ...]

    def item(self, item_id: str) -> ItemDef | None:
        return next((i for i in self.items if i.id == item_id), None)

    def alert(self, code: str) -> AlertDef | None:
        return next((a for a in self.alerts if a.code == code), None)


@dataclass(slots=True, frozen=True)
class Reference:
    key: str
    citation: str
    provenance: str
    note: str | None = None


@dataclass(slots=True, frozen=True)
class Catalogue:
    """Every pathway and reference Rounds knows, keyed by id."""

    pathways: dict[str, PathwayDef]
    references: dict[str, Reference]

    def item(self, item_id: str) -> ItemDef | None:
        for pathway in self.pathways.values():
            found = pathway.item(item_id)
            if found:
                return found
        return None

    def alert(self, code: str) -> AlertDef | None:
        for pathway in self.pathways.values():
            found = pathway.alert(code)
            if found:
                return found
        return None


class _Reader:
    """Reads one TOML table, remembering where it is so that errors can name the field."""

    def __init__(self, path: Path, table: dict, where: str):
        self.path, self.table, self.where = path, table, where

    def fail(self, key: str, why: str) -> PathwayFileError:
        field = f"{self.where}.{key}" if self.where else key
        return PathwayFileError(f"{self.path.name}: field '{field}': {why}")

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value.strip()

    def choice(self, key: str, allowed: tuple[str, ...], required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and value not in allowed:
            raise self.fail(key, f"'{value}' is not one of {', '.join(allowed)}")
        return value

    def flag(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def integer(self, key: str, default: int | None = None) -> int | None:
        value = self.table.get(key, default)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise self.fail(key, "must be a whole number of at least 1")
        return value

    def offset(self, key: str, required: bool = True) -> Offset | None:
        raw = self.text(key, required)
        if raw is None:
            return None
        match = _OFFSET.match(raw)
        if not match:
            raise self.fail(key, f"'{raw}' is not an offset like 14d, 4w or 6m")
        return Offset(int(match.group(1)), match.group(2))

    def only(self, *allowed: str) -> "_Reader":
        """Refuse keys this table does not use: a misspelt `windw` must not silently drop a window."""
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, f"is not a known field (known: {', '.join(allowed)})")
        return self

    def sub(self, key: str) -> "_Reader | None":
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return _Reader(self.path, value, f"{self.where}.{key}" if self.where else key)

    def rows(self, key: str) -> list["_Reader"]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "must be an array of tables")
        return [_Reader(self.path, v, f"{key}[{n}]") for n, v in enumerate(value)]


def _window(reader: _Reader | None) -> WindowRule | None:
    if reader is None:
        return None
    reader.only("anchor", "opens", "closes", "condition")
    return WindowRule(
        anchor=reader.choice("anchor", ANCHORS),
        opens=reader.offset("opens"),
        closes=reader.offset("closes"),
        condition=reader.choice("condition", CONDITIONS, required=False),
    )


def _match(reader: _Reader | None) -> EventMatch | None:
    if reader is None:
        return None
    reader.only("kind", "depth", "drug_contains", "count")
    return EventMatch(
        kind=reader.choice("kind", EVENT_KINDS),
        depth=reader.choice("depth", BIOPSY_DEPTHS, required=False),
        drug_contains=reader.text("drug_contains", required=False),
        count=reader.integer("count", 1),
    )


def _series(reader: _Reader | None) -> SeriesRule | None:
    if reader is None:
        return None
    reader.only("kind", "first", "next_opens", "next_closes", "limit_years")
    first = _window(reader.sub("first"))
    if first is None:
        raise reader.fail("first", "is missing")
    kind = reader.choice("kind", SERIES)
    # Each kind of series needs what the engine places later occurrences with.
    saline = kind == "saline"
    return SeriesRule(
        kind=kind,
        first=first,
        next_opens=reader.offset("next_opens", required=saline),
        next_closes=reader.offset("next_closes", required=saline),
        limit_years=reader.integer("limit_years") if saline else _required_int(reader, "limit_years"),
    )


def _required_int(reader: _Reader, key: str) -> int:
    value = reader.integer(key)
    if value is None:
        raise reader.fail(key, "is missing")
    return value


def _sources(reader: _Reader, known: set[str]) -> tuple[str, ...]:
    value = reader.table.get("sources")
    if not isinstance(value, list) or not value or not all(isinstance(s, str) for s in value):
        raise reader.fail("sources", "must be a non-empty list of source keys")
    for key in value:
        if key not in known:
            raise reader.fail("sources", f"'{key}' is not in references.toml")
    return tuple(value)


_ITEM_FIELDS = ("id", "title", "phase", "rationale", "sources", "provenance", "window", "satisfied_by",
                "etiology", "series", "stops_when_resolved", "reopened_by_injection",
                "needs_resolved_inflammation", "note")


def _item(reader: _Reader, pathway: str, known: set[str]) -> ItemDef:
    reader.only(*_ITEM_FIELDS)
    item = ItemDef(
        id=reader.text("id"),
        pathway=pathway,
        title=reader.text("title"),
        phase=reader.text("phase"),
        rationale=reader.text("rationale"),
        sources=_sources(reader, known),
        provenance=reader.choice("provenance", PROVENANCE_LEVELS),
        window=_window(reader.sub("window")),
        satisfied_by=_match(reader.sub("satisfied_by")),
        etiology=reader.choice("etiology", ETIOLOGIES, required=False),
        series=_series(reader.sub("series")),
        stops_when_resolved=reader.flag("stops_when_resolved"),
        reopened_by_injection=reader.flag("reopened_by_injection"),
        needs_resolved_inflammation=reader.flag("needs_resolved_inflammation"),
        note=reader.text("note", required=False),
    )
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", item.id):
        raise reader.fail("id", f"'{item.id}' is not a lower-case slug")
    return item


def _alert(reader: _Reader, pathway: str, known: set[str]) -> AlertDef:
    reader.only("code", "severity", "title", "action", "sources", "provenance")
    return AlertDef(
        code=reader.text("code"),
        pathway=pathway,
        severity=reader.choice("severity", SEVERITIES),
        title=reader.text("title"),
        action=reader.text("action"),
        sources=_sources(reader, known),
        provenance=reader.choice("provenance", PROVENANCE_LEVELS),
    )


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise PathwayFileError(f"{path.name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise PathwayFileError(f"{path.name}: cannot be read: {exc.strerror}") from None


def load_references(path: Path) -> dict[str, Reference]:
    data = _read_toml(path)
    references = {}
    for row in _Reader(path, data, "").rows("reference"):
        row.only("key", "citation", "provenance", "note")
        ref = Reference(
            key=row.text("key"),
            citation=row.text("citation"),
            provenance=row.choice("provenance", PROVENANCE_LEVELS),
            note=row.text("note", required=False),
        )
        if ref.key in references:
            raise row.fail("key", f"'{ref.key}' appears twice")
        references[ref.key] = ref
    return references


def load_pathway(path: Path, known_sources: set[str]) -> PathwayDef:
    data = _read_toml(path)
    top = _Reader(path, data, "").only("id", "title", "summary", "anchors", "item", "alert")
    pathway_id = top.text("id")
    items = tuple(_item(r, pathway_id, known_sources) for r in top.rows("item"))
    alerts = tuple(_alert(r, pathway_id, known_sources) for r in top.rows("alert"))
    seen: set[str] = set()
    for n, item in enumerate(items):
        if item.id in seen:
            raise PathwayFileError(f"{path.name}: field 'item[{n}].id': '{item.id}' appears twice")
        seen.add(item.id)
    if not items:
        raise top.fail("item", "a pathway needs at least one item")
    return PathwayDef(
        id=pathway_id,
        title=top.text("title"),
        summary=top.text("summary"),
        anchors=top.text("anchors"),
        items=items,
        alerts=alerts,
    )


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Read references.toml and every pathways/*.toml under `directory` (default: this folder)."""
    base = Path(directory) if directory else SEEDS_DIR
    references = load_references(base / "references.toml")
    pathways: dict[str, PathwayDef] = {}
    item_ids: dict[str, str] = {}
    for path in sorted((base / "pathways").glob("*.toml")):
        pathway = load_pathway(path, set(references))
        if pathway.id in pathways:
            raise PathwayFileError(f"{path.name}: field 'id': pathway '{pathway.id}' is defined twice")
        for item in pathway.items:
            if item.id in item_ids:
                raise PathwayFileError(
                    f"{path.name}: field 'item.id': '{item.id}' is also in pathway {item_ids[item.id]}"
                )
            item_ids[item.id] = pathway.id
        pathways[pathway.id] = pathway
    if not pathways:
        raise PathwayFileError(f"{base / 'pathways'}: no pathway files found")
    return Catalogue(pathways=pathways, references=references)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process."""
    return load_catalogue()


def load_demo_cases(path: Path | None = None) -> list[dict]:
    """The synthetic demo case templates (seeds/demo.toml), as plain tables for the demo builder."""
    source = Path(path) if path else SEEDS_DIR / "demo.toml"
    cases = _read_toml(source).get("case")
    if not isinstance(cases, list) or not cases:
        raise PathwayFileError(f"{source.name}: field 'case': needs at least one demo case")
    for n, case in enumerate(cases):
        reader = _Reader(source, case, f"case[{n}]")
        if not isinstance(case.get("onset"), int) or not isinstance(case.get("enrolled"), int):
            raise reader.fail("onset", "onset and enrolled must be whole numbers of days relative to today")
        if not isinstance(case.get("pathways"), list) or not case["pathways"]:
            raise reader.fail("pathways", "must list at least one pathway")
    return cases
