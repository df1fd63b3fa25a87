"""The Ouranos data transaction system as a platform (the `ouranos-platform` role): pure core, no I/O.

Layout: `model` (stored records, accounts, API keys) · `ports` (the repository the services use) · `credentials`
(password KDF, API-key hashes, CIDR allow-lists) · `fields` (the OpenAPI field rules and number format) ·
`accounts` (operators, login, tokens, the caller) · `authinfo` (operator and plant) · `transport` (parts, parts
structures, trades, status, CFP).
"""

from __future__ import annotations

__all__: list[str] = []
