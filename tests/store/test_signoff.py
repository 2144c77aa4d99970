"""The clinic's reviews and switched-off items in the settings file: one locked, atomic, audited write
each, shared by every user of the database, never lost, never half-written, refused whole."""

from __future__ import annotations

import os
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest

from checklists.errors import ValidationError
from checklists.signoff import RuleRef
from store.audit import current_user
from store.errors import CorruptCaseFile
from store.protocol import clinic_catalogue, load_protocol
from store.repository import Repository
from store.signoff import disable_item, enable_item, load_signoff, read_records, record_review
from tests.store.conftest import start_python, wait_for
from tests.store.helpers import fixed_clock

SA = "steroid-atrophy"
DAY = date(2026, 3, 2)
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "post-injection-skin-check.toml"


@pytest.fixture
def repo(db_dir: Path) -> Repository:
    return Repository(db_dir, clinic_catalogue(db_dir), now=fixed_clock)


def files_of(db: Path) -> dict[str, bytes]:
    return {str(p.relative_to(db)): p.read_bytes() for p in sorted(db.rglob("*")) if p.is_file()} if db.exists() else {}


def test_a_review_is_recorded_with_who_when_and_the_rule_hash_and_audited(repo):
    review, before = record_review(repo, repo.catalogue, SA, "review-6m", "accept", "matches our practice", DAY)
    assert before.state == "unreviewed"
    assert (review.by, review.on, review.note) == (current_user(), DAY, "matches our practice")
    records = read_records(repo.settings_path)
    assert records.reviews == (review,)
    assert load_signoff(repo, repo.catalogue).item(SA, "review-6m").state == "accepted"
    entry = repo.settings_audit()[-1]
    assert (entry.action, entry.target, entry.old, entry.reason) == (
        "protocol-review", "steroid-atrophy/item/review-6m", "unreviewed", "matches our practice")
    assert entry.new["rule_hash"] == review.rule_hash and entry.new["decision"] == "accept"
    assert entry.who == current_user() and entry.when.startswith("2025-03-01T09:30")
    mode = stat.S_IMODE(os.stat(repo.settings_path).st_mode)
    assert mode & 0o007 == 0  # never readable by other users


@pytest.mark.parametrize("rule, decision, note", [
    ("nope", "accept", "x"), ("review-6m", "approve", "x"), ("review-6m", "accept", "  "),
])
def test_bad_input_writes_nothing_not_even_the_database_folder(repo, rule, decision, note):
    with pytest.raises(ValidationError):
        record_review(repo, repo.catalogue, SA, rule, decision, note, DAY)
    assert not repo.db_dir.exists()


def test_a_rejected_item_switched_off_leaves_the_engine_catalogue_and_comes_back(repo):
    with pytest.raises(ValidationError, match="reject it first"):
        disable_item(repo, repo.catalogue, SA, "fat-graft-referral", "we refer earlier", DAY)
    assert not repo.db_dir.exists()
    record_review(repo, repo.catalogue, SA, "fat-graft-referral", "reject", "we refer at six months", DAY)
    entry = disable_item(repo, repo.catalogue, SA, "fat-graft-referral", "we refer at six months", DAY)
    assert (entry.pathway, entry.item, entry.by) == (SA, "fat-graft-referral", current_user())
    assert load_protocol(repo.db_dir).item("fat-graft-referral") is None
    assert clinic_catalogue(repo.db_dir).item("fat-graft-referral") is not None
    before = files_of(repo.db_dir)
    with pytest.raises(ValidationError, match="already switched off"):
        disable_item(repo, repo.catalogue, SA, "fat-graft-referral", "again", DAY)
    assert files_of(repo.db_dir) == before

    enable_item(repo, SA, "fat-graft-referral", DAY)
    assert load_protocol(repo.db_dir).item("fat-graft-referral") is not None
    actions = [(a.action, a.target) for a in repo.settings_audit()]
    assert actions[-2:] == [("protocol-disable", "steroid-atrophy/item/fat-graft-referral"),
                            ("protocol-enable", "steroid-atrophy/item/fat-graft-referral")]
    with pytest.raises(ValidationError, match="not switched off"):
        enable_item(repo, SA, "fat-graft-referral", DAY)


def test_an_item_the_alert_rules_need_cannot_be_switched_off(repo):
    record_review(repo, repo.catalogue, SA, "saline-session", "reject", "not our practice", DAY)
    before = files_of(repo.db_dir)
    with pytest.raises(ValidationError, match="saline series"):
        disable_item(repo, repo.catalogue, SA, "saline-session", "not our practice", DAY)
    assert files_of(repo.db_dir) == before


def test_an_alert_cannot_be_switched_off(repo):
    record_review(repo, repo.catalogue, SA, "waiting-too-long", "reject", "too noisy", DAY)
    with pytest.raises(ValidationError, match="only items"):
        disable_item(repo, repo.catalogue, SA, "waiting-too-long", "too noisy", DAY)


def test_a_damaged_review_is_reported_never_skipped(repo):
    record_review(repo, repo.catalogue, SA, "review-6m", "reject", "no", DAY)
    raw = repo.settings_path.read_bytes().replace(b'"decision":"reject"', b'"decision":"maybe"')
    repo.settings_path.write_bytes(raw)
    with pytest.raises(CorruptCaseFile):
        load_signoff(repo, repo.catalogue)


def test_a_clinic_edit_of_its_own_pathway_lapses_the_review(db_dir):
    (db_dir / "pathways").mkdir(parents=True)
    clinic_file = db_dir / "pathways" / EXAMPLE.name
    shutil.copy(EXAMPLE, clinic_file)
    repo = Repository(db_dir, clinic_catalogue(db_dir), now=fixed_clock)
    record_review(repo, repo.catalogue, "post-injection-skin-check", "three-month-look", "accept", "ok", DAY)
    record_review(repo, repo.catalogue, "post-injection-skin-check", "site-photograph", "accept", "ok", DAY)

    longer = clinic_file.read_text().replace('opens = "3m", closes = "4m"', 'opens = "3m", closes = "5m"')
    clinic_file.write_text(longer)
    signoff = load_signoff(repo, clinic_catalogue(db_dir))
    assert signoff.item("post-injection-skin-check", "three-month-look").state == "changed"
    assert signoff.item("post-injection-skin-check", "site-photograph").state == "accepted"


WRITER = """
import sys, time
from datetime import date
from pathlib import Path
from store.protocol import clinic_catalogue
from store.repository import Repository
from store.signoff import record_review

db, name, ready, go = sys.argv[1:]
repo = Repository(Path(db), clinic_catalogue(db))
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.001)
for n in range(15):
    record_review(repo, repo.catalogue, "steroid-atrophy", "review-6m", "comment", f"{name}-{n}", date(2026, 3, 2))
"""


def test_reviews_written_at_once_by_several_processes_are_all_kept(repo, tmp_path):
    go = tmp_path / "go"
    writers = []
    for name in ("alice", "bob", "carol"):
        ready = tmp_path / f"ready-{name}"
        writers.append(start_python(WRITER, str(repo.db_dir), name, str(ready), str(go)))
        wait_for(ready, writers[-1])
    go.touch()
    for writer in writers:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
    notes = sorted(r.note for r in read_records(repo.settings_path).reviews)
    assert notes == sorted(f"{name}-{n}" for name in ("alice", "bob", "carol") for n in range(15))
    assert sum(1 for a in repo.settings_audit() if a.action == "protocol-review") == 45
    assert load_signoff(repo, repo.catalogue).state(RuleRef(SA, "item", "review-6m")).state == "unreviewed"
