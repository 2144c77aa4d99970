"""A crash must not print patient text: Textual's own report shows local variables, ours does not."""

from __future__ import annotations

import asyncio

import pytest
from rich.console import Console

from tui.app import make_app


class Boom(RuntimeError):
    pass


class KeptList(list):
    """The app clears its exit report once printed; keep it so the test can read it."""

    def clear(self) -> None:
        pass


def _report_text(app) -> str:
    console = Console(record=True, width=100, file=open("/dev/null", "w"))
    for renderable in app._exit_renderables:
        console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("debug", [False, True])
def test_crash_report_carries_no_patient_text(demo_repo, monkeypatch, debug):
    if debug:
        monkeypatch.setenv("ROUNDS_DEBUG", "1")
    else:
        monkeypatch.delenv("ROUNDS_DEBUG", raising=False)
    app = make_app(demo_repo)
    app._exit_renderables = KeptList()

    def crash() -> None:
        patient = "-".join(["DEMO", "SECRET", "LABEL"])  # a local; built so the source line differs
        raise Boom(f"failed on {len(patient)}")

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(crash)
            await pilot.pause()

    with pytest.raises(Boom):
        asyncio.run(scenario())
    report = _report_text(app)
    assert "DEMO-SECRET-LABEL" not in report
    assert "Boom" in report
    if not debug:
        assert report.strip().startswith("rounds: the app stopped after an internal error (Boom)")
