"""outbound: the node's HTTP calls to other parties (edge; the `httpx.Client` is injected by bootstrap).

Modules: `http` (address policy, guarded transport, guarded exchange), `did_web` (did:web resolver),
`fetchers` (status lists, trust lists, DCP credential services), `dsp_client` (DSP 2025-1 calls to other
connectors and delivery of queued messages), `worker` (the DSP outbox worker).
"""
