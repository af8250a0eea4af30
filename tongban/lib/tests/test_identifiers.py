"""Tests for tongban.lib.identifiers (no database, no Django settings needed)."""

import pickle
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from tongban.lib.identifiers import (
    IdentifierError,
    resident_id_birth_date,
    resident_id_mask,
    resident_id_validate,
    synthetic_resident_id,
    synthetic_uscc,
    uscc_mask,
    uscc_validate,
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LOCAL_REGIONS = ["371581", "371502", "371522"]  # 临清市, 东昌府区, 莘县: codes since 1997
STABLE_REGIONS = ["110101", "110102", "120101", "140121"]  # no start/end year in stdnum's table


def with_id_check(first17: str) -> str:
    """Append the check character, computed by python-stdnum (an independent implementation)."""
    return first17 + ric.calc_check_digit(first17 + "0")


def with_uscc_weights_check(first17: str) -> str:
    """Append the USCC check character, computed straight from the definition."""
    total = sum(USCC_ALPHABET.index(c) * (3**i % 31) for i, c in enumerate(first17))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def error_code(func, *args, **kwargs) -> str:
    with pytest.raises(IdentifierError) as info:
        func(*args, **kwargs)
    assert info.value.message
    assert str(info.value) == info.value.message
    return info.value.code


# --- resident ID -------------------------------------------------------------------------------


@pytest.mark.parametrize("region", LOCAL_REGIONS)
def test_synthetic_id_is_valid_for_us_and_stdnum(region):
    number = synthetic_resident_id(region=region, birth=date(2001, 3, 14), seq=1)
    assert number.startswith(region + "20010314001")
    assert len(number) == 18
    assert resident_id_validate(number) == number
    assert ric.is_valid(number)
    assert resident_id_birth_date(number) == date(2001, 3, 14)


def test_synthetic_id_default_sequence_is_000():
    number = synthetic_resident_id(region="110101", birth=date(1980, 1, 1))
    assert number[14:17] == "000"


@pytest.mark.parametrize("seq", [-1, 10, 100])
def test_synthetic_id_rejects_sequence_out_of_range(seq):
    with pytest.raises(ValueError):
        synthetic_resident_id(region="110101", birth=date(1980, 1, 1), seq=seq)


def test_wrong_check_digit():
    number = synthetic_resident_id(region="371581", birth=date(2000, 1, 1))
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert error_code(resident_id_validate, wrong) == "id_number_checksum"
    assert not ric.is_valid(wrong)


def test_lower_case_x_and_surrounding_whitespace_normalized():
    # Find a birth date whose check character is X.
    for day in range(1, 29):
        number = synthetic_resident_id(region="371502", birth=date(2005, 2, day))
        if number.endswith("X"):
            break
    else:  # pragma: no cover
        pytest.fail("no X check character in February 2005")
    assert resident_id_validate(f"  {number[:17]}x\n") == number


def test_x_only_allowed_as_last_character():
    assert error_code(resident_id_validate, "37158120000101X001") == "id_number_format"


@pytest.mark.parametrize(
    "sep",
    ["-", " ", "\u3000", "\uff0d", "\u2013"],  # hyphen, space, full-width space, full-width -, –
)
def test_inner_separators_rejected(sep):
    number = synthetic_resident_id(region="371581", birth=date(2000, 1, 1))
    hyphenated = f"{number[:6]}{sep}{number[6:14]}{sep}{number[14:]}"
    assert error_code(resident_id_validate, hyphenated) == "id_number_format"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "3715812000010100",
        "3715812000010100011",
        "37158120000101000A",
        "ABCDEFGHIJKLMNOPQR",
    ],
)
def test_bad_length_or_characters(value):
    assert error_code(resident_id_validate, value) == "id_number_format"


def test_full_width_digits_rejected():
    number = synthetic_resident_id(region="371581", birth=date(2000, 1, 1))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert error_code(resident_id_validate, full_width) == "id_number_format"


def test_non_string_rejected():
    assert error_code(resident_id_validate, None) == "id_number_format"  # type: ignore[arg-type]


@pytest.mark.parametrize("birth", ["19990230", "19990431", "20010229", "19991301", "19990100"])
def test_impossible_birth_date_rejected(birth):
    number = with_id_check(f"371581{birth}001")
    assert error_code(resident_id_validate, number) == "id_number_birth_date"


def test_birth_before_1900_rejected():
    number = with_id_check("11010118991231001")
    assert error_code(resident_id_validate, number) == "id_number_birth_date"


def test_future_birth_rejected():
    number = synthetic_resident_id(region="371522", birth=date(2020, 6, 1))
    assert ric.is_valid(number)
    assert error_code(resident_id_validate, number, today=date(2020, 5, 31)) == (
        "id_number_future_birth"
    )
    assert resident_id_validate(number, today=date(2020, 6, 1)) == number


def test_future_birth_rejected_by_default_today():
    number = with_id_check("11010121000101001")
    assert error_code(resident_id_validate, number) == "id_number_future_birth"


def test_unknown_division_code_rejected():
    for region in ("379999", "000000", "999999"):
        number = with_id_check(f"{region}19900101001")
        assert error_code(resident_id_validate, number) == "id_number_region"


def test_division_code_abolished_before_birth_rejected():
    # 372524 茌平县 was replaced in 1997; nobody born afterwards can carry it.
    assert resident_id_validate(with_id_check("37252419900101001"))
    number = with_id_check("37252420050101001")
    assert not ric.is_valid(number)
    assert error_code(resident_id_validate, number) == "id_number_region"


def test_division_code_created_after_birth_accepted():
    # 371581 临清市 dates from 1997. Someone born in 1985 whose first number was issued after
    # 1997 carries it; stdnum.cn.ric rejects such numbers, we must not.
    number = synthetic_resident_id(region="371581", birth=date(1985, 7, 1), seq=2)
    assert not ric.is_valid(number)
    assert resident_id_validate(number) == number


def test_fifteen_digit_form_becomes_its_eighteen_digit_form():
    # GB 11643-1999: "19" before the two-digit year, then the check character (computed here
    # by python-stdnum, an independent implementation).
    old = "372501850101001"  # 聊城市 (1983-1997), born 1985-01-01
    new = with_id_check("37250119850101001")
    assert resident_id_validate(old) == new
    assert resident_id_validate(f" {old} ") == new
    assert resident_id_validate(new) == new
    assert resident_id_birth_date(old) == date(1985, 1, 1)
    assert resident_id_mask(old) == "372501*****1001"  # masks what it is given


@settings(max_examples=200, deadline=None)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    seq=st.integers(0, 999),
)
def test_every_fifteen_digit_number_is_the_same_person_as_its_eighteen_digit_form(birth, seq):
    old = f"110101{birth:%y%m%d}{seq:03d}"
    new = resident_id_validate(old)
    assert new == with_id_check(f"110101{birth:%Y%m%d}{seq:03d}")
    assert ric.is_valid(new) and resident_id_validate(new) == new


def test_fifteen_digit_form_checks_date_and_region():
    assert error_code(resident_id_validate, "372501850230001") == "id_number_birth_date"
    assert error_code(resident_id_validate, "379999850101001") == "id_number_region"
    assert error_code(resident_id_validate, "37250185010100X") == "id_number_format"


def test_birth_date_of_invalid_number_raises():
    assert error_code(resident_id_birth_date, "371581199902300011") == "id_number_birth_date"


def test_resident_id_mask():
    assert resident_id_mask("371581200001010012") == "371581********0012"
    assert resident_id_mask(" 37150220050201000x ") == "371502********000X"
    assert resident_id_mask("12345") == "*****"
    assert resident_id_mask("") == ""


def test_error_is_a_value_error_and_pickles():
    err = IdentifierError("id_number_checksum", "身份证号码校验位错误")
    assert isinstance(err, ValueError)
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.code, copy.message) == (err.code, err.message)


def test_messages_do_not_repeat_the_number():
    number = synthetic_resident_id(region="371581", birth=date(2000, 1, 1))
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(IdentifierError) as info:
        resident_id_validate(wrong)
    assert number[:17] not in info.value.message


# --- unified social credit code ------------------------------------------------------------------


def test_known_valid_uscc():
    assert uscc_validate("91110000600037341L") == "91110000600037341L"
    assert uscc_validate(" 91110000600037341l\t") == "91110000600037341L"


def test_synthetic_uscc_is_valid_for_us_and_stdnum():
    code = synthetic_uscc(region="371500", seq=1)
    assert code.startswith("91371500" + "00000001")
    assert uscc_validate(code) == code
    assert uscc.is_valid(code)
    assert code == with_uscc_weights_check(code[:17])


def test_uscc_wrong_check_character():
    code = synthetic_uscc(region="371500", seq=7)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert error_code(uscc_validate, wrong) == "uscc_checksum"


@pytest.mark.parametrize("first", ["A", "N", "Y"])
def test_uscc_with_letter_registration_department_accepted(first):
    code = with_uscc_weights_check(f"{first}1371500MA3C00001")
    assert not uscc.is_valid(code)  # python-stdnum wrongly rejects these
    assert uscc_validate(code) == code
    assert uscc_validate(code.lower()) == code


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_uscc_forbidden_letters_rejected(letter):
    valid = with_uscc_weights_check("91371500MA3C00001")
    assert uscc_validate(valid) == valid
    assert error_code(uscc_validate, valid[:12] + letter + valid[13:]) == "uscc_format"
    assert error_code(uscc_validate, valid[:17] + letter) == "uscc_format"
    assert error_code(uscc_validate, letter + valid[1:]) == "uscc_format"


@pytest.mark.parametrize(
    "value",
    ["", "9111000060003734", "91110000600037341LL", "9A110000600037341L"[:2] + "A" * 16],
)
def test_uscc_bad_length_or_shape(value):
    assert error_code(uscc_validate, value) == "uscc_format"


def test_uscc_division_part_must_be_digits():
    code = with_uscc_weights_check("9137A500MA3C00001")
    assert error_code(uscc_validate, code) == "uscc_format"


@pytest.mark.parametrize("sep", ["-", " ", "\u3000"])
def test_uscc_inner_separators_rejected(sep):
    assert error_code(uscc_validate, f"91110000{sep}600037341L") == "uscc_format"


def test_uscc_mask():
    assert uscc_mask("91110000600037341L") == "911100********341L"
    assert uscc_mask(" 91110000600037341l ") == "911100********341L"


def test_synthetic_uscc_rejects_bad_arguments():
    with pytest.raises(ValueError):
        synthetic_uscc(region="371500", seq=-1)
    with pytest.raises(ValueError):
        synthetic_uscc(region="3715", seq=1)


# --- properties ------------------------------------------------------------------------------------

regions = st.sampled_from(STABLE_REGIONS + LOCAL_REGIONS)
births = st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31))


@settings(database=None, max_examples=300)
@given(region=regions, birth=births, seq=st.integers(min_value=0, max_value=9))
def test_property_synthetic_resident_id(region, birth, seq):
    number = synthetic_resident_id(region=region, birth=birth, seq=seq)
    assert resident_id_validate(number) == number
    assert resident_id_birth_date(number) == birth
    assert number[14:17] == f"00{seq}"
    if region in STABLE_REGIONS or birth.year >= 1997:
        assert ric.is_valid(number)
    for other in "0123456789X":
        if other != number[17]:
            changed = number[:17] + other
            assert error_code(resident_id_validate, changed) == "id_number_checksum"


@settings(database=None, max_examples=300)
@given(
    region=regions,
    birth=births,
    seq=st.integers(min_value=0, max_value=9),
    position=st.integers(min_value=0, max_value=16),
    digit=st.sampled_from("0123456789"),
)
def test_property_any_single_digit_change_is_rejected(region, birth, seq, position, digit):
    number = synthetic_resident_id(region=region, birth=birth, seq=seq)
    if number[position] == digit:
        return
    changed = number[:position] + digit + number[position + 1 :]
    with pytest.raises(IdentifierError):
        resident_id_validate(changed)


@settings(database=None, max_examples=300)
@given(
    region=st.sampled_from(STABLE_REGIONS + LOCAL_REGIONS + ["371500", "370000"]),
    seq=st.integers(min_value=0, max_value=10**8 - 1),
    position=st.integers(min_value=0, max_value=17),
    char=st.sampled_from(USCC_ALPHABET),
)
def test_property_synthetic_uscc(region, seq, position, char):
    code = synthetic_uscc(region=region, seq=seq)
    assert uscc_validate(code) == code
    assert uscc.is_valid(code)  # digit-first codes: stdnum and we agree
    assert code == with_uscc_weights_check(code[:17])
    for other in USCC_ALPHABET:
        if other != code[17]:
            assert error_code(uscc_validate, code[:17] + other) == "uscc_checksum"
    # Any single substitution anywhere is caught (weights are all coprime to 31).
    if code[position] != char:
        changed = code[:position] + char + code[position + 1 :]
        with pytest.raises(IdentifierError):
            uscc_validate(changed)


@settings(database=None, max_examples=300)
@given(
    first=st.sampled_from(USCC_ALPHABET[1:]),
    kind=st.sampled_from("123456789"),
    org=st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
def test_property_uscc_check_character_matches_stdnum(first, kind, org):
    code = with_uscc_weights_check(f"{first}{kind}371500{org}")
    assert uscc_validate(code) == code
    assert uscc.calc_check_digit(code) == code[17]
