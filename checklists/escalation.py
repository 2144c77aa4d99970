"""When first-line treatment of steroid atrophy has failed: the gate of the escalation items.

Seed 000 puts saline first and calls a graft without it a pitfall; grafting is kept for saline that
failed, or for a year without improvement. pathways.md ("Revisions") turns that into dates, worked
out from the record alone (never from today), so the board's cached plan stays valid:

- saline *failed* on the earlier of: the first session + 8 weeks, or the session that completes a
  full course (`saline_max_sessions`), when the latest assessment by then is not `complete`;
- escalation to a graft opens on the earlier of: the day saline failed; or onset + 12 months without
  improvement in the latest assessment, once saline has been tried or declined (the course skipped
  with a reason), and never before that is on record: a decline from the day it is recorded, a
  trial from the day its response can be judged (first session + 8 weeks), so that saline started
  after the year mark is given its chance before a graft is proposed;
- a case whose latest assessment is `complete` (or whose status is `resolved`) needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from checklists.dates import add_months
from checklists.facts import CaseFacts
from checklists.models import Case, Policy
from seeds.loader import PathwayDef

SALINE_RESPONSE_WEEKS = 8  # the top of shumaker2005's 4-8 weeks: no complete response by then is failure
NO_IMPROVEMENT_MONTHS = 12  # seed 000: intervene when there is no improvement by about a year


@dataclass(slots=True, frozen=True)
class FirstLine:
    tried: date | None = None  # the first saline session
    declined: date | None = None  # the day the saline course was skipped (declined or ended early)
    failed: date | None = None  # the day saline counts as failed
    escalation: date | None = None  # the day the graft referral opens
    complete: bool = False  # nothing to escalate: the latest assessment is complete, or resolved


def saline_skip(case: Case, pathways: list[PathwayDef]) -> date | None:
    """The day the saline course was skipped (with its reason), if it was."""
    for pathway in pathways:
        series = pathway.series_item("saline")
        record = case.items.get(series.id) if series else None
        if record is not None and record.state == "skipped":
            # Skips recorded before they carried a date count from enrolment.
            return record.date or case.enrolment
    return None


def first_line(case: Case, facts: CaseFacts, policy: Policy, pathways: list[PathwayDef]) -> FirstLine:
    tried = facts.first_saline
    declined = saline_skip(case, pathways)
    if facts.complete_improvement:
        return FirstLine(tried=tried, declined=declined, complete=True)
    failed = _saline_failed(facts, policy)
    routes = [failed] if failed else []
    judged = tried + timedelta(weeks=SALINE_RESPONSE_WEEKS) if tried is not None else None
    engaged = min((d for d in (judged, declined) if d is not None), default=None)
    if engaged is not None:
        year = add_months(case.onset, NO_IMPROVEMENT_MONTHS)
        opens = max(year, engaged)  # the gate opens when the decision is on record, not before
        if not facts.improving(as_of=opens):
            routes.append(opens)
    return FirstLine(tried=tried, declined=declined, failed=failed, escalation=min(routes, default=None))


def _saline_failed(facts: CaseFacts, policy: Policy) -> date | None:
    if not facts.saline:
        return None
    candidates = [facts.saline[0].date + timedelta(weeks=SALINE_RESPONSE_WEEKS)]
    if len(facts.saline) >= policy.saline_max_sessions:
        candidates.append(facts.saline[policy.saline_max_sessions - 1].date)
    for day in sorted(candidates):
        latest = facts.latest_improvement(as_of=day)
        if latest is None or latest.improvement != "complete":
            return day
    return None
