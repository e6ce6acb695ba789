"""The header's language links and the refusal of a page address that gives a one-value
parameter twice (``/?grain=day&grain=hour``)."""

TEXT: dict[str, tuple[str, str]] = {
    "The address gives “{name}” more than one value ({values}): keep one of them.": (
        "В адресе параметр «{name}» указан с разными значениями ({values}): оставьте одно "
        "из них.",
        "В адресі параметр «{name}» вказано з різними значеннями ({values}): залиште одне "
        "з них."),
}
