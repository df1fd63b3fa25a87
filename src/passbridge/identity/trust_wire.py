"""Trust lists on the wire: the JSON form parsed member by member, and the signed form (a JWS with
``typ: trustlist+jwt``, the list in its ``trustList`` claim) signed by an authority and verified by everyone else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from passbridge.errors import InvalidInput
from passbridge.identity import jose
from passbridge.identity.did import DidResolver
from passbridge.identity.keys import SigningKey
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.trust import (
    _SUBJECT,
    Recognition,
    TrustedIssuer,
    TrustList,
    TypeMapping,
    _iso,
)

TRUST_LIST_TYP = "trustlist+jwt"


def _malformed(path: str, message: str) -> Exception:
    return refuse(Refusal.MALFORMED, f"{path}: {message}", _SUBJECT)


def _member(obj: Mapping[str, Any], name: str, path: str, kind: type | tuple[type, ...]) -> Any:
    if name not in obj:
        raise _malformed(f"{path}.{name}", "missing")
    value = obj[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _malformed(f"{path}.{name}", f"{type(value).__name__} where {getattr(kind, '__name__', kind)} belongs")
    return value


def _time(obj: Mapping[str, Any], name: str, path: str) -> datetime:
    text = _member(obj, name, path, str)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _malformed(f"{path}.{name}", f"{text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise _malformed(f"{path}.{name}", f"{text!r} has no time zone")
    return moment


def _strings(obj: Mapping[str, Any], name: str, path: str) -> tuple[str, ...]:
    values = _member(obj, name, path, list)
    if not all(isinstance(v, str) for v in values):
        raise _malformed(f"{path}.{name}", "must be a list of strings")
    return tuple(values)


def _objects(obj: Mapping[str, Any], name: str, path: str) -> list[Mapping[str, Any]]:
    values: list[Mapping[str, Any]] = _member(obj, name, path, list)
    for i, value in enumerate(values):
        if not isinstance(value, dict):
            raise _malformed(f"{path}.{name}[{i}]", "must be an object")
    return values


def _mapping(obj: Mapping[str, Any], path: str) -> TypeMapping:
    conditions = _member(obj, "conditions", path, dict) if "conditions" in obj else {}
    if not all(isinstance(v, str) for v in conditions.values()):
        raise _malformed(f"{path}.conditions", "condition values must be strings")
    return TypeMapping(_member(obj, "foreignType", path, str), _member(obj, "ourType", path, str), dict(conditions))


def _recognition(obj: Mapping[str, Any], path: str) -> Recognition:
    mappings = tuple(_mapping(m, f"{path}.mappings[{j}]") for j, m in enumerate(_objects(obj, "mappings", path)))
    try:
        return Recognition(
            issuer=_member(obj, "issuer", path, str),
            data_space=_member(obj, "dataSpace", path, str),
            mappings=mappings,
            valid_from=_time(obj, "validFrom", path),
            valid_until=_time(obj, "validUntil", path),
            scope=frozenset(_strings(obj, "scope", path)),
        )
    except InvalidInput as exc:
        first = exc.violations[0]
        raise _malformed(path + first.path[1:], first.message) from None


def parse_trust_list(obj: Any) -> TrustList:
    """A `TrustList` from its JSON form (``malformed`` refusals name the member)."""
    if not isinstance(obj, dict):
        raise _malformed("$", "the trust list must be a JSON object")
    issuers = tuple(
        TrustedIssuer(
            did=_member(entry, "did", f"$.issuers[{i}]", str),
            credential_types=frozenset(_strings(entry, "credentialTypes", f"$.issuers[{i}]")),
            name=str(entry.get("name", "")),
        )
        for i, entry in enumerate(_objects(obj, "issuers", "$"))
    )
    recognitions = tuple(
        _recognition(entry, f"$.recognitions[{i}]") for i, entry in enumerate(_objects(obj, "recognitions", "$"))
    )
    return TrustList(
        authority=_member(obj, "authority", "$", str),
        data_space=_member(obj, "dataSpace", "$", str),
        version=_member(obj, "version", "$", int),
        issued_at=_time(obj, "issuedAt", "$"),
        valid_until=_time(obj, "validUntil", "$"),
        issuers=issuers,
        recognitions=recognitions,
    )


def sign_trust_list(trust_list: TrustList, key: SigningKey, kid: str) -> str:
    """The list as a compact JWS (``typ: trustlist+jwt``): ``iss`` = the authority, ``iat`` = issuedAt, ``exp`` =
    validUntil, the list under ``trustList``. `kid` names the authority's ``assertionMethod`` key (``did#frag``)."""
    claims = {
        "iss": trust_list.authority,
        "iat": int(trust_list.issued_at.timestamp()),
        "exp": int(trust_list.valid_until.timestamp()),
        "trustList": trust_list.to_json(),
    }
    return jose.sign(key, claims, typ=TRUST_LIST_TYP, kid=kid)


def verify_trust_list(
    token: str, resolver: DidResolver, authority: str, now: datetime, *, min_version: int = 1
) -> TrustList:
    """The trust list in `token`, after checking it was signed by `authority` and is current.

    Checks, in order: shape, size and algorithm (`jose.peek`); ``typ`` is ``trustlist+jwt``; ``iss`` is
    `authority`; the header ``kid`` is an ``assertionMethod`` key of the authority's DID document; the signature;
    ``iat`` / ``exp``; the list itself (its ``authority`` too); ``validUntil``; and ``version`` ≥ `min_version`
    (the highest version the caller has seen, so a withdrawn recognition cannot come back by replay).

    Raises:
        VerificationFailed: ``malformed``, ``too-large``, ``algorithm-not-allowed``, ``wrong-issuer``,
            ``did-unresolvable``, ``unknown-key``, ``bad-signature``, ``expired``, ``not-yet-valid``, ``replayed``.
    """
    header, claims = jose.peek(token, _SUBJECT)
    if header.get("typ") != TRUST_LIST_TYP:
        raise refuse(Refusal.MALFORMED, f"typ {header.get('typ')!r}, expected {TRUST_LIST_TYP!r}", _SUBJECT)
    if claims.get("iss") != authority:
        raise refuse(Refusal.WRONG_ISSUER, f"iss {claims.get('iss')!r} is not the authority {authority}", _SUBJECT)
    jwk = resolver.resolve(authority).key(header.get("kid"), "assertionMethod", _SUBJECT)
    jose.verify(token, jwk, _SUBJECT)
    jose.check_times(claims, now, _SUBJECT)
    if "trustList" not in claims:
        raise refuse(Refusal.MALFORMED, "no trustList claim", _SUBJECT)
    trust_list = TrustList.from_json(claims["trustList"])
    if trust_list.authority != authority:
        raise refuse(
            Refusal.WRONG_ISSUER, f"the list names {trust_list.authority} as authority, signed by {authority}", _SUBJECT
        )
    if now > trust_list.valid_until:
        raise refuse(Refusal.EXPIRED, f"{trust_list.label} valid until {_iso(trust_list.valid_until)}", _SUBJECT)
    if trust_list.version < min_version:
        raise refuse(
            Refusal.REPLAYED, f"version {trust_list.version} is older than version {min_version} already seen", _SUBJECT
        )
    return trust_list


__all__ = ["TRUST_LIST_TYP", "parse_trust_list", "sign_trust_list", "verify_trust_list"]
