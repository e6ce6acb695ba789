"""The wallboard's sentences for a table with no row (a phone shows queues as cards)."""

TEXT: dict[str, tuple[str, str]] = {
    "No queue has contacts or agents today.": (
        "Сегодня ни в одной очереди нет обращений и операторов.",
        "Сьогодні в жодній черзі немає звернень і операторів."),
    "No agent is logged in.": ("Ни один оператор не в системе.",
                               "Жоден оператор не в системі."),
    "No chat is open.": ("Нет открытых чатов.", "Немає відкритих чатів."),
}
