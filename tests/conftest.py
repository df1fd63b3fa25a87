"""Shared fixtures: a node on SQLite (and on PostgreSQL when PASSBRIDGE_TEST_DATABASE_URL is set), API client,
tokens per role, the official fixtures."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from passbridge.api.app import create_asgi
from passbridge.bootstrap import Services, bootstrap
from passbridge.identity.keys import MemoryKeyStore
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.access import Role
from passbridge.settings import Settings
from passbridge.storage.engine import make_engine
from tests.fixtures_path import FIXTURES

POSTGRES_URL = os.environ.get("PASSBRIDGE_TEST_DATABASE_URL", "")
OFFICIAL_EXAMPLE = FIXTURES / "battery_passport" / "catenax_battery_pass_6.1.0_example.json"
REAL_DATE = "2024-03-08"


class FixedClock:
    """A clock that stands still unless moved."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


def official_example(*, fix_date: bool = True) -> dict[str, Any]:
    """The official BatteryPass 6.1.0 example (numbers as Decimal); its bogus intoServiceDate replaced if asked."""
    doc: dict[str, Any] = json.loads(OFFICIAL_EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)
    if fix_date:
        doc["operation"]["intoServiceDate"] = REAL_DATE
    return doc


def reset_postgres(url: str) -> None:
    """Empty the test database (drop and recreate the public schema)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_postgres() -> str:
    """The PostgreSQL test database, emptied. Skips the test when no server is configured (locally), fails it when
    ``PASSBRIDGE_REQUIRE_POSTGRES`` says one must be (CI)."""
    if not POSTGRES_URL:
        if os.environ.get("PASSBRIDGE_REQUIRE_POSTGRES"):
            pytest.fail("PASSBRIDGE_REQUIRE_POSTGRES is set but PASSBRIDGE_TEST_DATABASE_URL is not")
        pytest.skip("PASSBRIDGE_TEST_DATABASE_URL not set (CI sets it)")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or the PostgreSQL test database emptied (`fresh_postgres`)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'node.db'}"
    return fresh_postgres()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def make_services(tmp_path: Path, clock: FixedClock) -> Iterator[Callable[..., Services]]:
    built: list[Services] = []

    def make(database_url: str | None = None, **overrides: Any) -> Services:
        settings = Settings(data_dir=tmp_path, database_url=database_url or "", **overrides)
        services = bootstrap(settings, clock=clock, key_store=MemoryKeyStore())
        built.append(services)
        return services

    yield make
    for services in built:
        services.close()


@pytest.fixture
def services(make_services: Callable[..., Services], database_url: str) -> Services:
    """A node on each database backend."""
    return make_services(database_url)


@pytest.fixture
def sqlite_services(make_services: Callable[..., Services]) -> Services:
    """A node on SQLite only (for tests that are not about storage)."""
    return make_services()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_asgi(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(sqlite_services: Services) -> Iterator[TestClient]:
    with TestClient(create_asgi(sqlite_services), raise_server_exceptions=False) as test_client:
        yield test_client


def auth(services: Services, role: Role) -> dict[str, str]:
    """Authorization header for `role` (none for anonymous)."""
    if role is Role.ANONYMOUS:
        return {}
    token = services.tokens.issue(role, f"test {role.value}", services.clock.now(), 3600)
    return {"Authorization": f"Bearer {token}"}


def body(doc: dict[str, Any]) -> bytes:
    return dumps_exact(copy.deepcopy(doc))
