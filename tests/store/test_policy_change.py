"""A policy change of several keys is one change: one write of the settings, one revision, all or nothing."""

from __future__ import annotations

import pytest

from checklists.errors import ValidationError
from checklists.models import Policy
from checklists.policy import set_policies


def test_several_keys_are_one_write_with_one_revision(repo):
    policy = repo.update_policy_values({"saline_min_ml": "25", "saline_max_ml": "40", "soon_days": "7"})
    assert (policy.saline_min_ml, policy.saline_max_ml, policy.soon_days) == (25, 40, 7)
    trail = repo.settings_audit()
    assert sorted(e.target for e in trail) == ["saline_max_ml", "saline_min_ml", "soon_days"]
    assert {e.revision for e in trail} == {1}
    repo.update_policy_values({"soon_days": "8"})
    assert [e.revision for e in repo.settings_audit()][-1] == 2


def test_a_refused_key_writes_none_of_them(repo):
    repo.update_policy_values({"soon_days": "7"})
    before = repo.settings_path.read_bytes()
    with pytest.raises(ValidationError, match="saline_min_sessions"):
        repo.update_policy_values({"soon_days": "9", "saline_min_sessions": "40"})  # above the maximum, 6
    assert repo.settings_path.read_bytes() == before
    assert repo.policy().soon_days == 7


def test_unchanged_values_make_no_change_and_no_write(repo):
    repo.update_policy_values({"soon_days": "7"})
    before = repo.settings_path.read_bytes()
    repo.update_policy_values({"soon_days": "7", "recurrence_months": "6"})
    assert repo.settings_path.read_bytes() == before


def test_the_order_of_keys_does_not_matter_for_the_pair_rules():
    policy, changes = set_policies(Policy(), {"saline_min_sessions": "10", "saline_max_sessions": "12"})
    assert (policy.saline_min_sessions, policy.saline_max_sessions) == (10, 12)
    assert [c.target for c in changes] == ["saline_max_sessions", "saline_min_sessions"]
    with pytest.raises(ValidationError, match="unknown policy key"):
        set_policies(Policy(), {"colour": "red"})
