"""The API's one body parser: DRF's strict JSON, refusing a body nested deeper than JSON_DEPTH.

Python's json module recurses once per level, so a megabyte of "[" is a RecursionError (a
500) in the parser, and a few hundred levels that do parse would recurse again in every walk
over the data after it. No body of this API nests more than four levels (a bundle's forms);
JSON_DEPTH leaves room. Settings point REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] here, and the
short way (api/fast.py) asks `too_deep` too, so every JSON endpoint answers alike: 400
`json_too_deep`.
"""

import codecs
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

JSON_DEPTH = 32

# A JSON string, escapes included (unrolled: no backtracking over a long string).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def too_deep(text: str, limit: int = JSON_DEPTH) -> bool:
    """Whether the JSON `text` nests arrays and objects deeper than `limit`.

    Costs two str.count() calls for an ordinary body: the nesting cannot exceed the number of
    opening brackets. Only a body with more than `limit` of them is scanned, strings aside."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _NOT_BRACKETS.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JSONTooDeep(ParseError):
    default_code = "json_too_deep"

    def __init__(self):
        super().__init__(_("JSON 嵌套超过 %(max)s 层") % {"max": JSON_DEPTH})


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser (strict: no NaN or Infinity), with the depth limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(stream.read(), encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON 解析错误：%(error)s") % {"error": exc}) from None
        if too_deep(text):
            raise JSONTooDeep()
        try:
            return json.loads(text, parse_constant=no_constant)
        except ValueError as exc:
            raise ParseError(_("JSON 解析错误：%(error)s") % {"error": exc}) from None


def no_constant(name):
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: as DRF's strict JSONParser
