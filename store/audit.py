"""The audit trail: who changed what, when, from which value to which. Append-only from Rounds' side."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from checklists.models import Change


@dataclass(slots=True, frozen=True)
class AuditEntry:
    who: str
    when: str  # UTC, ISO 8601 with a trailing Z
    action: str
    target: str
    old: Any = None
    new: Any = None
    reason: str | None = None
    revision: int | None = None  # the case (or settings) revision the change produced
    details: dict[str, Any] | None = None  # e.g. an export's format and case ids


def current_user() -> str:
    """The person at the keyboard: `$SUDO_USER` when run through sudo, else the login name."""
    sudo_user = os.environ.get("SUDO_USER", "").strip()
    if sudo_user:
        return sudo_user
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return f"uid-{os.getuid()}"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def utc_stamp(moment: datetime) -> str:
    """`2025-03-01T09:30:00.123Z`. A naive clock value is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plain(value: Any) -> Any:
    """A change's value as JSON data, converted here once (dates as ISO strings, tuples as lists)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def change_docs(changes: Iterable[Change], who: str, when: str, revision: int | None) -> list[dict]:
    docs = []
    for change in changes:
        doc = {
            "who": who,
            "when": when,
            "action": change.action,
            "target": change.target,
            "old": plain(change.old),
            "new": plain(change.new),
            "reason": change.reason,
            "revision": revision,
        }
        if getattr(change, "details", None):
            doc["details"] = plain(change.details)
        docs.append(doc)
    return docs


def entry_from_doc(doc: dict) -> AuditEntry:
    return AuditEntry(
        who=doc.get("who", "?"),
        when=doc.get("when", ""),
        action=doc.get("action", "?"),
        target=doc.get("target", ""),
        old=doc.get("old"),
        new=doc.get("new"),
        reason=doc.get("reason"),
        revision=doc.get("revision"),
        details=doc.get("details"),
    )
