"""`aiser sample` loads the sample data into a workspace (the bundle's smoke test starts there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiser_desktop.cli import main


def test_sample_loads_the_five_tables_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = str(tmp_path / "ws")

    assert main(["sample", "--workspace", workspace]) == 0
    first = capsys.readouterr().out
    assert (
        main(["query", "select count(*) from flights", "--format", "csv", "--workspace", workspace])
        == 0
    )
    count = capsys.readouterr().out
    assert main(["sample", "--workspace", workspace]) == 0
    again = capsys.readouterr().out

    for table in ("airlines", "airports", "planes", "weather", "flights"):
        assert table in first
    assert count.splitlines()[-1] == "336776"
    assert again.startswith("already here: airlines, airports, planes, weather, flights")
