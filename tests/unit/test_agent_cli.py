"""``aiser ask``: the real command in a subprocess, with the rules provider, on a small
generated workspace (not the sample data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiser_desktop.core.workspace import Workspace
from tests.unit.test_agent_tools import write_tables

KEYS = {"question", "sql", "columns", "rows", "chart", "answer", "provider", "confidence"}


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ask")
    write_tables(folder)
    with Workspace.open(folder / "ws") as ws:
        for name in ("trips", "carriers", "notes"):
            ws.sources.add_file(folder / f"{name}.csv", name=name)
    return folder / "ws"


def aiser(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiser_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_ask_json_prints_one_object_with_the_evidence(workspace_dir: Path) -> None:
    out = aiser("ask", "how many trips from JFK?", "--json", "--workspace", str(workspace_dir))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= KEYS
    assert data["provider"] == "rules" and data["sql"]
    assert data["rows"] == [[60]]  # checked independently below
    with Workspace.open(workspace_dir) as ws:
        assert ws.engine.execute("select count(*) from trips where origin = 'JFK'").rows() == [
            (60,)
        ]
    assert "60" in data["answer"] and 0 < data["confidence"] <= 1


def test_ask_json_says_why_when_it_cannot_answer(workspace_dir: Path) -> None:
    out = aiser(
        "ask", "what was the average ticket price?", "--json", "--workspace", str(workspace_dir)
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["sql"] is None and data["rows"] == [] and data["confidence"] == 0
    assert "ticket" in data["answer"]


def test_ask_prints_the_answer_sql_and_rows_for_people(workspace_dir: Path) -> None:
    out = aiser("ask", "number of trips by carrier", "--workspace", str(workspace_dir))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "SQL:" in text and "carrier" in text and "confidence" in text
    assert all(code in text for code in ("AA", "BB", "CC"))


def test_an_unknown_provider_is_an_error_with_a_hint(workspace_dir: Path) -> None:
    out = aiser("ask", "anything", "--provider", "gpt5", "--workspace", str(workspace_dir))
    assert out.returncode == 1
    assert "gpt5" in out.stderr and "litellm:MODEL" in out.stderr


def test_a_remote_model_without_network_consent_falls_back_to_the_rules(
    workspace_dir: Path,
) -> None:
    out = aiser(
        "ask", "how many trips?", "--json", "--provider", "litellm:openai/gpt-4o-mini",
        "--workspace", str(workspace_dir),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "network" in out.stderr and "rules answered" in out.stderr
    data = json.loads(out.stdout)
    assert data["provider"] == "rules" and data["rows"] == [[120]]


def test_ask_help_and_version_stay_light() -> None:
    code = (
        "import sys\nfrom aiser_desktop.cli import build_parser\n"
        "build_parser()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('duckdb', 'litellm', 'llama_cpp', 'pydantic', 'sqlglot')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    helped = aiser("ask", "--help")
    assert "--provider" in helped.stdout and "--json" in helped.stdout
