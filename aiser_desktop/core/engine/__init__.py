"""The DuckDB engine: offline extensions, queries in a worker, Arrow results by page."""

from aiser_desktop.core.engine.result import ResultHandle
from aiser_desktop.core.engine.session import Engine, QueryJob

__all__ = ["Engine", "QueryJob", "ResultHandle"]
