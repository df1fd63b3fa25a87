"""Run the Alembic migrations shipped inside the package (no alembic.ini needed on a node)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

_SCRIPTS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """An Alembic configuration pointing at the bundled migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to `revision` (idempotent; each migration runs in one transaction)."""
    config = alembic_config()
    with engine.connect() as connection:
        connection.info["passbridge_write"] = True
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


__all__ = ["alembic_config", "upgrade"]
