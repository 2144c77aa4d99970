"""The store is not UI: using it (imports included, transitively) loads neither textual nor rich."""

from __future__ import annotations

from tests.store.conftest import run_python


def test_using_the_store_loads_no_ui_library(tmp_path):
    child = run_python(
        """
        import sys
        from datetime import date
        from pathlib import Path
        from checklists.models import Change
        from store import audit, codec, errors, index, locking, migrations, repository, storage
        from tests.store.helpers import add_saline, make_case, make_repo

        repo = make_repo(Path(sys.argv[1]))
        case_id = repo.new_case_id()
        repo.add_case(make_case(case_id), [Change("case-add", "case")])
        repo.update(case_id, add_saline())
        repo.list_rows(date(2025, 3, 1))
        loaded = sorted({m.split(".")[0] for m in sys.modules} & {"textual", "rich"})
        print(",".join(loaded))
        """,
        str(tmp_path / "db"),
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == ""
