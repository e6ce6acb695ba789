"""The sentence of an exported file with no figure at all (an empty XLSX or PDF)."""

TEXT: dict[str, tuple[str, str]] = {
    "No figures: nothing in the data falls in this period with these filters (see "
    "Period, As of and Filters above).": (
        "Показателей нет: в данных нет ничего за этот период с этими фильтрами (см. "
        "«Период», «На момент» и «Фильтры» выше).",
        "Показників немає: у даних немає нічого за цей період із цими фільтрами (див. "
        "«Період», «На момент» і «Фільтри» вище)."),
}
