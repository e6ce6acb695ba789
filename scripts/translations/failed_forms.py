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
    # pydantic's refusals on a page (omnikpi.web.page_errors.REASONS)
    "{field} has {length} characters: at most {limit} are allowed. Shorten it and send "
    "again.": (
        "{field}: {length} символов, а можно не больше {limit}. Сократите и отправьте снова.",
        "{field}: {length} символів, а можна не більше {limit}. Скоротіть і надішліть знову."),
    "{field} has {length} entries: at most {limit} are allowed.": (
        "{field}: {length} значений, а можно не больше {limit}.",
        "{field}: {length} значень, а можна не більше {limit}."),
    "{field} is needed: fill it in and send again.": (
        "{field}: поле обязательно, заполните его и отправьте снова.",
        "{field}: поле обов’язкове, заповніть його й надішліть знову."),
    "{field}: “{value}” is not a whole number.": (
        "{field}: «{value}» — не целое число.",
        "{field}: «{value}» — не ціле число."),
    "{field}: “{value}” is not a number.": (
        "{field}: «{value}» — не число.",
        "{field}: «{value}» — не число."),
    "{field}: “{value}” must be more than {limit}.": (
        "{field}: «{value}» должно быть больше {limit}.",
        "{field}: «{value}» має бути більше {limit}."),
    "{field}: “{value}” must be at least {limit}.": (
        "{field}: «{value}» должно быть не меньше {limit}.",
        "{field}: «{value}» має бути не менше {limit}."),
    "{field}: “{value}” must be less than {limit}.": (
        "{field}: «{value}» должно быть меньше {limit}.",
        "{field}: «{value}» має бути менше {limit}."),
    "{field}: “{value}” must be at most {limit}.": (
        "{field}: «{value}» должно быть не больше {limit}.",
        "{field}: «{value}» має бути не більше {limit}."),
    "Go back to the form, change the values and send it again.": (
        "Вернитесь к форме, исправьте значения и отправьте её снова.",
        "Поверніться до форми, виправте значення й надішліть її знову."),
}
