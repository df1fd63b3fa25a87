"""Identity endpoints: the node's DID document, the DCP credential service (holder), the DCP issuer service,
status lists and trust list (authority), and a membership check (verifier).

DCP routes are plain ``def``: FastAPI runs them in its thread pool, so the outbound calls they make (resolving a
DID, querying a credential service — possibly this very node) never block the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response

from passbridge.api.deps import BodyDep, ServicesDep
from passbridge.bootstrap import Services
from passbridge.errors import NotFound, Unauthenticated
from passbridge.identity.authority import AuthorityService
from passbridge.identity.callers import DATASPACE
from passbridge.identity.credentials import CredentialType
from passbridge.jsoncodec import loads_fast

router = APIRouter(tags=["identity"])

JWT_MEDIA_TYPE = "application/jwt"
VC_JWT_MEDIA_TYPE = "application/vc+jwt"
AuthorizationHeader = Annotated[str | None, Header(alias="authorization", include_in_schema=False)]


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("this DCP endpoint needs 'Authorization: Bearer <self-issued ID token>'")
    return token.strip()


def _authority(services: Services) -> AuthorityService:
    if services.identity.authority is None:
        raise NotFound("this node does not run the authority role (passbridge serve --role authority)")
    return services.identity.authority


def _json(body: bytes) -> Any:
    return loads_fast(body)


@router.get("/.well-known/did.json", summary="The node's DID document (did:web)")
def did_document(services: ServicesDep) -> JSONResponse:
    """Signing keys (current and retained) and the service endpoints (credential service, DSP, issuer)."""
    return JSONResponse(services.identity.document().to_json(), media_type="application/did+json")


@router.get("/did.json", summary="The DID document of a node whose DID has a path (did:web:host:link:<id>)")
def did_document_at_path(services: ServicesDep) -> JSONResponse:
    """did:web resolves a DID with path segments to ``<path>/did.json`` (e.g. an Ouranos operator's link presence
    mounted under the platform); only such a node answers here."""
    if not urlsplit(services.settings.effective_public_url).path.strip("/"):
        raise NotFound("this node's DID has no path: its document is /.well-known/did.json")
    return did_document(services)


# holder: DCP credential service -------------------------------------------------------------------------------


@router.post("/dcp/presentations/query", summary="DCP presentation query (credential service)")
def presentations_query(
    services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
) -> JSONResponse:
    """A verifier asks for presentations of our credentials with its SI token carrying our access token."""
    answer = services.identity.holder.answer_query(_bearer(authorization), _json(body))
    return JSONResponse(answer)


@router.post("/dcp/credentials", summary="DCP credential message (issuer writes credentials to this holder)")
def receive_credentials(
    services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
) -> JSONResponse:
    """Store the delivered credentials after checking each one."""
    received = services.identity.holder.receive(_bearer(authorization), _json(body))
    return JSONResponse({"received": [{"id": e.credential_id, "type": e.credential_type} for e in received]})


# authority: issuer service, status lists, trust list --------------------------------------------------------


@router.get("/dcp/issuer/metadata", summary="DCP issuer metadata")
def issuer_metadata(services: ServicesDep) -> JSONResponse:
    """The credential types this authority issues."""
    return JSONResponse(_authority(services).metadata())


@router.post("/dcp/issuer/credentials", status_code=201, summary="DCP credential request (holder → issuer)")
def credential_request(
    request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
) -> Response:
    """Issue the requested credentials to a certified member and deliver them to its credential service."""
    outcome = _authority(services).handle_request(_bearer(authorization), _json(body))
    location = f"{services.settings.effective_public_url}/dcp/issuer/requests/{outcome.issuer_pid}"
    return JSONResponse(_authority(services).request_status(outcome.issuer_pid), 201, headers={"Location": location})


@router.get("/dcp/issuer/requests/{issuer_pid}", summary="DCP credential request status")
def credential_request_status(issuer_pid: str, services: ServicesDep) -> JSONResponse:
    """RECEIVED, ISSUED or REJECTED."""
    return JSONResponse(_authority(services).request_status(issuer_pid))


@router.get("/authority/status-lists/{list_id}", summary="Bitstring status list credential (VC JWT)")
def status_list(list_id: str, services: ServicesDep) -> Response:
    """The signed status list verifiers check revocation against."""
    return Response(_authority(services).status_list_token(list_id), media_type=VC_JWT_MEDIA_TYPE)


@router.get("/authority/trust-list", summary="The data space's signed trust list (JWT)")
def trust_list(services: ServicesDep) -> Response:
    """Trusted issuers with their credential types, and recognised foreign issuers with their mappings."""
    return Response(_authority(services).trust_list_token(), media_type=JWT_MEDIA_TYPE)


@router.get("/authority/trust-list.json", summary="The current trust list as JSON (unsigned, for reading)")
def trust_list_json(services: ServicesDep) -> JSONResponse:
    """The same content as the signed trust list."""
    return JSONResponse(_authority(services).trust_list().to_json())


# verifier ----------------------------------------------------------------------------------------------------


@router.get("/api/v1/identity/membership", summary="Check the caller's data-space membership (DCP)")
def membership(services: ServicesDep, authorization: AuthorizationHeader = None) -> JSONResponse:
    """Runs the DCP presentation flow for a `MembershipCredential` (directly trusted or by recognition) and says
    what was accepted; 401 problem+json with the refusal otherwise."""
    verified = services.identity.callers.verify(_bearer(authorization), [CredentialType.MEMBERSHIP.value], DATASPACE)
    return JSONResponse(
        {
            "holder": verified.holder,
            "accepted": [
                {
                    "credentialId": c.credential.id,
                    "type": c.credential.type,
                    "issuer": c.credential.issuer,
                    "acceptedAs": c.accepted_as,
                    "via": c.via,
                }
                for c in verified.credentials
            ],
        }
    )


__all__ = ["router"]
