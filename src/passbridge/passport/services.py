"""Passport use cases: create, add a version, read as a role in a format, list versions.

Layout: `PassportService` (talks to the ports), `decode_document` (bytes → validated facts, fast path when the
numbers allow it), `RenderedView` (what a read returns: bytes, media type, ETag), `ViewCache` (rendered views per
(passport, version, role, format); versions are immutable, so an entry never goes stale, and the one query per read
asks only for the current version number).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from passbridge.clock import Clock
from passbridge.errors import (
    DuplicateIdentifier,
    DuplicatePassport,
    IllegalTransition,
    PassportNotFound,
    PassportNotSigned,
    PassportRuleViolation,
    UnsupportedFormat,
    Violation,
)
from passbridge.jsoncodec import is_float_safe, loads_exact, loads_fast
from passbridge.jsontypes import JsonObject
from passbridge.passport.access import Role
from passbridge.passport.lifecycle import INITIAL_STATUSES, SUCCESSOR_STATUSES, BatteryStatus, check_transition
from passbridge.passport.model import Passport, PassportFacts, PassportId, PassportVersion, VersionInfo
from passbridge.passport.ports import (
    ChangeWatch,
    PassportListing,
    PassportRepository,
    PassportSigner,
    Renderer,
    UnitOfWorkFactory,
)
from passbridge.passport.signatures import SD_JWT_FORMAT, SD_JWT_MEDIA_TYPE, SignedPassport, presentation
from passbridge.passport.validation import validate_document
from passbridge.passport.views import project

logger = logging.getLogger(__name__)

ART_77_7 = "Reg. (EU) 2023/1542 Art. 77(7)"


def decode_document(raw: bytes) -> PassportFacts:
    """Parse and validate a BatteryPass document; the fast (binary64) parse is used only when it is exact.

    Raises:
        InvalidInput: malformed JSON, schema violations (each with its JSON path).
        PassportRuleViolation: rules beyond the schema.
    """
    return decode_content(raw)[1]


def decode_content(raw: bytes) -> tuple[JsonObject, PassportFacts]:
    """`decode_document`, also returning the parsed document (`parse_document`)."""
    doc: Any = parse_document(raw)
    return doc, validate_document(doc)


def parse_document(raw: bytes) -> Any:
    """Parse without validating: numbers are binary64 when every one of them has at most 15 significant digits (so
    each keeps its exact value, though ``1.10`` reads as ``1.1``), else `Decimal`.

    Raises:
        MalformedJson: `raw` is not JSON.
    """
    return loads_fast(raw) if is_float_safe(raw) else loads_exact(raw)


@dataclass(frozen=True, slots=True)
class RenderedView:
    """A passport as one reader sees it in one format."""

    body: bytes
    media_type: str
    etag: str
    version: int


@dataclass(frozen=True, slots=True)
class Lineage:
    """Art. 77(7) links of a passport: the passports it continues and the ones that continue it."""

    predecessors: tuple[PassportId, ...]
    successors: tuple[PassportId, ...]


class ViewCache:
    """A bounded, thread-safe LRU of rendered views keyed by (passport, version, role, format)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[str, int, Role, str], RenderedView] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, Role, str]) -> RenderedView | None:
        """The cached view, or None."""
        with self._lock:
            view = self._entries.get(key)
            if view is not None:
                self._entries.move_to_end(key)
            return view

    def put(self, key: tuple[str, int, Role, str], view: RenderedView) -> None:
        """Remember a view, evicting the least recently used beyond capacity."""
        with self._lock:
            self._entries[key] = view
            if len(self._entries) > self._capacity:
                self._entries.popitem(last=False)


class _CurrentVersions:
    """Current version numbers learnt at one change generation; a new generation forgets them all."""

    def __init__(self, capacity: int = 200_000) -> None:
        self._capacity = capacity
        self._generation: int | None = None
        self._numbers: dict[PassportId, int] = {}
        self._lock = threading.Lock()

    def get(self, passport_id: PassportId, generation: int) -> int | None:
        with self._lock:
            if generation != self._generation:
                self._numbers.clear()
                self._generation = generation
            return self._numbers.get(passport_id)

    def put(self, passport_id: PassportId, number: int, generation: int) -> None:
        # `generation` was read before the query, so a commit in between shows up as a newer one next time.
        with self._lock:
            if generation != self._generation:
                return
            if len(self._numbers) >= self._capacity:
                self._numbers.clear()
            self._numbers[passport_id] = number


class PassportService:
    """Create, version and read battery passports."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        renderers: Mapping[str, Renderer],
        *,
        cache: ViewCache | None = None,
        changes: ChangeWatch | None = None,
        signer: PassportSigner | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._renderers = dict(renderers)
        self._cache = cache or ViewCache()
        self._changes = changes
        self._signer = signer
        self._current = _CurrentVersions()

    @property
    def formats(self) -> Sequence[str]:
        """The export formats this node serves (the renderers', then the signed passport, ``sd-jwt``)."""
        return (*self._renderers, SD_JWT_FORMAT)

    @property
    def signer(self) -> PassportSigner | None:
        """What signs new versions (None: versions are stored unsigned)."""
        return self._signer

    def create(self, raw: bytes) -> PassportVersion:
        """Store a new passport from a BatteryPass document (version 1).

        Raises:
            InvalidInput / PassportRuleViolation: the document is refused (nothing stored).
            DuplicatePassport / DuplicateIdentifier: the passport or battery identifier exists.
            IllegalTransition: a predecessor's status does not allow a successor (e.g. it is `waste`).
        """
        facts = decode_document(raw)
        if facts.status not in INITIAL_STATUSES:
            raise PassportRuleViolation(
                [
                    Violation(
                        "$.sustainability.status", f"a new passport cannot start as {facts.status.value!r}", ART_77_7
                    )
                ]
            )
        version = PassportVersion(facts, 1, bytes(raw), self._clock.now())
        signature = self._sign(version)  # before the transaction: the writer lock is not held while signing
        with self._uow() as uow:
            repo = uow.passports
            if repo.find(facts.passport_id) is not None:
                raise DuplicatePassport(facts.passport_id.value)
            self._check_battery_id(repo, facts)
            self._check_predecessors(repo, facts)
            repo.add(version)
            if signature is not None:
                repo.add_signatures([signature])
            uow.commit()
        logger.info("passport %s created (%s)", facts.passport_id, facts.status.value)
        return version

    def add_version(self, passport_id: PassportId, raw: bytes) -> PassportVersion:
        """Store a new immutable version of an existing passport (`PUT`).

        Raises:
            PassportNotFound: no such passport.
            PassportRuleViolation: the document names another passport identifier.
            IllegalTransition: the status change is not allowed by Art. 77 (names both states).
        """
        facts = decode_document(raw)
        if facts.passport_id != passport_id:
            raise PassportRuleViolation(
                [Violation("$.metadata.passportIdentifier", f"must be {passport_id.urn} (the passport in the URL)")]
            )
        with self._uow() as uow:
            repo = uow.passports
            head = repo.get(passport_id)
            check_transition(head.status, facts.status)
            self._check_battery_id(repo, facts)
            self._check_predecessors(repo, facts, new=False)
            version = PassportVersion(facts, head.current_version + 1, bytes(raw), self._clock.now())
            signature = self._sign(version)
            repo.add_version(version)
            if signature is not None:
                repo.add_signatures([signature])
            uow.commit()
        logger.info("passport %s version %d (%s)", passport_id, version.number, facts.status.value)
        return version

    def read(self, passport_id: PassportId, role: Role, fmt: str, number: int | None = None) -> RenderedView:
        """The passport as `role` may see it, rendered in `fmt`.

        ``sd-jwt`` is the version as its economic operator signed it, with the disclosures `role` may receive.

        Raises:
            UnsupportedFormat: unknown `fmt`.
            PassportNotFound: no such passport or version.
            PassportNotSigned: ``sd-jwt`` of a version stored before signing was enabled.
        """
        renderer = self._renderers.get(fmt)
        if renderer is None and fmt != SD_JWT_FORMAT:
            raise UnsupportedFormat(fmt, self.formats)
        generation = self._changes.generation() if self._changes is not None else None
        if number is None and generation is not None:
            known = self._current.get(passport_id, generation)
            hit = self._cache.get((passport_id.value, known, role, fmt)) if known is not None else None
            if hit is not None:  # nothing committed anywhere since we learnt the current version: no query
                return hit
        with self._uow(write=False) as uow:
            if number is None:
                current = uow.passports.current_version_number(passport_id)
                if current is None:
                    raise PassportNotFound(passport_id.value)
                number = current
                if generation is not None:
                    self._current.put(passport_id, current, generation)
            key = (passport_id.value, number, role, fmt)
            cached = self._cache.get(key)
            if cached is not None:
                return cached
            if renderer is None:  # sd-jwt: stored at write time, only the disclosures are chosen here
                view = self._signed_view(uow.passports, passport_id, number, role)
                self._cache.put(key, view)
                return view
            version = uow.passports.version(passport_id, number)
        view = RenderedView(
            body=renderer.render(project(version.content(), role), version),
            media_type=renderer.media_type,
            etag=f'"{version.digest[:32]}-{role.value}-{fmt}"',
            version=number,
        )
        self._cache.put(key, view)
        return view

    @staticmethod
    def _signed_view(repo: PassportRepository, passport_id: PassportId, number: int, role: Role) -> RenderedView:
        signature = repo.signature(passport_id, number)
        if signature is None:
            repo.version(passport_id, number)  # PassportNotFound for a version that does not exist at all
            raise PassportNotSigned(passport_id.value, number)
        digest = hashlib.sha256(signature.jwt.encode("ascii")).hexdigest()
        return RenderedView(
            body=presentation(signature, role).encode("ascii"),
            media_type=SD_JWT_MEDIA_TYPE,
            etag=f'"{digest[:32]}-{role.value}-{SD_JWT_FORMAT}"',
            version=number,
        )

    def _sign(self, version: PassportVersion) -> SignedPassport | None:
        if self._signer is None:
            return None
        return self._signer.sign(version.content(), version.passport_id, version.number, version.recorded_at)

    def head(self, passport_id: PassportId) -> Passport:
        """The passport head (status, current version).

        Raises:
            PassportNotFound: no such passport.
        """
        with self._uow(write=False) as uow:
            return uow.passports.get(passport_id)

    def current(self, passport_id: PassportId) -> PassportVersion:
        """The current version, with its exact document (for writers that derive the next version from it).

        Raises:
            PassportNotFound: no such passport.
        """
        with self._uow(write=False) as uow:
            head = uow.passports.get(passport_id)
            return uow.passports.version(passport_id, head.current_version)

    def existing(self, passport_ids: Iterable[PassportId]) -> set[PassportId]:
        """Those of `passport_ids` that exist on this node."""
        with self._uow(write=False) as uow:
            return set(uow.passports.existing(passport_ids))

    def listing(
        self,
        *,
        after: PassportId | None = None,
        limit: int = 100,
        passport_id: PassportId | None = None,
        manufacturer_part_id: str | None = None,
        part_instance_id: str | None = None,
    ) -> Sequence[PassportListing]:
        """At most `limit` passports ordered by id (after `after` only) whose current version matches every filter
        given: the pages of a digital twin registry."""
        with self._uow(write=False) as uow:
            return uow.passports.listing(
                after=after,
                limit=limit,
                passport_id=passport_id,
                manufacturer_part_id=manufacturer_part_id,
                part_instance_id=part_instance_id,
            )

    def versions(self, passport_id: PassportId) -> tuple[Passport, Sequence[VersionInfo], Lineage]:
        """The head, all versions (oldest first) and the Art. 77(7) links of a passport.

        Raises:
            PassportNotFound: no such passport.
        """
        with self._uow(write=False) as uow:
            head = uow.passports.get(passport_id)
            infos = uow.passports.versions(passport_id)
            current = uow.passports.version(passport_id, head.current_version)
            lineage = Lineage(current.facts.predecessors, tuple(uow.passports.successors(passport_id)))
        return head, infos, lineage

    @staticmethod
    def _check_battery_id(repo: PassportRepository, facts: PassportFacts) -> None:
        holder = repo.holder_of_battery_id(facts.battery_id)
        if holder is not None and holder != facts.passport_id:
            raise DuplicateIdentifier("$.identification.idDmc", facts.battery_id)

    @staticmethod
    def _check_predecessors(repo: PassportRepository, facts: PassportFacts, *, new: bool = True) -> None:
        found = repo.existing(facts.predecessors)
        missing = [p for p in facts.predecessors if p not in found]
        if missing:
            raise PassportRuleViolation(
                [
                    Violation("$.metadata.predecessor", f"predecessor passport {p} does not exist", ART_77_7)
                    for p in missing
                ]
            )
        if new and facts.status in SUCCESSOR_STATUSES and not facts.predecessors:
            raise PassportRuleViolation(
                [
                    Violation(
                        "$.metadata.predecessor",
                        f"a {facts.status.value} battery needs a new passport linked to the original's passport",
                        ART_77_7,
                    )
                ]
            )
        for predecessor in found.values():
            if predecessor.status is BatteryStatus.WASTE:
                raise IllegalTransition(
                    f"predecessor {predecessor.passport_id} (Art. 77(8))",
                    BatteryStatus.WASTE.value,
                    facts.status.value,
                    [],
                )


__all__ = ["Lineage", "PassportService", "RenderedView", "ViewCache", "decode_document"]
