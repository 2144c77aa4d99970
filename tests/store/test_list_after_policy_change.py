"""The first list after a policy change (issue 12): a key only the rows read (soon_days) re-reads no
case file, the rows are made again from the cached summaries and say what the new policy says; a key
the summaries read re-reads every case."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import store.storage
from checklists.engine import case_row, summarize
from seeds.loader import default_catalogue
from store.demo import fill_demo
from store.repository import Repository

TODAY = date(2026, 11, 21)


def _case_reads(monkeypatch) -> Counter:
    reads: Counter = Counter()
    real = store.storage.read_file

    def counting(path, *args, **kwargs):
        if Path(path).parent.parent.name == "cases":
            reads[Path(path).name] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(store.storage, "read_file", counting)
    return reads


def test_a_soon_days_change_reuses_every_summary(tmp_path, monkeypatch):
    repo = Repository(tmp_path / "db", default_catalogue())
    fill_demo(repo, repo.catalogue, TODAY, 40)
    repo.list_rows(TODAY)
    reads = _case_reads(monkeypatch)
    repo.update_policy_values({"soon_days": 365})
    rows = repo.list_rows(TODAY).rows
    assert sum(reads.values()) == 0
    # What the rows say is what a fresh summary under the new policy says.
    policy = repo.policy()
    fresh = sorted((case_row(summarize(c, repo.catalogue, policy), TODAY, policy) for c in repo.all_cases()),
                   key=lambda r: r.id)
    assert rows == fresh
    assert any(r.urgency == "due-soon" for r in rows)


def test_a_key_the_summaries_read_re_reads_every_case(tmp_path, monkeypatch):
    repo = Repository(tmp_path / "db", default_catalogue())
    fill_demo(repo, repo.catalogue, TODAY, 20)
    repo.list_rows(TODAY)
    reads = _case_reads(monkeypatch)
    repo.update_policy_values({"recurrence_months": 12})
    repo.list_rows(TODAY)
    assert len(reads) == 20 and set(reads.values()) == {1}
