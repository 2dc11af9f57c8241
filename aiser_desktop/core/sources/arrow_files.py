"""Arrow IPC files (.arrow, .feather, .ipc): read by pyarrow, memory-mapped, and handed to the
engine as Arrow record batches.

DuckDB 1.5 has no built-in reader for Arrow IPC files, so these sources are imported, never
linked. Memory-mapping means the file's pages are read by the OS as the batches are copied into
the workspace, not loaded whole first. Feather version 2 is the Arrow IPC file format; the
older Feather version 1, and the IPC stream format, are read too.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aiser_desktop.core.errors import AiserError, SourceError
from aiser_desktop.core.sources.base import (
    Connector,
    SourceSpec,
    matching_files,
    refuse_empty_files,
)

if TYPE_CHECKING:
    import pyarrow as pa


class ArrowConnector(Connector):
    """Arrow IPC and Feather files; a folder or glob of them with one schema is one table."""

    name = "arrow"
    label = "Arrow/Feather file"
    suffixes = (".arrow", ".feather", ".ipc", ".arrows")
    CAN_LINK = False
    CHEAP_COUNT = True  # imported: counted in the workspace

    def check(self, spec: SourceSpec) -> None:
        super().check(spec)
        refuse_empty_files(spec.location)

    def read_arrow(self, spec: SourceSpec, table: str) -> pa.RecordBatchReader:
        import pyarrow as pa

        files = matching_files(spec.location)
        readers = [_open(path) for path in files]
        schema = readers[0].schema
        for path, reader in zip(files[1:], readers[1:], strict=True):
            if not reader.schema.equals(schema):
                raise SourceError(
                    f"{str(path)!r} has other columns than {str(files[0])!r}.",
                    hint="Add files with different columns as separate sources.",
                )

        def batches() -> Iterator[pa.RecordBatch]:
            for reader in readers:
                yield from reader

        return pa.RecordBatchReader.from_batches(schema, batches())

    def read_error(self, spec: SourceSpec, exc: Exception) -> AiserError | None:
        if isinstance(exc, SourceError):
            return exc
        return SourceError(
            f"Cannot read {spec.location!r} as an Arrow/Feather file: {exc}",
            hint="Check that the file is complete (copy or export it again) and is an Arrow "
            "IPC or Feather file.",
        )


def _open(path: Path) -> pa.RecordBatchReader:
    """A reader over the IPC file (or stream, or Feather v1 file) at ``path``.

    Raises:
        SourceError: The file is none of those, or is damaged.
    """
    import pyarrow as pa
    import pyarrow.ipc as ipc

    source = pa.memory_map(str(path), "r")
    try:
        file_reader = ipc.open_file(source)
    except (pa.ArrowInvalid, OSError):
        file_reader = None
    if file_reader is not None:
        opened = file_reader

        def batches() -> Iterator[pa.RecordBatch]:
            for i in range(opened.num_record_batches):
                yield opened.get_batch(i)

        return pa.RecordBatchReader.from_batches(opened.schema, batches())
    for attempt in (ipc.open_stream, _feather_v1):
        source.seek(0)
        try:
            reader: pa.RecordBatchReader = attempt(source)
            return reader
        except (pa.ArrowInvalid, OSError):
            continue
    raise SourceError(
        f"{str(path)!r} is not an Arrow IPC or Feather file, or it is damaged.",
        hint="Check that you picked the right file; if it was cut short, copy or export it again.",
    )


def _feather_v1(source: pa.NativeFile) -> pa.RecordBatchReader:
    import pyarrow.feather as feather

    # pyarrow 25 deprecates Feather v1 but still reads it; a person's old file is not their
    # fault, so the warning is not passed on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return feather.read_table(source, memory_map=True).to_reader()
