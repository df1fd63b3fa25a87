"""`passbridge demo`: the two data spaces (Ouranos and Catena-X) on this machine, one node per party on loopback,
and the story of DESIGN §2 told end to end.

Layout: `launcher` (real servers on 127.0.0.1), `world` (the cast and what the steps share), `scenario` (the
supply-chain documents and hand-worked figures), `identity_steps`, `passport_steps`, `loop_steps` (the story),
`link_steps` (the hook for the CFP crossing steps), `narration` (printing), `story` (`run_demo`).
"""

from passbridge.demo.story import run_demo

__all__ = ["run_demo"]
