"""A crash must not print patient text: Textual's own report shows local variables, ours does not."""

from __future__ import annotations

import asyncio

import pytest

from tui.app import make_app


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("debug", [False, True])
def test_crash_report_carries_no_patient_text(demo_repo, monkeypatch, capsys, debug):
    if debug:
        monkeypatch.setenv("ROUNDS_DEBUG", "1")
    else:
        monkeypatch.delenv("ROUNDS_DEBUG", raising=False)
    app = make_app(demo_repo)

    def crash() -> None:
        patient = "-".join(["DEMO", "SECRET", "LABEL"])  # a local; built so the source line differs
        raise Boom(f"failed on {len(patient)}")

    async def scenario() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            app.call_later(crash)
            await pilot.pause()

    with pytest.raises(Boom):
        asyncio.run(scenario())
    # What the terminal shows once the app has stopped: Textual prints the report on stderr.
    report = capsys.readouterr().err
    assert "DEMO-SECRET-LABEL" not in report
    assert "Boom" in report
    if not debug:
        assert report.strip().startswith("rounds: the app stopped after an internal error (Boom)")
