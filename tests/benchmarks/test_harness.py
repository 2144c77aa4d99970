"""The benchmark harness measures what it says: bytes on a real pty, answers to keys, the whole table."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from benchmarks import rounds_bench
from benchmarks.ptyapp import DOWN, PtyApp

# A stand-in terminal app: says its window size, answers every key with a known number of bytes, and
# leaves on `q`. Raw mode, as a full-screen app sets it, so the terminal does not echo keys back.
ECHO_APP = textwrap.dedent(r"""
    import os, tty
    size = os.get_terminal_size(0)
    tty.setraw(0)
    os.write(1, f"ready {size.lines}x{size.columns}\r\n".encode())
    while True:
        data = os.read(0, 64)
        if data == b"q":
            break
        os.write(1, b"key:" + data.hex().encode() + b"\r\n")
""")


@pytest.fixture
def echo_app():
    app = PtyApp.spawn([sys.executable, "-c", ECHO_APP], size=(24, 80))
    yield app
    app.close(None)


def test_pty_has_the_asked_size_and_text_is_waited_for(echo_app):
    seconds = echo_app.read_until(b"ready 24x80", timeout=30)
    assert 0 < seconds < 30


def test_a_key_is_timed_and_its_answer_counted_in_bytes(echo_app):
    echo_app.read_until(b"ready", timeout=30)
    echo_app.drain()
    result = echo_app.key(DOWN)
    assert result.first_byte_s is not None and 0 < result.first_byte_s < 5
    assert result.bytes_out == len(b"key:1b5b42\r\n")
    assert echo_app.count_for(0.3) == 0  # nothing is written while it is left alone


def test_process_figures_and_a_clean_quit(echo_app):
    echo_app.read_until(b"ready", timeout=30)
    assert echo_app.peak_memory_mb() > 1
    assert echo_app.cpu_seconds() >= 0
    assert echo_app.close(b"q") == 0


def test_timeout_names_what_did_not_appear(echo_app):
    with pytest.raises(TimeoutError, match="never-printed"):
        echo_app.read_until(b"never-printed", timeout=0.3)


def test_marks_compare_the_median_with_the_target():
    samples = rounds_bench.Samples({"list_json": [0.1, 0.12, 0.9], "move_bytes": [500, 500, 500]})
    text = rounds_bench.table({1000: samples}, [1000], {"list_json", "move_bytes"})
    list_line = next(line for line in text.splitlines() if "case list --json" in line)
    bytes_line = next(line for line in text.splitlines() if "per cursor move" in line)
    assert "0.120 s" in list_line and "0.900" in list_line and list_line.rstrip().endswith("PASS")
    assert bytes_line.rstrip().endswith("FAIL")


def test_the_whole_table_on_a_small_demo_database(tmp_path, monkeypatch, capsys):
    """End to end against the real `rounds`: every measure gets figures (the keys and texts it waits
    for still exist in the app). A dozen cases and one run each keep it to a few seconds."""
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "samples.json"
    assert rounds_bench.main(["--sizes", "12", "--runs", "1", "--tui-runs", "1", "--idle", "0.5",
                              "--json-out", str(out)]) == 0
    samples = json.loads(out.read_text())["samples"]["12"]
    assert set(samples) == {m.key for m in rounds_bench.MEASURES}
    assert all(values for values in samples.values())
    assert min(samples["move_bytes"]) > 0 and samples["peak_memory"][0] > 10
    printed = capsys.readouterr().out
    assert "machine: " in printed and "12 cases: median" in printed
    targets = sum(1 for m in rounds_bench.MEASURES if m.target is not None)
    assert printed.count("PASS") + printed.count("FAIL") == targets
