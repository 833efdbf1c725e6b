"""Name and label format rules, worded exactly as apimachinery words them.

Each validator returns the list of what is wrong with a value (empty when valid), like
k8s.io/apimachinery/pkg/util/validation and pkg/api/validate/content. DNS names say
"characters" when too long; label keys and values say "bytes" (the newer content package).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Callable

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE_FMT = "(" + LABEL_KEY_FMT + ")?"
CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"

_DNS1123_LABEL = re.compile(DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN = re.compile(DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL = re.compile(DNS1035_LABEL_FMT)
_LABEL_KEY = re.compile(LABEL_KEY_FMT)
_LABEL_VALUE = re.compile(LABEL_VALUE_FMT)
_CONFIG_MAP_KEY = re.compile(CONFIG_MAP_KEY_FMT)
_PORT_NAME_CHARSET = re.compile("[-a-z0-9]+")

_DNS1123_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                      "and must start and end with an alphanumeric character")
_DNS1123_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                          "'-' or '.', and must start and end with an alphanumeric character")
_DNS1035_LABEL_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
                      "an alphabetic character, and end with an alphanumeric character")
_LABEL_KEY_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                  "alphanumeric character")
_LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
                    "'.', and must start and end with an alphanumeric character")
_CONFIG_MAP_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """RegexError: examples joined as `'a',  or 'b', ` (Go's loop leaves two spaces)."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def max_bytes_error(length: int) -> str:
    return f"must be no more than {length} bytes"


def inclusive_range_error(lo: int, hi: int) -> str:
    return f"must be between {lo} and {hi}, inclusive"


# Every write checks the same few names again (namespace, label keys, container and port
# names): a value once found valid is remembered, up to this many per rule.
_REMEMBERED = 4096
_REMEMBERED_LENGTH = 253


def _remember_valid(rule: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    valid: set[str] = set()

    @functools.wraps(rule)
    def check(value: str) -> list[str]:
        if type(value) is str and value in valid:
            return []
        errs = rule(value)
        if not errs and type(value) is str and len(value) <= _REMEMBERED_LENGTH:
            if len(valid) >= _REMEMBERED:
                valid.clear()
            valid.add(value)
        return errs

    return check


def _full(pattern: re.Pattern[str], value: str) -> bool:
    return pattern.fullmatch(value) is not None


@_remember_valid
def dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _full(_DNS1123_LABEL, value):
        if _full(_DNS1123_SUBDOMAIN, value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(_DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def _subdomain(value: str, too_long: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(too_long)
    if not _full(_DNS1123_SUBDOMAIN, value):
        errs.append(regex_error(_DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


@_remember_valid
def dns1123_subdomain(value: str) -> list[str]:
    return _subdomain(value, max_len_error(253))


@_remember_valid
def dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _full(_DNS1035_LABEL, value):
        errs.append(regex_error(_DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def path_segment_name(value: str) -> list[str]:
    """Every stored name must be usable as one URL path segment (Event names check only this)."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


@_remember_valid
def qualified_name(value: str) -> list[str]:
    """A label key (also finalizers, annotation keys): optional DNS-subdomain prefix + '/' + name."""
    parts = value.split("/")
    errs: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + m for m in _subdomain(prefix, max_bytes_error(253))]
    else:
        return ["a valid label key " + regex_error(_LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + max_bytes_error(63))
    if not _full(_LABEL_KEY, name):
        errs.append("name part " + regex_error(_LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc"))
    return errs


@_remember_valid
def label_value(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_bytes_error(63))
    if not _full(_LABEL_VALUE, value):
        errs.append(regex_error(_LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


@_remember_valid
def config_map_key(value: str) -> list[str]:
    """Keys of ConfigMap and Secret data."""
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _full(_CONFIG_MAP_KEY, value):
        errs.append(regex_error(_CONFIG_MAP_KEY_MSG, CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


@_remember_valid
def port_name(value: str) -> list[str]:
    """IANA_SVC_NAME: at most 15 of [-a-z0-9], with a letter, no '--', no dash at either end."""
    errs = []
    if len(value) > 15:
        errs.append(max_len_error(15))
    if not _full(_PORT_NAME_CHARSET, value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def port_number(port: int) -> list[str]:
    return [] if 1 <= port <= 65535 else [inclusive_range_error(1, 65535)]


def ip_address(value: str) -> list[str]:
    try:
        ipaddress.ip_address(value)
        return []
    except ValueError:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]


def mask_trailing_dash(name: str) -> str:
    """How a generateName prefix is checked: apimachinery swaps its last two bytes for 'a'
    when it ends in a dash (sic), so `web-` is checked as `wea`."""
    if name.endswith("-"):
        return name[:-2] + "a"
    return name
