"""DuckDB extensions load from the files of their installed PyPI packages, never downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiser_desktop.core.engine import Engine, extensions
from aiser_desktop.core.errors import ExtensionError


def test_the_tpch_file_comes_from_its_package() -> None:
    path = extensions.extension_file("tpch")
    assert path.name == "tpch.duckdb_extension"
    assert f"v{extensions.DUCKDB_VERSION}" in path.parts
    assert "duckdb_extension_tpch" in path.parts
    assert path.is_file()


def test_tpch_loads_by_path_and_dbgen_makes_lineitem(engine: Engine) -> None:
    engine.load_extension("tpch")
    engine.execute("CALL dbgen(sf = 0.01)")
    assert engine.execute("SELECT count(*) FROM lineitem").rows() == [(60175,)]
    assert engine.execute("SELECT count(*) FROM nation").rows() == [(25,)]
    # Loaded from the package's file, not installed into an extension folder.
    state = engine.execute(
        "SELECT loaded, installed FROM duckdb_extensions() WHERE extension_name = 'tpch'"
    ).rows()
    assert state == [(True, False)]
    engine.load_extension("tpch")  # a second load is a no-op


def test_built_in_extensions_need_no_file(engine: Engine) -> None:
    engine.load_extension("json")
    engine.load_extension("parquet")
    assert engine.execute("SELECT json_extract('{\"a\": 3}', '$.a')::INT").rows() == [(3,)]


def test_an_unknown_extension_says_which_package_to_install(engine: Engine) -> None:
    with pytest.raises(ExtensionError) as caught:
        engine.load_extension("nosuchthing")
    message = str(caught.value)
    assert "'nosuchthing'" in message
    assert f"pip install 'duckdb-extension-nosuchthing=={extensions.DUCKDB_VERSION}'" in message


def test_an_extension_whose_entry_point_differs_is_copied_under_the_right_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "pkg" / "sqlite.duckdb_extension"
    shipped.parent.mkdir()
    shipped.write_bytes(b"\x00" * 64)
    monkeypatch.setattr(extensions, "extension_file", lambda _name: shipped)

    target = extensions.loadable_path("sqlite", tmp_path / "cache")

    assert target == tmp_path / "cache" / f"v{extensions.DUCKDB_VERSION}" / (
        "sqlite_scanner.duckdb_extension"
    )
    assert target.read_bytes() == shipped.read_bytes()
    assert extensions.loadable_path("tpch", tmp_path / "cache") == shipped  # no rename needed
