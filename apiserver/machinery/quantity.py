"""resource.Quantity values (`100m`, `1.5Gi`, `2e3`) as exact fractions, for the comparisons
the API server makes: QoS class, requests against limits.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

_BINARY = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}
_DECIMAL = {"n": Fraction(1, 10 ** 9), "u": Fraction(1, 10 ** 6), "m": Fraction(1, 1000), "": Fraction(1),
            "k": Fraction(10 ** 3), "M": Fraction(10 ** 6), "G": Fraction(10 ** 9), "T": Fraction(10 ** 12),
            "P": Fraction(10 ** 15), "E": Fraction(10 ** 18)}
_QUANTITY = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?")

QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def parse_quantity(value: object) -> Fraction:
    """The exact amount of a quantity; raises ValueError (with apimachinery's text) when malformed."""
    if type(value) is str and len(value) <= _CACHED_LENGTH:
        return _parse_cached(value)
    if isinstance(value, bool):
        raise ValueError(QUANTITY_ERROR)
    if isinstance(value, (int, float)):
        return Fraction(str(value))
    text = value if isinstance(value, str) else str(value)
    return _parse_cached(text) if len(text) <= _CACHED_LENGTH else _parse_text(text)


# Every pod write parses the same few quantities again; Fractions are immutable, so cached
# results are shared. Long texts are not kept (a malicious body could fill the cache).
_CACHED_LENGTH = 64


def _parse_text(value: str) -> Fraction:
    match = _QUANTITY.fullmatch(value.strip())
    if match is None:
        raise ValueError(QUANTITY_ERROR)
    number, suffix = Fraction(match.group(1)), match.group(2) or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    return number * Fraction(10) ** int(suffix[1:])


_parse_cached = lru_cache(maxsize=4096)(_parse_text)


def is_quantity(value: object) -> bool:
    try:
        parse_quantity(value)
        return True
    except ValueError:
        return False
