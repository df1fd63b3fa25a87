"""HOOK for the lead: the CFP crossing steps (Catena-X OEM ↔ Ouranos operators through the platform's link gateway).

`link_story` runs once every company has imported its own supply-chain data (parts, BOMs, own figures, trades and
ACL grants; `passbridge.demo.scenario`) and before any answer has been delivered. Whatever answers it delivers
into the customers' nodes are used; for each trade still without an answer afterwards, the story hands the
supplier's answer to the customer directly (``GET …/parts/{traceId}/answer`` on the supplier's node, imported by
the customer as an answer document) and says so.

The trades, supplier → customer (trace ids in `passbridge.demo.scenario`):

- ``world.cathode`` (CAM-811, `CAM`) → ``world.cell`` trade `TRADE_CELL_CAM` (Ouranos → Ouranos, via the platform);
- ``world.cell`` (CELL-200Ah, `CELL`) → ``world.oem`` trade `TRADE_PACK_CELL` (Ouranos → Catena-X, via the link);
- ``world.recycler`` (lot RB-2026-01, `LOT`) → ``world.cell`` trade `TRADE_G2_LOT` (Catena-X → Ouranos; runs in
  `second_life_story`, after the recycler's report).

Each node's `Services` and URL are in ``world.nodes`` (``world.ouranos.services.ouranos`` is the platform); the
operator ids the platform issued are in ``world.operators``; ``world.call`` / ``world.owner`` drive a node's API.
"""

from __future__ import annotations

from passbridge.demo.world import World


def link_story(world: World) -> list[str]:
    """The CFP requests crossing between the platforms (to be written): narrated lines, one per step.

    Returns:
        Nothing yet: an empty list.
    """
    del world
    return []


def second_life_story(world: World) -> list[str]:
    """The recycler's answer crossing from Catena-X to the Ouranos cell maker (to be written); runs after the
    recycler reported its recovered lot.

    Returns:
        Nothing yet: an empty list.
    """
    del world
    return []


__all__ = ["link_story", "second_life_story"]
