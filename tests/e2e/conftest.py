from tests.tui.conftest import demo_repo, empty_repo  # noqa: F401 - the same fixtures as the TUI tests
