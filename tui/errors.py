"""How the TUI words a failure for the clinician: one line, safe to show, never patient text.

The store's errors carry messages written to be shown (ids, paths, numbers; never labels or notes);
an OS error is named by its reason; anything else only by its type, since its text could hold
whatever the code was handling. The screens (reading), the forms (saving) and the export screen
(writing a file) each add what the clinician should do next.
"""

from __future__ import annotations

from store.errors import LockTimeout, RevisionConflict, StoreError

CONFLICT_MESSAGE = (
    "changed by someone else since you opened this form; your text is kept, reopen to see theirs"
)


def store_message(error: StoreError) -> str:
    """The store's own line (the first, should one ever hold more), or the error's type if it is blank."""
    text = str(error)
    return text.splitlines()[0] if text else type(error).__name__


def os_reason(error: OSError, *, where: bool = True) -> str:
    """`Permission denied (/path/of/db)`: the system's reason (or the error's type), with the file if known."""
    reason = error.strerror or type(error).__name__
    return f"{reason} ({error.filename})" if where and error.filename else reason


def describe_read_failure(error: BaseException) -> str:
    """Why a screen could not read what it shows (the board's cases, one case)."""
    if isinstance(error, StoreError):
        return store_message(error)
    if isinstance(error, OSError):
        return os_reason(error)
    return f"internal error ({type(error).__name__})"


def describe_save_failure(error: BaseException, *, failed: str = "not saved") -> str:
    """Why a form could not open (`failed="cannot open"`) or save; what was typed stays on the form.

    A revision conflict and a held lock get the wording clinicians are told to expect.
    """
    if isinstance(error, RevisionConflict):
        return CONFLICT_MESSAGE
    if isinstance(error, LockTimeout):
        return (
            f"{failed}: another user or script is saving to the same record right now; "
            "your entries are kept, try again in a moment"
        )
    if isinstance(error, StoreError):
        return f"{failed}: {store_message(error)}"
    if isinstance(error, OSError):
        return f"{failed}: the database could not be reached ({os_reason(error, where=False)})"
    return f"{failed} ({type(error).__name__}); your entries are kept"


def describe_export_failure(error: BaseException) -> str:
    """Why an export file was not written (exports are written whole or not at all)."""
    if isinstance(error, StoreError):
        return f"Not exported: {store_message(error)}"
    if isinstance(error, OSError):
        return f"Not exported: {os_reason(error)}; no file was written"
    return f"Not exported ({type(error).__name__}); no file was written"
