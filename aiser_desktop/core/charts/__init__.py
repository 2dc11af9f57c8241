"""Charts as plain data: the spec, the choice of chart from a result's shape, and the SQL that
fetches only what a chart can show (aggregation, M4 downsampling). Drawing lives in ``ui``."""
