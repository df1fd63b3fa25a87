"""The provider's data plane for HTTP pull: endpoint data references (EDRs) minted for a started transfer
(`mint_edr`), and `DataPlaneService`, which checks an access token on every request — signature and expiry
(`passbridge.dataspace.dataplane`), not revoked (stored hash), its transfer STARTED, issued for this dataset — and
serves the passport in the view the agreement grants, or, under a PCF agreement (usage purpose ``cx.pcf.base:1``),
the Catena-X PCF payload the ACL releases to the token's consumer now (`offers.PcfSource`); refresh tokens rotate
the pair.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from passbridge.clock import Clock
from passbridge.dataspace import dataplane
from passbridge.dataspace.messages import DataAddress, Role, TransferState, endpoint_data_reference
from passbridge.dataspace.node import DATAPLANE_PATH, NodeProfile
from passbridge.dataspace.odrl import Policy
from passbridge.dataspace.offers import DTR_ASSET, LEVELS, PcfSource, is_pcf_agreement
from passbridge.dataspace.ports import (
    AssetSource,
    DataspaceRepository,
    DataspaceUnitOfWorkFactory,
    RenderedAsset,
    StoredToken,
    TokenKind,
)
from passbridge.dataspace.transfer import TransferProcess
from passbridge.errors import NotFound
from passbridge.identity.refusals import Refusal, refuse

_P = Role.PROVIDER
_TOKEN = "data-plane token"


def mint_edr(
    repo: DataspaceRepository, node: NodeProfile, process: TransferProcess, agreement: Policy, now: datetime
) -> DataAddress:
    """A fresh endpoint data reference for a provider transfer: an access token bound to the transfer, its agreement
    and dataset, and a refresh token; only their hashes are stored (in the caller's transaction)."""
    dataset_id = agreement.target or ""
    expires = dataplane.expiry(now, node.edr_ttl_seconds)
    claims = dataplane.EdrClaims(process.provider_pid, agreement.id, dataset_id, process.counterparty_id, expires)
    access = dataplane.issue_access_token(node.dataplane_key, node.did, claims, now)
    refresh = dataplane.new_refresh_token()
    repo.put_token(StoredToken(dataplane.token_hash(access), TokenKind.ACCESS, process.pid, expires))
    refresh_expires = now + timedelta(seconds=node.refresh_ttl_seconds)
    repo.put_token(StoredToken(dataplane.token_hash(refresh), TokenKind.REFRESH, process.pid, refresh_expires))
    return endpoint_data_reference(
        endpoint_of(node, dataset_id, pcf=is_pcf_agreement(agreement)),
        access,
        expires_in=node.edr_ttl_seconds,
        refresh_endpoint=f"{node.public_url}{DATAPLANE_PATH}/token",
        refresh_token=refresh,
    )


def endpoint_of(node: NodeProfile, dataset_id: str, *, pcf: bool = False) -> str:
    """The data-plane endpoint of a dataset (the registry: the node's AAS API, whose reads are public; a PCF:
    ``…/dataplane/pcf/<id>``)."""
    if dataset_id == DTR_ASSET.id:
        return f"{node.public_url}/aas/api/v3.0"
    if pcf:
        return f"{node.public_url}{DATAPLANE_PATH}/pcf/{quote(dataset_id, safe=':')}"
    return f"{node.public_url}{DATAPLANE_PATH}/passports/{quote(dataset_id, safe=':')}"


class DataPlaneService:
    """Serves datasets to holders of valid data-plane tokens and refreshes tokens."""

    def __init__(self, uow: DataspaceUnitOfWorkFactory, clock: Clock, node: NodeProfile, assets: AssetSource) -> None:
        self._uow, self._clock, self.node, self._assets = uow, clock, node, assets
        self._levels: dict[str, str] = {}
        self._pcf_agreements: dict[str, bool] = {}
        self._pcf: PcfSource | None = None

    def offer_pcf(self, source: PcfSource) -> None:
        """Serve the carbon-footprint answers of `source` under PCF agreements."""
        self._pcf = source

    def pull(self, token: str, dataset_id: str, fmt: str | None) -> RenderedAsset:
        """The dataset in the view its agreement grants, for a valid access token of a STARTED transfer.

        Raises:
            VerificationFailed: forged, expired or revoked token, transfer not STARTED, another dataset.
        """
        now = self._clock.now()
        claims = dataplane.read_access_token(token, self.node.dataplane_key, self.node.did, now)
        with self._uow(write=False) as uow:
            grant = uow.dataspace.token_grant(dataplane.token_hash(token))
            level = self._levels.get(claims.agreement_id)
            pcf = self._pcf_agreements.get(claims.agreement_id, False)
            if level is None and grant is not None:
                agreement = uow.dataspace.agreement(grant[2])
                level = dataplane.access_level(agreement.agreement, LEVELS) if agreement is not None else None
                pcf = agreement is not None and is_pcf_agreement(agreement.agreement)
        if grant is None or grant[0].kind is not TokenKind.ACCESS or grant[0].revoked:
            raise refuse(Refusal.REVOKED, "this token was revoked or never issued", _TOKEN)
        stored, state, agreement_id = grant
        if state is not TransferState.STARTED or agreement_id != claims.agreement_id or level is None:
            raise refuse(Refusal.REVOKED, f"transfer {claims.transfer_pid} is {state.value}", _TOKEN)
        if claims.dataset_id != dataset_id or stored.transfer_pid != claims.transfer_pid:
            raise refuse(Refusal.WRONG_AUDIENCE, f"issued for {claims.dataset_id}, not {dataset_id}", _TOKEN)
        self._levels[agreement_id] = level  # agreements never change
        self._pcf_agreements[agreement_id] = pcf
        if pcf:
            if self._pcf is None:
                raise NotFound(f"dataset {dataset_id!r} is not served here")
            return self._pcf.render(dataset_id, claims.consumer, fmt)  # the ACL decides again, now
        return self._assets.render(dataset_id, level, fmt)

    def refresh(self, refresh_token: str) -> tuple[str, str, int]:
        """New (access token, refresh token, expires in) for a valid refresh token; the old pair is revoked.

        Raises:
            VerificationFailed: unknown, expired or revoked refresh token, or its transfer is not STARTED.
        """
        now = self._clock.now()
        with self._uow() as uow:
            repo = uow.dataspace
            stored = repo.token(dataplane.token_hash(refresh_token))
            if stored is None or stored.kind is not TokenKind.REFRESH or stored.revoked or stored.expires_at <= now:
                raise refuse(Refusal.REVOKED, "unknown, expired or revoked refresh token", "refresh token")
            process = repo.transfer(_P, stored.transfer_pid)
            agreement = None if process is None else repo.agreement(process.agreement_id)
            if process is None or process.state is not TransferState.STARTED or agreement is None:
                raise refuse(Refusal.REVOKED, "the transfer is no longer STARTED", "refresh token")
            repo.revoke_tokens(process.pid)
            address = mint_edr(repo, self.node, process, agreement.agreement, now)
            uow.commit()
        access, refresh = address.authorization or "", address.value_of("refreshToken") or ""
        return access, refresh, self.node.edr_ttl_seconds


__all__ = ["DataPlaneService", "endpoint_of", "mint_edr"]
