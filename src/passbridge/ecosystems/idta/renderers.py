"""Renderers for the joint Catena-X/IDTA battery passport aspects (``idta``) and IDTA 02035 AAS submodels (``aas``)."""

from __future__ import annotations

from aas_core3 import jsonization

from passbridge.jsoncodec import dumps_exact
from passbridge.jsontypes import JsonObject
from passbridge.passport.model import PassportVersion

from .aas_submodels import encode_environment
from .joint_aspects import JOINT_ASPECT_URNS, encode_joint_aspects

JOINT_FORMAT = "idta"
AAS_FORMAT = "aas"


class JointAspectsRenderer:
    """The 7 joint aspects as one JSON object: ``{"<Aspect>": {"semanticId": urn, "payload": {...}}, ...}``."""

    media_type = "application/json"

    def render(self, content: JsonObject, version: PassportVersion) -> bytes:
        """The aspects that have any content for this reader."""
        aspects = encode_joint_aspects(content)
        out: dict[str, object] = {
            name: {"semanticId": JOINT_ASPECT_URNS[name], "payload": payload}
            for name, payload in aspects.items()
            if payload
        }
        return dumps_exact(out)  # type: ignore[arg-type]  # aspect payloads are JSON trees typed as object


class AasRenderer:
    """An AAS V3.0 environment with the IDTA 02035-1…7 submodels (and the battery's shell)."""

    media_type = "application/json"

    def __init__(self, base_id: str = "urn:passbridge") -> None:
        self._base_id = base_id

    def render(self, content: JsonObject, version: PassportVersion) -> bytes:
        """The jsonable environment."""
        environment = encode_environment(content, passport_id=version.passport_id.value, base_id=self._base_id)
        return dumps_exact(environment)  # type: ignore[arg-type]


__all__ = ["AAS_FORMAT", "JOINT_FORMAT", "AasRenderer", "JointAspectsRenderer", "jsonization"]
