"""Alembic's entry: migrate the engine `civic.database.upgrade` passes in, never a URL of its own."""

from alembic import context

from civic.schema import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    connection = connection.execution_options(civic_write=True)
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
