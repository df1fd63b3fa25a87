"""Chemical elements by symbol and name, so material content is keyed by one spelling per element.

Layout: `ELEMENTS` (symbol → IUPAC English name, all 118), `element_name` (symbol or name → the name), and
`REGULATED_ELEMENTS` (cobalt, lead, lithium, nickel: the recycled-content metals of Reg. (EU) 2023/1542 Art. 8).

Why names, not symbols, as keys: the roll-up document (issue #3) and Annex XIII 1(e) say "cobalt", "lithium", ….
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from passbridge.errors import InvalidInput

_TABLE = """
H hydrogen He helium Li lithium Be beryllium B boron C carbon N nitrogen O oxygen F fluorine Ne neon Na sodium
Mg magnesium Al aluminium Si silicon P phosphorus S sulfur Cl chlorine Ar argon K potassium Ca calcium
Sc scandium Ti titanium V vanadium Cr chromium Mn manganese Fe iron Co cobalt Ni nickel Cu copper Zn zinc
Ga gallium Ge germanium As arsenic Se selenium Br bromine Kr krypton Rb rubidium Sr strontium Y yttrium
Zr zirconium Nb niobium Mo molybdenum Tc technetium Ru ruthenium Rh rhodium Pd palladium Ag silver Cd cadmium
In indium Sn tin Sb antimony Te tellurium I iodine Xe xenon Cs caesium Ba barium La lanthanum Ce cerium
Pr praseodymium Nd neodymium Pm promethium Sm samarium Eu europium Gd gadolinium Tb terbium Dy dysprosium
Ho holmium Er erbium Tm thulium Yb ytterbium Lu lutetium Hf hafnium Ta tantalum W tungsten Re rhenium Os osmium
Ir iridium Pt platinum Au gold Hg mercury Tl thallium Pb lead Bi bismuth Po polonium At astatine Rn radon
Fr francium Ra radium Ac actinium Th thorium Pa protactinium U uranium Np neptunium Pu plutonium Am americium
Cm curium Bk berkelium Cf californium Es einsteinium Fm fermium Md mendelevium No nobelium Lr lawrencium
Rf rutherfordium Db dubnium Sg seaborgium Bh bohrium Hs hassium Mt meitnerium Ds darmstadtium Rg roentgenium
Cn copernicium Nh nihonium Fl flerovium Mc moscovium Lv livermorium Ts tennessine Og oganesson
"""
_WORDS = _TABLE.split()

ELEMENTS: Final[Mapping[str, str]] = dict(zip(_WORDS[0::2], _WORDS[1::2], strict=True))
"""Element symbol → IUPAC English name (lower case), for all 118 elements."""

_ALIASES: Final[Mapping[str, str]] = {"aluminum": "aluminium", "cesium": "caesium", "sulphur": "sulfur"}
_NAMES: Final = frozenset(ELEMENTS.values())

REGULATED_ELEMENTS: Final = ("cobalt", "lead", "lithium", "nickel")
"""Metals whose recycled share Reg. (EU) 2023/1542 Art. 8 and Annex XIII 1(e) require in the passport."""


def element_name(text: object, path: str = "element") -> str:
    """The IUPAC name of the element written `text`: a symbol in its exact case (``Co``) or a name in any case
    (``Cobalt``, ``aluminum``).

    Symbols are case-sensitive because ``CO`` or ``NO`` are not elements (``No`` is nobelium).

    Raises:
        InvalidInput: naming `path` if `text` is not an element.
    """
    if isinstance(text, str):
        if text in ELEMENTS:
            return ELEMENTS[text]
        name = text.strip().lower()
        name = _ALIASES.get(name, name)
        if name in _NAMES:
            return name
    raise InvalidInput.at(path, f"{text!r} is not a chemical element symbol or name", "IUPAC element names")


__all__ = ["ELEMENTS", "REGULATED_ELEMENTS", "element_name"]
