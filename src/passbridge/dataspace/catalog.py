"""The DSP catalog (DCAT as profiled by DSP 2025-1) and how passbridge builds its own from assets and policies.

Layout: the model (`DataService`, `Distribution`, `Dataset`, `Catalog`; `extra` keeps members the model does not name,
such as ``dct:type``, verbatim); `OfferId` (EDC's offer id form); what is offered (`Asset`, `ContractDefinition`);
`build_catalog` (only offers whose *access* policy the counterparty satisfies are listed, and a dataset without offers
is left out, as EDC's catalog scope does) and `check_offer` (a requested offer must be the catalog's); what caching
a built catalog needs (`policy_inputs`, `reads_time`, `GenerationCache`; used by `passbridge.dataspace.services`).

Rules enforced (DSP 2025-1 catalog protocol): a dataset carries 1..n ``hasPolicy`` offers, each without ``target``
(the dataset is the implicit target); a catalog has no ``hasPolicy``; the root catalog names its ``participantId``.
Catena-X (CX-0018 v4.2 §2.5): every dataset carries ``dct:type`` ``{"@id": <taxonomy concept>}``; the digital twin
registry is ``https://w3id.org/catenax/taxonomy#DigitalTwinRegistry``.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from passbridge.dataspace.odrl import (
    AnyConstraint,
    Constraint,
    Decision,
    Policy,
    PolicyContext,
    PolicyType,
    policy_equal,
)
from passbridge.errors import PolicyMismatch, ProtocolError
from passbridge.identity.acceptance import VerifiedPresentation
from passbridge.jsontypes import JsonValue

CX_TAXONOMY = "https://w3id.org/catenax/taxonomy#"
"""Catena-X dataset types (``dct:type``), e.g. ``…#DigitalTwinRegistry``, ``…#Submodel``."""
CX_VERSION = "https://w3id.org/catenax/ontology/common#version"
"""The ``cx-common:version`` dataset property (CX-0018 v4.2 §2.5)."""
DCT_TYPE = "dct:type"
HTTP_PULL = "HttpData-PULL"
"""The Tractus-X distribution format of an HTTP pull transfer with an endpoint data reference."""
_RULE = "DSP 2025-1 catalog protocol"
_OFFER_ID_RULE = "EDC offer id base64(contractDefinitionId):base64(assetId):base64(uuid)"


@dataclass(frozen=True, slots=True)
class DataService:
    """A DSP endpoint (``dcat:DataService``): `endpoint_url` is the provider's DSP base for the version."""

    id: str
    endpoint_url: str
    extra: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Distribution:
    """How a dataset can be transferred: a `format` (``HttpData-PULL``) through an access service (by id or inline)."""

    format: str
    access_service: str | DataService
    offers: tuple[Policy, ...] = ()
    extra: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset with its offers (ODRL ``Offer``s without ``target``) and distributions."""

    id: str
    offers: tuple[Policy, ...]
    distributions: tuple[Distribution, ...]
    extra: Mapping[str, JsonValue] = field(default_factory=dict)

    @property
    def type_iri(self) -> str | None:
        """The ``dct:type`` concept (``…taxonomy#DigitalTwinRegistry``), however the member was spelled."""
        for key in (DCT_TYPE, "http://purl.org/dc/terms/type"):
            value = self.extra.get(key)
            if isinstance(value, Mapping) and isinstance(value.get("@id"), str):
                return str(value["@id"])
            if isinstance(value, str):
                return value
        return None


@dataclass(frozen=True, slots=True)
class Catalog:
    """A DCAT catalog; the root one names the provider in `participant_id`; `catalogs` are nested sub-catalogs."""

    id: str
    participant_id: str | None = None
    datasets: tuple[Dataset, ...] = ()
    catalogs: tuple[Catalog, ...] = ()
    services: tuple[DataService, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    extra: Mapping[str, JsonValue] = field(default_factory=dict)

    def all_datasets(self) -> Iterable[Dataset]:
        """Every dataset, nested catalogs included."""
        yield from self.datasets
        for sub in self.catalogs:
            yield from sub.all_datasets()

    def dataset(self, dataset_id: str) -> Dataset | None:
        """The dataset with this id, or None."""
        return next((d for d in self.all_datasets() if d.id == dataset_id), None)

    def offer(self, offer_id: str) -> tuple[Dataset, Policy] | None:
        """The offer with this ``@id`` and its dataset, or None."""
        for dataset in self.all_datasets():
            for offer in dataset.offers:
                if offer.id == offer_id:
                    return dataset, offer
        return None


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def _unb64(part: str) -> str:
    return base64.b64decode(part.encode("ascii"), validate=True).decode("utf-8")


@dataclass(frozen=True, slots=True)
class OfferId:
    """An offer id as EDC builds them: ``base64(contractDefinitionId):base64(assetId):base64(uuid)`` (standard
    base64 with padding). A fresh `uuid` per catalog request makes every listed offer id new."""

    definition_id: str
    asset_id: str
    uuid: str

    def __str__(self) -> str:
        return f"{_b64(self.definition_id)}:{_b64(self.asset_id)}:{_b64(self.uuid)}"

    @classmethod
    def parse(cls, text: str, path: str = "$.offer.@id") -> OfferId:
        """Read an EDC offer id.

        Raises:
            ProtocolError: not three base64 parts of UTF-8 text (the violation names `path`).
        """
        parts = text.split(":")
        try:
            if len(parts) != 3 or not all(parts):
                raise ValueError("not three parts")
            definition_id, asset_id, uuid = (_unb64(part) for part in parts)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ProtocolError.at(path, f"{text!r} is not an offer id of this provider", _OFFER_ID_RULE) from None
        return cls(definition_id, asset_id, uuid)


@dataclass(frozen=True, slots=True)
class Asset:
    """Something passbridge offers: a passport, the digital twin registry, a PCF answer.

    Attributes:
        id: the dataset id (DTR ``subprotocolBody`` ``id=…``).
        title: ``dct:title``.
        type: the ``dct:type`` concept: a full IRI or a Catena-X taxonomy name (``DigitalTwinRegistry`` →
            ``https://w3id.org/catenax/taxonomy#DigitalTwinRegistry``).
        media_type: ``dcat:mediaType`` of what the data plane returns.
        version: ``cx-common:version`` if any (the DTR uses ``"3.0"``).
        properties: further dataset members, written as given (e.g. ``aas-semantics:semanticId``).
        formats: the distribution formats offered.
    """

    id: str
    title: str
    type: str
    media_type: str = "application/json"
    version: str | None = None
    properties: Mapping[str, JsonValue] = field(default_factory=dict)
    formats: tuple[str, ...] = (HTTP_PULL,)

    @property
    def type_iri(self) -> str:
        """`type` as an IRI."""
        return self.type if ":" in self.type else CX_TAXONOMY + self.type


@dataclass(frozen=True, slots=True)
class ContractDefinition:
    """Which policies govern an asset: the *access* policy decides whether the offer is listed for a counterparty
    (catalog time); the *contract* policy is what is offered and agreed (negotiation and transfer time)."""

    id: str
    access_policy: Policy
    contract_policy: Policy


def offer_of(definition: ContractDefinition, asset_id: str, uuid: str, participant_id: str) -> Policy:
    """The catalog offer of `definition` for an asset: its contract policy with the EDC offer id, as an ``Offer``
    without ``target``/``assignee``, assigned by the provider (`participant_id`), so that the agreement can copy it
    unchanged (EDC compares agreement and offer, ``assigner`` included)."""
    return replace(
        definition.contract_policy,
        id=str(OfferId(definition.id, asset_id, uuid)),
        type=PolicyType.OFFER,
        target=None,
        assignee=None,
        assigner=participant_id,
        timestamp=None,
    )


def _dataset_members(asset: Asset) -> dict[str, JsonValue]:
    members: dict[str, JsonValue] = {DCT_TYPE: {"@id": asset.type_iri}, "dct:title": asset.title}
    if asset.version is not None:
        members[CX_VERSION] = asset.version
    members.update(asset.properties)
    return members


def build_catalog(
    assets: Iterable[Asset],
    policies_for: Callable[[Asset], Sequence[ContractDefinition]],
    *,
    participant_id: str,
    catalog_id: str,
    service: DataService,
    context: PolicyContext,
    evaluate: Callable[[Policy, PolicyContext], Decision],
    new_uuid: Callable[[], str],
) -> Catalog:
    """The catalog a counterparty (described by `context`) may see.

    Args:
        assets: what could be offered.
        policies_for: the contract definitions that cover an asset.
        participant_id: our DID (``participantId``, and ``assigner`` of every offer).
        catalog_id: the catalog's ``@id``.
        service: our DSP endpoint (listed as the catalog's service and each distribution's access service).
        context: the counterparty, from its verified credentials (`passbridge.dataspace.policies.context_from`).
        evaluate: the policy engine (`passbridge.dataspace.policies.evaluate_cx`).
        new_uuid: a fresh id per offer (injected: pure).
    """
    verdicts: dict[int, bool] = {}  # one evaluation per policy object: assets share their contract definitions

    def allowed(policy: Policy) -> bool:
        verdict = verdicts.get(id(policy))  # the policies outlive this call, so their ids stay unique in it
        if verdict is None:
            verdict = verdicts[id(policy)] = evaluate(policy, context).allowed
        return verdict

    datasets: list[Dataset] = []
    for asset in assets:
        offers = tuple(
            offer_of(definition, asset.id, new_uuid(), participant_id)
            for definition in policies_for(asset)
            if allowed(definition.access_policy)
        )
        if not offers:
            continue  # nothing this counterparty may see: the asset is not even named
        distributions = tuple(
            Distribution(fmt, service, extra={"dcat:mediaType": asset.media_type}) for fmt in asset.formats
        )
        datasets.append(Dataset(asset.id, offers, distributions, _dataset_members(asset)))
    return Catalog(catalog_id, participant_id, tuple(datasets), services=(service,))


def check_offer(requested: Policy, offered: Policy, path: str = "$.offer") -> None:
    """Refuse a requested offer whose policy is not the one offered under its id (target, assignee and ``@type``
    aside, as `passbridge.dataspace.odrl.policy_equal` compares; a request without ``assigner`` is read as naming
    the offer's).

    Raises:
        PolicyMismatch: naming `path`, keeping both policies as evidence.
    """
    if requested.assigner is None:
        requested = replace(requested, assigner=offered.assigner)
    if not policy_equal(requested, offered):
        message = f"the policy of offer {requested.id!r} differs from the one offered under that id"
        raise PolicyMismatch(path, message, offered, requested, _RULE)


def _leaves(constraints: Iterable[AnyConstraint]) -> Iterable[Constraint]:
    for constraint in constraints:
        if isinstance(constraint, Constraint):
            yield constraint
        else:
            yield from _leaves(constraint.constraints)


def reads_time(policy: Policy) -> bool:
    """Whether evaluating `policy` reads the evaluation time (an ODRL ``dateTime`` constraint anywhere in it)."""
    rules = [*policy.permissions, *policy.prohibitions, *policy.obligations]
    rules += [duty for rule in policy.permissions for duty in rule.duties]
    operands = (c.left_operand for c in _leaves(constraint for rule in rules for constraint in rule.constraints))
    return any(operand.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "dateTime" for operand in operands)


def policy_inputs(caller: VerifiedPresentation) -> Hashable:
    """What evaluating an access policy for `caller` depends on (`passbridge.dataspace.policies.context_from`): its
    DID and its verified credential subjects by the type each was accepted as."""
    subjects = sorted(
        (item.accepted_as, json.dumps(item.credential.subject, sort_keys=True, default=str))
        for item in caller.credentials
    )
    return caller.holder, tuple(subjects)


class GenerationCache:
    """Values computed at one database change generation; a newer generation forgets them all."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._values: dict[Hashable, Any] = {}
        self._generation: int | None = None
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, key: Hashable, generation: int) -> Any:
        """The value stored for `key` at `generation`, or None (a newer `generation` forgets every value)."""
        with self._lock:
            if generation != self._generation:
                self._values.clear()
                self._generation = generation
            return self._values.get(key)

    def put(self, key: Hashable, value: Any, generation: int) -> None:
        """Store `value` for `key` if `generation` is still the current one."""
        # `generation` was read before the query: a commit in between shows up as a newer generation next time.
        with self._lock:
            if generation != self._generation:
                return
            if len(self._values) >= self._max:
                self._values.clear()
            self._values[key] = value


__all__ = [
    "CX_TAXONOMY",
    "CX_VERSION",
    "DCT_TYPE",
    "HTTP_PULL",
    "Asset",
    "Catalog",
    "ContractDefinition",
    "DataService",
    "Dataset",
    "Distribution",
    "GenerationCache",
    "OfferId",
    "build_catalog",
    "check_offer",
    "offer_of",
    "policy_inputs",
    "reads_time",
]
