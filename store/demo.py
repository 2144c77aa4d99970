"""Fill a database with synthetic demo cases built from seeds/demo.toml, dated relative to today.

Each case is built in memory through the same pure actions a clinician's commands use, then written
once, so a demo case is indistinguishable in shape from a real one (and 10,000 load quickly).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from checklists import actions
from checklists.errors import ValidationError
from checklists.models import Policy
from seeds.loader import Catalogue, load_demo_cases

DEMO_PREFIX = "DEMO-"
_EVENT_KEYS = ("event", "day")


class DemoRefused(ValidationError):
    """The database holds cases that are not demo cases; synthetic ones are never mixed in."""


def demo_label(number: int, total: int) -> str:
    return f"{DEMO_PREFIX}{number:0{max(3, len(str(total)))}d}"


def _day(today: date, offset: int, shift: int) -> date:
    return today + timedelta(days=offset + shift)


def _apply(case, step: dict, today: date, shift: int, catalogue: Catalogue, policy: Policy):
    """One scripted step of a demo case, through the same action a clinician would use."""
    if "event" in step:
        fields = {k: v for k, v in step.items() if k not in _EVENT_KEYS}
        fields["date"] = _day(today, step["day"], shift)
        return actions.log_event(case, step["event"], fields, today=today)
    if "set" in step:
        return actions.set_field(case, step["set"], step["value"], today=today, catalogue=catalogue,
                                 date=_day(today, step["day"], shift) if "day" in step else None)
    if "ack" in step:
        return actions.acknowledge_alert(case, step["ack"], step["note"], today=today, by="demo",
                                         catalogue=catalogue, policy=policy)
    until = step.get("until")
    return actions.resolve_item(
        case, step["item"], step["action"], today=today, catalogue=catalogue, policy=policy,
        date=_day(today, step["day"], shift) if "day" in step else None,
        reason=step.get("reason"), until=today + timedelta(days=until) if until is not None else None,
    )


def build_demo_case(template: dict, case_id: str, label: str, today: date, shift: int,
                    catalogue: Catalogue, policy: Policy):
    """A case from a template; `shift` moves every date earlier (negative) to vary copies."""
    shift = min(shift, 0)
    enrolment = _day(today, template["enrolled"], shift)
    injection = template.get("injection_date")
    case, changes = actions.new_case(
        case_id=case_id, patient=label, pathways=template["pathways"],
        onset=_day(today, template["onset"], shift), enrolment=enrolment,
        injection_date=_day(today, injection, shift) if injection is not None else None,
        site=template.get("site"), catalogue=catalogue,
    )
    for step in template.get("actions", []):
        case, step_changes = _apply(case, step, today, shift, catalogue, policy)
        changes.extend(step_changes)
    return case, changes


def _next_number(repo, today: date) -> int:
    """Demo numbering continues after the highest DEMO label; refuse if any real case is present."""
    highest = 0
    # Read-only on purpose (no list index): a refused demo must leave every file as it was.
    for case in repo.all_cases():
        if not case.patient.startswith(DEMO_PREFIX):
            raise DemoRefused("this database holds cases that are not demo cases; demo data is only added to "
                              "an empty or demo-only database (use --db for a separate one)")
        suffix = case.patient[len(DEMO_PREFIX):]
        highest = max(highest, int(suffix) if suffix.isdigit() else 0)
    return highest + 1


def fill_demo(repo, catalogue: Catalogue, today: date, count: int = 12, seed: int = 17) -> int:
    """Add `count` demo cases: the templates in order, then varied copies. Returns how many were added."""
    templates = load_demo_cases()
    rng = random.Random(seed)
    policy = repo.policy()
    first = _next_number(repo, today)
    total = first + count - 1
    for n in range(count):
        template = templates[n % len(templates)]
        # Copies beyond the first round are moved back by up to a year so their windows spread out.
        shift = 0 if n < len(templates) else -rng.randint(0, 365)
        case, changes = build_demo_case(template, repo.new_case_id(), demo_label(first + n, total), today,
                                        shift, catalogue, policy)
        repo.add_case(case, changes)
    return count
