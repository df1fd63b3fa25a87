"""The cached-read front answers exactly as the FastAPI route does, and leaves everything else to it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from passbridge.api.app import create_app, create_asgi
from passbridge.bootstrap import Services
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.access import Role
from passbridge.passport.samples import sample_passport, sample_passport_id
from tests.conftest import auth

HEADERS = ("etag", "vary", "x-passport-version", "cache-control", "content-type", "content-length")


def test_fast_path_and_route_give_the_same_answers(sqlite_services: Services) -> None:
    owner = auth(sqlite_services, Role.OWNER)
    with (
        TestClient(create_asgi(sqlite_services), raise_server_exceptions=False) as fast,
        TestClient(create_app(sqlite_services), raise_server_exceptions=False) as plain,
    ):
        pid = fast.post("/api/v1/passports", content=dumps_exact(sample_passport(1)), headers=owner).json()["id"]
        etag = plain.get(f"/api/v1/passports/{pid}").headers["etag"]
        requests = [
            (f"/api/v1/passports/{pid}", {}),
            (f"/api/v1/passports/{pid}?format=aas", {}),
            (f"/api/v1/passports/{pid}?format=idta", auth(sqlite_services, Role.RECYCLER)),
            (f"/api/v1/passports/{pid}", owner),
            (f"/api/v1/passports/{pid}?format=sd-jwt", {}),
            (f"/api/v1/passports/{pid}?format=sd-jwt", auth(sqlite_services, Role.NOTIFIED_BODY)),
            (f"/api/v1/passports/{pid}?format=sd-jwt", owner),
            (f"/api/v1/passports/{pid}", {"If-None-Match": etag}),
            (f"/api/v1/passports/{pid}?format=xml", {}),
            (f"/api/v1/passports/{pid}?version=1", {}),
            (f"/api/v1/passports/{sample_passport_id(9)}", {}),
            ("/api/v1/passports/not-a-uuid", {}),
            (f"/api/v1/passports/{pid}", {"Authorization": "Bearer forged"}),
        ]
        for url, headers in requests:
            a, b = fast.get(url, headers=headers), plain.get(url, headers=headers)
            assert (a.status_code, a.content) == (b.status_code, b.content), url
            assert {h: a.headers.get(h) for h in HEADERS} == {h: b.headers.get(h) for h in HEADERS}, url
