"""SQL understood through sqlglot's tokenizer and parser: highlighting, statements, completion,
formatting, parameters and readable plans. Qt-free, so the editor, the CLI and the agent share it.
"""
