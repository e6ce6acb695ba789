"""The QA page's lists say they are empty instead of showing bare headers."""

TEXT: dict[str, tuple[str, str]] = {
    "No sample drawn yet: the form below draws one.": (
        "Выборок пока нет: форма ниже делает выборку.",
        "Вибірок поки немає: форма нижче робить вибірку."),
    "No evaluation yet.": ("Оценок пока нет.", "Оцінок поки немає."),
    "No evaluation of your contacts yet.": (
        "Ваши обращения пока не оценивали.", "Ваші звернення поки не оцінювали."),
    "No form yet: an evaluation needs one; add it under “New form or new version” below.": (
        "Анкет пока нет, а оценке нужна анкета: добавьте её в разделе «Новая анкета или "
        "версия» ниже.",
        "Анкет поки немає, а оцінюванню потрібна анкета: додайте її в розділі «Нова анкета "
        "або версія» нижче."),
    "No calibration session yet.": (
        "Сессий калибровки пока нет.", "Сесій калібрування поки немає."),
}
