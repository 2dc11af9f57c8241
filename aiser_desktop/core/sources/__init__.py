"""Sources: the connectors that read files (later databases, lakes and APIs) and the manager
that turns them into tables a person queries by name."""
