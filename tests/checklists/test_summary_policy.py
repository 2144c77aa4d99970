"""A summary depends on every policy key but those only the day's rows read (ROW_ONLY_POLICY_KEYS): the
store keeps cached summaries across a change of one of those (issue 12: a soon_days change at 10,000
cases re-planned every case for 4.5 s). So summarize must never read them."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest

from checklists.engine import summarize
from checklists.policy import ROW_ONLY_POLICY_KEYS, summary_policy
from checklists.models import Policy
from seeds.loader import default_catalogue
from store.demo import fill_demo
from store.repository import Repository

TODAY = date(2026, 11, 21)


class Tripwire(Policy):
    """A policy that fails the test when summarize reads a row-only key."""

    __slots__ = ()

    def __getattribute__(self, name: str):
        if name in ROW_ONLY_POLICY_KEYS:
            raise AssertionError(f"summarize read {name}")
        return super().__getattribute__(name)


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    repo = Repository(tmp_path_factory.mktemp("db") / "db", default_catalogue())
    fill_demo(repo, repo.catalogue, TODAY, 120)  # every pathway, every kind of history the demo makes
    return list(repo.all_cases())


def test_summarize_never_reads_a_row_only_key(cases):
    catalogue = default_catalogue()
    for case in cases:
        summarize(case, catalogue, Tripwire())


def test_summaries_are_the_same_whatever_the_row_only_keys_say(cases):
    catalogue = default_catalogue()
    low, high = Policy(soon_days=0), Policy(soon_days=365)
    assert all(summarize(c, catalogue, low) == summarize(c, catalogue, high) for c in cases)


def test_the_summary_policy_is_every_other_key():
    policy = Policy()
    keys = [key for key, _ in summary_policy(policy)]
    assert keys == [f.name for f in fields(Policy) if f.name not in ROW_ONLY_POLICY_KEYS]
    assert summary_policy(replace(policy, soon_days=1)) == summary_policy(policy)
    assert summary_policy(replace(policy, recurrence_months=12)) != summary_policy(policy)
