"""Small MCP servers for the tests (stdio), each started as a child process by the client."""
