"""`passbridge demo`: a node with sample passports, what each reader sees, then the node served.

Until the two-data-space demo exists (Ouranos platform, authorities, connector), this shows the passport node:
three EV batteries, one of them repurposed into a stationary storage battery (a new passport linked to the
original, Art. 77(7)) and one recycled (`waste`, its passport ends but stays readable).
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from rich.console import Console
from rich.table import Table

from passbridge.bootstrap import Services, bootstrap
from passbridge.errors import DuplicatePassport
from passbridge.identity import sdjwt
from passbridge.identity.did import StaticDidResolver
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.access import Role
from passbridge.passport.model import PassportId
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.settings import Settings

out = Console(soft_wrap=True)


def _count_leaves(value: object) -> int:
    if isinstance(value, dict):
        return sum(_count_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_leaves(v) for v in value)
    return 1


def load_samples(services: Services) -> list[PassportId]:
    """Create the sample passports (idempotent) and return their identifiers."""
    ids = [PassportId(sample_passport_id(n)) for n in (1, 2, 3)]
    for n in (1, 2, 3):
        with suppress(DuplicatePassport):  # the demo node may exist from an earlier run
            services.passports.create(dumps_exact(sample_passport(n, with_owner_data=(n == 1))))
    # Battery 2 is repurposed: its passport records the status, a new passport continues it (Art. 77(7)).
    second = services.passports.head(ids[1])
    if second.status.value == "original":
        services.passports.add_version(ids[1], dumps_exact(sample_passport(2, status="repurposed")))
    successor = PassportId(sample_passport_id(1, model="ESS-20"))
    with suppress(DuplicatePassport):
        services.passports.create(
            dumps_exact(sample_passport(1, model="ESS-20", status="repurposed", predecessor=ids[1].value))
        )
    # Battery 3 reached end of life and was recycled: `waste` ends the passport (Art. 77(8)).
    if services.passports.head(ids[2]).status.value != "waste":
        services.passports.add_version(ids[2], dumps_exact(sample_passport(3, status="waste")))
    return [*ids, successor]


def run_demo(workdir: Path, *, port: int, serve: bool) -> None:
    """Build the demo node in `workdir`, print the tour, then serve (unless `serve` is False)."""
    settings = Settings(data_dir=workdir, port=port, node_name="passbridge demo (battery maker)")
    services = bootstrap(settings)
    try:
        ids = load_samples(services)
        _tour(services, ids)
    finally:
        services.close()
    if serve:
        import uvicorn

        from passbridge.api.app import create_asgi

        out.print(f"\nserving on {settings.effective_public_url} — Ctrl-C to stop")
        uvicorn.run(create_asgi(bootstrap(settings)), host=settings.host, port=settings.port, log_level="warning")


def _tour(services: Services, ids: list[PassportId]) -> None:
    base = services.settings.effective_public_url
    out.rule("passbridge demo: EU battery passports")
    for pid in ids:
        head, infos, lineage = services.passports.versions(pid)
        links = f" ← continues {', '.join(p.value for p in lineage.predecessors)}" if lineage.predecessors else ""
        out.print(f"[bold]{head.status.value:<14}[/bold] battery {head.battery_id}, {len(infos)} version(s){links}")
        out.print(f"               {base}/p/{pid}", highlight=False)
    first = ids[0]
    visible = Table("role", "fields visible", title=f"what each reader sees of {first}")
    for role in Role:
        view = services.passports.read(first, role, "catenax-6.1.0")
        visible.add_row(role.value, str(_count_leaves(loads_exact(view.body))))
    out.print(visible)
    document = services.identity.document()
    for role in (Role.ANONYMOUS, Role.NOTIFIED_BODY):
        signed = services.passports.read(first, role, "sd-jwt").body.decode()
        verified = sdjwt.verify(signed, StaticDidResolver([document]), expected_typ="dc+sd-jwt")
        out.print(
            f"signed version (SD-JWT) as {role.value}: issuer {verified.issuer}, signature and digests verified, "
            f"{len(verified.disclosed)} field group(s) disclosed",
            highlight=False,
        )
    token = services.tokens.issue(Role.NOTIFIED_BODY, "demo notified body", services.clock.now(), 3600)
    out.print("\nTry it:")
    out.print(f"  curl {base}/api/v1/passports/{first}                      # public (Annex XIII point 1)")
    out.print(f"  curl {base}/api/v1/passports/{first}?format=aas           # IDTA 02035 AAS submodels")
    out.print(f"  curl {base}/api/v1/passports/{first}/qr.svg -o qr.svg")
    out.print(f"  curl -H 'Authorization: Bearer {token[:24]}…' {base}/api/v1/passports/{first}")
    out.print(f"  curl '{base}/api/v1/passports/{first}?format=sd-jwt' > p.sd-jwt && passbridge verify p.sd-jwt")
    out.print("  (tokens: passbridge token --role notified_body --data-dir <demo dir>)")


__all__ = ["load_samples", "run_demo"]
