"""The link between the Ouranos platform and Catena-X, run on the Ouranos platform node (issue #6 item 3).

- `cfp_mapping`: Ouranos CFP records ⇄ the Catena-X battery-component PCF, with the unit table.
- `records`: who consented to be presented on Catena-X, and which Catena-X participants are presented as operators.
- `pcf_source`: a consenting operator's CFP answers as DSP datasets, released by the Ouranos CFP ACL.
- `bridge`: trade requests from Ouranos operators to Catena-X participants, answered through DSP.

An adapter layer: it may use the cores (ouranos, supplychain, dataspace, identity) and the Catena-X formats, never
the HTTP edges, storage or the composition root (`passbridge.link_wiring` builds it).
"""
