"""JSON export: every case in the shape of `case show --json`, plus what it takes to restore it.

Each case object is `checklists.serialize.case_json` with, added: every event field (`seq`, who
recorded it and when, voided ones with their reasons), `item_records` (the recorded decisions,
with reopen markers and dated checks) and `audit` (the case's trail). `rounds import` reads it back.
"""

from __future__ import annotations

from typing import Sequence

import orjson

from checklists.models import CaseView
from checklists.serialize import case_json, event_json, policy_json
from checklists.text import json_safe
from store.audit import utc_stamp
from store.codec import ack_doc, event_doc, item_doc
from store.export.context import ExportContext
from store.export.review_note import add_reviews

FORMAT_NAME = "rounds-export"
SCHEMA_VERSION = 1


def case_record(view: CaseView, ctx: ExportContext) -> dict:
    case = view.case
    data = add_reviews(case_json(view), ctx)  # the clinic's review of each rule (review_note.py)
    if ctx.deidentified:
        # A record view has no day; its keys are left out rather than null (see deidentify.py).
        for key in ("today", "urgency", "next_due"):
            del data[key]
        for item in data["items"]:
            del item["status"]
    data["events"] = [event_json(e) | event_doc(e) for e in sorted(case.events, key=lambda e: (e.date, e.seq))]
    data["item_records"] = {item_id: item_doc(record) for item_id, record in sorted(case.items.items())}
    data["alert_acks"] = {code: ack_doc(ack) for code, ack in sorted(case.acks.items())}
    if not ctx.deidentified:
        data["audit"] = ctx.audit(case.id)
    return data


def head(ctx: ExportContext, count: int) -> dict:
    """Everything but the cases (store/export/parallel_json.py puts them in after it)."""
    data: dict = {"format": FORMAT_NAME, "schema_version": SCHEMA_VERSION, "deidentified": ctx.deidentified}
    if not ctx.deidentified:
        # De-identified output carries no real date at all: each case has its own shifted `today`.
        data.update(generated_at=utc_stamp(ctx.now), generated_by=ctx.user, today=ctx.today.isoformat())
    data["policy"] = policy_json(ctx.policy)
    data["case_count"] = count
    return data


def document(views: Sequence[CaseView], ctx: ExportContext) -> dict:
    head_ = head(ctx, len(views))
    cases = []
    for view in views:
        cases.append(case_record(view, ctx))
        ctx.tick()
    head_["cases"] = cases
    return head_


def render(views: Sequence[CaseView], ctx: ExportContext) -> str:
    return json_safe(orjson.dumps(document(views, ctx), option=orjson.OPT_INDENT_2)).decode("utf-8") + "\n"
