"""The only place that expands and compacts JSON-LD (with `pyld`), and the bundled ``@context`` files it may use.

Layout: `BUNDLED` (context URL → file under ``passbridge/contexts/``); `bundled_context` (a file's ``@context``
value); `offline_loader` (a pyld document loader that serves given documents and refuses every other URL);
`expand` / `compact`.

Why offline: a JSON-LD processor dereferences every remote ``@context`` URL it meets, so a message could make the
node fetch arbitrary URLs (SSRF, latency, a context swapped under us). Here nothing is ever fetched: a context URL
that is not bundled is refused with a `ProtocolError` naming ``$.@context``. The bundled files are written from the
specs' namespace facts (DSP v0.8 ``https://w3id.org/dspace/v0.8/``, ODRL 2.2, DCAT 3, DCMI terms, EDC
``https://w3id.org/edc/v0.0.1/ns/``, Tractus-X ``https://w3id.org/tractusx/…``, Catena-X
``https://w3id.org/catenax/policy/``), not copied; contract tests hold the codecs to the official files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

from pyld import jsonld as _pyld  # type: ignore[import-untyped]  # no stubs published

from passbridge.errors import ProtocolError, Violation

DSPACE_V0_8_CONTEXT_FILE: Final = "dspace-v0.8.jsonld"
"""The prefixed context of DSP v0.8 as Tractus-X EDC 0.7 writes it (written inline into messages, as EDC does)."""
DSPACE_V0_8_PLAIN_FILE: Final = "dspace-v0.8-plain.jsonld"
"""Unprefixed terms for the v0.8 IRIs: compacting with it gives the DSP 2025-1 plain-JSON shape."""

BUNDLED: Final[Mapping[str, str]] = {
    "https://w3id.org/tractusx/policy/v1.0.0": "tractusx-policy-v1.0.0.jsonld",
    "https://w3id.org/tractusx/edc/v0.0.1": "tractusx-edc-v0.0.1.jsonld",
}
"""Remote context URLs a Jupiter counterparty may reference, served from the bundled files (nothing else is)."""

RULE: Final = "JSON-LD 1.1 (offline; bundled contexts only)"

DocumentLoader = Callable[..., dict[str, Any]]
"""pyld's loader signature: ``loader(url, options) -> {"contextUrl", "documentUrl", "document"}``."""


class ContextNotBundled(ProtocolError):
    """A remote ``@context`` URL the loader does not serve (raised inside pyld; `expand` / `compact` re-raise it).

    Attributes:
        url: the refused URL.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__([Violation("$.@context", f"context {url!r} is not bundled (never fetched)", RULE)])


@cache
def _read(filename: str) -> Mapping[str, Any]:
    text = resources.files("passbridge").joinpath("contexts", filename).read_text(encoding="utf-8")
    document: Mapping[str, Any] = json.loads(text)
    return document


def bundled_context(filename: str) -> Any:
    """The ``@context`` value of a bundled file (a fresh copy: callers may embed it in a document)."""
    return json.loads(json.dumps(_read(filename)["@context"]))


def offline_loader(documents: Mapping[str, Mapping[str, Any]]) -> DocumentLoader:
    """A pyld document loader serving exactly `documents` (URL → JSON-LD document) and refusing any other URL.

    Tests use it with the official context files; the codecs use `BUNDLED_LOADER`.
    """

    def load(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        document = documents.get(url)
        if document is None:
            raise ContextNotBundled(url)
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(json.dumps(document))}

    return load


def _bundled(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    filename = BUNDLED.get(url)
    if filename is None:
        raise ContextNotBundled(url)
    return {"contextUrl": None, "documentUrl": url, "document": dict(_read(filename))}


BUNDLED_LOADER: Final[DocumentLoader] = _bundled
"""Serves the `BUNDLED` contexts; refuses every other URL (no network, ever)."""


def _refused(exc: BaseException) -> ContextNotBundled | None:
    """The loader's refusal, if that is what made pyld fail (pyld wraps loader errors in its own)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ContextNotBundled):
            return seen
        details = getattr(seen, "details", None)
        cause = details.get("cause") if isinstance(details, Mapping) else None
        seen = cause if isinstance(cause, BaseException) else seen.__cause__ or seen.__context__
    return None


def _protocol_error(exc: Exception) -> ProtocolError:
    refused = _refused(exc)
    if refused is not None:
        return refused
    return ProtocolError([Violation("$.@context", f"not valid JSON-LD: {getattr(exc, 'message', None) or exc}", RULE)])


def expand(document: Mapping[str, Any], *, loader: DocumentLoader = BUNDLED_LOADER) -> list[dict[str, Any]]:
    """The JSON-LD expansion of `document` (full IRIs, every value in an array).

    Raises:
        ProtocolError: at ``$.@context`` when a context URL is not served by `loader` or the document is not
            valid JSON-LD.
    """
    try:
        expanded: list[dict[str, Any]] = _pyld.expand(dict(document), {"documentLoader": loader})
    except Exception as exc:  # pyld raises JsonLdError and, for odd input, plain TypeError/KeyError
        raise _protocol_error(exc) from exc
    return expanded


def compact(expanded: Any, context: Any, *, loader: DocumentLoader = BUNDLED_LOADER) -> dict[str, Any]:
    """Compact an expanded document with `context` (a ``@context`` value); the result carries that context.

    Raises:
        ProtocolError: at ``$.@context`` when a context URL is not served by `loader`.
    """
    try:
        compacted: dict[str, Any] = _pyld.compact(expanded, {"@context": context}, {"documentLoader": loader})
    except Exception as exc:
        raise _protocol_error(exc) from exc
    return compacted


__all__ = [
    "BUNDLED",
    "BUNDLED_LOADER",
    "DSPACE_V0_8_CONTEXT_FILE",
    "DSPACE_V0_8_PLAIN_FILE",
    "RULE",
    "ContextNotBundled",
    "DocumentLoader",
    "bundled_context",
    "compact",
    "expand",
    "offline_loader",
]
