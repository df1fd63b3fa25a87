"""Story steps of passports and supply chain: the OEM's EV battery passports with QR codes, each company's own
supply-chain data, the suppliers' answers, the roll-up that fills the passports, and what each reader sees.

Answers travel as `passbridge.demo.link_steps` says: the link hook first, then, for a trade still unanswered, the
supplier's answer handed to the customer directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from passbridge.demo import link_steps
from passbridge.demo.launcher import RunningNode
from passbridge.demo.narration import Narrator
from passbridge.demo.scenario import (
    CAM,
    CELL,
    PACK,
    TRADE_CELL_CAM,
    TRADE_PACK_CELL,
    cathode_document,
    cell_document,
    oem_document,
)
from passbridge.demo.world import StoryStepFailed, World, json_of
from passbridge.identity.credentials import CredentialType
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.model import PassportId
from passbridge.passport.samples import sample_passport
from passbridge.supplychain.passport_link import EXTENSION

BATTERIES = 2


def count_fields(value: object) -> int:
    """The number of leaf fields in a JSON document (what a reader sees)."""
    if isinstance(value, dict):
        return sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 1


def import_document(world: World, node: RunningNode, doc: dict[str, Any]) -> dict[str, Any]:
    """`node`'s operator imports `doc` into its node (all or nothing); the import report."""
    response = world.call(
        "POST", f"{node.url}/api/v1/supplychain/import", content=dumps_exact(doc), headers=world.owner(node)
    )
    report: dict[str, Any] = response.json()
    return report


def has_answer(node: RunningNode, trade_id: str) -> bool:
    """Whether `node` holds an answer to its trade `trade_id`."""
    with node.services.uow(write=False) as uow:
        catalog = uow.supplychain.load()
    return any(str(a.trade_id) == trade_id for a in catalog.answers.values())


def deliver_answer(
    world: World, say: Narrator, supplier: RunningNode, part: str, customer: RunningNode, partner: str, trade: str
) -> dict[str, Any]:
    """Unless the link already delivered it: the supplier's answer for `partner` (its ACL applied) imported by the
    customer as the answer to `trade`. The import report."""
    if has_answer(customer, trade):
        say.say(f"{supplier.title} → {customer.title}: answer already delivered (link steps)")
        return {}
    url = f"{supplier.url}/api/v1/supplychain/parts/{part}/answer"
    answer = json_of(world.call("GET", url, params={"partner": partner}, headers=world.owner(supplier)).content)
    report = import_document(world, customer, {"answers": [{"tradeId": trade, **answer}]})
    cfp = answer.get("cfp") or {}
    total = sum((Decimal(str(value)) for value in cfp.values()), Decimal(0)) if cfp else "withheld"
    say.say(
        f"{supplier.title} → {customer.title}: answer {answer['answerId'][:8]}… for {answer['declaredUnit']}: "
        f"{total} kg CO2e, materials {sorted(answer.get('materials') or {})}, {answer['tradesCount']} upstream "
        "trade(s) as a count only (the supplier's full answer, materials and origin included, handed over "
        "directly: Ouranos carries the CFP only)"
    )
    return report


def _computed(node: RunningNode, passport_id: str) -> bool:
    """Whether the passport's current version carries figures computed by a roll-up."""
    content = node.services.passports.current(PassportId(passport_id)).content()
    extension = content.get(EXTENSION)
    return isinstance(extension, Mapping) and "computed" in extension


def create_passports(world: World, say: Narrator) -> None:
    """The OEM creates its EV battery passports; their public pages are the QR codes' targets."""
    say.section("3. The OEM issues EV battery passports with QR codes")
    oem = world.oem
    for n in range(1, BATTERIES + 1):
        doc = sample_passport(n, model="EVB-77")
        created = world.call(
            "POST", f"{oem.url}/api/v1/passports", expect=201, content=dumps_exact(doc), headers=world.owner(oem)
        )
        passport_id: str = created.json()["id"]
        world.passports.append(passport_id)
        qr = world.call("GET", f"{oem.url}/api/v1/passports/{passport_id}/qr.svg")
        path = world.workdir / f"qr-evb77-{n}.svg"
        path.write_bytes(qr.content)
        say.say(f"battery EVB-77 #{n}: passport {passport_id}")
        say.say(f"    QR code → {oem.url}/p/{passport_id}   (saved as {path})")
    world.outcome["passports"] = list(world.passports)


def supply_chain_story(world: World, say: Narrator) -> None:
    """Each company imports its own data; answers flow upstream → downstream; the OEM's roll-up fills the passports."""
    say.section("4. Supply chain: own data, answers, roll-ups into the passports")
    import_document(world, world.cathode, cathode_document(world.cell.did))
    import_document(world, world.cell, cell_document(world.oem.did))
    import_document(world, world.oem, oem_document(world.passports))
    say.say("imported: CAM-811 (cathode maker), CELL-200Ah (cell maker), EVB-77 = 104 cells + 35 kg housing (OEM)")
    deliver_answer(world, say, world.cathode, CAM, world.cell, "tohoku-cell", TRADE_CELL_CAM)
    say.say_all(link_steps.link_story(world))
    deliver_answer(world, say, world.cell, CELL, world.oem, "europa-motors", TRADE_PACK_CELL)
    rollup = json_of(
        world.call(
            "GET", f"{world.oem.url}/api/v1/supplychain/parts/{PACK}/rollup", headers=world.owner(world.oem)
        ).content
    )
    cfp = rollup["cfp"]
    stages = ", ".join(f"{k} {v}" for k, v in cfp["stages"].items())
    say.say(
        f"EVB-77 roll-up: {cfp['total']} kg CO2e per battery ({stages}), "
        f"{cfp['perKWhLifetime']} kg CO2e/kWh over 77 kWh x 60 cycles x 8 years; DQR TeR {cfp['dqr']['TeR']}, "
        f"GeR {cfp['dqr']['GeR']}, TiR {cfp['dqr']['TiR']}"
    )
    filled = [p for p in world.passports if _computed(world.oem, p)]
    materials = rollup["materials"]
    say.say(
        "materials per battery: "
        + "; ".join(
            f"{name} {m['massKg']} kg (recycled share {m['recycledShare']})" for name, m in sorted(materials.items())
        )
    )
    say.say(
        f"upstream: {rollup['upstream']['tradesCount']} trades, {rollup['upstream']['completedCount']} answered "
        "(the OEM sees counts, never who the deeper suppliers are)"
    )
    say.say(
        f"passports updated from the roll-up: {len(filled)} (new signed versions with carbon footprint per stage, "
        "recycled content and countries of origin)"
    )
    public = json_of(world.call("GET", f"{world.oem.url}/api/v1/passports/{world.passports[0]}").content)
    shown = public.get("sustainability", {}).get("carbonFootprint", [])
    say.say(
        f"EVB-77 #1 public passport: carbon footprint {len(shown)} stage entries ("
        + ", ".join(f"{e.get('lifecycle')} {e.get('value')}" for e in shown)
        + " kg CO2e/kWh)"
    )
    world.outcome["rollup"] = {
        "totalKgCo2e": str(cfp["total"]),
        "perKWhLifetime": str(cfp["perKWhLifetime"]),
        "materials": {name: str(m["massKg"]) for name, m in materials.items()},
        "passportsFilled": len(filled),
    }


def reads_story(world: World, say: Narrator) -> None:
    """Battery 1's passport as the public, the recycler (legitimate interest, over DSP) and a notified body see it."""
    say.section("5. Who sees what of EVB-77 #1")
    oem, passport_id = world.oem, world.passports[0]
    public = json_of(world.call("GET", f"{oem.url}/api/v1/passports/{passport_id}").content)
    fetched = world.call(
        "POST",
        f"{world.recycler.url}/api/v1/consumer/fetch",
        json={"target": f"{oem.url}/p/{passport_id}"},
        headers=world.owner(world.recycler),
    )
    over_dsp = json_of(fetched.content)
    kinds = [CredentialType.NOTIFIED_BODY.value]
    token = world.notified_body.services.identity.holder.self_issued_token(oem.did, kinds)
    body = world.call("GET", f"{oem.url}/api/v1/passports/{passport_id}", headers={"Authorization": f"Bearer {token}"})
    counts = {
        "public": count_fields(public),
        "legitimate_interest": count_fields(over_dsp["passport"]),
        "notified_body": count_fields(json_of(body.content)),
    }
    if over_dsp["view"] != "legitimate_interest":
        raise StoryStepFailed(f"the recycler got the {over_dsp['view']} view, not legitimate_interest")
    timings = ", ".join(f"{step} {ms} ms" for step, ms in over_dsp["timings"].items())
    say.table(
        f"passport {passport_id}",
        ("reader", "how", "fields visible"),
        (
            ("the public (QR code)", "anonymous GET /p/… and the API", str(counts["public"])),
            (
                "Rhein Recycling (legitimate interest)",
                "DSP: catalog → negotiation → transfer → data",
                str(counts["legitimate_interest"]),
            ),
            ("notified body NB 0123", "its NotifiedBodyCredential (DCP)", str(counts["notified_body"])),
        ),
    )
    say.say(
        "restricted readers see more than the public, and different things: legitimate interest = Annex XIII points "
        "1, 2 and 4 (dismantling, safety, status); notified body = points 1, 2 and 3 (test results)"
    )
    say.say(f"the recycler's DSP fetch: agreement {over_dsp['agreementId'][:18]}…, {timings}")
    if not (counts["public"] < counts["legitimate_interest"] and counts["public"] < counts["notified_body"]):
        raise StoryStepFailed(f"restricted readers see no more than the public: {counts}")
    world.outcome["fieldsVisible"] = counts


__all__ = [
    "BATTERIES",
    "count_fields",
    "create_passports",
    "deliver_answer",
    "has_answer",
    "import_document",
    "reads_story",
    "supply_chain_story",
]
