"""`OuranosPlatform`: the services of the `ouranos-platform` role, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from passbridge.clock import Clock
from passbridge.identity.keys import SigningKey
from passbridge.ouranos.accounts import AccountService
from passbridge.ouranos.acl import AclService
from passbridge.ouranos.authinfo import AuthInfoService
from passbridge.ouranos.cfp import CfpService
from passbridge.ouranos.notifications import NotificationService
from passbridge.ouranos.parts import PartsService
from passbridge.ouranos.ports import UnitOfWorkFactory
from passbridge.ouranos.trades import TradeService

KEY_NAME = "ouranos-platform"
"""Key-store name of the key that signs the platform's access and refresh tokens."""


@dataclass(frozen=True, slots=True)
class OuranosPlatform:
    """The data transaction system: accounts, authInfo, parts, trades, CFP, CFP disclosure grants, notifications."""

    accounts: AccountService
    authinfo: AuthInfoService
    parts: PartsService
    trades: TradeService
    cfp: CfpService
    acl: AclService
    notifications: NotificationService

    @classmethod
    def build(cls, uow: UnitOfWorkFactory, clock: Clock, key: SigningKey) -> OuranosPlatform:
        """All services over one unit-of-work factory; `key` signs the JWTs."""
        notifications = NotificationService(uow, clock)
        return cls(
            AccountService(uow, clock, key),
            AuthInfoService(uow),
            PartsService(uow),
            TradeService(uow, clock, notifications),
            CfpService(uow, notifications),
            AclService(uow),
            notifications,
        )


__all__ = ["KEY_NAME", "OuranosPlatform"]
