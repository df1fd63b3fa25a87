"""The ``pcf`` settings of a node: the supplier's own declarations that every Catena-X PCF it offers carries.

A node offers its released parts' carbon footprints over DSP (``io.catenax.pcf`` 9.0.0 and
``pcf_for_battery_component_supplier`` 1.0.0) when these settings name its BPNL; with no ``pcf`` section, or an
empty ``bpnl``, it offers none. Everything else a PCF needs comes from the supply-chain data (the part, its
roll-up, the partner's ACL). In the TOML file::

    [pcf]
    bpnl = "BPNL00000000KCM1"
    bpns = "BPNS00000000KCM1"
    company_name = "Kansai Cathode Materials K.K."
    region = "Eastern Asia"
    valid_from = 2026-01-01T00:00:00Z
    valid_to = 2026-12-31T23:59:59Z
    reference_period_start = 2025-01-01T00:00:00Z
    reference_period_end = 2025-12-31T23:59:59Z
    exempted_emissions_percent = "0"
    ccs_included = false

or as JSON in ``PASSBRIDGE_PCF``. A wrong value fails at startup naming its key (``pcf.bpns``, …), checked by
the same rules as the PCF itself (`passbridge.ecosystems.catenax.pcf.PcfContext`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from passbridge.ecosystems.catenax.pcf import PcfContext
from passbridge.errors import InvalidInput

_KEYS: Final = {
    "legalidentifier": "bpnl",
    "siteIdentifier": "bpns",
    "companyName": "company_name",
    "validityPeriod.validTo": "valid_to",
    "validFrom": "valid_from",
    "validTo": "valid_to",
    "referencePeriodStart": "reference_period_start",
    "referencePeriodEnd": "reference_period_end",
    "geographyRegionOrSubregion": "region",
    "exemptedEmissionsPercent": "exempted_emissions_percent",
    "ccsTechnologicalCO2CaptureIncluded": "ccs_included",
}
"""PCF field (as `PcfContext` names it in its errors) → the setting that provides it."""

_REQUIRED: Final = (
    "bpns",
    "company_name",
    "valid_from",
    "valid_to",
    "reference_period_start",
    "reference_period_end",
)


class PcfSettings(BaseModel):
    """Our declarations for the PCFs we offer (all required once `bpnl` is set; nothing is offered without it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bpnl: str = Field(default="", description="our BPNL (legalidentifier); empty = offer no PCF")
    bpns: str = Field(default="", description="the BPNS of the site that makes the parts (siteIdentifier)")
    company_name: str = Field(default="", description="our legal name (companyName)")
    region: str = Field(default="Global", description="geographyRegionOrSubregion, e.g. Europe, Eastern Asia")
    valid_from: AwareDatetime | None = Field(default=None, description="start of the PCFs' validity")
    valid_to: AwareDatetime | None = Field(default=None, description="end of the PCFs' validity")
    reference_period_start: AwareDatetime | None = Field(default=None, description="start of the reference period")
    reference_period_end: AwareDatetime | None = Field(default=None, description="end of the reference period")
    exempted_emissions_percent: Decimal = Field(default=Decimal(0), description="exemptedEmissionsPercent, 0 to 10")
    ccs_included: bool = Field(default=False, description="ccsTechnologicalCO2CaptureIncluded")

    @property
    def enabled(self) -> bool:
        """Whether PCFs are offered (a BPNL is set)."""
        return bool(self.bpnl)

    @model_validator(mode="after")
    def _complete_and_valid(self) -> PcfSettings:
        """Once `bpnl` is set, every declaration is present and passes the PCF's own rules."""
        if not self.enabled:
            return self
        missing = [key for key in _REQUIRED if getattr(self, key) in (None, "")]
        if missing:
            raise ValueError(f"pcf.{missing[0]} is required when pcf.bpnl is set")
        try:
            self.context("probe", "probe", created=self._moment(self.valid_from))
        except InvalidInput as error:
            first = error.violations[0]
            raise ValueError(f"pcf.{_KEYS.get(first.path, first.path)}: {first.message}") from None
        return self

    @staticmethod
    def _moment(value: datetime | None) -> datetime:
        if value is None:  # guarded by the required check
            raise ValueError("a date is missing")
        return value

    def context(self, manufacturer_part_id: str, customer_part_id: str, *, created: datetime) -> PcfContext:
        """The `PcfContext` of one part's PCF, made at `created`.

        Raises:
            InvalidInput: at the PCF field a declaration breaks (never once validation passed, but for the parts).
        """
        return PcfContext(
            manufacturer_part_id=manufacturer_part_id,
            customer_part_id=customer_part_id,
            legal_identifier=self.bpnl,
            site_identifier=self.bpns,
            created=created,
            valid_from=self._moment(self.valid_from),
            valid_to=self._moment(self.valid_to),
            company_name=self.company_name,
            reference_period_start=self._moment(self.reference_period_start),
            reference_period_end=self._moment(self.reference_period_end),
            geography_region=self.region,
            exempted_emissions_percent=self.exempted_emissions_percent,
            ccs_included=self.ccs_included,
        )


__all__ = ["PcfSettings"]
