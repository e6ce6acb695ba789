"""Accessibility fixes of the web pages: the skip link, words beside colours (met / missed,
better / worse), the wallboard's live state, the charts' names and table links."""

TEXT: dict[str, tuple[str, str]] = {
    "Skip to content": ("Перейти к содержимому", "Перейти до вмісту"),
    "met": ("выполнена", "досягнута"),
    "missed": ("не выполнена", "не досягнута"),
    "better": ("лучше", "краще"),
    "worse": ("хуже", "гірше"),
    "needs attention": ("требует внимания", "потребує уваги"),
    "Live: the numbers update by themselves.": (
        "Онлайн: цифры обновляются сами.", "Онлайн: цифри оновлюються самі."),
    "Not live: the connection to the server was lost; reconnecting…": (
        "Не онлайн: соединение с сервером потеряно; переподключение…",
        "Не онлайн: з'єднання з сервером втрачено; перепідключення…"),
    "Keys while the focus is in the player:": (
        "Клавиши, когда фокус в плеере:", "Клавіші, коли фокус у плеєрі:"),
    "Chart": ("График", "Графік"),
    "The same numbers as a table": ("Те же цифры таблицей", "Ті самі цифри таблицею"),
}
