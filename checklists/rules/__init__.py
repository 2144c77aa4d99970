"""Alert rules that are code: one module per pathway, registered here under the pathway's id.

A pathway's TOML declares its alerts (code, severity, title, what to do, sources); the module
registered under the same id raises them. `check_rules` holds the two together when a catalogue is
loaded: a code declared without a rule, or a rule without a declaration, is refused naming the file.
A pathway with no alerts needs no module, which is how a clinic adds one by dropping in a TOML file.
"""

from __future__ import annotations

from checklists.facts import CaseFacts
from checklists.models import OPEN_CASE_STATUSES, Case, Policy
from checklists.rules import hip_injection, panniculitis_lipoatrophy, steroid_atrophy
from checklists.rules.base import AlertPlan, PathwayRules
from seeds.loader import Catalogue, PathwayFileError

REGISTRY: dict[str, PathwayRules] = {
    rules.pathway: rules
    for rules in (steroid_atrophy.RULES, panniculitis_lipoatrophy.RULES, hip_injection.RULES)
}

__all__ = ["REGISTRY", "AlertPlan", "PathwayRules", "check_rules", "plan_alerts"]


def check_rules(catalogue: Catalogue) -> Catalogue:
    """The catalogue, once every pathway's declared alerts match its registered rules module."""
    for pathway in catalogue.pathways.values():
        rules = REGISTRY.get(pathway.id)
        declared = {a.code for a in pathway.alerts}
        if rules is None:
            if declared:
                raise PathwayFileError(
                    f"{pathway.file}: field 'alert': pathway '{pathway.id}' declares alerts "
                    f"({', '.join(sorted(declared))}) but no rules module raises them; alerts need code "
                    "(checklists/rules/), so a pathway file on its own may only have items")
            continue
        missing = sorted(set(rules.codes) - declared)
        extra = sorted(declared - set(rules.codes))
        if missing:
            raise PathwayFileError(f"{pathway.file}: field 'alert': the rules of '{pathway.id}' raise "
                                   f"{', '.join(missing)}, which the file does not declare")
        if extra:
            raise PathwayFileError(f"{pathway.file}: field 'alert': {', '.join(extra)} declared, but no rule "
                                   f"of '{pathway.id}' raises it")
        for need in rules.requires(pathway):
            raise PathwayFileError(f"{pathway.file}: field 'item': the rules of '{pathway.id}' need {need}")
    return catalogue


def plan_alerts(case: Case, facts: CaseFacts, policy: Policy, catalogue: Catalogue) -> list[tuple[str, AlertPlan]]:
    """(pathway, alert) for the pathways the case follows; none once follow-up has ended."""
    if case.status not in OPEN_CASE_STATUSES:
        return []
    planned = []
    for pathway_id in case.pathways:
        rules = REGISTRY.get(pathway_id)
        if rules is not None:
            pathway = catalogue.pathways[pathway_id]
            planned += [(pathway_id, alert) for alert in rules.plan(case, facts, policy, pathway)]
    return planned
