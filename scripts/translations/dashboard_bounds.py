"""The dashboard's bounds: how many values one filter may hold (``web/deps.py``)."""

TEXT: dict[str, tuple[str, str]] = {
    "{field}: {count} values chosen; a filter takes at most {limit} values at once. "
    "Choose fewer values.": (
        "{field}: выбрано значений — {count}, а в одном фильтре их может быть не больше "
        "{limit}. Выберите меньше значений.",
        "{field}: вибрано значень — {count}, а в одному фільтрі їх може бути не більше "
        "{limit}. Виберіть менше значень."),
}
