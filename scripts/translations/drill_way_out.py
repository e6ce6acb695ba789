"""The drill-down's way out of a value its form cannot change (a metric, a parameter)."""

TEXT: dict[str, tuple[str, str]] = {
    "Or start again from this metric's figure": (
        "Или начните заново с показателя этой метрики",
        "Або почніть заново з показника цієї метрики"),
    "Or choose a figure on the dashboard": (
        "Или выберите показатель на панели",
        "Або виберіть показник на панелі"),
}
