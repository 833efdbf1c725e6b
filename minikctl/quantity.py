"""Resource quantities (`100m`, `64Gi`, `1.5`) as apimachinery's resource.Quantity reads,
adds and prints them; `describe node` sums pod requests with them.

A quantity keeps the format it was written in (binary `Ki`..`Ei`, decimal `m`..`E`, or an
exponent), and prints canonically: the largest suffix that keeps an integer mantissa, binary
only for whole numbers of at least 1024, so 1.5 prints as `1500m` and 2048Mi as `2Gi`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIX = {v: k for k, v in BINARY.items()}
_DECIMAL_SUFFIX = {v: k for k, v in DECIMAL.items()}
_SHAPE = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[a-zA-Z]*)$")


@dataclass(frozen=True)
class Quantity:
    value: Decimal = Decimal(0)
    format: str = "DecimalSI"  # or BinarySI, DecimalExponent

    def __add__(self, other: Quantity) -> Quantity:
        # apimachinery's Add: a zero quantity takes the other one's format
        return Quantity(self.value + other.value, self.format if self.value else other.format)

    def milli_value(self) -> int:
        return int((self.value * 1000).to_integral_value(ROUND_CEILING))

    def int_value(self) -> int:
        return int(self.value.to_integral_value(ROUND_CEILING))

    def __str__(self) -> str:
        return canonical(self)


def parse(text: str | int | float) -> Quantity:
    """A quantity from its text; ValueError for anything apimachinery would reject."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return Quantity(Decimal(str(text)), "DecimalSI")
    match = _SHAPE.match(str(text).strip())
    if not match:
        raise ValueError(f"quantities must match the regular expression: {text}")
    number, suffix = Decimal(match.group(1)), match.group(2)
    if suffix in BINARY:
        return Quantity(number * (1024 ** BINARY[suffix]), "BinarySI")
    if suffix in DECIMAL:
        return Quantity(number.scaleb(DECIMAL[suffix]), "DecimalSI")
    if suffix[:1] in "eE" and suffix[1:]:
        return Quantity(number.scaleb(int(suffix[1:])), "DecimalExponent")
    raise ValueError(f"unable to parse quantity's suffix: {text}")


def _nano(value: Decimal) -> int:
    """The value in units of 10^-9, rounded up as a Quantity rounds sub-nano precision."""
    return int(value.scaleb(9).to_integral_value(ROUND_CEILING))


def canonical(q: Quantity) -> str:
    if q.value == 0:
        return "0"
    fmt = q.format
    if fmt == "BinarySI" and (abs(q.value) < 1024 or q.value != q.value.to_integral_value()):
        fmt = "DecimalSI"
    if fmt == "BinarySI":
        mantissa, power = int(q.value), 0
        while mantissa % 1024 == 0 and power < 6:
            mantissa //= 1024
            power += 1
        return f"{mantissa}{_BINARY_SUFFIX.get(power, '')}"
    mantissa, exponent = _nano(q.value), -9
    while mantissa % 1000 == 0 and exponent < 18:
        mantissa //= 1000
        exponent += 3
    if fmt == "DecimalExponent":
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    return f"{mantissa}{_DECIMAL_SUFFIX[exponent]}"


def total(values: list[Quantity]) -> Quantity:
    result = Quantity(Decimal(0), "")
    for value in values:
        result = result + value
    return result
