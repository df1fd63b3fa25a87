"""Alembic environment: runs on the connection `passbridge.storage.migrate` hands over (no URL from an ini file)."""

from __future__ import annotations

from alembic import context

from passbridge.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
