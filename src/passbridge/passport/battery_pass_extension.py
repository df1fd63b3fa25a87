"""The passbridge extension member `x-passbridge`: what Annex XIII needs and 6.1.0 lacks, plus owner-only data.

Layout: `annexXIII` (Annex VI Part A 1 manufacturer identity and address, Annex XIII 1(t) instructions for use,
1(d) countries of origin of the recycled-content metals) · `computed` (which fields the supply-chain roll-up
filled, with the roll-up's id and commitment) · `owner` (supplier identities, internal part numbers, procurement,
notes: never leaves the node) · `EXTENSION`. Every member is optional, so a plain 6.1.0 payload stays valid.
"""

from __future__ import annotations

from decimal import Decimal

from passbridge.passport.battery_pass_types import BPNL_PATTERN, DOCUMENTS, PERCENTAGE, UUID_PATTERN, optional
from passbridge.passport.spec import Arr, Leaf, LeafKind, Obj, Prop

_STRING = Leaf(LeafKind.STRING)
_NON_NEGATIVE = Leaf(LeafKind.NUMBER, minimum=Decimal(0))
_ANNEX_XIII = Obj(
    (
        optional(
            "manufacturer",  # Annex VI Part A 1 / Art. 38(7): name, trade name, postal address, web, e-mail
            Obj(
                (
                    Prop("name", _STRING),
                    optional("tradeName", _STRING),
                    optional(
                        "postalAddress",
                        Obj(
                            (
                                Prop("street", _STRING),
                                Prop("postalCode", _STRING),
                                Prop("city", _STRING),
                                Prop("country", Leaf(LeafKind.STRING, pattern="^[A-Z]{2}$")),  # ISO 3166-1 alpha-2
                            )
                        ),
                    ),
                    optional("email", _STRING),
                    optional("web", _STRING),
                )
            ),
        ),
        optional("instructionsForUse", DOCUMENTS),  # Annex XIII 1(t)
        optional(  # Annex XIII 1(d) → Art. 52(3): where the metals came from (6.1.0 has no field for it)
            "countriesOfOrigin",
            Arr(
                Obj(
                    (
                        Prop("material", _STRING),  # cobalt, lithium, nickel, lead
                        Prop(
                            "origin",
                            Arr(
                                Obj(
                                    (
                                        Prop("country", Leaf(LeafKind.STRING, pattern="^[A-Z]{2}$")),
                                        Prop("share", PERCENTAGE),
                                    )
                                )
                            ),
                        ),
                    )
                )
            ),
        ),
    )
)
_COMPUTED = Obj(  # the supply-chain roll-up that filled carbon footprint, recycled content and origin
    (
        Prop("rollupId", Leaf(LeafKind.STRING, pattern=UUID_PATTERN)),
        Prop("commitment", Leaf(LeafKind.STRING, pattern="^[0-9a-f]{64}$")),  # salted SHA-256 of its inputs
        Prop("computedAt", Leaf(LeafKind.DATETIME)),
        Prop("fields", Arr(_STRING)),  # the dotted paths it filled
    )
)
_OWNER = Obj(  # owner-only: never leaves the node
    (
        optional(
            "supplierIdentities",
            Arr(
                Obj(
                    (
                        Prop("name", _STRING),
                        optional("bpnl", Leaf(LeafKind.STRING, pattern=BPNL_PATTERN)),
                        optional("role", _STRING),
                    )
                )
            ),
        ),
        optional("internalPartNumbers", Arr(_STRING)),
        optional(
            "procurement",
            Arr(
                Obj(
                    (
                        Prop("part", _STRING),
                        Prop("quantity", _NON_NEGATIVE),
                        Prop("unit", _STRING),
                        optional("unitPrice", _NON_NEGATIVE),
                        optional("currency", Leaf(LeafKind.STRING, pattern="^[A-Z]{3}$")),  # ISO 4217
                    )
                )
            ),
        ),
        optional("notes", _STRING),
    )
)
EXTENSION = Obj(
    (
        # Art. 77(7): a repurposed/remanufactured battery's passport links to the passport(s) of the original
        # battery or batteries; 6.1.0 `metadata.predecessor` holds one, further ones go here.
        optional("predecessors", Arr(Leaf(LeafKind.STRING, pattern=UUID_PATTERN))),
        optional("annexXIII", _ANNEX_XIII),
        optional("computed", _COMPUTED),
        optional("owner", _OWNER),
    )
)
"""The `x-passbridge` member: optional, never part of the Catena-X payload."""

__all__ = ["EXTENSION"]
