"""The passwords an account may not have: too short, among the first guesses, the
account's own name, one character repeated, a row of the keyboard."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnikpi.auth.password_rules import COMMON, check_password
from omnikpi.errors import UsageError


@pytest.mark.parametrize(("password", "why"), [
    ("short1!", "at least 8"),
    ("Password2024!", "first ones anybody would try"),
    ("1password", "first ones anybody would try"),
    ("P@ssw0rd", "first ones anybody would try"),
    ("Welcome1", "first ones anybody would try"),
    ("пароль123", "first ones anybody would try"),
    ("a long password", "first ones anybody would try"),  # the README's old example
    ("CorrectHorseBatteryStaple", "first ones anybody would try"),
    ("maria.kovalenko", "user name"),
    ("Maria.Kovalenko1", "user name"),
    ("aaaaaaaa", "repeats one or two"),
    ("abababab", "repeats one or two"),
    ("12345678", "row of the keyboard"),
    ("9876543210", "row of the keyboard"),
    ("qwertyui", "row of the keyboard"),
    ("lkjhgfds", "row of the keyboard"),
    ("bcdefghijk", "row of the keyboard"),
    ("90123456", "row of the keyboard"),  # round the end of the digits row
])
def test_a_guessable_password_is_refused_with_its_reason(password: str, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        check_password(password, "maria.kovalenko")


@pytest.mark.parametrize("password", [
    "plum tractor velvet", "s3cret-enough", "Tom likes atomic jazz",  # "tom" is too short
    "ledger-owl-123", "зелений трактор",
])
def test_a_reasonable_password_is_accepted(password: str) -> None:
    check_password(password, "tom")


@given(st.sampled_from(sorted(COMMON)), st.text("0123456789!?.#-_ ", max_size=6),
       st.text("0123456789!?.#-_ ", max_size=6), st.booleans())
def test_a_common_password_stays_refused_whatever_is_put_around_it(
        word: str, before: str, after: str, upper: bool) -> None:
    password = before + (word.upper() if upper else word) + after
    with pytest.raises(UsageError):
        check_password(password, "someone")


@given(st.text(min_size=8, max_size=40))
def test_the_check_either_accepts_or_says_why(password: str) -> None:
    try:
        check_password(password, "someone")
    except UsageError as exc:
        assert str(exc).startswith("the password") or "anybody would try" in str(exc)
    else:
        assert len(password) >= 8
