"""A parameter given twice with two values (a URL or a saved report's query)."""

TEXT: dict[str, tuple[str, str]] = {
    "Parameter {name} is given twice, as “{first}” and “{second}”: give it once.": (
        "Параметр {name} задан дважды, как «{first}» и «{second}»: задайте его один раз.",
        "Параметр {name} задано двічі, як «{first}» і «{second}»: задайте його один раз."),
}
