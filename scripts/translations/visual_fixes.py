"""Visual fixes of the wallboard, TV mode, alerts, builder and the work schedule page."""

TEXT: dict[str, tuple[str, str]] = {
    # the work schedule's coverage chart: its y axis
    "agents at work": ("операторов на работе", "операторів на роботі"),
}
