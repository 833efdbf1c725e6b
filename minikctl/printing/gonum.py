"""Numbers and strings as Go prints them (fmt %v, encoding/json, yaml.v2).

Python's float repr picks the same shortest digits as Go's strconv, but a different switch to
exponent notation and a different exponent spelling; these helpers re-spell them.
"""

from __future__ import annotations

import math


def _digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits and the decimal point position: 1234.5 -> ("12345", 4)."""
    mantissa, _, exp = repr(abs(value)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    stripped = digits.lstrip("0")
    point = len(whole) + (int(exp) if exp else 0) - (len(digits) - len(stripped))
    return stripped.rstrip("0") or "0", point


def _exp_form(digits: str, point: int, sign: str) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exp = point - 1
    return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _plain_form(digits: str, point: int, sign: str) -> str:
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _sign(value: float) -> str:
    return "-" if math.copysign(1.0, value) < 0 else ""


def format_g(value: float) -> str:
    """strconv.FormatFloat(v, 'g', -1, 64), which fmt's %v and yaml.v2 print: the shortest
    digits, in exponent form when the exponent is below -4 or at least 6."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return _sign(value) + "0"
    digits, point = _digits(value)
    if point - 1 < -4 or point - 1 >= 6:
        return _exp_form(digits, point, _sign(value))
    return _plain_form(digits, point, _sign(value))


def format_json_float(value: float) -> str:
    """encoding/json: plain notation unless |v| < 1e-6 or >= 1e21; `e-07` is shortened to `e-7`."""
    if value == 0:
        return _sign(value) + "0"
    digits, point = _digits(value)
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        text = _exp_form(digits, point, _sign(value))
        if text[-4:-1] == "e-0":
            text = text[:-2] + text[-1]
        return text
    return _plain_form(digits, point, _sign(value))


def format_value(value: object) -> str:
    """fmt.Sprint of a JSON-decoded value: maps as `map[k:v]` with sorted keys, lists as
    `[a b]`, nested values the same way."""
    if value is None:
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return format_g(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{format_value(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(format_value(v) for v in value) + "]"
    return str(value)


def _quote(text: str) -> str:
    """strconv.Quote for the text Go's %#v prints."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\a\b\f\n\r\t\v":
            out.append(repr(char)[1:-1])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(char)
    return "".join(out) + '"'


def format_go_syntax(value: object) -> str:
    """fmt's %#v of a JSON-decoded value (kubectl dumps objects this way in template errors)."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, dict):
        inner = ", ".join(f"{_quote(str(k))}:{format_go_syntax(value[k])}" for k in sorted(value))
        return "map[string]interface {}{" + inner + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(format_go_syntax(v) for v in value) + "}"
    if isinstance(value, str):
        return _quote(value)
    return format_value(value)
