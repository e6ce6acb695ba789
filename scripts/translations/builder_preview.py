"""The report builder's preview asked for without a metric."""

TEXT: dict[str, tuple[str, str]] = {
    "Tick at least one metric to see the report.": (
        "Отметьте хотя бы один показатель, чтобы увидеть отчёт.",
        "Позначте принаймні один показник, щоб побачити звіт."),
}
