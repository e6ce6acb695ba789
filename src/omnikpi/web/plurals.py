"""A count with its noun in the form the number takes: "1 evaluation", "21 оценка",
"3 оценки", "5 оценок".

The catalogs hold one string per message, so a noun after a count was one fixed
genitive plural: "1 оценок", "2 строк" on Russian and Ukrainian pages, "1 evaluation(s)"
in English. Russian and Ukrainian take three forms (CLDR's one, few, many, chosen by
Babel's plural rules); English two.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

from omnikpi.formatting import count

NOUNS: dict[str, dict[str, tuple[str, ...]]] = {
    "contact(s)": {"en": ("contact", "contacts"),
                   "ru": ("обращение", "обращения", "обращений"),
                   "uk": ("звернення", "звернення", "звернень")},
    "survey answer(s)": {"en": ("survey answer", "survey answers"),
                         "ru": ("ответ на опрос", "ответа на опросы", "ответов на опросы"),
                         "uk": ("відповідь на опитування", "відповіді на опитування",
                                "відповідей на опитування")},
    "state interval(s)": {"en": ("state interval", "state intervals"),
                          "ru": ("интервал статуса", "интервала статусов",
                                 "интервалов статусов"),
                          "uk": ("інтервал статусу", "інтервали статусів",
                                 "інтервалів статусів")},
    "schedule interval(s)": {"en": ("schedule interval", "schedule intervals"),
                             "ru": ("интервал расписания", "интервала расписания",
                                    "интервалов расписания"),
                             "uk": ("інтервал розкладу", "інтервали розкладу",
                                    "інтервалів розкладу")},
    "chat session piece(s)": {"en": ("chat session piece", "chat session pieces"),
                              "ru": ("отрезок чат-сессии", "отрезка чат-сессий",
                                     "отрезков чат-сессий"),
                              "uk": ("відрізок чат-сесії", "відрізки чат-сесій",
                                     "відрізків чат-сесій")},
    "busy interval(s)": {"en": ("busy interval", "busy intervals"),
                         "ru": ("интервал занятости", "интервала занятости",
                                "интервалов занятости"),
                         "uk": ("інтервал зайнятості", "інтервали зайнятості",
                                "інтервалів зайнятості")},
    "dial attempt(s)": {"en": ("dial attempt", "dial attempts"),
                        "ru": ("попытка дозвона", "попытки дозвона", "попыток дозвона"),
                        "uk": ("спроба дозвону", "спроби дозвону", "спроб дозвону")},
    "lead(s)": {"en": ("lead", "leads"), "ru": ("лид", "лида", "лидов"),
                "uk": ("лід", "ліди", "лідів")},
    "evaluation(s)": {"en": ("evaluation", "evaluations"),
                      "ru": ("оценка", "оценки", "оценок"),
                      "uk": ("оцінка", "оцінки", "оцінок")},
    "evaluation item(s)": {"en": ("evaluation item", "evaluation items"),
                           "ru": ("пункт оценки", "пункта оценок", "пунктов оценок"),
                           "uk": ("пункт оцінки", "пункти оцінок", "пунктів оцінок")},
    "cost piece(s)": {"en": ("cost piece", "cost pieces"),
                      "ru": ("часть затрат", "части затрат", "частей затрат"),
                      "uk": ("частина витрат", "частини витрат", "частин витрат")},
    "IVR session(s)": {"en": ("IVR session", "IVR sessions"),
                       "ru": ("сессия IVR", "сессии IVR", "сессий IVR"),
                       "uk": ("сесія IVR", "сесії IVR", "сесій IVR")},
    "message(s)": {"en": ("message", "messages"),
                   "ru": ("сообщение", "сообщения", "сообщений"),
                   "uk": ("повідомлення", "повідомлення", "повідомлень")},
    "row(s)": {"en": ("row", "rows"), "ru": ("строка", "строки", "строк"),
               "uk": ("рядок", "рядки", "рядків")},
}
"""Each noun's forms: English (one, other); Russian and Ukrainian (one, few, many)."""
FORM_INDEX = {"one": 0, "few": 1, "many": 2, "other": 1}


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in ("ru", "uk") else "en")


def noun_for(number: int, noun: str, lang: str) -> str:
    """``noun`` (a key of :data:`NOUNS`) in the form ``number`` takes in ``lang``."""
    forms = NOUNS[noun].get(lang) or NOUNS[noun]["en"]
    form = _locale(lang).plural_form(abs(number))
    if len(forms) == 2:
        return forms[0] if form == "one" else forms[1]
    return forms[FORM_INDEX.get(form, 2)]


def counted(number: int, noun: str, lang: str) -> str:
    """``number`` written as the page writes counts, then its noun in the right form."""
    return f"{count(number, lang)} {noun_for(int(number), noun, lang)}"
