"""The bundle ships DuckDB's extension files zstd-compressed; the app unpacks them on first use."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from aiser_desktop.core.config import data_dir
from aiser_desktop.core.engine import extensions
from aiser_desktop.core.errors import ExtensionError


@pytest.fixture
def packed_excel(tmp_path: Path) -> Path:
    source = extensions.extension_file("excel")
    return extensions.pack(source, tmp_path / "bundle" / f"v{extensions.DUCKDB_VERSION}")


def test_a_packed_extension_is_smaller_and_unpacks_to_the_same_bytes(packed_excel: Path) -> None:
    source = extensions.extension_file("excel")
    assert packed_excel.stat().st_size < source.stat().st_size / 2

    unpacked = extensions._unpacked(packed_excel)

    assert unpacked.read_bytes() == source.read_bytes()
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    con.execute(f"LOAD '{unpacked}'")
    loaded = con.execute(
        "select loaded from duckdb_extensions() where extension_name = 'excel'"
    ).fetchone()
    assert loaded == (True,)


def test_an_unpacked_extension_is_reused(packed_excel: Path) -> None:
    first = extensions._unpacked(packed_excel)
    stamp = first.stat().st_mtime_ns

    assert extensions._unpacked(packed_excel) == first
    assert first.stat().st_mtime_ns == stamp


def test_a_damaged_bundle_says_so_and_leaves_nothing_behind(packed_excel: Path) -> None:
    record = packed_excel.with_name(packed_excel.name + ".json")
    data = json.loads(record.read_text())
    record.write_text(json.dumps({**data, "sha256": "0" * 64}))

    with pytest.raises(ExtensionError, match="does not match its checksum") as info:
        extensions._unpacked(packed_excel)

    assert "copy the aiser folder again" in (info.value.hint or "")
    unpack_dir = data_dir() / "extensions" / f"v{extensions.DUCKDB_VERSION}"
    assert list(unpack_dir.iterdir()) == []


def test_a_missing_record_is_a_clear_error(packed_excel: Path) -> None:
    packed_excel.with_name(packed_excel.name + ".json").unlink()

    with pytest.raises(ExtensionError, match="no readable record"):
        extensions._unpacked(packed_excel)
