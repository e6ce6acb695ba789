"""Refusals of the planning pages: the staffing calculator asked for a kind it has not."""

TEXT: dict[str, tuple[str, str]] = {
    "There is no such kind of work: the calls are shown (the tabs above choose chats, "
    "e-mail or the day plan).": (
        "Такого вида работы нет: показаны звонки (вкладки выше выбирают чаты, эл. почту "
        "или план дня).",
        "Такого виду роботи немає: показано дзвінки (вкладки вище обирають чати, ел. пошту "
        "або план дня)."),
}
