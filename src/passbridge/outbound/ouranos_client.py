"""Our calls to an Ouranos data transaction system as one operator: implements `supplychain.ouranos_session.OuranosApi`.

Every call sends the ``apiKey`` header and ``Authorization: Bearer <accessToken>``. The client logs in
(``POST /auth/login``) on first use, refreshes the access token (``POST /auth/refresh``) shortly before its ``exp``
and, once, when the platform answers 401; a refused refresh token means logging in again. Lists are read page by
page (``limit``, then the ``after`` of the ``Link: <…>; rel="next"`` header) until the last page.

An error answer ``{"code", "message", "detail"}`` becomes the `passbridge.errors` kind of its status, carrying the
platform's message: 400 `InvalidInput`, 401 `Unauthenticated`, 403 `Forbidden`, 404 `NotFound`; anything else,
a body that is not JSON, or no answer at all, `CounterpartyError` (step ``ouranos``).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import parse_qs, urlsplit

import httpx

from passbridge.clock import Clock
from passbridge.errors import (
    CounterpartyError,
    Forbidden,
    InvalidInput,
    MalformedJson,
    NotFound,
    PassbridgeError,
    Unauthenticated,
)
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.jsontypes import JsonObject, JsonValue

logger = logging.getLogger(__name__)

RULE: Final = "Ouranos data transaction API 3.0.0"
PAGE_SIZE: Final = 100
"""`limit` of list calls (the platform's maximum)."""
REFRESH_MARGIN: Final = timedelta(seconds=60)
"""Refresh the access token this long before it expires."""
TIMEOUT_SECONDS: Final = 10.0
_DATA: Final = "/api/v1/datatransport"
_AUTH_INFO: Final = "/api/v1/authInfo"


def _expiry(token: str) -> datetime | None:
    """The ``exp`` of a JWT, unverified: only to schedule the refresh (the platform checks the token)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _objects(value: JsonValue, what: str) -> list[JsonObject]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise CounterpartyError("ouranos", f"{what}: expected an array of objects")
    return [item for item in value if isinstance(item, Mapping)]


def _object(value: JsonValue, what: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise CounterpartyError("ouranos", f"{what}: expected an object")
    return value


class OuranosClient:
    """One operator's session with the platform at `base_url` (e.g. ``https://platform.example/ouranos``)."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        api_key: str,
        account: str,
        password: str,
        clock: Clock,
        *,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._http, self._base = http, base_url.rstrip("/")
        self._api_key, self._account, self._password = api_key, account, password
        self._clock, self._timeout = clock, timeout
        self._access: str | None = None
        self._refresh: str | None = None

    # --- transport and tokens ----------------------------------------------------------------------------------

    def _send(
        self, method: str, path: str, params: Mapping[str, str] | None, body: JsonValue | None, *, bearer: bool
    ) -> httpx.Response:
        headers = {"apiKey": self._api_key, "Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {self._token()}"
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = dumps_exact(body)
        try:
            return self._http.request(
                method, self._base + path, params=params, content=content, headers=headers, timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            raise CounterpartyError("ouranos", f"{method} {self._base}{path}: {exc}") from None

    def _call(
        self, method: str, path: str, params: Mapping[str, str] | None = None, body: JsonValue | None = None
    ) -> httpx.Response:
        """An authenticated call; on 401 the token is renewed and the call repeated once."""
        response = self._send(method, path, params, body, bearer=True)
        if response.status_code == 401:
            logger.info("ouranos answered 401 to %s %s: renewing the access token", method, path)
            self._renew()
            response = self._send(method, path, params, body, bearer=True)
        if response.status_code >= 400:
            raise self._error(response, f"{method} {path}", params)
        return response

    def _token(self) -> str:
        if self._access is None:
            self.login()
        else:
            expires = _expiry(self._access)
            if expires is not None and self._clock.now() + REFRESH_MARGIN >= expires:
                self._renew()
        assert self._access is not None
        return self._access

    def login(self) -> None:
        """``POST /auth/login`` with the account and password.

        Raises:
            Forbidden: the API key is refused. Unauthenticated: wrong account or password, or a locked account.
        """
        body: JsonValue = {"operatorAccountId": self._account, "accountPassword": self._password}
        response = self._send("POST", "/auth/login", None, body, bearer=False)
        if response.status_code >= 400:
            raise self._error(response, "login", None)
        tokens = _object(self._json(response, "login"), "login")
        access, refresh = tokens.get("accessToken"), tokens.get("refreshToken")
        if not isinstance(access, str) or not isinstance(refresh, str):
            raise CounterpartyError("ouranos", "login: the answer has no accessToken and refreshToken")
        self._access, self._refresh = access, refresh
        logger.info("logged in to ouranos %s as %s", self._base, self._account)

    def _renew(self) -> None:
        """A new access token from the refresh token; a refused (expired) refresh token → log in again."""
        if self._refresh is None:
            self.login()
            return
        response = self._send("POST", "/auth/refresh", None, {"refreshToken": self._refresh}, bearer=False)
        if response.status_code in (401, 403):
            logger.info("ouranos refused the refresh token: logging in again")
            self.login()
            return
        if response.status_code >= 400:
            raise self._error(response, "refresh", None)
        access = _object(self._json(response, "refresh"), "refresh").get("accessToken")
        if not isinstance(access, str):
            raise CounterpartyError("ouranos", "refresh: the answer has no accessToken")
        self._access = access

    def _json(self, response: httpx.Response, what: str) -> JsonValue:
        try:
            return loads_exact(response.content)
        except MalformedJson:
            raise CounterpartyError("ouranos", f"{what}: the answer is not JSON", response.status_code) from None

    def _error(self, response: httpx.Response, what: str, params: Mapping[str, str] | None) -> PassbridgeError:
        """The error of an error answer, with the platform's message."""
        try:
            body = loads_exact(response.content)
        except MalformedJson:
            body = None
        message = body.get("message") if isinstance(body, Mapping) else None
        said = str(message) if message else response.reason_phrase or "no message"
        target = (params or {}).get("dataTarget")
        where = f"ouranos {what}" + (f" ({target})" if target and target not in what else "")
        match response.status_code:
            case 400:
                return InvalidInput.at(where, said, RULE)
            case 401:
                return Unauthenticated(f"{where}: {said}")
            case 403:
                return Forbidden(f"{where}: {said}")
            case 404:
                return NotFound(f"{where}: {said}")
        return CounterpartyError("ouranos", f"{what} failed", response.status_code, [said])

    def _get(self, path: str, params: Mapping[str, str]) -> JsonValue:
        return self._json(self._call("GET", path, params), f"GET {params.get('dataTarget')}")

    def _put(self, target: str, body: JsonValue, path: str = _DATA) -> JsonValue:
        return self._json(self._call("PUT", path, {"dataTarget": target}, body), f"PUT {target}")

    def _pages(self, params: Mapping[str, str]) -> list[JsonObject]:
        """Every item of a paged list, following ``Link: rel="next"`` (its ``after``) to the last page."""
        items: list[JsonObject] = []
        query = {**params, "limit": str(PAGE_SIZE)}
        for _ in range(10_000):  # a platform that never ends its list is a failure, not an endless loop
            response = self._call("GET", _DATA, query)
            items += _objects(self._json(response, f"GET {params['dataTarget']}"), f"GET {params['dataTarget']}")
            after = parse_qs(urlsplit(response.links.get("next", {}).get("url", "")).query).get("after")
            if not after:
                return items
            query = {**query, "after": after[0]}
        raise CounterpartyError("ouranos", f"GET {params['dataTarget']}: too many pages")

    # --- OuranosApi ------------------------------------------------------------------------------------------

    def own_operator(self) -> JsonObject:
        """Our `OperatorModel` (logs in on first use)."""
        return _object(self._get(_AUTH_INFO, {"dataTarget": "operator"}), "operator")

    def operator_by_open_id(self, open_operator_id: str) -> JsonObject | None:
        """The operator with this `openOperatorId`, or None."""
        try:
            found = self._get(_AUTH_INFO, {"dataTarget": "operator", "openOperatorId": open_operator_id})
        except NotFound:
            return None
        return _object(found, "operator")

    def operators(self, operator_ids: Sequence[str]) -> list[JsonObject]:
        """Operators by id, 100 per call."""
        out: list[JsonObject] = []
        for start in range(0, len(operator_ids), 100):
            chunk = ",".join(operator_ids[start : start + 100])
            out += _objects(self._get(_AUTH_INFO, {"dataTarget": "operator", "operatorIds": chunk}), "operators")
        return out

    def plants(self) -> list[JsonObject]:
        """Our plants."""
        return _objects(self._get(_AUTH_INFO, {"dataTarget": "plant"}), "plant")

    def put_plant(self, plant: JsonObject) -> JsonObject:
        """Register or update a plant."""
        return _object(self._put("plant", plant, _AUTH_INFO), "plant")

    def parts(self) -> list[JsonObject]:
        """All our parts."""
        return self._pages({"dataTarget": "parts"})

    def put_parts(self, part: JsonObject) -> JsonObject:
        """Register or update a parent part."""
        return _object(self._put("parts", part), "parts")

    def structure(self, trace_id: str) -> JsonObject:
        """The parts structure of our part."""
        return _object(self._get(_DATA, {"dataTarget": "partsStructure", "traceId": trace_id}), "partsStructure")

    def put_structure(self, structure: JsonObject) -> JsonObject:
        """Register a parts structure."""
        return _object(self._put("partsStructure", structure), "partsStructure")

    def trade_requests(self, trace_ids: Sequence[str]) -> list[JsonObject]:
        """Our requests about these child parts."""
        return self._pages({"dataTarget": "tradeRequest", "traceIds": ",".join(trace_ids)})

    def put_trade_request(self, request: JsonObject) -> JsonObject:
        """Send a request."""
        return _object(self._put("tradeRequest", request), "tradeRequest")

    def received_requests(self) -> list[JsonObject]:
        """The requests addressed to us."""
        return self._pages({"dataTarget": "tradeResponse"})

    def respond(self, trade_id: str, trace_id: str) -> JsonObject:
        """Link our part to a request."""
        params = {"dataTarget": "tradeResponse", "tradeId": trade_id, "traceId": trace_id}
        return _object(self._json(self._call("PUT", _DATA, params), "PUT tradeResponse"), "tradeResponse")

    def statuses(self, *, target: str, trace_id: str | None = None) -> list[JsonObject]:
        """Statuses of requests sent or received."""
        params = {"dataTarget": "status", "statusTarget": target}
        return self._pages(params | ({"traceId": trace_id} if trace_id is not None else {}))

    def cfp(self, trace_ids: Sequence[str]) -> list[JsonObject]:
        """CFP records of our parts (and answers for child parts), 50 parts per call."""
        out: list[JsonObject] = []
        for start in range(0, len(trace_ids), 50):
            chunk = ",".join(trace_ids[start : start + 50])
            out += _objects(self._get(_DATA, {"dataTarget": "cfp", "traceIds": chunk}), "cfp")
        return out

    def put_cfp(self, records: Sequence[JsonValue]) -> list[JsonObject]:
        """Register the 4 CFP records of a part."""
        return _objects(self._put("cfp", list(records)), "cfp")

    def cfp_acl(self, trace_id: str) -> list[JsonObject] | None:
        """Our grants for our part; None while the platform has no ``cfpAcl``."""
        try:
            return _objects(self._get(_DATA, {"dataTarget": "cfpAcl", "traceId": trace_id}), "cfpAcl")
        except InvalidInput as exc:
            if _unsupported(exc, "cfpAcl"):
                return None
            raise

    def put_cfp_acl(self, grant: JsonObject) -> bool:
        """Grant item groups; False while the platform has no ``cfpAcl`` (its "unsupported dataTarget" 400)."""
        try:
            self._put("cfpAcl", grant)
        except InvalidInput as exc:
            if _unsupported(exc, "cfpAcl"):
                logger.warning("the ouranos platform %s has no cfpAcl data target yet", self._base)
                return False
            raise
        return True


def _unsupported(error: InvalidInput, target: str) -> bool:
    """True for exactly the platform's "unsupported dataTarget" refusal of `target`."""
    return any(f"unsupported dataTarget {target!r}" in v.message for v in error.violations)


__all__ = ["PAGE_SIZE", "REFRESH_MARGIN", "OuranosClient"]
