"""Shared set-up of the data-space benchmarks (`fetch.py`, `catalog.py`): three `passbridge serve` nodes on loopback
— a Catena-X authority, a provider and a consumer — with provider and consumer certified as members
(`MembershipCredential` issued through the DCP issuance protocol, by the CLI a user would run)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._common import VENV_BIN, Servers, free_port, run

PASSBRIDGE = str(VENV_BIN / "passbridge")
NODES = ("authority", "provider", "consumer")


@dataclass(frozen=True)
class Nodes:
    """Where the three nodes listen and the config file each was started with."""

    ports: dict[str, int]
    urls: dict[str, str]
    configs: dict[str, Path]
    env: dict[str, str]


def node_config(root: Path, name: str, port: int, **values: Any) -> Path:
    """A node's TOML settings (loopback http allowed for did:web and lists) written under `root`."""
    lines = [f"port = {port}", f'data_dir = "{root / name}"', "allow_http_loopback = true", f'node_name = "{name}"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path = root / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_certified_nodes(root: Path, servers: Servers, *, provider_workers: int = 1) -> Nodes:
    """Start authority, provider and consumer under `servers` and certify provider and consumer as members."""
    ports = {name: free_port() for name in NODES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    member = {"authority_url": urls["authority"]}
    configs = {
        "authority": node_config(root, "authority", ports["authority"], roles=["authority"], data_space="catena-x"),
        "provider": node_config(root, "provider", ports["provider"], **member, workers=provider_workers),
        "consumer": node_config(root, "consumer", ports["consumer"], **member),
    }
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name, config in configs.items():
        servers.start(name, [PASSBRIDGE, "serve", "--config", str(config)], f"{urls[name]}/healthz", env=env)
    for name in ("provider", "consumer"):
        claims = ["--claim", f"holderIdentifier=BPNL00000000{name[:4].upper()}", "--claim", "memberOf=Catena-X"]
        authority = ["--config", str(configs["authority"]), "--holder", urls[name]]
        run([PASSBRIDGE, "authority", "member-add", *authority, "--type", "MembershipCredential", *claims], env=env)
        issuer = ["--config", str(configs[name]), "--issuer", urls["authority"]]
        run([PASSBRIDGE, "credentials", "request", *issuer, "--type", "MembershipCredential"], env=env)
    return Nodes(ports, urls, configs, env)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0.95 → p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


__all__ = ["NODES", "PASSBRIDGE", "Nodes", "node_config", "percentile", "start_certified_nodes"]
