"""Count the SQL statements the app sends, to prove that nothing queries once per row."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers.context import Services


@contextmanager
def counting_statements(services: Services) -> Iterator[list[str]]:
    """Collect every statement sent through the app's engine inside the block."""
    engine: AsyncEngine = services.sessions.kw["bind"]
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
