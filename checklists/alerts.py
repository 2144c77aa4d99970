"""Guard-rail alerts for the known pitfalls (pathways.md alert codes), planned without `today`.

Each rule returns the spans of days on which its alert holds, with a message that lists every
offending event; `engine` keeps the spans that hold on the day asked about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from checklists.dates import add_months
from checklists.facts import CaseFacts, drug_key, is_glucocorticoid
from checklists.models import OPEN_CASE_STATUSES, Case, Event, Policy

SALINE_GAP_DAYS = 14  # the course is incomplete once the last session is more than 14 days old
SALINE_RESPONSE_WEEKS = 8


@dataclass(slots=True, frozen=True)
class AlertPlan:
    code: str
    severity: str | None  # None: the pathway's default severity
    message: str
    starts: date | None = None
    ends: date | None = None


def _listed(events: list[Event] | tuple[Event, ...], describe=None) -> str:
    parts = []
    for e in events:
        extra = f" ({describe(e)})" if describe else ""
        parts.append(f"{e.id} {e.date.isoformat()}{extra}")
    return "; ".join(parts)


def _ml(value: float | None) -> str:
    return f"{value:g} mL" if value is not None else "no volume"


def steroid_atrophy_alerts(case: Case, facts: CaseFacts, policy: Policy) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    saline = facts.saline
    count = len(saline)
    out_of_range = [s for s in saline if s.volume_ml is not None
                    and not policy.saline_min_ml <= s.volume_ml <= policy.saline_max_ml]
    if out_of_range:
        alerts.append(AlertPlan("saline-volume-out-of-range", None,
                                f"Saline volume outside {policy.saline_min_ml:g}-{policy.saline_max_ml:g} mL: "
                                + _listed(out_of_range, lambda e: _ml(e.volume_ml))))
    record = case.items.get("saline-session")
    skipped = record is not None and record.state == "skipped"
    if 0 < count < policy.saline_min_sessions and not facts.complete_improvement and not skipped:
        last = saline[-1].date
        alerts.append(AlertPlan("saline-course-incomplete", None,
                                f"{count} of at least {policy.saline_min_sessions} saline sessions, the last on "
                                f"{last.isoformat()}: " + _listed(saline),
                                starts=last + timedelta(days=SALINE_GAP_DAYS + 1)))
    if count > policy.saline_max_sessions:
        alerts.append(AlertPlan("saline-course-exceeded", None,
                                f"{count} saline sessions, more than the {policy.saline_max_sessions} of the "
                                "protocol: " + _listed(saline, lambda e: _ml(e.volume_ml))))
    if saline and not facts.complete_improvement and not facts.abi and not facts.fat_grafts:
        first = saline[0].date
        alerts.append(AlertPlan("saline-no-response", None,
                                f"No complete improvement recorded since saline began on {first.isoformat()} "
                                "and no escalation logged",
                                starts=first + timedelta(weeks=SALINE_RESPONSE_WEEKS)))
    if not saline and not facts.abi and not facts.fat_grafts and not facts.any_improvement \
            and case.status != "resolved":
        six, twelve = add_months(case.onset, 6), add_months(case.onset, 12)
        message = f"No treatment logged and no improvement recorded since onset on {case.onset.isoformat()}"
        alerts.append(AlertPlan("waiting-too-long", "warning", message + " (6 months or more)",
                                starts=six, ends=twelve))
        alerts.append(AlertPlan("waiting-too-long", "critical", message + " (12 months or more)",
                                starts=twelve))
    alerts.extend(_fat_graft_before_saline(case, facts))
    return alerts


def _fat_graft_before_saline(case: Case, facts: CaseFacts) -> list[AlertPlan]:
    def no_saline_by(day: date) -> bool:
        return not any(s.date <= day for s in facts.saline)

    grafts = [g for g in facts.fat_grafts if no_saline_by(g.date)]
    parts = [_listed(grafts)] if grafts else []
    referral = case.items.get("fat-graft-referral")
    if referral and referral.state == "done" and referral.date and no_saline_by(referral.date):
        parts.append(f"fat-graft-referral marked done {referral.date.isoformat()}")
    if not parts:
        return []
    return [AlertPlan("fat-graft-before-saline", None,
                      "Fat graft with no saline session on or before it: " + "; ".join(parts))]


def panniculitis_alerts(case: Case, facts: CaseFacts, policy: Policy) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    shallow = [b for b in facts.biopsies if b.depth != "deep-excisional"]
    if shallow and len(shallow) == len(facts.biopsies):
        alerts.append(AlertPlan("biopsy-not-deep", None,
                                "No deep excisional biopsy; only: " + _listed(shallow, lambda e: e.depth)))
    if (case.etiology == "idiopathic" or facts.therapy_starts) and not facts.aat_tests:
        why = "etiology set to idiopathic" if case.etiology == "idiopathic" else "therapy started"
        alerts.append(AlertPlan("aat-untested", None, f"No alpha-1 antitrypsin test logged ({why})"))
    alerts.extend(_fat_graft_during_inflammation(case, facts))
    if case.etiology == "idiopathic":
        alerts.extend(_therapy_stopped_early(facts))
    return alerts


def _fat_graft_during_inflammation(case: Case, facts: CaseFacts) -> list[AlertPlan]:
    resolved = case.inflammation_date if case.inflammation == "resolved" else None
    grafts = [g for g in facts.fat_grafts if resolved is None or g.date < resolved]
    if not grafts:
        return []
    when = (f"before inflammation was recorded resolved on {resolved.isoformat()}" if resolved
            else "while inflammation is not recorded as resolved")
    return [AlertPlan("fat-graft-during-inflammation", None, f"Fat graft {when}: " + _listed(grafts))]


def _therapy_stopped_early(facts: CaseFacts) -> list[AlertPlan]:
    early = []
    for stop in facts.therapy_stops:
        if is_glucocorticoid(stop.drug):
            continue
        starts = [s for s in facts.therapy_starts
                  if drug_key(s.drug) == drug_key(stop.drug) and s.date <= stop.date]
        if starts and stop.date < add_months(starts[-1].date, 12):
            early.append((stop, starts[-1]))
    if not early:
        return []
    parts = [f"{stop.id} {drug_key(stop.drug)} stopped {stop.date.isoformat()}, started {start.date.isoformat()}"
             for stop, start in early]
    return [AlertPlan("therapy-stopped-early", None,
                      "Maintenance therapy stopped less than 12 months after it started: " + "; ".join(parts))]


def hip_alerts(case: Case, facts: CaseFacts, policy: Policy) -> list[AlertPlan]:
    alerts: list[AlertPlan] = []
    injections = facts.injections
    before_pt = [i for i in injections if not any(p.date <= i.date for p in facts.pt_starts)]
    if before_pt:
        alerts.append(AlertPlan("injection-before-pt", None,
                                "Injection with no physiotherapy start on or before it: " + _listed(before_pt)))
    blind = [i for i in injections if i.guidance == "landmark"]
    if blind:
        alerts.append(AlertPlan("blind-injection", None, "Landmark-guided injection: " + _listed(blind)))
    crowded = _over_limit_within_a_year(injections, policy.max_injections_per_year)
    if crowded:
        alerts.append(AlertPlan("injection-frequency", None,
                                f"More than {policy.max_injections_per_year} injections within 365 days: "
                                + _listed(crowded)))
    return alerts


def _over_limit_within_a_year(injections: tuple[Event, ...], limit: int) -> list[Event]:
    """Injections in any run of dates at most 364 days apart that holds more than `limit`."""
    offending: set[int] = set()
    start = 0
    for end, event in enumerate(injections):
        while (event.date - injections[start].date).days > 364:
            start += 1
        if end - start + 1 > limit:
            offending.update(range(start, end + 1))
    return [injections[i] for i in sorted(offending)]


RULES = {
    "steroid-atrophy": steroid_atrophy_alerts,
    "panniculitis-lipoatrophy": panniculitis_alerts,
    "hip-injection": hip_alerts,
}


def plan_alerts(case: Case, facts: CaseFacts, policy: Policy) -> list[tuple[str, AlertPlan]]:
    """(pathway, alert) for the pathways the case follows; none once follow-up has ended."""
    if case.status not in OPEN_CASE_STATUSES:
        return []
    return [(pathway, alert) for pathway in case.pathways for alert in RULES[pathway](case, facts, policy)]
