"""The TUI's words for a failure: the store's own line, an OS reason, or only a type; never patient text."""

from __future__ import annotations

import errno

import pytest

from store.errors import ImportFileError, LockTimeout, RevisionConflict, UnknownCase
from tui.errors import CONFLICT_MESSAGE, describe_export_failure, describe_read_failure, describe_save_failure

SECRET = "DEMO-SECRET-LABEL"


@pytest.mark.parametrize("describe", [describe_read_failure, describe_save_failure, describe_export_failure])
def test_an_unexpected_error_is_named_by_its_type_only(describe):
    line = describe(ValueError(f"could not parse {SECRET}"))
    assert SECRET not in line
    assert "ValueError" in line


def test_a_store_error_is_shown_in_its_own_words():
    error = UnknownCase("no case abcd1234 in this database")
    assert describe_read_failure(error) == "no case abcd1234 in this database"
    assert describe_save_failure(error) == "not saved: no case abcd1234 in this database"
    assert describe_export_failure(error) == "Not exported: no case abcd1234 in this database"
    assert describe_read_failure(ImportFileError("x.json: field 'cases' must be a list")).startswith("x.json:")


def test_an_os_error_gives_its_reason_and_where_when_reading_or_exporting():
    error = PermissionError(errno.EACCES, "Permission denied", "/srv/rounds/cases")
    assert describe_read_failure(error) == "Permission denied (/srv/rounds/cases)"
    assert describe_export_failure(error) == "Not exported: Permission denied (/srv/rounds/cases); no file was written"
    assert describe_save_failure(error) == "not saved: the database could not be reached (Permission denied)"


def test_a_form_says_what_a_clinician_can_do_about_a_conflict_or_a_lock():
    assert describe_save_failure(RevisionConflict("abcd1234", 3, 4)) == CONFLICT_MESSAGE
    lock = describe_save_failure(LockTimeout("case abcd1234", "/db/x.lock", 10), failed="cannot open")
    assert lock.startswith("cannot open: another user or script is saving") and "try again" in lock
