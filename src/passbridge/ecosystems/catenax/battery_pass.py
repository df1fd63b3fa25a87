"""Catena-X BatteryPass 6.1.0 JSON out (reading 6.1.0 and 6.0.0 is `passport.services.decode_document`).

6.0.0 documents differ from 6.1.0 only by the absent optional `specVersion` (6.1.0 release notes); they are read
as they are and written out as 6.1.0 with `specVersion` set. A 6.1.0 document goes out exactly as it came in,
digit for digit (minus what the reader may not see).
"""

from __future__ import annotations

from passbridge.jsoncodec import dumps_exact
from passbridge.jsontypes import JsonObject
from passbridge.passport.battery_pass import SPEC_VERSION_6_1_0
from passbridge.passport.model import PassportVersion

FORMAT = "catenax-6.1.0"


class BatteryPassRenderer:
    """Renders a projected passport as BatteryPass 6.1.0 JSON."""

    media_type = "application/json"

    def render(self, content: JsonObject, version: PassportVersion) -> bytes:
        """The JSON bytes; `specVersion` is added for documents read as 6.0.0."""
        if "specVersion" not in content:
            content = {"specVersion": SPEC_VERSION_6_1_0, **content}
        return dumps_exact(content)


__all__ = ["FORMAT", "BatteryPassRenderer"]
