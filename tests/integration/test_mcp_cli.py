"""``aiser mcp-servers``: add (a secret from the shell's environment into the keyring), list,
test and remove, with plain errors; none of them needs the workspace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aiser_desktop.cli import main
from aiser_desktop.core.agent.mcp.config import env_ref
from aiser_desktop.core.config import settings_path
from tests.mcp_servers import needs_isolation

CURRENCY = str(Path(__file__).resolve().parents[1] / "mcp_servers" / "currency.py")


@needs_isolation
def test_add_list_test_and_remove(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, memory_keyring: Any
) -> None:
    monkeypatch.setenv("CURRENCY_LOG", "/tmp/a-secret-path.ndjson")
    added = ["mcp-servers", "add", "--env", "CURRENCY_LOG", "--no-ask", "currency"]
    assert main([*added, sys.executable, CURRENCY, "--some-flag-of-its-own"]) == 0
    out = capsys.readouterr().out
    assert "Added the MCP server 'currency'" in out and "without network access" in out
    text = settings_path().read_text(encoding="utf-8")
    assert "a-secret-path" not in text
    assert memory_keyring.get_password("aiser-desktop", env_ref("currency", "CURRENCY_LOG")) == (
        "/tmp/a-secret-path.ndjson"
    )

    assert main(["mcp-servers", "list", "--json"]) == 0
    (server,) = json.loads(capsys.readouterr().out)
    assert server["args"] == [CURRENCY, "--some-flag-of-its-own"]
    assert server["env"] == ["CURRENCY_LOG"] and server["ask"] is False
    assert main(["mcp-servers", "list"]) == 0
    listed = capsys.readouterr().out
    assert "runs unasked; no network; env CURRENCY_LOG (in the keyring)" in listed

    assert main(["mcp-servers", "test", "currency"]) == 0
    tested = capsys.readouterr().out
    assert "currency: started (no network); 2 tools:" in tested
    assert "currency·rate" in tested and "currency·currencies" in tested

    assert main(["mcp-servers", "remove", "currency"]) == 0
    assert "Removed" in capsys.readouterr().out
    assert memory_keyring.get_password("aiser-desktop", env_ref("currency", "CURRENCY_LOG")) is None
    assert main(["mcp-servers", "list"]) == 0
    assert "No MCP servers yet" in capsys.readouterr().out


def test_errors_say_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mcp-servers", "add", "Bad_Name", "python"]) == 1
    assert "not a usable MCP server name" in capsys.readouterr().err
    assert main(["mcp-servers", "remove", "nothing"]) == 1
    err = capsys.readouterr().err
    assert "no MCP server named 'nothing'" in err and "mcp-servers add" in err
    assert main(["mcp-servers", "add", "ghost", "/no/such/program"]) == 0
    capsys.readouterr()
    assert main(["mcp-servers", "test", "ghost"]) == 1
    assert "the program '/no/such/program' was not found" in capsys.readouterr().err
    assert main(["mcp", "--workspace", "/no/such/workspace"]) == 1
    assert "no Aiser workspace" in capsys.readouterr().err


@needs_isolation
def test_aiser_ask_calls_an_added_server_through_a_remote_model(
    tmp_path: Path, sample_csv: Path
) -> None:
    """The whole path in a real process: a model (LiteLLM against a recorded OpenAI-compatible
    server) calls currency·rate, then answers with SQL that uses the rate."""
    pytest.importorskip("litellm")
    from aiser_desktop.core.agent.mcp.config import McpServerConfig, McpSettings
    from aiser_desktop.core.agent.providers import AgentSettings
    from aiser_desktop.core.config import Settings
    from aiser_desktop.core.workspace import Workspace
    from tests.agent_fakes import FakeOpenAIServer, call, say

    sql = "select round(sum(amount) * 1.08, 2) as usd from sales"
    recorded = [
        call(("currency__rate", {"base": "EUR", "quote": "USD"})),
        call(("run_sql", {"sql": sql})),
        say("22.41 dollars."),
    ]
    path = tmp_path / "ws"
    with Workspace.open(path) as ws:
        ws.sources.add_file(sample_csv, name="sales")
    settings = Settings()
    AgentSettings(provider="litellm", model="openai/fake-model").store(settings)
    mcp = McpSettings()
    mcp.add(McpServerConfig("currency", sys.executable, [CURRENCY], ask=False))
    mcp.store(settings)
    with FakeOpenAIServer(recorded) as server:
        settings.extra["agent"]["api_base"] = server.url
        settings.save()
        done = subprocess.run(
            [sys.executable, "-m", "aiser_desktop", "ask", "sales in dollars?", "--json",
             "--workspace", str(path)],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["sql"] == sql and answer["rows"] == [[22.41]]
    assert 'aiser: calling currency·rate {"base": "EUR", "quote": "USD"}' in done.stderr
    offered = {t["function"]["name"] for t in server.requests[0]["tools"]}
    assert "currency__rate" in offered and "run_sql" in offered
    tool_message = next(m for m in server.requests[1]["messages"] if m["role"] == "tool")
    assert json.loads(tool_message["content"]) == {
        "result": {"base": "EUR", "quote": "USD", "rate": 1.08}
    }
