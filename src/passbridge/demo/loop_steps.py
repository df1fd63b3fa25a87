"""Story steps closing the loop: battery 2 reaches the recycler, its passport ends (`waste`), the recycler reports
the cobalt and lithium it recovered, and that lot re-enters the cell maker's second-generation cell, whose passport
then shows the recycled content (computed by the supply-chain roll-up, checked against the figures worked out by
hand in `passbridge.demo.scenario`).

Who records end of life: the OEM. It is the economic operator responsible for the passport and the only one who
can write to its node; the recycler reads the dismantling information over DSP and notifies the OEM, which records
``waste`` (Art. 77(8): the passport ends, every version stays readable).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passbridge.demo import link_steps
from passbridge.demo.narration import Narrator
from passbridge.demo.passport_steps import count_fields, deliver_answer, import_document
from passbridge.demo.scenario import (
    CELL_G2,
    EXPECTED_G2_RECYCLED_PERCENT,
    LOT,
    LOT_KG,
    RECOVERED_KG,
    TRADE_G2_LOT,
    recycler_document,
    second_generation_document,
)
from passbridge.demo.world import StoryStepFailed, World, json_of
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.model import PassportId
from passbridge.passport.samples import sample_passport


def end_of_life_story(world: World, say: Narrator) -> None:
    """The recycler reads battery 2 over DSP; the OEM records `waste`; the recycler reports its recovered lot."""
    say.section("6. End of life: EVB-77 #2 is recycled")
    oem, recycler, passport_id = world.oem, world.recycler, world.passports[1]
    fetched = json_of(
        world.call(
            "POST",
            f"{recycler.url}/api/v1/consumer/fetch",
            json={"target": f"{oem.url}/p/{passport_id}"},
            headers=world.owner(recycler),
        ).content
    )
    say.say(
        f"{recycler.title} reads EVB-77 #2 over DSP ({fetched['view']} view, {count_fields(fetched['passport'])} "
        "fields: dismantling information, safety, composition)"
    )
    content: dict[str, Any] = dict(oem.services.passports.current(PassportId(passport_id)).content())
    content["sustainability"] = {**content["sustainability"], "status": "waste"}
    world.call(
        "PUT", f"{oem.url}/api/v1/passports/{passport_id}", content=dumps_exact(content), headers=world.owner(oem)
    )
    url = f"{oem.url}/api/v1/passports/{passport_id}/versions"
    versions = world.call("GET", url, headers=world.owner(oem)).json()  # the status is Annex XIII 4(c), not public
    status_text = str(versions.get("status"))
    say.say(
        f"on the recycler's notice the OEM (economic operator, owner of the passport) records '{status_text}': "
        f"passport ends, {len(versions.get('versions', []))} signed versions stay readable"
    )
    import_document(world, recycler, recycler_document(world.cell.did, link_steps.cell_link_did(world)))
    in_battery = world.outcome.get("rollup", {}).get("materials", {})
    rates = []
    for element, recovered in RECOVERED_KG.items():
        contained = Decimal(in_battery.get(element, "0"))
        rate = f" = {recovered / contained * 100:.1f} % of the {contained} kg in the battery" if contained else ""
        rates.append(f"{element} {recovered} kg{rate}")
    say.say(f"{recycler.title} reports lot RB-2026-01 ({LOT_KG} kg of salts): recovered " + ", ".join(rates))
    world.outcome["endOfLife"] = {
        "passport": passport_id,
        "status": status_text,
        "recordedBy": "eu-oem",
        "recoveredKg": {k: str(v) for k, v in RECOVERED_KG.items()},
    }


def second_life_story(world: World, say: Narrator) -> None:
    """The recovered lot enters CELL-G2 at the cell maker; its passport shows the recycled content."""
    say.section("6b. Second life: recovered cobalt and lithium in a second-generation cell")
    cell, recycler = world.cell, world.recycler
    created = world.call(
        "POST",
        f"{cell.url}/api/v1/passports",
        expect=201,
        content=dumps_exact(sample_passport(1, model="CELL-G2")),
        headers=world.owner(cell),
    )
    passport_id: str = created.json()["id"]
    import_document(world, cell, second_generation_document(passport_id))
    say.say(
        f"{cell.title}: CELL-G2 = 0.96 kg CAM-811 + 0.24 kg lot RB-2026-01 + 0.6 kg graphite; passport {passport_id}"
    )
    say.say_all(link_steps.second_life_story(world))
    deliver_answer(world, say, recycler, LOT, cell, "tohoku-cell", TRADE_G2_LOT)
    pcf = json_of(
        world.call(
            "POST",
            f"{cell.url}/api/v1/consumer/fetch",
            json={"target": f"urn:uuid:{LOT}", "from": recycler.did, "format": "pcf-9.0.0"},
            headers=world.owner(cell),
        ).content
    )
    stage = pcf["passport"]["productLifeCycleStagesAndEmissions"][0]["productionStage"][0]
    say.say(
        f"and over DSP (Catena-X PCF 9.0.0, offered by the recycler's node from its PCF settings): lot RB-2026-01 "
        f"= {stage['pcfExcludingBiogenicUptake']} kg CO2e/kg, fetched by the Ouranos-certified cell maker"
    )
    rollup = json_of(
        world.call("GET", f"{cell.url}/api/v1/supplychain/parts/{CELL_G2}/rollup", headers=world.owner(cell)).content
    )
    shown = json_of(world.call("GET", f"{cell.url}/api/v1/passports/{passport_id}").content)
    active = shown.get("materials", {}).get("active", {})
    recycled = {
        element: Decimal(str(active.get(element, {}).get("recycled", "nan")))
        for element in EXPECTED_G2_RECYCLED_PERCENT
    }
    for element, percent in recycled.items():
        material = rollup["materials"][element]
        say.say(
            f"CELL-G2 passport: {element} recycled content {percent:.3f} % "
            f"({material['recycledMassKg']} of {material['massKg']} kg per cell; expected "
            f"{EXPECTED_G2_RECYCLED_PERCENT[element]} %)"
        )
    if recycled != EXPECTED_G2_RECYCLED_PERCENT:
        raise StoryStepFailed(f"CELL-G2's passport shows {recycled}, expected {EXPECTED_G2_RECYCLED_PERCENT}")
    world.outcome["secondLife"] = {
        "passport": passport_id,
        "recycledPercent": {k: f"{v:.3f}" for k, v in recycled.items()},
        "lotPcfKgCo2ePerKg": str(stage["pcfExcludingBiogenicUptake"]),
    }


__all__ = ["end_of_life_story", "second_life_story"]
