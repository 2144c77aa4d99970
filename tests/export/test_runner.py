"""Writing an export: whole or not at all, private, audited; shared by the CLI and the TUI."""

from __future__ import annotations

import io
import os
import stat
from datetime import date

import pytest

import store.export.runner as runner
from store.export.runner import ExportError, ExportOptions, default_filename, export_cases, select_cases
from tests.export.conftest import NOW, TODAY

FORMATS = ("md", "html", "json", "csv", "ics", "fhir", "redcap")


def run(demo, fmt, output, ids=None, **options):
    return export_cases(demo.repo, demo.ids if ids is None else ids, ExportOptions(fmt, **options), output,
                        catalogue=demo.catalogue, today=TODAY, now=NOW)


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_export_is_audited(demo, tmp_path, fmt):
    before = len(demo.repo.settings_audit())
    run(demo, fmt, tmp_path / f"out.{fmt}", ids=demo.ids[:2])
    run(demo, fmt, tmp_path / f"deid.{fmt}", deidentify=True)
    entries = demo.repo.settings_audit()[before:]
    assert [e.action for e in entries] == ["export", "export"]
    first, second = entries
    assert first.details == {"cases": demo.ids[:2], "format": fmt, "deidentified": False, "destination": "file"}
    # De-identified cases come in the order of their pseudonyms; the audit has every real id.
    assert second.details["deidentified"] is True and sorted(second.details["cases"]) == sorted(demo.ids)
    assert first.who and first.when == "2026-11-21T09:30:00.000Z"


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o007])
def test_files_are_never_open_to_others(demo, tmp_path, monkeypatch, umask):
    import store.storage

    monkeypatch.setattr(store.storage, "_umask", umask)  # the store reads the umask once per process
    for fmt in FORMATS:
        path = tmp_path / f"out.{fmt}"
        run(demo, fmt, path)
        assert not stat.S_IMODE(os.stat(path).st_mode) & 0o007, (fmt, oct(os.stat(path).st_mode))
    # Replacing a world-readable file does not keep it world-readable.
    old = tmp_path / "old.md"
    old.write_text("old")
    old.chmod(0o644)
    run(demo, "md", old)
    assert not stat.S_IMODE(os.stat(old).st_mode) & 0o007


def test_a_failed_render_leaves_no_file_and_the_old_one_untouched(demo, tmp_path, monkeypatch):
    def explode(views, ctx):
        ctx.tick()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runner, "_renderer", lambda fmt: explode)
    fresh, existing = tmp_path / "fresh.md", tmp_path / "existing.md"
    existing.write_text("the previous export")
    before = len(demo.repo.settings_audit())
    for path in (fresh, existing):
        with pytest.raises(RuntimeError):
            run(demo, "md", path)
    assert not fresh.exists()
    assert existing.read_text() == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "existing.md"]  # no temp file either
    assert len(demo.repo.settings_audit()) == before, "a failed export is not recorded as made"


def test_a_failed_write_leaves_no_partial_file(demo, tmp_path, monkeypatch):
    import store.storage

    real_replace = os.replace

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(store.storage.os, "replace", failing_replace)
    with pytest.raises(OSError):
        run(demo, "json", tmp_path / "out.json")
    monkeypatch.setattr(store.storage.os, "replace", real_replace)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db"]


def test_an_export_the_audit_cannot_record_is_removed(demo, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(13, "Permission denied", "settings.json")

    monkeypatch.setattr(demo.repo, "record_export", refuse)
    with pytest.raises(OSError):
        run(demo, "csv", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_standard_output(demo):
    out = io.StringIO()
    result = export_cases(demo.repo, demo.ids[:1], ExportOptions("md"), "-", catalogue=demo.catalogue,
                          today=TODAY, now=NOW, stdout=out)
    assert out.getvalue().startswith(f"# DEMO-001 · case {demo.ids[0]}")
    assert result.destination == "-" and result.size == len(out.getvalue().encode())
    assert demo.repo.settings_audit()[-1].details["destination"] == "stdout"


def test_bad_destinations_are_refused_before_any_work(demo, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        run(demo, "md", tmp_path / "missing" / "out.md")
    with pytest.raises(ExportError, match="is a folder"):
        run(demo, "md", tmp_path)


def test_every_case_when_none_are_named(demo, tmp_path):
    result = export_cases(demo.repo, None, ExportOptions("csv"), tmp_path / "all.csv", catalogue=demo.catalogue,
                          today=TODAY, now=NOW)
    assert sorted(result.case_ids) == sorted(demo.ids)


def test_progress_is_reported_to_the_end(demo, tmp_path):
    seen = []
    export_cases(demo.repo, demo.ids, ExportOptions("html"), tmp_path / "p.html", catalogue=demo.catalogue,
                 today=TODAY, now=NOW, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2 * len(demo.ids), 2 * len(demo.ids))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_cases_are_selected_by_unique_prefix_once_each(demo):
    assert select_cases(demo.repo, [demo.ids[0][:6], demo.ids[0], demo.ids[1]]) == demo.ids[:2]


def test_default_file_names():
    day = date(2026, 11, 21)
    assert default_filename(["a1b2c3d4e5"], ExportOptions("md"), day) == "rounds-a1b2c3d4e5-2026-11-21.md"
    assert default_filename(["a", "b"], ExportOptions("csv"), day) == "rounds-cases-2026-11-21.csv"
    assert default_filename(None, ExportOptions("csv", events=True), day) == "rounds-cases-events-2026-11-21.csv"
    # Nothing about a de-identified export depends on the day, its name included.
    assert default_filename(["a1b2c3d4e5"], ExportOptions("ics", deidentify=True), day) == "rounds-deidentified.ics"


def test_store_export_stays_free_of_the_ui():
    from pathlib import Path

    package = Path(runner.__file__).parent
    for source in package.glob("*.py"):
        text = source.read_text()
        assert "import textual" not in text and "from textual" not in text, source
        assert "import rich" not in text and "from rich" not in text, source
