"""dataspace.codec: one module per wire dialect (``dsp_2025_1``), the DSP 2025-1 forms of policies
(``policy_json``) and catalogs (``catalog_json``), and the JSON Schemas they validate against (``_schemas``)."""
