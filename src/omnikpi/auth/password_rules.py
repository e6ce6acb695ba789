"""Which passwords an account may not have.

Length alone let ``password1``, ``12345678``, the account's own name and the example
line of our README through: the first guesses of anyone who finds an OmniKPI login page.
The rules follow NIST SP 800-63B §5.1.1.2 — at least 8 characters, no composition rules,
and a refusal of values that are commonly used, expected or context-specific — with the
list kept short and local (no network at run time): words that head every public list
of leaked passwords, a center's own words, and the passwords of our documentation.
"""

from __future__ import annotations

import re

from omnikpi.errors import UsageError

MIN_PASSWORD = 8

COMMON = frozenset((
    "password", "passwort", "passwd", "pass", "pa$$word", "p@ssword", "p@ssw0rd",
    "passw0rd", "motdepasse", "contrasena", "parol", "пароль", "пароль123", "йцукен",
    "йцукенгш", "qwerty", "qwertz", "azerty", "qwertyuiop", "asdfghjkl", "zxcvbnm",
    "qazwsx", "1qaz2wsx", "zaq12wsx", "1q2w3e4r", "1q2w3e4r5t", "1q2w3e", "abc", "abcd",
    "abc123", "iloveyou", "letmein", "welcome", "admin", "administrator", "root", "toor",
    "guest", "user", "test", "tester", "testing", "login", "access", "secret", "changeme",
    "default", "temp", "temporary", "nopassword", "mypassword", "newpassword",
    "oldpassword", "yourpassword", "master", "monkey", "dragon", "football", "baseball",
    "soccer", "hockey", "sunshine", "princess", "shadow", "superman", "batman", "trustno",
    "whatever", "michael", "jennifer", "jessica", "ashley", "daniel", "charlie", "thomas",
    "tigger", "buster", "killer", "hunter", "ranger", "freedom", "starwars", "pokemon",
    "matrix", "mustang", "cheese", "cookie", "chocolate", "flower", "love", "lovely",
    "babygirl", "computer", "internet", "google", "samsung", "microsoft", "windows",
    "linux", "summer", "winter", "spring", "autumn", "hello", "omnikpi", "callcenter",
    "contactcenter", "helpdesk", "support", "service", "operator", "supervisor", "manager",
    "agent", "client", "company", "office", "kyiv", "kiev", "lviv", "ukraine", "moscow",
    # the passwords our README and docs show (a copied line must not become an admin's
    # password), and the most quoted example of a passphrase
    "a long password", "another password", "another one", "and another",
    "a new long password", "correct horse battery staple",
))
"""Lower-case; a password is refused when it is one of these, or is one once digits,
symbols and spaces are taken off both (``_core``)."""


def _core(text: str) -> str:
    """Lower case, without spaces, digits and symbols at either end: ``Password2024!``,
    ``1password`` and ``pass word`` are all ``password``."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text.casefold()).replace(" ", "")


_CORES = frozenset(filter(None, map(_core, COMMON)))

KEYBOARD_RUNS = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl",
                 "zxcvbnm", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
"""Rows a finger slides along: any stretch of one, forwards or backwards, is refused."""


def check_password(password: str, username: str) -> None:
    """Raise a usage error saying why ``password`` may not be ``username``'s password."""
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password needs at least {MIN_PASSWORD} characters")
    folded, core = password.casefold(), _core(password)
    advice = "; a few unrelated words make a long password that is easy to remember"
    if folded in COMMON or core in _CORES:
        raise UsageError("this password is among the first ones anybody would try"
                         + advice)
    name = username.casefold()
    if folded == name or core == name or (len(name) >= 4 and name in folded):
        raise UsageError("the password may not contain the user name" + advice)
    if len(set(folded)) <= 2:
        raise UsageError("the password repeats one or two characters" + advice)
    squeezed = folded.replace(" ", "")
    for run in KEYBOARD_RUNS:
        if squeezed in run * 2 or squeezed in run[::-1] * 2:
            raise UsageError("the password is a row of the keyboard or of the alphabet"
                             + advice)
