"""Validation problems on the data-quality page (``web/problem_texts.py``): the templates
of ``schema/problem_messages.py`` and the phrases of ours filled into them."""

TEXT: dict[str, tuple[str, str]] = {
    "NUL byte in a value": ("байт NUL в значении", "байт NUL у значенні"),
    "cannot read {kind} as {type}{expected}": (
        "не удаётся прочитать {kind} как {type}{expected}",
        "не вдається прочитати {kind} як {type}{expected}"),
    "cannot read '{value}' as {type}{expected}": (
        "не удаётся прочитать «{value}» как {type}{expected}",
        "не вдається прочитати «{value}» як {type}{expected}"),
    "missing value (the column is required{why})": (
        "нет значения (столбец обязателен{why})",
        "немає значення (стовпець обов’язковий{why})"),
    "unknown value '{value}' (expected one of: {choices})": (
        "неизвестное значение «{value}» (ожидается одно из: {choices})",
        "невідоме значення «{value}» (очікується одне з: {choices})"),
    "instant outside the years {first}–{last}": (
        "момент времени вне {first}–{last} гг.", "момент часу поза {first}–{last} рр."),
    "negative value {value}": ("отрицательное значение {value}", "від’ємне значення {value}"),
    "value {value} below the minimum {minimum}": (
        "значение {value} меньше минимума {minimum}",
        "значення {value} менше за мінімум {minimum}"),
    "value {value} above the maximum {maximum}": (
        "значение {value} больше максимума {maximum}",
        "значення {value} більше за максимум {maximum}"),
    "infinite value": ("бесконечное значение", "нескінченне значення"),
    "{column} {value} is below {other} {other_value}": (
        "{column} {value} меньше, чем {other} {other_value}",
        "{column} {value} менше, ніж {other} {other_value}"),
    "{column} is before {other}": ("{column} раньше, чем {other}",
                                   "{column} раніше, ніж {other}"),
    "{column} {value} is not above {other} {other_value}{scale}": (
        "{column} {value} не больше, чем {other} {other_value}{scale}",
        "{column} {value} не більше, ніж {other} {other_value}{scale}"),
    "duplicate {key} '{value}' (first seen at {first_file} row {first_row})": (
        "повтор {key} «{value}» (впервые: {first_file}, запись {first_row})",
        "повтор {key} «{value}» (уперше: {first_file}, запис {first_row})"),
    "overlaps an earlier {table} row of {group} '{value}' that ends at {end} (it would be "
    "counted twice)": (
        "пересекается с более ранней строкой {table} для {group} «{value}», которая "
        "заканчивается в {end} (время учлось бы дважды)",
        "перетинається з ранішим рядком {table} для {group} «{value}», що закінчується о "
        "{end} (час урахувався б двічі)"),
    "required column is missing": ("нет обязательного столбца", "немає обов’язкового стовпця"),
    "required column is missing (the file has {near}: column names are exact, lower case)": (
        "нет обязательного столбца (в файле есть {near}: имена столбцов пишутся точно, "
        "строчными буквами)",
        "немає обов’язкового стовпця (у файлі є {near}: назви стовпців пишуться точно, "
        "малими літерами)"),
    "the file is empty: not even a header line (it needs the columns {columns})": (
        "файл пуст: нет даже строки заголовков (нужны столбцы {columns})",
        "файл порожній: немає навіть рядка заголовків (потрібні стовпці {columns})"),
    " (a scale of one point places no answer on it)": (
        " (на шкале из одной точки ответ не поместить)",
        " (на шкалі з однієї точки відповідь не розмістити)"),
    "a number": ("число", "число"),
    "true/false": ("true/false", "true/false"),
    "a {source} value": ("значение типа {source}", "значення типу {source}"),
    " (ISO 8601 expected, e.g. 2024-03-05T10:00:00Z)": (
        " (ожидается ISO 8601, напр. 2024-03-05T10:00:00Z)",
        " (очікується ISO 8601, напр. 2024-03-05T10:00:00Z)"),
    " (ISO 8601 date expected, e.g. 2024-03-05)": (
        " (ожидается дата ISO 8601, напр. 2024-03-05)",
        " (очікується дата ISO 8601, напр. 2024-03-05)"),
    " (a number expected, e.g. 12.5)": (" (ожидается число, напр. 12.5)",
                                        " (очікується число, напр. 12.5)"),
    " (true/false, 1/0 or yes/no expected)": (" (ожидается true/false, 1/0 или yes/no)",
                                              " (очікується true/false, 1/0 або yes/no)"),
    " (a text or a number expected, not an object or a list: import the export with a "
    "mapping that names the field inside it, see docs/connectors.md)": (
        " (ожидается текст или число, а не объект или список: импортируйте выгрузку с "
        "маппингом, который называет поле внутри него, см. docs/connectors.md)",
        " (очікується текст або число, а не об’єкт чи список: імпортуйте вивантаження з "
        "маппінгом, що називає поле всередині нього, див. docs/connectors.md)"),
    "; a state still going on when the file was exported has no end yet: export closed "
    "intervals, cut at the export time": (
        "; у статуса, который ещё длился при выгрузке файла, конца ещё нет: выгружайте "
        "закрытые интервалы, обрезанные моментом выгрузки",
        "; у статусу, що ще тривав під час вивантаження файлу, кінця ще немає: "
        "вивантажуйте закриті інтервали, обрізані моментом вивантаження"),
    "line {line} (row {row})": ("строка {line} (запись {row})", "рядок {line} (запис {row})"),
    "row {row}": ("запись {row}", "запис {row}"),
}
