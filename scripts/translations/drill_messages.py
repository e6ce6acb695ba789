"""The drill-down page's error sentences, and a parameter's refused value
(``web/page_errors.py``)."""

TEXT: dict[str, tuple[str, str]] = {
    "No rows: the data has nothing for this period and these filters. Choose another "
    "period, or fewer filters.": (
        "Строк нет: в данных ничего нет за этот период с этими фильтрами. Выберите другой "
        "период или меньше фильтров.",
        "Рядків немає: у даних нічого немає за цей період із цими фільтрами. Виберіть інший "
        "період або менше фільтрів."),
    "There is no saved report “{value}”: choose one of your saved reports.": (
        "Сохранённого отчёта «{value}» нет: выберите один из своих сохранённых отчётов.",
        "Збереженого звіту «{value}» немає: виберіть один зі своїх збережених звітів."),
    "This server computes on {engine}: the engine is chosen when the server starts, not in "
    "the page's address.": (
        "Этот сервер считает на {engine}: движок выбирается при запуске сервера, а не в "
        "адресе страницы.",
        "Цей сервер рахує на {engine}: рушій вибирається під час запуску сервера, а не в "
        "адресі сторінки."),
    "Choose the file's format: CSV, XLSX or PDF.": (
        "Выберите формат файла: CSV, XLSX или PDF.",
        "Виберіть формат файлу: CSV, XLSX або PDF."),
    "{field}: the value holds a NUL character (an invisible control character): type it "
    "again without it.": (
        "{field}: значение содержит символ NUL (невидимый управляющий символ): введите его "
        "заново без этого символа.",
        "{field}: значення містить символ NUL (невидимий керівний символ): введіть його "
        "знову без цього символу."),
    "with a survey answer": ("с ответом на опрос", "з відповіддю на опитування"),
    "with a csat, nps or ces answer": ("с ответом csat, nps или ces",
                                       "з відповіддю csat, nps або ces"),
    "sold by as-of": ("продан к моменту as-of", "продано на момент as-of"),
    "lead sold": ("лид продан", "лід продано"),
    "survey answered": ("ответ на опрос получен", "відповідь на опитування отримано"),
    "Parameter {name}: “{value}” is not a valid value (a finite number from {least} to "
    "{most}).": (
        "Параметр {name}: «{value}» — недопустимое значение: укажите число от {least} до "
        "{most}.",
        "Параметр {name}: «{value}» — неприпустиме значення: вкажіть число від {least} до "
        "{most}."),
    "Parameter {name}: “{value}” is not a valid value (a whole number from {least} to "
    "{most}).": (
        "Параметр {name}: «{value}» — недопустимое значение: укажите целое число от "
        "{least} до {most}.",
        "Параметр {name}: «{value}» — неприпустиме значення: вкажіть ціле число від "
        "{least} до {most}."),
    "Parameter {name}: “{value}” is not a valid value (true or false).": (
        "Параметр {name}: «{value}» — недопустимое значение: укажите 1 (да) или 0 (нет).",
        "Параметр {name}: «{value}» — неприпустиме значення: вкажіть 1 (так) або 0 (ні)."),
    "Parameter {name}: “{value}” is not a valid value: choose one of {choices}.": (
        "Параметр {name}: «{value}» — недопустимое значение: выберите одно из значений "
        "{choices}.",
        "Параметр {name}: «{value}» — неприпустиме значення: виберіть одне зі значень "
        "{choices}."),
    "The rows cannot be sorted by “{value}”: click the heading of a column of the table to "
    "sort by it.": (
        "Строки нельзя упорядочить по «{value}»: чтобы упорядочить строки по столбцу, "
        "нажмите на его заголовок в таблице.",
        "Рядки не можна впорядкувати за «{value}»: щоб упорядкувати рядки за стовпцем, "
        "натисніть на його заголовок у таблиці."),
    "The page number must be from 1 to {pages} and the page size from 1 to {size}.": (
        "Номер страницы — от 1 до {pages}, размер страницы — от 1 до {size}.",
        "Номер сторінки — від 1 до {pages}, розмір сторінки — від 1 до {size}."),
    "Choose which rows to show: all rows, the numerator, the denominator or the excluded "
    "rows.": (
        "Выберите, какие строки показать: все строки, числитель, знаменатель или "
        "исключённые строки.",
        "Виберіть, які рядки показати: усі рядки, чисельник, знаменник або виключені "
        "рядки."),
    "“{value}” does not name a row of the figure: choose a row in the table of figures.": (
        "«{value}» не называет строку показателя: выберите строку в таблице значений.",
        "«{value}» не називає рядок показника: виберіть рядок у таблиці значень."),
    "{metric} has no column “{name}” to choose its rows by: choose a row in the table of "
    "figures.": (
        "У показателя «{metric}» нет столбца «{name}», по которому выбираются строки: "
        "выберите строку в таблице значений.",
        "У показника «{metric}» немає стовпця «{name}», за яким вибираються рядки: "
        "виберіть рядок у таблиці значень."),
    "{metric} has no rows of “{value}”: its rows are those of {names}.": (
        "У показателя «{metric}» нет строк «{value}»: его строки — это строки {names}.",
        "У показника «{metric}» немає рядків «{value}»: його рядки — це рядки {names}."),
    "{metric} has no parameters: remove the parameter “{name}”.": (
        "У показателя «{metric}» нет параметров: уберите параметр «{name}».",
        "У показника «{metric}» немає параметрів: приберіть параметр «{name}»."),
    "{metric} has no parameter “{name}”: its parameters are {names}.": (
        "У показателя «{metric}» нет параметра «{name}»: его параметры — {names}.",
        "У показника «{metric}» немає параметра «{name}»: його параметри — {names}."),
}
