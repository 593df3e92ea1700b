"""Alembic's entry: migrate the engine `civic.database.upgrade` passes in, never a URL of its own.

Servers starting together on a new database migrate one after the other: SQLite's write lock
(BEGIN IMMEDIATE) or a PostgreSQL advisory lock is taken before Alembic reads the revision, and
every migration runs in that one transaction. Alembic would otherwise commit SQLite after each
migration (it takes SQLite's DDL for non-transactional), letting a second server, which read the
revision meanwhile, apply the next migration again ("duplicate column name").
"""

from alembic import context
from sqlalchemy import text

from civic.schema import metadata

MIGRATION_LOCK = 20231115

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    connection = connection.execution_options(civic_write=True)
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      transactional_ddl=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        context.run_migrations()
    connection.commit()
