"""Load and validate pathway definitions (TOML): the ones that ship in this folder, and a clinic's own.

The definitions are data; this loader turns them into frozen objects once, at start, and names the
file, the line and the field of anything malformed so a clinic editing a pathway sees what to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from seeds.drugs import DRUGS_FILE, DrugFileError, DrugTable, default_drugs, load_drugs
from seeds.vocabulary import (
    ASSESSMENT_FIELDS, BIOPSY_DEPTHS, COUNTED, EVENT_FIELDS, EVENT_KINDS, ITEM_KINDS, PROVENANCE_LEVELS, SEVERITIES,
)

SEEDS_DIR = Path(__file__).resolve().parent
# What the engine knows how to compute (checklists/windows.py); a pathway may only name these.
# `saline-failed`: the day the saline course counts as failed; `first-line-failed`: the day escalation
# to a graft opens (saline failed, or a year without improvement once saline was tried or declined);
# `drug-course-start`: the first start of the current course of the window's `drug`;
# `maintenance-start`: the start of the current stretch of maintenance therapy, counted across drugs.
# Anchors that place the occurrences of a `per-injection` series, and only those: `each-injection`
# (one occurrence after every injection) and `each-run` (after the first injection of every run, and
# after the last one when the run has more than one; a run ends when `injection_run_gap_months`,
# clinic policy, pass without an injection).
INJECTION_ANCHORS = ("each-injection", "each-run")
ANCHORS = (
    "enrolment", "onset", "first-saline", "etiology-set", "first-therapy-start", "last-injection",
    "inflammation-resolved", "saline-failed", "first-line-failed", "last-fat-graft", "drug-course-start",
    "maintenance-start", *INJECTION_ANCHORS,
)
SERIES = ("saline", "recurrence", "per-injection")
# A running record shown on the item's line instead of a count.
DETAILS = ("injection-log", "graft-count", "dose-history", "improvement-basis")
_OFFSET = re.compile(r"^(\d+)([dwm])$")
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_SHORT_LABEL = re.compile(r"[A-Z0-9]{2,4}")
DEFAULT_ONSET = "the day the problem was first noticed"


class PathwayFileError(ValueError):
    """A pathway or reference file is malformed; the message names the file, the line and the field."""


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
    drug: str | None = None  # for the `drug-course-start` anchor: a generic name from drugs.toml


@dataclass(slots=True, frozen=True)
class EventMatch:
    """Which logged events satisfy an item (all non-voided events of `kind` that match).

    `drug`: a generic name from drugs.toml that the event's drug must name (abbreviations count).
    `in_window`: only an event dated from 7 days before the item's window opens counts (a review is
    done by assessing the patient at about the right time). `needs`: event fields that must be recorded.
    `before`: event kinds that begin treatment; only an event dated on or before the first of them counts
    (a baseline is taken before treatment starts).
    """

    kind: str
    depth: str | None = None
    drug: str | None = None
    count: int = 1
    in_window: bool = False
    needs: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class SeriesRule:
    """A recurring item: how the first and later occurrences are placed.

    No series has a fixed end: a saline course ends by its count or by a skip with a reason, and
    recurrence checks go on until a clinician ends monitoring (a skip with a reason).
    """

    kind: str  # one of SERIES
    first: WindowRule
    next_opens: Offset | None = None
    next_closes: Offset | None = None


@dataclass(slots=True, frozen=True)
class ItemDef:
    id: str
    pathway: str
    title: str
    phase: str
    rationale: str
    sources: tuple[str, ...]
    provenance: str
    short: str = ""  # the board's label ("6-month review"); the title when the file gives none
    kind: str = "action"  # ITEM_KINDS: what a late presentation means for the item
    window: WindowRule | None = None
    satisfied_by: EventMatch | None = None
    etiology: str | None = None
    series: SeriesRule | None = None
    stops_when_resolved: bool = False
    reopened_by: str | None = None  # an event kind: one dated after a resolution opens the item again
    needs_resolved_inflammation: bool = False
    detail: str | None = None  # one of DETAILS
    waits: str | None = None  # what the item says while its gate is shut ("after the saline course")
    note: str | None = None
    # How strong the source of the item's *timing* is, when it differs from that of the step itself:
    # saline is literature, but the 14 days within which the first session is booked are the clinic's.
    window_provenance: str | None = None
    # The case's recorded severity this item waits for (one of the pathway's `severities`): no window
    # until the disease is recorded so; then its window counts from that day at the earliest.
    needs_severity: str | None = None

    @property
    def time_point(self) -> bool:
        return self.kind == "time-point"

    @property
    def timing_provenance(self) -> str | None:
        """How strong the source of its timing is (None for an item with no window: no timing to source)."""
        if self.window is None and self.series is None:
            return None
        return self.window_provenance or self.provenance


@dataclass(slots=True, frozen=True)
class AlertDef:
    code: str
    pathway: str
    severity: str
    title: str
    action: str
    sources: tuple[str, ...]
    provenance: str
    past_fact: bool = False  # its cause is something that happened: it can be acknowledged with a note


@dataclass(slots=True, frozen=True)
class PathwayDef:
    id: str
    title: str
    short: str  # two to four capitals for narrow columns: "ATR"
    summary: str
    anchors: str
    items: tuple[ItemDef, ...]
    alerts: tuple[AlertDef, ...]
    etiologies: tuple[str, ...] = ()  # the first is a new case's; empty: the pathway has no etiology
    severities: tuple[str, ...] = ()  # how severe its disease is recorded; the first (unknown) is a new case's
    inflammation: bool = False  # whether its cases record inflammation (active / resolved, dated)
    counts: tuple[str, ...] = ()  # which counts (vocabulary.COUNTED) its cases show
    # The event kinds its cases record (vocabulary.EVENT_KINDS): what the Log form offers. Empty (a
    # file that does not say): every kind.
    events: tuple[str, ...] = ()
    # The assessment fields its cases record (event field names: size_mm, mrc, ...): what the assessment
    # form asks and whether the case shows a lesion chart. Empty (a file that does not say): every field.
    assessment_fields: tuple[str, ...] = ()
    onset: str = DEFAULT_ONSET  # what a case's onset date means here
    # True when the onset is a complication of the injection (the atrophy it caused): then a case's
    # injection date may not be after its onset. False when the onset comes first and the injection
    # treats it (the hip pain that led to injection).
    onset_follows_injection: bool = False
    order: int = 100  # where it is listed among the pathways (then by id)
    file: str = ""  # where it was read from, for messages ("hip-injection.toml")
    clinic: bool = False  # True for a clinic's own pathway from the database's pathways/ folder

    def item(self, item_id: str) -> ItemDef | None:
        return next((i for i in self.items if i.id == item_id), None)

    def alert(self, code: str) -> AlertDef | None:
        return next((a for a in self.alerts if a.code == code), None)

    def series_item(self, kind: str) -> ItemDef | None:
        """The recurring item of this kind ("saline", "recurrence"), if the pathway has one."""
        return next((i for i in self.items if i.series is not None and i.series.kind == kind), None)

    def items_satisfied_by(self, kind: str) -> tuple[ItemDef, ...]:
        return tuple(i for i in self.items if i.satisfied_by is not None and i.satisfied_by.kind == kind)


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
    drugs: DrugTable = field(default_factory=default_drugs)

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

    @property
    def pathway_ids(self) -> tuple[str, ...]:
        return tuple(self.pathways)

    def short_label(self, pathway_id: str) -> str:
        """"ATR" for steroid-atrophy; a pathway this catalogue does not know is shown by its id."""
        pathway = self.pathways.get(pathway_id)
        return pathway.short if pathway else pathway_id

    def etiologies_for(self, pathway_ids) -> tuple[str, ...]:
        """The etiologies a case following these pathways may have (empty: etiology does not apply)."""
        found: list[str] = []
        for pathway_id in pathway_ids:
            pathway = self.pathways.get(pathway_id)
            for etiology in pathway.etiologies if pathway else ():
                if etiology not in found:
                    found.append(etiology)
        return tuple(found)

    def severities_for(self, pathway_ids) -> tuple[str, ...]:
        """The severities a case following these pathways may have (empty: severity does not apply)."""
        found: list[str] = []
        for pathway_id in pathway_ids:
            pathway = self.pathways.get(pathway_id)
            for severity in pathway.severities if pathway else ():
                if severity not in found:
                    found.append(severity)
        return tuple(found)

    def onset_after_injection(self, pathway_ids) -> PathwayDef | None:
        """The first of these pathways whose onset is a complication of the injection (its injection
        date may not be after its onset), or None when no pathway of the case says so."""
        return next((self.pathways[p] for p in pathway_ids
                     if p in self.pathways and self.pathways[p].onset_follows_injection), None)

    def assessment_fields(self, pathway_ids) -> tuple[str, ...]:
        """The assessment fields a case following these pathways records, in the order its pathways list
        them (every field when one of them does not say, or none is known)."""
        known = [self.pathways[p] for p in pathway_ids if p in self.pathways]
        if not known or any(not p.assessment_fields for p in known):
            return ASSESSMENT_FIELDS
        found: list[str] = []
        for pathway in known:
            found += [f for f in pathway.assessment_fields if f not in found]
        return tuple(found)

    def records_inflammation(self, pathway_ids) -> bool:
        return any(self.pathways[p].inflammation for p in pathway_ids if p in self.pathways)

    def event_kinds(self, pathway_ids) -> tuple[str, ...]:
        """The event kinds a case following these pathways records, in vocabulary order (every kind
        when one of them does not list its kinds, or none is known)."""
        known = [self.pathways[p] for p in pathway_ids if p in self.pathways]
        if not known or any(not p.events for p in known):
            return EVENT_KINDS
        wanted = {kind for p in known for kind in p.events}
        return tuple(kind for kind in EVENT_KINDS if kind in wanted)

    def counted(self, pathway_ids) -> tuple[str, ...]:
        """The counts these pathways show, in vocabulary order."""
        wanted = {c for p in pathway_ids if p in self.pathways for c in self.pathways[p].counts}
        return tuple(c for c in COUNTED if c in wanted)


class _Lines:
    """Finds the line of a field in a TOML text, so that an error can point at it.

    tomllib gives no positions for values, so this looks for the table's header (`[[item]]` number n,
    `[item.series]`) and then for the key; a miss falls back to the table's first line.
    """

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?")

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def find(self, where: str, key: str) -> int | None:
        start, end = self._block(where.split(".")[0]) if where else (0, self._first_header())
        parts = where.split(".")[1:] + [key]
        line = start
        for part in parts:
            found = self._key_line(part, line, end)
            if found is None:
                return line + 1 if where else None
            line = found
        return line + 1

    def _first_header(self) -> int:
        for n, line in enumerate(self.lines):
            if self._HEADER.match(line):
                return n
        return len(self.lines)

    def _block(self, head: str) -> tuple[int, int]:
        """Lines of `item[3]` (the fourth `[[item]]`): from its header to the next array header."""
        match = re.fullmatch(r"([A-Za-z_]+)\[(\d+)\]", head)
        if not match:
            return 0, len(self.lines)
        name, index = match.group(1), int(match.group(2))
        seen = -1
        start = None
        for n, line in enumerate(self.lines):
            header = self._HEADER.match(line)
            if header and line.lstrip().startswith("[["):
                if start is not None:
                    return start, n
                if header.group(1) == name:
                    seen += 1
                    if seen == index:
                        start = n
        return (start, len(self.lines)) if start is not None else (0, len(self.lines))

    def _key_line(self, key: str, start: int, end: int) -> int | None:
        key_pattern = re.compile(rf"(^|[\s{{,.\[])\s*{re.escape(key)}\s*(=|\]|\.)")
        for n in range(start, min(end, len(self.lines))):
            if key_pattern.search(self.lines[n]):
                return n
        return None


class _Reader:
    """Reads one TOML table, remembering where it is so that errors can name the line and the field."""

    def __init__(self, path: Path, table: dict, where: str, lines: _Lines | None = None):
        self.path, self.table, self.where = path, table, where
        self.lines = lines or _Lines("")

    def fail(self, key: str, why: str) -> PathwayFileError:
        field = f"{self.where}.{key}" if self.where else key
        line = self.lines.find(self.where, key)
        at = f" line {line}:" if line else ""
        return PathwayFileError(f"{self.path.name}:{at} field '{field}': {why}")

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

    def choices(self, key: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """A list of distinct slugs (from `allowed` when given); absent means empty."""
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and _SLUG.fullmatch(v) for v in value):
            raise self.fail(key, "must be a list of lower-case slugs")
        if len(set(value)) != len(value):
            raise self.fail(key, "names a value twice")
        for v in value:
            if allowed is not None and v not in allowed:
                raise self.fail(key, f"'{v}' is not one of {', '.join(allowed)}")
        return tuple(value)

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
        return _Reader(self.path, value, f"{self.where}.{key}" if self.where else key, self.lines)

    def rows(self, key: str) -> list["_Reader"]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "must be an array of tables")
        return [_Reader(self.path, v, f"{key}[{n}]", self.lines) for n, v in enumerate(value)]


def _window(reader: _Reader | None, drugs: DrugTable, series: bool = False) -> WindowRule | None:
    if reader is None:
        return None
    reader.only("anchor", "opens", "closes", "drug")
    anchor = _required(reader, reader.choice("anchor", ANCHORS))
    if anchor in INJECTION_ANCHORS and not series:
        raise reader.fail("anchor", f"'{anchor}' places the occurrences of a per-injection series only")
    drug = _drug(reader, "drug", drugs)
    if (anchor == "drug-course-start") != (drug is not None):
        raise reader.fail("drug", "is needed with the drug-course-start anchor, and only with it")
    return WindowRule(
        anchor=anchor,
        opens=_required(reader, reader.offset("opens")),
        closes=_required(reader, reader.offset("closes")),
        drug=drug,
    )


def _drug(reader: _Reader, key: str, drugs: DrugTable) -> str | None:
    """A generic drug name from drugs.toml (an abbreviation is refused: the file needs the generic)."""
    name = reader.text(key, required=False)
    if name is not None and name not in drugs.generics:
        raise reader.fail(key, f"'{name}' is not a generic name in drugs.toml")
    return name


def _match(reader: _Reader | None, drugs: DrugTable) -> EventMatch | None:
    if reader is None:
        return None
    # `drug_contains` is the older name of `drug` (clinic files written before the drug list).
    reader.only("kind", "depth", "drug", "drug_contains", "count", "in_window", "needs", "before")
    drug = _drug(reader, "drug", drugs) or _drug(reader, "drug_contains", drugs)
    return EventMatch(
        kind=_required(reader, reader.choice("kind", EVENT_KINDS)),
        depth=reader.choice("depth", BIOPSY_DEPTHS, required=False),
        drug=drug,
        count=reader.integer("count", 1) or 1,
        in_window=reader.flag("in_window"),
        # Field names as the command line writes them (`depth-mm`), kept as the event's (`depth_mm`).
        needs=tuple(n.replace("-", "_")
                    for n in reader.choices("needs", tuple(n.replace("_", "-") for n in EVENT_FIELDS))),
        before=reader.choices("before", EVENT_KINDS),
    )


def _series(reader: _Reader | None, drugs: DrugTable) -> SeriesRule | None:
    if reader is None:
        return None
    # `limit_years` (an end to recurrence checks, from older files) is still read, so that a clinic's
    # file keeps loading, but it ends nothing: 8 years was the source's example of a late relapse.
    reader.only("kind", "first", "next_opens", "next_closes", "limit_years")
    reader.integer("limit_years")
    first = _window(reader.sub("first"), drugs, series=True)
    if first is None:
        raise reader.fail("first", "is missing")
    kind = _required(reader, reader.choice("kind", SERIES))
    if (kind == "per-injection") != (first.anchor in INJECTION_ANCHORS):
        raise reader.fail("first", f"a per-injection series is placed by {' or '.join(INJECTION_ANCHORS)}, "
                                   "and those anchors place nothing else")
    # Each kind of series needs what the engine places later occurrences with.
    saline = kind == "saline"
    return SeriesRule(
        kind=kind,
        first=first,
        next_opens=reader.offset("next_opens", required=saline),
        next_closes=reader.offset("next_closes", required=saline),
    )


def _required(reader: _Reader, value):
    """A value `reader` has already insisted on (narrows the type for the checker)."""
    assert value is not None, reader.where
    return value


def _sources(reader: _Reader, known: set[str]) -> tuple[str, ...]:
    value = reader.table.get("sources")
    if not isinstance(value, list) or not value or not all(isinstance(s, str) for s in value):
        raise reader.fail("sources", "must be a non-empty list of source keys")
    for key in value:
        if key not in known:
            raise reader.fail("sources", f"'{key}' is not in references.toml")
    return tuple(value)


_ITEM_FIELDS = ("id", "title", "short", "kind", "phase", "rationale", "sources", "provenance", "window",
                "satisfied_by", "etiology", "series", "stops_when_resolved", "reopened_by",
                "reopened_by_injection", "needs_resolved_inflammation", "detail", "waits", "note",
                "window_provenance", "needs_severity")


def _item(reader: _Reader, pathway: str, etiologies: tuple[str, ...], known: set[str],
          drugs: DrugTable, severities: tuple[str, ...] = ()) -> ItemDef:
    reader.only(*_ITEM_FIELDS)
    item_id = _required(reader, reader.text("id"))
    if not _SLUG.fullmatch(item_id):
        raise reader.fail("id", f"'{item_id}' is not a lower-case slug")
    title = _required(reader, reader.text("title"))
    short = reader.text("short", required=False) or title
    if len(short) > 28:
        raise reader.fail("short", "is longer than 28 characters (it has to fit the board's column)")
    etiology = reader.text("etiology", required=False)
    if etiology is not None and etiology not in etiologies:
        raise reader.fail("etiology", f"'{etiology}' is not one of the pathway's etiologies "
                                      f"({', '.join(etiologies) or 'it lists none'})")
    return ItemDef(
        id=item_id,
        pathway=pathway,
        title=title,
        short=short,
        phase=_required(reader, reader.text("phase")),
        rationale=_required(reader, reader.text("rationale")),
        sources=_sources(reader, known),
        provenance=_required(reader, reader.choice("provenance", PROVENANCE_LEVELS)),
        # Items without the field (clinic files written before it) are actions: a late presentation
        # never hides one of them as missed.
        kind=reader.choice("kind", ITEM_KINDS, required=False) or "action",
        window=_window(reader.sub("window"), drugs),
        satisfied_by=_match(reader.sub("satisfied_by"), drugs),
        etiology=etiology,
        series=_series(reader.sub("series"), drugs),
        stops_when_resolved=reader.flag("stops_when_resolved"),
        # `reopened_by_injection = true` is the older spelling of `reopened_by = "injection"`.
        reopened_by=reader.choice("reopened_by", EVENT_KINDS, required=False)
        or ("injection" if reader.flag("reopened_by_injection") else None),
        needs_resolved_inflammation=reader.flag("needs_resolved_inflammation"),
        detail=reader.choice("detail", DETAILS, required=False),
        waits=reader.text("waits", required=False),
        note=reader.text("note", required=False),
        window_provenance=_window_provenance(reader),
        needs_severity=_needs_severity(reader, severities),
    )


def _needs_severity(reader: _Reader, severities: tuple[str, ...]) -> str | None:
    value = reader.text("needs_severity", required=False)
    if value is not None and value not in severities:
        raise reader.fail("needs_severity", f"'{value}' is not one of the pathway's severities "
                                            f"({', '.join(severities) or 'it lists none'})")
    return value


def _window_provenance(reader: _Reader) -> str | None:
    """The provenance of the item's timing; only for an item that has a timing (a window or a series)."""
    value = reader.choice("window_provenance", PROVENANCE_LEVELS, required=False)
    if value is not None and "window" not in reader.table and "series" not in reader.table:
        raise reader.fail("window_provenance", "applies only to an item with a window or a series")
    return value


def _alert(reader: _Reader, pathway: str, known: set[str]) -> AlertDef:
    reader.only("code", "severity", "title", "action", "sources", "provenance", "past_fact")
    code = _required(reader, reader.text("code"))
    if not _SLUG.fullmatch(code):
        raise reader.fail("code", f"'{code}' is not a lower-case slug")
    return AlertDef(
        code=code,
        pathway=pathway,
        severity=_required(reader, reader.choice("severity", SEVERITIES)),
        title=_required(reader, reader.text("title")),
        action=_required(reader, reader.text("action")),
        sources=_sources(reader, known),
        provenance=_required(reader, reader.choice("provenance", PROVENANCE_LEVELS)),
        past_fact=reader.flag("past_fact"),
    )


def _read_toml(path: Path) -> tuple[dict, _Lines]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PathwayFileError(f"{path.name}: not UTF-8 text") from None
    except OSError as exc:
        raise PathwayFileError(f"{path.name}: cannot be read: {exc.strerror}") from None
    try:
        return tomllib.loads(text), _Lines(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's own message ends with "(at line N, column M)".
        raise PathwayFileError(f"{path.name}: not valid TOML: {exc}") from None


def load_references(path: Path) -> dict[str, Reference]:
    data, lines = _read_toml(path)
    references: dict[str, Reference] = {}
    for row in _Reader(path, data, "", lines).rows("reference"):
        row.only("key", "citation", "provenance", "note")
        ref = Reference(
            key=_required(row, row.text("key")),
            citation=_required(row, row.text("citation")),
            provenance=_required(row, row.choice("provenance", PROVENANCE_LEVELS)),
            note=row.text("note", required=False),
        )
        if ref.key in references:
            raise row.fail("key", f"'{ref.key}' appears twice")
        references[ref.key] = ref
    return references


_PATHWAY_FIELDS = ("id", "title", "short", "order", "summary", "anchors", "onset", "onset_follows_injection",
                   "etiologies", "severities", "inflammation", "counts", "events", "assessment_fields", "item",
                   "alert")


def load_pathway(path: Path, known_sources: set[str], *, clinic: bool = False,
                 drugs: DrugTable | None = None) -> PathwayDef:
    data, lines = _read_toml(path)
    top = _Reader(path, data, "", lines).only(*_PATHWAY_FIELDS)
    pathway_id = _required(top, top.text("id"))
    if not _SLUG.fullmatch(pathway_id):
        raise top.fail("id", f"'{pathway_id}' is not a lower-case slug")
    short = _required(top, top.text("short"))
    if not _SHORT_LABEL.fullmatch(short):
        raise top.fail("short", f"'{short}' is not 2 to 4 capital letters or digits")
    etiologies = top.choices("etiologies")
    severities = top.choices("severities")
    table = drugs or default_drugs()
    items = tuple(_item(r, pathway_id, etiologies, known_sources, table, severities) for r in top.rows("item"))
    alerts = tuple(_alert(r, pathway_id, known_sources) for r in top.rows("alert"))
    _refuse_twice(top, "item", [i.id for i in items])
    _refuse_twice(top, "alert", [a.code for a in alerts])
    events = top.choices("events", EVENT_KINDS)
    _events_cover_items(top, events, items)
    assessment_fields = _assessment_fields(top, items)
    if not items:
        raise top.fail("item", "a pathway needs at least one item")
    return PathwayDef(
        id=pathway_id,
        title=_required(top, top.text("title")),
        short=short,
        summary=_required(top, top.text("summary")),
        anchors=_required(top, top.text("anchors")),
        items=items,
        alerts=alerts,
        etiologies=etiologies,
        severities=severities,
        inflammation=top.flag("inflammation"),
        counts=top.choices("counts", COUNTED),
        events=events,
        assessment_fields=assessment_fields,
        order=top.integer("order", 100) or 100,
        onset=top.text("onset", required=False) or DEFAULT_ONSET,
        onset_follows_injection=top.flag("onset_follows_injection"),
        file=path.name,
        clinic=clinic,
    )


def _events_cover_items(top: _Reader, events: tuple[str, ...], items: tuple[ItemDef, ...]) -> None:
    """A pathway that lists its event kinds lists every kind its items are done by or reopened by (the
    Log form offers only the listed kinds: a checklist must never ask for an event it cannot log)."""
    if not events:
        return
    for item in items:
        needed = [item.satisfied_by.kind if item.satisfied_by else None, item.reopened_by,
                  "saline" if item.series is not None and item.series.kind == "saline" else None]
        for kind in needed:
            if kind is not None and kind not in events:
                raise top.fail("events", f"does not list '{kind}', which item '{item.id}' needs")


def _assessment_fields(top: _Reader, items: tuple[ItemDef, ...]) -> tuple[str, ...]:
    """The assessment fields a pathway lists (as the command line spells them, `size-mm`), kept as the
    event's names (`size_mm`); they must cover every field its items need of an assessment."""
    spelled = tuple(n.replace("_", "-") for n in ASSESSMENT_FIELDS)
    fields = tuple(n.replace("-", "_") for n in top.choices("assessment_fields", spelled))
    if not fields:
        return ()
    for item in items:
        match = item.satisfied_by
        for name in match.needs if match is not None and match.kind == "assessment" else ():
            if name not in fields:
                raise top.fail("assessment_fields", f"does not list '{name.replace('_', '-')}', which item "
                                                    f"'{item.id}' needs")
    return fields


def _refuse_twice(top: _Reader, table: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for n, value in enumerate(ids):
        if value in seen:
            where = _Reader(top.path, {}, f"{table}[{n}]", top.lines)
            raise where.fail("id" if table == "item" else "code", f"'{value}' appears twice")
        seen.add(value)


def load_catalogue(directory: Path | None = None, clinic_dir: Path | None = None) -> Catalogue:
    """Read references.toml and every pathways/*.toml under `directory` (default: this folder), then
    a clinic's own from `clinic_dir` (a database's `pathways/` folder: `*.toml`, and an optional
    `references.toml` of the clinic's sources)."""
    base = Path(directory) if directory else SEEDS_DIR
    references = load_references(base / "references.toml")
    drugs = _drug_table(base / "drugs.toml")
    pathways: dict[str, PathwayDef] = {}
    item_ids: dict[str, str] = {}
    files = [(path, False) for path in sorted((base / "pathways").glob("*.toml"))]
    if not files:
        raise PathwayFileError(f"{base / 'pathways'}: no pathway files found")
    if clinic_dir is not None:
        clinic_references = clinic_dir / "references.toml"
        if clinic_references.is_file():
            _add_references(references, load_references(clinic_references), clinic_references)
        files += [(path, True) for path in sorted(clinic_dir.glob("*.toml")) if path != clinic_references]
    for path, clinic in files:
        pathway = load_pathway(path, set(references), clinic=clinic, drugs=drugs)
        if pathway.id in pathways:
            raise PathwayFileError(f"{path.name}: field 'id': pathway '{pathway.id}' is already defined "
                                   f"by {pathways[pathway.id].file}")
        for item in pathway.items:
            if item.id in item_ids:
                raise PathwayFileError(
                    f"{path.name}: field 'item.id': '{item.id}' is also in pathway {item_ids[item.id]}"
                )
            item_ids[item.id] = pathway.id
        pathways[pathway.id] = pathway
    ordered = dict(sorted(pathways.items(), key=lambda kv: (kv[1].order, kv[0])))
    return Catalogue(pathways=ordered, references=references, drugs=drugs)


def _drug_table(path: Path) -> DrugTable:
    """The drug list beside the pathways, else the shipped one; a malformed file names its field."""
    if not path.is_file() or path == DRUGS_FILE:
        return default_drugs()
    try:
        return load_drugs(path)
    except DrugFileError as exc:
        raise PathwayFileError(str(exc)) from None


def _add_references(references: dict[str, Reference], extra: dict[str, Reference], path: Path) -> None:
    for key, ref in extra.items():
        if key in references:
            raise PathwayFileError(f"{path.name}: field 'reference.key': '{key}' is already a shipped reference")
        references[key] = ref


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process."""
    return load_catalogue()


def load_demo_cases(path: Path | None = None) -> list[dict]:
    """The synthetic demo case templates (seeds/demo.toml), as plain tables for the demo builder."""
    source = Path(path) if path else SEEDS_DIR / "demo.toml"
    data, lines = _read_toml(source)
    cases = data.get("case")
    if not isinstance(cases, list) or not cases:
        raise PathwayFileError(f"{source.name}: field 'case': needs at least one demo case")
    for n, case in enumerate(cases):
        reader = _Reader(source, case, f"case[{n}]", lines)
        if not isinstance(case.get("onset"), int) or not isinstance(case.get("enrolled"), int):
            raise reader.fail("onset", "onset and enrolled must be whole numbers of days relative to today")
        if not isinstance(case.get("pathways"), list) or not case["pathways"]:
            raise reader.fail("pathways", "must list at least one pathway")
    return cases
