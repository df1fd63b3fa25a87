"""Wiring of the Ouranos participant on a company node: settings → `OuranosClient` → `OuranosParticipant`.

Kept out of `bootstrap` on purpose: only ``passbridge ouranos sync`` needs it, and a node without Ouranos settings
must start as before. The platform URL is the node owner's own setting, so the node's outbound client (guarded
transport, no redirects) is used as it is.
"""

from __future__ import annotations

from typing import Final

from passbridge.bootstrap import Services
from passbridge.errors import ConfigurationError
from passbridge.outbound.ouranos_client import OuranosClient
from passbridge.settings import NodeRole
from passbridge.supplychain.ouranos_participant import OuranosParticipant

REQUIRED: Final = ("ouranos_url", "ouranos_api_key", "ouranos_account", "ouranos_password")
"""The settings `build_participant` needs."""


def build_participant(services: Services) -> OuranosParticipant:
    """The Ouranos participant of a company node.

    Raises:
        ConfigurationError: the node has no `company` role, or one of `REQUIRED` is empty (named with its
            ``PASSBRIDGE_*`` variable).
    """
    settings = services.settings
    if NodeRole.COMPANY not in settings.roles:
        raise ConfigurationError("setting 'roles': `ouranos sync` runs on a node with the company role")
    for name in REQUIRED:
        if not getattr(settings, name):
            raise ConfigurationError(f"setting {name!r} (PASSBRIDGE_{name.upper()}) is required for `ouranos sync`")
    client = OuranosClient(
        services.http,
        settings.ouranos_url,
        settings.ouranos_api_key,
        settings.ouranos_account,
        settings.ouranos_password,
        services.clock,
    )
    return OuranosParticipant(client, services.supplychain, services.uow)


__all__ = ["REQUIRED", "build_participant"]
