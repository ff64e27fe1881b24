"""Prices that are charges owed to an authority, not sales (the 80/20 rule's price test).

A sum the reader owes to an authority, not to the poster: a charge, fee, fine, tax, toll
or fare named just before the price ("the new charge is £45 a year", "die Gebühr steigt
auf…", "une amende de 135 €", "la tasa será de 40 €") is civic or consumer news. The
seller's own fee ("our fee is £40") still sells.
"""

from __future__ import annotations

import re

from soulpost.text.lazyre import lazy

# Compiled when first asked for: only a post with a price needs them (soulpost.text.lazyre).
_charge_before = lazy(
    r"""\b(?:charges?|fees?|fined?|fines|tax|taxes|levy|tolls?|fares?|penalty|surcharge
       |gebühr\w*|abgabe|steuer\w*|bußgeld\w*|strafe|maut|ticketpreis\w*
       |amendes?|redevance|péage|tarif\ social
       |tasas?|multas?|impuestos?|peajes?|sanción|recargo)
       (?:\s+[^\W\d_]+){0,3}\s*[:]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_seller = lazy(r"\b(?:our|my|unser\w*|mein\w*|notre|nos|mon|ma|mes|nuestr\w*|mis?)\b", re.I)


def owed_charge(text: str, at: int) -> bool:
    """Whether the price at *at* is named as a charge, fee, fine, tax or fare just before
    it, and not as the poster's own (see _charge_before)."""
    head = text[max(0, at - 60) : at]
    charge = _charge_before().search(head)
    return charge is not None and _seller().search(head) is None
