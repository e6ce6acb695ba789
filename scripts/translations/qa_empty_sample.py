"""A QA sample that draws nothing is refused, not saved as "0 of 0"."""

TEXT: dict[str, tuple[str, str]] = {
    "No handled contact in this period to sample: nothing was saved. Choose another "
    "period.": (
        "В этом периоде нет обработанных обращений для выборки: ничего не сохранено. "
        "Выберите другой период.",
        "У цьому періоді немає оброблених звернень для вибірки: нічого не збережено. "
        "Оберіть інший період."),
    "None of the {count} handled contacts of this period was drawn (the evaluator's "
    "earlier samples had them, or the rate with no minimum per agent draws none): "
    "nothing was saved.": (
        "Ни одно из {count} обработанных обращений этого периода не попало в выборку (они "
        "были в прежних выборках оценщика, или доля без минимума на оператора не даёт ни "
        "одного): ничего не сохранено.",
        "Жодне з {count} оброблених звернень цього періоду не потрапило до вибірки (вони "
        "були в попередніх вибірках оцінювача, або частка без мінімуму на оператора не дає "
        "жодного): нічого не збережено."),
}
