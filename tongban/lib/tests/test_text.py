"""Text rules (tongban.lib.text): one per kind of text, and the regular expressions the API's
schema states them with say the same as the functions that enforce them."""

import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.lib.errors import InvalidInput
from tongban.lib.text import (
    NAME_REFUSED,
    PHONE_PATTERN,
    name_clean,
    name_pattern,
    phone_clean,
    shown,
    text_clean,
    text_pattern,
)


def refusal(func, value, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        func(value, field="applicant.name", **kwargs)
    return info.value


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, code_point",
    [
        ("王\u202e五", "U+202E"),  # right-to-left override
        ("王\u200b五", "U+200B"),  # zero-width space
        ("王\u200d五", "U+200D"),  # zero-width joiner
        ("王\n五", "U+000A"),
        ("王\u2028五", "U+2028"),  # line separator
        ("\ufeff王五", "U+FEFF"),  # byte order mark
    ],
)
def test_a_name_with_an_invisible_character_is_refused_naming_it(name, code_point):
    error = refusal(name_clean, name, label="姓名")
    assert (error.code, error.field) == ("invalid_characters", "applicant.name")
    assert code_point in error.message and "姓名" in error.message


def test_a_name_is_nfkc_normalised():
    assert name_clean("Ｃａｒｏｌ　王", field="name") == "Carol 王"  # full-width, ideographic space
    assert name_clean("⼀心", field="name") == "一心"  # a Kangxi radical is its ideograph
    assert name_clean("  王   五 ", field="name") == "王 五"


@pytest.mark.parametrize("dot", ["・", "･", "•", "‧", "∙", "⋅", "·"])
def test_the_middle_dot_of_a_name_is_the_one_on_id_cards(dot):
    assert name_clean(f"阿依古丽{dot}买买提", field="name") == "阿依古丽·买买提"


def test_rare_characters_in_private_use_stay_allowed():
    assert name_clean("王\ue000", field="name") == "王\ue000"  # 生僻字 in a private-use font


def test_the_invisible_characters_table_is_unicodes():
    refused = re.compile(f"[{NAME_REFUSED}]")
    categories = {"Cc", "Cf", "Zl", "Zp"}
    wrong = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if not 0xD800 <= cp <= 0xDFFF
        and (unicodedata.category(chr(cp)) in categories) != bool(refused.match(chr(cp)))
    ]
    assert not wrong, f"NAME_REFUSED differs from Unicode {unicodedata.unidata_version}: {wrong}"


# --- phones ----------------------------------------------------------------------------------


def test_full_width_digits_of_a_phone_are_folded_to_ascii():
    assert phone_clean("１３５０００００００１", field="phone") == "13500000001"
    assert phone_clean(" ０６３５－８２１２３４５ ", field="phone") == "0635-8212345"


@pytest.mark.parametrize("phone", ["١٣٥٠٠٠٠٠٠٠١", "۱۳۵۰۰۰۰۰۰۰۱", "१३५००००००० १"])
def test_digits_of_other_scripts_are_refused_clearly(phone):
    with pytest.raises(InvalidInput) as info:
        phone_clean(phone, field="applicant.phone")
    assert (info.value.code, info.value.field) == ("invalid_phone", "applicant.phone")
    assert "0–9" in info.value.message


@pytest.mark.parametrize(
    "phone", ["123456", "1" * 21, "138 0000 0000", "+8613800000000", "-1234567"]
)
def test_a_malformed_phone_is_refused(phone):
    with pytest.raises(InvalidInput) as info:
        phone_clean(phone, field="phone")
    assert info.value.code == "invalid_phone"


# --- free text and messages ------------------------------------------------------------------


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\x00", "\x07"])
def test_free_text_refuses_controls_but_keeps_lines(control):
    assert text_clean("第一行\n\t第二行", field="reason") == "第一行\n\t第二行"
    assert refusal(text_clean, f"理由{control}").code == "invalid_characters"


def test_a_message_quotes_only_a_short_prefix():
    assert shown("short") == "short"
    assert shown("x" * 1_048_576) == "x" * 24 + "…"
    assert shown(["a"] * 100_000) == "['a', 'a', 'a', 'a', 'a'…"
    assert len(repr(shown("\u202e" * 1000))) < 200  # %r escapes what it quotes


def test_a_date_error_quotes_only_a_prefix():
    from tongban.lib.text import date_clean

    with pytest.raises(InvalidInput) as info:
        date_clean("9" * 1_000_000, field="from")
    assert len(info.value.message) < 100


# --- the schema's patterns say what the functions accept -------------------------------------

# Text as the API's CharField hands it on: stripped (DRF's trim_whitespace) when not blank.
TEXTS = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from("\u202e\u200b\n\t \u3000\x1c\x85\ufeff\u00ad１٣"),
    max_size=12,
)


def accepts(func, value, **kwargs) -> bool:
    try:
        func(value.strip(), field="f", **kwargs)
    except InvalidInput:
        return False
    return True


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_the_name_pattern_is_name_clean(value):
    assert bool(re.search(name_pattern(), value)) == accepts(name_clean, value)


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_the_text_pattern_is_text_clean(value):
    assert bool(re.search(text_pattern(blank=False), value)) == accepts(
        text_clean, value, required=True
    )


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("0123456789-０１２３４５６７８９－ \u3000١a"), max_size=24))
def test_the_phone_pattern_is_phone_clean(value):
    assert bool(re.search(PHONE_PATTERN, value)) == accepts(phone_clean, value)
