"""Why an import left a line out, on the data-quality page (``web/reject_texts.py``): the
templates of ``schema/reject_reasons.py``, the kinds the page counts by and DuckDB's
kinds of unreadable CSV lines. Asterisk's event names (CONNECT, ENTERQUEUE, …) and the
mapping's keys (``[fields] ts``, ``[roles]``) stay as written: they are what the reader
looks for in the file."""

TEXT: dict[str, tuple[str, str]] = {
    "empty line": ("пустая строка", "порожній рядок"),
    "NUL byte in the line": ("байт NUL в строке", "байт NUL у рядку"),
    "{reason} (not valid UTF-8)": ("{reason} (не UTF-8)", "{reason} (не UTF-8)"),
    "missing or malformed event name": ("нет имени события или оно искажено",
                                        "немає назви події або її спотворено"),
    "fewer than 5 fields": ("меньше 5 полей", "менше 5 полів"),
    "epoch is not a number": ("время (epoch) — не число", "час (epoch) — не число"),
    "time out of range: milliseconds? A queue_log time is seconds since 1970": (
        "время вне допустимого диапазона: миллисекунды? Время в queue_log — секунды с 1970 г.",
        "час поза допустимим діапазоном: мілісекунди? Час у queue_log — секунди з 1970 р."),
    "time out of range": ("время вне допустимого диапазона", "час поза допустимим діапазоном"),
    "malformed CSV row": ("искажённая строка CSV", "спотворений рядок CSV"),
    "wrong number of columns": ("неверное число столбцов", "неправильна кількість стовпців"),
    "unreadable time": ("не удаётся прочитать время", "не вдається прочитати час"),
    "duplicate line": ("повтор строки", "повтор рядка"),
    "older than the last import": ("старше последнего импорта",
                                   "старіший за останній імпорт"),
    "line already imported": ("строка уже импортирована", "рядок уже імпортовано"),
    "agent event without an agent": ("событие оператора без оператора",
                                     "подія оператора без оператора"),
    "unknown event {event}": ("неизвестное событие {event}", "невідома подія {event}"),
    "call event without a callid or a queue": ("событие звонка без callid или очереди",
                                               "подія дзвінка без callid або черги"),
    "CONNECT without ENTERQUEUE (not counted: no arrival known)": (
        "CONNECT без ENTERQUEUE (не учтено: время поступления неизвестно)",
        "CONNECT без ENTERQUEUE (не враховано: час надходження невідомий)"),
    "CONNECT without ENTERQUEUE": ("CONNECT без ENTERQUEUE", "CONNECT без ENTERQUEUE"),
    "second CONNECT for the same visit": ("второй CONNECT того же попадания в очередь",
                                          "другий CONNECT того самого потрапляння в чергу"),
    "AGENTDUMP after CONNECT (Asterisk writes it before the call is bridged)": (
        "AGENTDUMP после CONNECT (Asterisk пишет его до соединения звонка)",
        "AGENTDUMP після CONNECT (Asterisk пише його до з’єднання дзвінка)"),
    "{event} without an open ENTERQUEUE for this call/queue": (
        "{event} без открытого ENTERQUEUE для этого звонка и очереди",
        "{event} без відкритого ENTERQUEUE для цього дзвінка й черги"),
    "{event} after CONNECT": ("{event} после CONNECT", "{event} після CONNECT"),
    "{event} without CONNECT": ("{event} без CONNECT", "{event} без CONNECT"),
    "PAUSEREASON without a pause in progress": ("PAUSEREASON без начатой паузы",
                                                "PAUSEREASON без розпочатої паузи"),
    "{event} ring time is not a number": ("время звонка {event} — не число",
                                          "час дзвону {event} — не число"),
    "{event} ring time out of range": ("время звонка {event} вне допустимого диапазона",
                                       "час дзвону {event} поза допустимим діапазоном"),
    "WRAPUPSTART wrap-up time is not a number of seconds": (
        "время поствызывной обработки WRAPUPSTART — не число секунд",
        "час опрацювання після дзвінка WRAPUPSTART — не число секунд"),
    "{kind}: {message}": ("{kind}: {message}", "{kind}: {message}"),
    "cast": ("значение не приводится к типу", "значення не зводиться до типу"),
    "missing columns": ("не хватает столбцов", "бракує стовпців"),
    "too many columns": ("слишком много столбцов", "забагато стовпців"),
    "unquoted value": ("значение без закрывающей кавычки", "значення без закривальної лапки"),
    "line size over maximum": ("строка длиннее допустимого", "рядок довший за допустимий"),
    "invalid encoding": ("неверная кодировка", "неправильне кодування"),
    "invalid unicode": ("неверный Unicode", "неправильний Unicode"),
    "a field opens a quote that no quote of its record closes (a stray quote): the line "
    "left out": (
        "поле открывает кавычку, которую не закрывает ни одна кавычка записи (лишняя "
        "кавычка): строка пропущена",
        "поле відкриває лапку, яку не закриває жодна лапка запису (зайва лапка): рядок "
        "пропущено"),
    "a field opens a quote that no quote of its record closes": (
        "поле открывает кавычку, которую не закрывает ни одна кавычка записи",
        "поле відкриває лапку, яку не закриває жодна лапка запису"),
    "not JSON: {message}": ("не JSON: {message}", "не JSON: {message}"),
    "not JSON": ("не JSON", "не JSON"),
    "not a record: {message}": ("не запись: {message}", "не запис: {message}"),
    "not a record": ("не запись", "не запис"),
    "{field} could not be read (the first such value: {value}): the message left out": (
        "не удаётся прочитать {field} (первое такое значение: {value}): сообщение пропущено",
        "не вдається прочитати {field} (перше таке значення: {value}): повідомлення "
        "пропущено"),
    "{field} could not be read": ("не удаётся прочитать {field}",
                                  "не вдається прочитати {field}"),
    "no conversation ([fields] conversation = {value} is empty): the message left out": (
        "нет диалога ([fields] conversation = {value} пусто): сообщение пропущено",
        "немає діалогу ([fields] conversation = {value} порожнє): повідомлення пропущено"),
    "no conversation": ("нет диалога", "немає діалогу"),
    "no time ([fields] ts = {value} is empty or not a time): the message left out": (
        "нет времени ([fields] ts = {value} пусто или не время): сообщение пропущено",
        "немає часу ([fields] ts = {value} порожнє або не час): повідомлення пропущено"),
    "no time": ("нет времени", "немає часу"),
    "no role ([fields] role = {value} is empty): the message left out": (
        "нет роли ([fields] role = {value} пусто): сообщение пропущено",
        "немає ролі ([fields] role = {value} порожнє): повідомлення пропущено"),
    "no role": ("нет роли", "немає ролі"),
    "a role that is not customer, agent, bot or system ({value}: name it in [roles]): the "
    "message left out": (
        "роль не customer, agent, bot или system ({value}: назовите её в [roles]): "
        "сообщение пропущено",
        "роль не customer, agent, bot чи system ({value}: назвіть її в [roles]): "
        "повідомлення пропущено"),
    "a role that is not customer, agent, bot or system": (
        "роль не customer, agent, bot или system", "роль не customer, agent, bot чи system"),
}

TEXT.update({  # why a file of the folder is not read (schema/files.py UNREAD_TEMPLATES)
    "not a format OmniKPI reads ({formats}): save it as CSV or Parquet": (
        "OmniKPI не читает этот формат (читает: {formats}): сохраните файл как CSV или "
        "Parquet",
        "OmniKPI не читає цей формат (читає: {formats}): збережіть файл як CSV або "
        "Parquet"),
    "not a table of the data model: did you mean {table}?": (
        "не таблица модели данных: может быть, {table}?",
        "не таблиця моделі даних: можливо, {table}?"),
    "a configuration, not a table: a report reads it with --config": (
        "конфигурация, а не таблица: отчёт читает её с --config",
        "конфігурація, а не таблиця: звіт читає її з --config"),
    "not a table of the data model (see docs/data-model.md)": (
        "не таблица модели данных (см. docs/data-model.md)",
        "не таблиця моделі даних (див. docs/data-model.md)"),
})
