"""Scheduled reports' delivery: the schedule's language, partly sent runs and the run
messages of the mail server, the webhook, the owner and the saved report."""

TEXT: dict[str, tuple[str, str]] = {
    "language": ("язык", "мова"),
    "partly sent": ("отправлен частично", "надіслано частково"),
    "The OmniKPI report “{name}” for {period} ({tz}) is attached as {filename}.": (
        "Отчёт OmniKPI «{name}» за {period} ({tz}) во вложении: {filename}.",
        "Звіт OmniKPI «{name}» за {period} ({tz}) у вкладенні: {filename}."),
    "sent to {who} earlier; {rest}": ("ранее отправлен: {who}; {rest}",
                                      "раніше надіслано: {who}; {rest}"),
    "e-mailed to {who}; {had} had it already": (
        "отправлен по почте: {who}; уже получили ранее: {had}",
        "надіслано поштою: {who}; вже отримали раніше: {had}"),
    "every recipient had it already: {who}": (
        "все получатели уже получили его: {who}", "усі отримувачі вже отримали його: {who}"),
    "the webhook {host} did not take the file (attempts: {tries}): {problem}": (
        "вебхук {host} не принял файл (попыток: {tries}): {problem}",
        "вебхук {host} не прийняв файл (спроб: {tries}): {problem}"),
    "the webhook's host “{host}” is not known to the name server": (
        "хост вебхука «{host}» неизвестен DNS-серверу",
        "хост вебхука «{host}» невідомий DNS-серверу"),
    "sent to {who}; the mail server {where} refused {refused}": (
        "отправлен: {who}; почтовый сервер {where} отказал: {refused}",
        "надіслано: {who}; поштовий сервер {where} відмовив: {refused}"),
    "the mail server {where} refused every recipient: {refused}": (
        "почтовый сервер {where} отказал всем получателям: {refused}",
        "поштовий сервер {where} відмовив усім отримувачам: {refused}"),
    "the mail server {where} refused the message: {reply} (the file is {size} kB)": (
        "почтовый сервер {where} не принял письмо: {reply} (файл — {size} КБ)",
        "поштовий сервер {where} не прийняв лист: {reply} (файл — {size} КБ)"),
    "the mail server {where} refused the message: {reply}": (
        "почтовый сервер {where} не принял письмо: {reply}",
        "поштовий сервер {where} не прийняв лист: {reply}"),
    "the mail server {where} answered {reply}: it is tried again later": (
        "почтовый сервер {where} ответил {reply}: отправка повторится позже",
        "поштовий сервер {where} відповів {reply}: надсилання повториться пізніше"),
    "the mail server {where} refused the login of {user} ({code}): the administrator "
    "checks the [email] settings": (
        "почтовый сервер {where} не принял вход {user} ({code}): администратор проверяет "
        "раздел [email] настроек",
        "поштовий сервер {where} не прийняв вхід {user} ({code}): адміністратор перевіряє "
        "розділ [email] налаштувань"),
    "the mail server {where} timed out: the message was not sent within {seconds} s": (
        "почтовый сервер {where} не ответил вовремя: письмо не отправлено за {seconds} с",
        "поштовий сервер {where} не відповів вчасно: лист не надіслано за {seconds} с"),
    "the mail server {where} failed: {error}": (
        "сбой почтового сервера {where}: {error}", "збій поштового сервера {where}: {error}"),
    "cannot reach the mail server {where}: {error}": (
        "нет связи с почтовым сервером {where}: {error}",
        "немає зв'язку з поштовим сервером {where}: {error}"),
    "the schedule's owner “{owner}” no longer exists or is disabled: the schedule does "
    "not run": (
        "владельца расписания «{owner}» больше нет или он отключён: расписание не "
        "выполняется",
        "власника розкладу «{owner}» більше немає або його вимкнено: розклад не "
        "виконується"),
    "the owner “{owner}” no longer belongs to tenant “{tenant}”: the schedule does not "
    "run": (
        "владелец «{owner}» больше не относится к клиенту «{tenant}»: расписание не "
        "выполняется",
        "власник «{owner}» більше не належить до клієнта «{tenant}»: розклад не "
        "виконується"),
    "the saved report of this schedule no longer reads ({problem}): choose its report "
    "again (Edit)": (
        "сохранённый отчёт этого расписания больше не читается ({problem}): выберите "
        "отчёт заново («Изменить»)",
        "збережений звіт цього розкладу більше не читається ({problem}): виберіть звіт "
        "знову («Змінити»)"),
    "cannot write into the folder {folder}: {error}": (
        "не удаётся записать в папку {folder}: {error}",
        "не вдається записати в теку {folder}: {error}"),
    "“{folder}” is a file, not a folder: the reports are written into a folder of that "
    "name": (
        "«{folder}» — файл, а не папка: отчёты записываются в папку с таким именем",
        "«{folder}» — файл, а не тека: звіти записуються в теку з такою назвою"),
    "the schedule names no dataset: the administrator gives the server's dataset or the "
    "schedule's folder": (
        "у расписания нет набора данных: администратор указывает набор данных сервера "
        "или папку расписания",
        "у розкладу немає набору даних: адміністратор вказує набір даних сервера або теку "
        "розкладу"),
}
