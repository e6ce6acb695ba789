"""A QA form sent without a name is refused with the form kept as typed."""

TEXT: dict[str, tuple[str, str]] = {
    "A form needs a name: evaluators choose the form by it.": (
        "Форме нужно название: по нему оценщики выбирают форму.",
        "Формі потрібна назва: за нею оцінювачі обирають форму."),
}
