"""Forms refused when sent that keep their page: the report builder's "Save as" name."""

TEXT: dict[str, tuple[str, str]] = {
    "Type a name to save the report under.": (
        "Введите название, под которым сохранить отчёт.",
        "Введіть назву, під якою зберегти звіт."),
    "The name has {length} characters: a report name has at most {limit}. Shorten it and "
    "save again.": (
        "В названии {length} символов, а в названии отчёта их может быть не больше {limit}. "
        "Сократите его и сохраните снова.",
        "У назві {length} символів, а в назві звіту їх може бути не більше {limit}. "
        "Скоротіть її та збережіть знову."),
    "The name holds a control or invisible character: type it again without it.": (
        "В названии есть управляющий или невидимый символ: введите его заново без этого "
        "символа.",
        "У назві є керівний або невидимий символ: введіть її заново без цього символу."),
    "A report name needs at least one letter or digit.": (
        "В названии отчёта должна быть хотя бы одна буква или цифра.",
        "У назві звіту має бути хоча б одна літера або цифра."),
}
