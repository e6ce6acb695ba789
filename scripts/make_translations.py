"""Write the web UI's gettext catalogs (src/omnikpi/web/locale/<lang>/messages.po).

The msgids are the English UI strings; run this after adding a UI string (with its
Russian and Ukrainian text below). Metric names are not here: each KPI declaration carries
its own translations (``Metric.names``). ``tests/web/test_translations.py`` fails on any
string of the interface without both translations.

    uv run python scripts/make_translations.py
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

OUT = Path(__file__).resolve().parents[1] / "src" / "omnikpi" / "web" / "locale"

# English → (Russian, Ukrainian)
TEXT: dict[str, tuple[str, str]] = {
    "Dashboard": ("Панель", "Панель"),
    "Report builder": ("Конструктор отчётов", "Конструктор звітів"),
    "Agents": ("Операторы", "Оператори"),
    "Agent": ("Оператор", "Оператор"),
    "From": ("С", "З"), "To": ("По", "По"), "Zone": ("Часовой пояс", "Часовий пояс"),
    "Grain": ("Интервал", "Інтервал"), "Apply": ("Применить", "Застосувати"),
    "target": ("цель", "ціль"), "Interval profile": ("Профиль по интервалам",
                                                     "Профіль за інтервалами"),
    "State timeline": ("Хронология статусов", "Хронологія статусів"),
    "Customer experience and cost": ("Клиентский опыт и затраты", "Клієнтський досвід і витрати"),
    "Accessibility — continuous channels": ("Доступность — непрерывные каналы",
                                            "Доступність — неперервні канали"),
    "Accessibility — discrete channels": ("Доступность — дискретные каналы",
                                          "Доступність — дискретні канали"),
    "Quality": ("Качество", "Якість"), "Productivity": ("Производительность", "Продуктивність"),
    "Outbound": ("Исходящие звонки", "Вихідні дзвінки"),
    "Times in": ("Время:", "Час:"), "Formula": ("Формула", "Формула"),
    "Preview": ("Просмотр", "Перегляд"), "Export": ("Экспорт", "Експорт"),
    "Save": ("Сохранить", "Зберегти"), "Save as": ("Сохранить как", "Зберегти як"),
    "{dimension}: no row has “{value}”.": (
        "{dimension}: нет ни одной строки со значением «{value}».",
        "{dimension}: немає жодного рядка зі значенням «{value}»."),
    "{dimension}: no row has “{value}”; the data has “{twin}” (values are case-sensitive).": (
        "{dimension}: нет ни одной строки со значением «{value}»; в данных есть «{twin}» "
        "(регистр букв важен).",
        "{dimension}: немає жодного рядка зі значенням «{value}»; у даних є «{twin}» "
        "(регістр літер важливий)."),
    "Saved reports": ("Сохранённые отчёты", "Збережені звіти"),
    "dial attempt": ("попытка дозвона", "спроба дозвону"),
    "outcome": ("итог", "підсумок"),
    "most sessions at once": ("максимум сессий одновременно", "найбільше сесій одночасно"),
    "start": ("начало", "початок"), "end": ("конец", "кінець"),
    "hired on": ("принят", "прийнято"), "left on": ("уволен", "звільнено"),
    "leave type": ("вид увольнения", "вид звільнення"),
    "left in the month": ("уволен в этом месяце", "звільнено цього місяця"),
    "month": ("месяц", "місяць"), "the month's first day": ("первый день месяца",
                                                           "перший день місяця"),
    "the next month's first day": ("первый день следующего месяца",
                                   "перший день наступного місяця"),
    "employed at the month's start": ("работал на начало месяца",
                                      "працював на початок місяця"),
    "employed at the month's end": ("работал на конец месяца", "працював на кінець місяця"),
    "scheduled activity": ("запланированная активность", "запланована активність"),
    "state in a paid shift": ("статус в оплачиваемой смене", "статус в оплачуваній зміні"),
    "paid activity in a shift": ("оплачиваемая активность в смене",
                                 "оплачувана активність у зміні"),
    "unpaid activity in a shift": ("неоплачиваемая активность в смене",
                                   "неоплачувана активність у зміні"),
    "state in unpaid time": ("статус в неоплачиваемое время", "статус у неоплачуваний час"),
    "state as scheduled": ("статус по графику", "статус за графіком"),
    "planned opening hours": ("плановые часы работы", "планові години роботи"),
    "Replace it": ("Заменить его", "Замінити його"),
    "The first {shown} of {waiting} contacts waiting are listed: evaluate these, and the "
    "next ones follow.":
        ("Показаны первые {shown} из {waiting} ожидающих обращений: оцените их, и за ними "
         "появятся следующие.",
         "Показано перші {shown} з {waiting} звернень, що чекають: оцініть їх, і за ними "
         "з'являться наступні."),
    "Score every contact first: the other evaluators' scores and the results are shown once "
    "yours are in, so that they do not sway yours. Each contact is scored once.":
        ("Сначала оцените все обращения: оценки других экспертов и результаты появятся, когда "
         "будут ваши, чтобы не влиять на них. Каждое обращение оценивается один раз.",
         "Спершу оцініть усі звернення: оцінки інших експертів і результати з'являться, "
         "коли будуть ваші, щоб не впливати на них. Кожне звернення оцінюється один раз."),
    "{metrics}: a table with one row per {keys}; choose it without other metrics, in a "
    "report of its own.":
        ("{metrics}: таблица по строке на {keys}; выберите её без других показателей, в "
         "отдельном отчёте.",
         "{metrics}: таблиця по рядку на {keys}; виберіть її без інших показників, в "
         "окремому звіті."),
    "The follow-up date cannot be before the session.":
        ("Дата повторной встречи не может быть раньше сессии.",
         "Дата повторної зустрічі не може бути раніше за сесію."),
    "The rate is a share between 0 and 1, such as 0.03 for 3 %.":
        ("Доля — число от 0 до 1, например 0.03 для 3 %.",
         "Частка — число від 0 до 1, наприклад 0.03 для 3 %."),
    "Choose at least one item the session covered.":
        ("Выберите хотя бы один пункт, который разбирали на сессии.",
         "Виберіть хоча б один пункт, який розбирали на сесії."),
    "Choose at least one contact.": ("Выберите хотя бы одно обращение.",
                                     "Виберіть хоча б одне звернення."),
    "Invite at least two evaluators.": ("Пригласите хотя бы двух оценщиков.",
                                        "Запросіть хоча б двох оцінювачів."),
    "Choose at least one contact and invite at least two evaluators.":
        ("Выберите хотя бы одно обращение и пригласите хотя бы двух оценщиков.",
         "Виберіть хоча б одне звернення і запросіть хоча б двох оцінювачів."),
    "Write the actions agreed with the agent.":
        ("Запишите действия, согласованные с оператором.",
         "Запишіть дії, погоджені з оператором."),
    "The {count} newest contacts that match are listed: narrow the search (agent, queue, "
    "days) to find older ones.":
        ("Показаны {count} самых новых подходящих обращений: сузьте поиск (оператор, "
         "очередь, дни), чтобы найти более ранние.",
         "Показано {count} найновіших відповідних звернень: звузьте пошук (оператор, черга, "
         "дні), щоб знайти давніші."),
    "A report with this name is already saved ({name}): tick “Replace it” to save over it, "
    "or choose another name.":
        ("Отчёт с таким именем уже сохранён ({name}): отметьте «Заменить его», чтобы "
         "сохранить поверх, или выберите другое имя.",
         "Звіт з такою назвою вже збережено ({name}): позначте «Замінити його», щоб "
         "зберегти поверх, або виберіть іншу назву."),
    "A report named “{name}” was saved by someone else: save yours under another name.": (
        "Отчёт «{name}» сохранил другой пользователь: сохраните свой под другим именем.",
        "Звіт «{name}» зберіг інший користувач: збережіть свій під іншою назвою."),
    "Metrics": ("Показатели", "Показники"), "Cut by": ("Разрез", "Розріз"),
    "Parameters": ("Параметры", "Параметри"),
    "Quality assurance": ("Контроль качества", "Контроль якості"),
    "My queue": ("Моя очередь", "Моя черга"), "Evaluate": ("Оценить", "Оцінити"),
    "Nothing to evaluate: draw a sample below.": ("Оценивать нечего: сделайте выборку ниже.",
                                                  "Оцінювати нічого: зробіть вибірку нижче."),
    "Samples": ("Выборки", "Вибірки"), "name": ("название", "назва"), "rate": ("доля", "частка"),
    "evaluator": ("оценщик", "оцінювач"), "done": ("готово", "готово"),
    "min per agent": ("мин. на оператора", "мін. на оператора"), "form": ("анкета", "анкета"),
    "by channel": ("по каналу", "за каналом"),
    "Draw sample": ("Сделать выборку", "Зробити вибірку"),
    "Evaluations": ("Оценки", "Оцінки"), "score": ("балл", "бал"),
    "critical": ("критично", "критично"), "status": ("статус", "статус"),
    "Forms": ("Анкеты", "Анкети"), "New form or new version": ("Новая анкета или версия",
                                                             "Нова анкета або версія"),
    "channels": ("каналы", "канали"), "pass score": ("проходной балл", "прохідний бал"),
    "Calibration": ("Калибровка", "Калібрування"), "contacts": ("обращения", "звернення"),
    "evaluators": ("оценщики", "оцінювачі"), "reference": ("эталон", "еталон"),
    "Start": ("Начать", "Почати"), "group": ("группа", "група"), "item": ("пункт", "пункт"),
    "weight": ("вес", "вага"), "chain": ("цепочка", "ланцюжок"),
    "Contact": ("Обращение", "Звернення"),
    "Messages": ("Сообщения", "Повідомлення"), "yes": ("да", "так"), "no": ("нет", "ні"),
    "Comment for the agent": ("Комментарий для оператора", "Коментар для оператора"),
    "Submit": ("Отправить", "Надіслати"), "Evaluation": ("Оценка", "Оцінка"),
    "critical error": ("критическая ошибка", "критична помилка"), "agent": ("оператор", "оператор"),
    "Agent's answer": ("Ответ оператора", "Відповідь оператора"),
    "Comment": ("Комментарий", "Коментар"), "Acknowledge": ("Согласен", "Погоджуюсь"),
    "Dispute": ("Оспорить", "Оскаржити"),
    "Krippendorff's alpha of the scores": ("Альфа Криппендорфа по баллам",
                                           "Альфа Кріппендорфа за балами"),
    "evaluations": ("оценок", "оцінок"), "Items": ("Пункты", "Пункти"),
    "spread (sd)": ("разброс (ст. откл.)", "розкид (ст. відх.)"),
    "Against the reference": ("Сравнение с эталоном", "Порівняння з еталоном"),
    "mean |Δ score|": ("средн. |Δ балла|", "серед. |Δ бала|"),
    "same verdict": ("тот же вывод", "той самий висновок"),
    "As of": ("На момент", "На момент"), "latest event": ("последнее событие",
                                                     "остання подія"),
    "Wallboard": ("Табло", "Табло"), "Alerts": ("Оповещения", "Сповіщення"),
    "Log in": ("Войти", "Увійти"), "Log out": ("Выйти", "Вийти"),
    "User name": ("Имя пользователя", "Ім'я користувача"), "Password": ("Пароль", "Пароль"),
    "No accounts yet. Create the first one on the server:": (
        "Учётных записей ещё нет. Создайте первую на сервере:",
        "Облікових записів ще немає. Створіть перший на сервері:"),
    "connecting…": ("подключение…", "підключення…"),
    "Waiting now": ("Ожидают сейчас", "Очікують зараз"),
    "Service level today": ("Уровень сервиса сегодня", "Рівень сервісу сьогодні"),
    "Abandoned today": ("Потеряно сегодня", "Втрачено сьогодні"),
    "Offered today": ("Поступило сегодня", "Надійшло сьогодні"),
    "E-mail / social backlog": ("Очередь писем и соцсетей", "Черга листів і соцмереж"),
    "Queues": ("Очереди", "Черги"), "waiting": ("ожидают", "очікують"),
    "longest wait": ("макс. ожидание", "макс. очікування"), "offered": ("поступило", "надійшло"),
    "abandon": ("потери", "втрати"), "Agents by state": ("Операторы по статусам",
                                                        "Оператори за статусами"),
    "agents": ("операторы", "оператори"),
    "Chats per agent vs capacity": ("Чаты на оператора и лимит", "Чати на оператора і ліміт"),
    "sessions": ("сессии", "сесії"), "capacity": ("лимит", "ліміт"),
    "Unavailable channels": ("Недоступные каналы", "Недоступні канали"),
    "Alert rules": ("Правила оповещений", "Правила сповіщень"),
    "New rule": ("Новое правило", "Нове правило"), "Recent alerts": ("Последние оповещения",
                                                                    "Останні сповіщення"),
    "Add": ("Добавить", "Додати"), "Delete": ("Удалить", "Видалити"),
    "Daily trend": ("Динамика по дням", "Динаміка за днями"),
    "Agent time funnel": ("Воронка рабочего времени", "Воронка робочого часу"),
    "Chat sessions per agent over the day": ("Чатов на оператора в течение дня",
                                             "Чатів на оператора протягом дня"),
    "What has happened by this instant counts (default: the latest event in the data the "
    "page reads)": (
        "Учитывается то, что произошло к этому моменту (по умолчанию — последнее событие в "
        "данных страницы)",
        "Враховується те, що сталося до цієї миті (типово — остання подія в даних сторінки)"),
    "kind": ("вид", "вид"), "threshold": ("порог", "поріг"),
    "for minutes": ("в течение, мин", "протягом, хв"), "subject": ("объект", "об’єкт"),
    "message": ("сообщение", "повідомлення"), "started": ("начало", "початок"),
    "ended": ("конец", "кінець"), "of": ("из", "з"),
    "items, one per line: group | key | text | weight | critical (yes/no) | N/A allowed "
    "(yes/no)": (
        "пункты, по одному в строке: группа | ключ | текст | вес | критичный (yes/no) | "
        "N/A допустимо (yes/no)",
        "пункти, по одному в рядку: група | ключ | текст | вага | критичний (yes/no) | "
        "N/A дозволено (yes/no)"),
    # exports (XLSX/PDF header and column names; omnikpi.export.STRINGS)
    "OmniKPI report": ("Отчёт OmniKPI", "Звіт OmniKPI"),
    "Queue": ("Очередь", "Черга"), "Channel": ("Канал", "Канал"),
    "Site": ("Площадка", "Майданчик"), "Tenant": ("Клиент (тенант)", "Клієнт (тенант)"),
    "Topic": ("Тема", "Тема"), "Direction": ("Направление", "Напрямок"),
    "Campaign": ("Кампания", "Кампанія"),
    "Lead type": ("Тип лида", "Тип ліда"), "Period start": ("Начало периода", "Початок періоду"),
    "State": ("Статус", "Статус"), "Reason": ("Причина", "Причина"),
    "Dimension": ("Измерение", "Вимір"), "Item": ("Пункт", "Пункт"),
    "whole period": ("весь период", "весь період"), "15 minutes": ("15 минут", "15 хвилин"),
    "30 minutes": ("30 минут", "30 хвилин"), "hourly": ("по часам", "по годинах"),
    "daily": ("по дням", "по днях"), "weekly": ("по неделям", "по тижнях"),
    "monthly": ("по месяцам", "по місяцях"), "hours": ("ч", "год"),
    "per hour": ("в час", "за годину"), "per shift": ("за смену", "за зміну"),
    "Columns {first}–{last} of {total}": ("Столбцы {first}–{last} из {total}",
                                          "Стовпці {first}–{last} з {total}"),
    "points": ("баллы", "бали"),
    "count": ("количество", "кількість"), "money": ("деньги", "гроші"),
    "ratio": ("доля", "частка"),
    "customers": ("клиенты", "клієнти"), "Period": ("Период", "Період"),
    "Time zone": ("Часовой пояс", "Часовий пояс"), "Filters": ("Фильтры", "Фільтри"),
    "none": ("нет", "немає"),
    "all data up to the as-of time": ("все данные до момента расчёта",
                                      "усі дані до моменту розрахунку"),
    "Metric parameters": ("Параметры показателей", "Параметри показників"),
    "Page {page} of {pages}": ("Страница {page} из {pages}", "Сторінка {page} з {pages}"),
    "made {moment}": ("создан {moment}", "створено {moment}"),
    "(no agent)": ("(без оператора)", "(без оператора)"),
    "(not per channel)": ("(не по каналам)", "(не за каналами)"),
    "(no queue)": ("(без очереди)", "(без черги)"),
    "(no site)": ("(без площадки)", "(без майданчика)"),
    "(no tenant)": ("(без клиента)", "(без клієнта)"),
    "(no topic)": ("(без темы)", "(без теми)"),
    "(no direction)": ("(без направления)", "(без напрямку)"),
    "(no campaign)": ("(без кампании)", "(без кампанії)"),
    "(no lead type)": ("(без типа лида)", "(без типу ліда)"),
    "(no state)": ("(без статуса)", "(без статусу)"),
    "(no reason)": ("(без причины)", "(без причини)"),
    "(not set)": ("(не указано)", "(не вказано)"),
    "defaults": ("по умолчанию", "типові"),
    "No alert rules yet: add one with the form below.":
        ("Правил оповещений пока нет: добавьте правило формой ниже.",
         "Правил сповіщень поки немає: додайте правило формою нижче."),
    "No alert has fired.": ("Оповещений не было.", "Сповіщень не було."),
    "No older alert.": ("Более ранних оповещений нет.", "Раніших сповіщень немає."),
    "Every channel is available.": ("Все каналы доступны.", "Усі канали доступні."),
    "0.5": ("0,5", "0,5"),
    "Not live: the connection to the server was lost. The numbers below are the last "
    "received.": ("Не в реальном времени: связь с сервером потеряна. Ниже — последние "
                  "полученные значения.",
                  "Не в реальному часі: зв'язок із сервером втрачено. Нижче — останні "
                  "отримані значення."),  # live.alert_kinds.DECIMAL_SAMPLE: the decimal mark
    "Channel availability is kept for the whole center, not per client or site: it is not "
    "shown here.": ("Доступность каналов ведётся для всего центра, а не по клиентам или "
                    "площадкам: здесь она не показывается.",
                    "Доступність каналів ведеться для всього центру, а не за клієнтами чи "
                    "майданчиками: тут вона не показується."),
    # the XLSX's parameters sheet: its column headers (the values stay ids and JSON)
    "metric id": ("id показателя", "id показника"), "unit": ("единица", "одиниця"),
    "parameters (JSON)": ("параметры (JSON)", "параметри (JSON)"),
    "metric": ("показатель", "показник"), "as used": ("как применены", "як застосовано"),
    # filters and page errors (issue 21: the filter form, presets, pickers, error boxes)
    "choose…": ("выбрать…", "вибрати…"), "Search…": ("Поиск…", "Пошук…"),
    "all": ("все", "усі"), "Clear": ("Очистить", "Очистити"),
    "Today": ("Сегодня", "Сьогодні"), "Yesterday": ("Вчера", "Учора"),
    "This week": ("Эта неделя", "Цей тиждень"), "Last week": ("Прошлая неделя", "Минулий тиждень"),
    "This month": ("Этот месяц", "Цей місяць"),
    "Last month": ("Прошлый месяц", "Минулий місяць"),
    "Last 7 days": ("Последние 7 дней", "Останні 7 днів"),
    "Last 30 days": ("Последние 30 дней", "Останні 30 днів"),
    "Please check the values": ("Проверьте значения", "Перевірте значення"),
    "Change the values above and press Apply.": (
        "Измените значения выше и нажмите «Применить».",
        "Змініть значення вище й натисніть «Застосувати»."),
    "Period and filters": ("Период и фильтры", "Період і фільтри"),
    "{field}: “{value}” is not a date. Use a date such as 2024-03-01, or a date and time "
    "such as 2024-03-01T08:00:00+02:00.": (
        "{field}: «{value}» — не дата. Укажите дату, например 2024-03-01, или дату и время, "
        "например 2024-03-01T08:00:00+02:00.",
        "{field}: «{value}» — не дата. Вкажіть дату, наприклад 2024-03-01, або дату й час, "
        "наприклад 2024-03-01T08:00:00+02:00."),
    "{field}: {value} is outside the years OmniKPI reports on ({first}–{last}).": (
        "{field}: {value} вне лет, за которые OmniKPI строит отчёты ({first}–{last}).",
        "{field}: {value} поза роками, за які OmniKPI будує звіти ({first}–{last})."),
    "The To date is before the From date: choose a To date on or after the From date (both "
    "days are included).": (
        "Дата «По» раньше даты «С»: выберите дату «По» не раньше даты «С» (оба дня "
        "включаются).",
        "Дата «По» раніша за дату «З»: виберіть дату «По» не ранішу за дату «З» (обидва дні "
        "включно)."),
    "Unknown time zone “{value}”: choose one from the list, such as Europe/Kyiv or "
    "America/New_York.": (
        "Неизвестный часовой пояс «{value}»: выберите пояс из списка, например Europe/Kyiv "
        "или America/New_York.",
        "Невідомий часовий пояс «{value}»: виберіть пояс зі списку, наприклад Europe/Kyiv "
        "або America/New_York."),
    "{metric} cannot be filtered by {bad}: its data can be filtered only by {allowed}.": (
        "Показатель «{metric}» нельзя отфильтровать по полю {bad}: его данные фильтруются "
        "только по полям {allowed}.",
        "Показник «{metric}» не можна відфільтрувати за полем {bad}: його дані фільтруються "
        "лише за полями {allowed}."),
    "“{name}”": ("«{name}»", "«{name}»"),
    "{metric} cannot be cut by {bad}: its data can be cut only by {allowed}.": (
        "Показатель «{metric}» нельзя разрезать по полю {bad}: его данные режутся только по "
        "полям {allowed}.",
        "Показник «{metric}» не можна розрізати за полем {bad}: його дані розрізаються лише "
        "за полями {allowed}."),
    "{metric} needs the table {table}, which this dataset does not have: load it, or "
    "choose other metrics.": (
        "Для показателя «{metric}» нужна таблица {table}, которой в этом наборе данных нет: "
        "загрузите её или выберите другие показатели.",
        "Для показника «{metric}» потрібна таблиця {table}, якої в цьому наборі даних "
        "немає: завантажте її або виберіть інші показники."),
    "no data:": ("нет данных:", "немає даних:"),
    # a duration column's header: the format as the reader's spreadsheet writes it
    "h:mm:ss": ("ч:мм:сс", "год:хв:с"),
    "m:ss": ("м:сс", "хв:с"),
    "Unknown metric “{value}”: choose the metrics from the list.": (
        "Неизвестный показатель «{value}»: выберите показатели из списка.",
        "Невідомий показник «{value}»: виберіть показники зі списку."),
    "Unknown grain “{value}”: choose one of {choices}.": (
        "Неизвестный интервал «{value}»: выберите один из: {choices}.",
        "Невідомий інтервал «{value}»: виберіть один із: {choices}."),
    "Unknown cut or filter “{value}”: choose one of {choices}.": (
        "Неизвестный разрез или фильтр «{value}»: выберите один из: {choices}.",
        "Невідомий розріз або фільтр «{value}»: виберіть один із: {choices}."),
    "Parameter “{value}”: write METRIC.NAME=VALUE or NAME=VALUE, such as "
    "service_level.threshold_seconds=30.": (
        "Параметр «{value}»: пишите ПОКАЗАТЕЛЬ.ИМЯ=ЗНАЧЕНИЕ или ИМЯ=ЗНАЧЕНИЕ, например "
        "service_level.threshold_seconds=30.",
        "Параметр «{value}»: пишіть ПОКАЗНИК.НАЗВА=ЗНАЧЕННЯ або НАЗВА=ЗНАЧЕННЯ, наприклад "
        "service_level.threshold_seconds=30."),
    "Parameter {name}: “{value}” is not a valid value ({expected}).": (
        "Параметр {name}: «{value}» — недопустимое значение ({expected}).",
        "Параметр {name}: «{value}» — неприпустиме значення ({expected})."),
    "Unknown parameter “{value}”.": ("Неизвестный параметр «{value}».",
                                     "Невідомий параметр «{value}»."),
    "A {format} file holds at most {most} rows and this report has {rows}: choose a coarser "
    "grain, fewer cuts or a shorter period, or download CSV.": (
        "Файл {format} вмещает не более {most} строк, а в этом отчёте их {rows}: выберите "
        "более крупный интервал, меньше разрезов или более короткий период либо скачайте "
        "CSV.",
        "Файл {format} вміщує не більше {most} рядків, а в цьому звіті їх {rows}: виберіть "
        "більший інтервал, менше розрізів або коротший період чи завантажте CSV."),
    "A report by {grain} over this period would have about {periods} periods (at most "
    "{limit}): choose a coarser grain or a shorter period.": (
        "Отчёт с интервалом {grain} за этот период содержал бы около {periods} интервалов "
        "(не более {limit}): выберите более крупный интервал или более короткий период.",
        "Звіт з інтервалом {grain} за цей період мав би близько {periods} інтервалів (не "
        "більше {limit}): виберіть більший інтервал або коротший період."),
    "{field}: “{value}” is not valid ({reason}).": (
        "{field}: «{value}» — недопустимое значение ({reason}).",
        "{field}: «{value}» — неприпустиме значення ({reason})."),
    "The threshold “{value}” is not a number.": ("Порог «{value}» — не число.",
                                                 "Поріг «{value}» — не число."),
    "“{value}” minutes is not a number.": ("«{value}» минут — не число.",
                                           "«{value}» хвилин — не число."),
    "Choose a kind from the list ({kinds}).": ("Выберите вид из списка ({kinds}).",
                                               "Виберіть вид зі списку ({kinds})."),
    "The threshold cannot be negative.": ("Порог не может быть отрицательным.",
                                          "Поріг не може бути від’ємним."),
    "Minutes must be a number from 0 to 1440.": ("Минуты — число от 0 до 1440.",
                                                 "Хвилини — число від 0 до 1440."),
    # dashboard charts, tiles and footer (issue 21: small multiples, previous period)
    "arrows: change against": ("стрелки: изменение к периоду", "стрілки: зміна щодо періоду"),
    "Page not found": ("Страница не найдена", "Сторінку не знайдено"),
    "API reference": ("Справочник API", "Довідник API"),
    "Every endpoint of the HTTP API with its parameters and answers. “Try it out” sends the "
    "request as you, within what you may see; a script logs in with POST /api/v1/auth/token "
    "and sends the token as Authorization: Bearer.":
        ("Все точки HTTP API с их параметрами и ответами. «Try it out» отправляет запрос от "
         "вашего имени, в пределах того, что вам доступно; скрипт входит через POST "
         "/api/v1/auth/token и передаёт токен в заголовке Authorization: Bearer.",
         "Усі точки HTTP API з їхніми параметрами й відповідями. «Try it out» надсилає запит "
         "від вашого імені, у межах того, що вам доступно; скрипт входить через POST "
         "/api/v1/auth/token і передає токен у заголовку Authorization: Bearer."),
    "Not for this account": ("Недоступно для этой учётной записи",
                             "Недоступно для цього облікового запису"),
    "Your account cannot open this page. Ask an administrator if you need it.":
        ("Ваша учётная запись не может открыть эту страницу. Если она вам нужна, обратитесь "
         "к администратору.",
         "Ваш обліковий запис не може відкрити цю сторінку. Якщо вона вам потрібна, "
         "зверніться до адміністратора."),
    "This form expired or came from another page: reload the page and send it again.":
        ("Форма устарела или пришла с другой страницы: обновите страницу и отправьте её "
         "снова.",
         "Форма застаріла або надійшла з іншої сторінки: оновіть сторінку й надішліть її "
         "знову."),
    "There is nothing at this address, or it is not yours to see.": (
        "По этому адресу ничего нет, или это не открыто для вас.",
        "За цією адресою нічого немає, або це не відкрито для вас."),
    "not available for": ("недоступно с фильтром:", "недоступно з фільтром:"),
    "previous period": ("предыдущий период", "попередній період"),
    "pp": ("п. п.", "в. п."),
    "Offered and service level": ("Поступило и уровень сервиса", "Надійшло та рівень сервісу"),
    "by 15 minutes": ("по 15 минут", "по 15 хвилин"),
    "by 30 minutes": ("по 30 минут", "по 30 хвилин"),
    "by hour": ("по часам", "по годинах"), "by day": ("по дням", "по днях"),
    "by week": ("по неделям", "по тижнях"), "by month": ("по месяцам", "по місяцях"),
    "Service level and abandon rate": ("Уровень сервиса и доля потерянных",
                                       "Рівень сервісу та частка втрачених"),
    "Agent time funnel, hours": ("Воронка времени операторов, часы",
                                 "Воронка часу операторів, години"),
    "Chat sessions per agent": ("Чат-сессий на оператора", "Чат-сесій на оператора"),
    "service level": ("уровень сервиса", "рівень сервісу"),
    "abandon rate": ("доля потерянных", "частка втрачених"),
    "sessions per agent": ("сессий на оператора", "сесій на оператора"),
    "Numbers from the same engine as": ("Числа от того же движка, что и",
                                        "Числа від того ж рушія, що й"),
    "catalog": ("каталог", "каталог"),
    "voice": ("голос", "голос"), "chat": ("чат", "чат"), "email": ("эл. почта", "ел. пошта"),
    "social": ("соцсети", "соцмережі"), "video": ("видео", "відео"),
    "callback": ("обратный звонок", "зворотний дзвінок"),
    "messenger": ("мессенджер", "месенджер"), "sms": ("SMS", "SMS"),
    "inbound": ("входящие", "вхідні"), "outbound": ("исходящие", "вихідні"),
    "letter": ("письмо", "лист"),
    "Dataset": ("Набор данных", "Набір даних"), "times in": ("время в зоне", "час у зоні"),
    "Logged in": ("В системе", "У системі"),
    "Active + paid not ready": ("Активно + оплачиваемые перерывы",
                                "Активно + оплачувані перерви"),
    "Active": ("Активно", "Активно"), "Workload": ("Нагрузка", "Навантаження"),
    "h": ("ч", "год"),
    # agents (issue 21: the agent table, the agent page's tiles and state timeline)
    "Not ready": ("Не готов", "Не готовий"),
    "Available": ("Доступен", "Доступний"), "Handling": ("Обработка", "Обробка"),
    "Hold": ("Удержание", "Утримання"), "After-call work": ("Поствызывная обработка",
                                                          "Післядзвінкова обробка"),
    "Logged out": ("Не в системе", "Не в системі"),
    "Previous day": ("Предыдущий день", "Попередній день"),
    "Next day": ("Следующий день", "Наступний день"), "Day": ("День", "День"),
    "Show": ("Показать", "Показати"),
    "No agent has data in this period.": ("Ни у одного оператора нет данных за этот период.",
                                          "Жоден оператор не має даних за цей період."),
    "No contacts in this period.": ("За этот период нет обращений.",
                                    "За цей період немає звернень."),
    "no data — the dataset has no table": ("нет данных — в наборе данных нет таблицы",
                                           "немає даних — у наборі даних немає таблиці"),
    "not cut by {filters}: its data has no such column.": (
        "без отбора по полю «{filters}»: в его данных нет такого столбца.",
        "без відбору за полем «{filters}»: у його даних немає такого стовпця."),
    "not-ready time / logged-in time": ("время «не готов» / время в системе",
                                        "час «не готовий» / час у системі"),
    "work on continuous channels (voice, chat) / that work + available time; e-mail and "
    "social work is not in it, so an agent who handles only those reads 0 % (their load is "
    "in utilization).": (
        "работа в непрерывных каналах (голос, чат) / эта работа + время «свободен»; работа с "
        "почтой и соцсетями в неё не входит, поэтому у оператора, который ведёт только их, — "
        "0 % (его загрузка — в утилизации).",
        "робота в неперервних каналах (голос, чат) / ця робота + час «вільний»; робота з "
        "поштою та соцмережами до неї не входить, тому в оператора, який веде лише їх, — "
        "0 % (його завантаження — в утилізації)."),
    "No states of this agent on {day} in this period: showing the last day with data.": (
        "У оператора нет статусов за {day} в этом периоде: показан последний день с данными.",
        "Оператор не має статусів за {day} у цьому періоді: показано останній день з даними."),
    "No states of this agent in this period.": ("У оператора нет статусов за этот период.",
                                                "Оператор не має статусів за цей період."),
    "lunch": ("обед", "обід"), "break": ("перерыв", "перерва"),
    "training": ("обучение", "навчання"), "meeting": ("совещание", "нарада"),
    "coaching": ("коучинг", "коучинг"),
    "No such agent among the agents you may see.": (
        "Такого оператора нет среди доступных вам.", "Такого оператора немає серед доступних вам."),
    # drill-down (issue 21: every figure drills down)
    "Drill-down": ("Детализация", "Деталізація"),
    "Figure": ("Показатель", "Показник"),
    "hours of the period": ("часов периода", "годин періоду"),
    "the largest numerator value": ("наибольшее значение числителя",
                                    "найбільше значення чисельника"),
    "the sum of the numerator": ("сумма числителя", "сума чисельника"),
    "Not filtered by": ("Без фильтра по", "Без фільтра за"),
    "this metric's data cannot be cut by it": ("данные этого показателя так не разрезаются",
                                               "дані цього показника так не розрізаються"),
    "Rows of": ("Строки", "Рядки"),
    "numerator": ("числитель", "чисельник"), "denominator": ("знаменатель", "знаменник"),
    "Rows": ("Строки", "Рядки"), "all rows": ("все строки", "усі рядки"),
    "excluded": ("исключённые", "виключені"), "page": ("страница", "сторінка"),
    "counts in": ("учитывается в", "враховується в"),
    "previous page": ("предыдущая страница", "попередня сторінка"),
    "next page": ("следующая страница", "наступна сторінка"),
    # a count's noun ("3 оценки") is in omnikpi/web/plurals.py, in each plural form
    "outside the period": ("вне периода", "поза періодом"),
    "an outbound contact: no customer waited for it": (
        "исходящий контакт: клиент его не ждал", "вихідний контакт: клієнт його не чекав"),
    "not handled by the as-of time": ("не обработано к моменту отчёта",
                                      "не оброблено на момент звіту"),
    "not resolved": ("не решено", "не вирішено"),
    "abandoned: nobody handled it": ("брошено: его никто не обработал",
                                     "покинуто: його ніхто не обробив"),
    "score (0–10)": ("оценка (0–10)", "оцінка (0–10)"),
    "the top of the scale": ("верх шкалы", "верх шкали"),
    "the bottom of the scale": ("низ шкалы", "низ шкали"),
    "a bound from %(columns)s": ("граница по: %(columns)s", "межа за: %(columns)s"),
    "not a continuous-channel contact": ("обращение не непрерывного канала",
                                         "звернення не неперервного каналу"),
    "not a discrete-channel contact": ("обращение не дискретного канала",
                                       "звернення не дискретного каналу"),
    "short abandon (< %(seconds)s s)": ("короткий отказ (< %(seconds)s с)",
                                        "коротка відмова (< %(seconds)s с)"),
    "still waiting within the threshold": ("ещё ожидает в пределах порога",
                                           "ще очікує в межах порогу"),
    "no survey answer for this contact": ("нет ответа на опрос по этому обращению",
                                          "немає відповіді на опитування щодо звернення"),
    "not %(what)s": ("не %(what)s", "не %(what)s"),
    "no survey answer": ("нет ответа на опрос", "немає відповіді на опитування"),
    "no %(what)s": ("нет значения: %(what)s", "немає значення: %(what)s"),
    "%(column)s is not %(value)s": ("%(column)s — не %(value)s", "%(column)s — не %(value)s"),
    "%(column)s not counted by the rule": ("%(column)s не учитывается правилом",
                                           "%(column)s не враховується правилом"),
    "fails the rule on %(columns)s": ("не проходит правило по: %(columns)s",
                                      "не проходить правило за: %(columns)s"),
    "not counted by the metric's rule": ("не учитывается правилом показателя",
                                         "не враховується правилом показника"),
    "numerator and denominator": ("числитель и знаменатель", "чисельник і знаменник"),
    "not in the numerator": ("не в числителе", "не в чисельнику"),
    "excluded because %(reason)s": ("исключено: %(reason)s", "виключено: %(reason)s"),
    "answered": ("отвечено", "відповіли"), "abandoned": ("потеряно", "втрачено"),
    "handled": ("обработано", "оброблено"), "blocked": ("заблокировано", "заблоковано"),
    "transferred": ("переведено", "переведено"),
    "still unanswered": ("ещё без ответа", "ще без відповіді"),
    "connected": ("соединено", "з'єднано"),
    "the latest evaluation": ("последняя оценка", "остання оцінка"),
    "the first survey answer of its contact": ("первый ответ на опрос по обращению",
                                               "перша відповідь на опитування щодо звернення"),
    "repeated": ("повторное", "повторне"),
    "not resolved at the first contact": ("не решено с первого обращения",
                                          "не вирішено з першого звернення"),
    "a customer request": ("запрос клиента", "запит клієнта"),
    "after the first agent reply": ("после первого ответа оператора",
                                    "після першої відповіді оператора"),
    "dialed": ("набрано", "набрано"), "wait": ("ожидание", "очікування"),
    "survey": ("опрос", "опитування"), "state": ("статус", "статус"),
    "continuous channel": ("непрерывный канал", "неперервний канал"),
    "age": ("возраст", "вік"), "seconds": ("секунды", "секунди"),
    "abandoned at": ("отказ в", "відмова о"), "activity": ("активность", "активність"),
    "after-call work": ("поствызывная обработка", "обробка після дзвінка"),
    "amount": ("сумма", "сума"), "answered at": ("ответ в", "відповідь о"),
    "attempt": ("попытка", "спроба"), "campaign": ("кампания", "кампанія"),
    "category": ("категория", "категорія"), "converted": ("продажа", "продаж"),
    "cost": ("затраты", "витрати"), "customer request": ("запрос клиента", "запит клієнта"),
    "dialed at": ("набор в", "набір о"), "dimension": ("измерение", "вимір"),
    "duration": ("длительность", "тривалість"), "entered": ("вход", "вхід"),
    "share of the recorded time": ("доля записанного времени", "частка записаного часу"),
    "evaluated at": ("оценено", "оцінено"), "evaluation": ("оценка", "оцінка"),
    "first answer of the contact": ("первый ответ по обращению",
                                    "перша відповідь щодо звернення"),
    "first attempt": ("первая попытка", "перша спроба"),
    "first dialed": ("первый реальный набор", "перший реальний набір"),
    "from": ("с", "з"), "to": ("по", "по"), "handle time": ("время обработки", "час обробки"),
    "item score": ("балл пункта", "бал пункту"),
    "latest evaluation": ("последняя оценка", "остання оцінка"), "lead": ("лид", "лід"),
    "lead type": ("тип лида", "тип ліда"), "left": ("выход", "вихід"),
    "menu path": ("путь по меню", "шлях меню"),
    "not resolved at first contact": ("не решено с первого обращения",
                                      "не вирішено з першого звернення"),
    "paid": ("оплачивается", "оплачується"), "period end": ("конец периода", "кінець періоду"),
    "period start": ("начало периода", "початок періоду"),
    "response time": ("время ответа", "час відповіді"), "result": ("результат", "результат"),
    "right party": ("нужное лицо", "потрібна особа"), "scale from": ("шкала от", "шкала від"),
    "scale to": ("шкала до", "шкала до"), "sender": ("отправитель", "відправник"),
    "session": ("сессия", "сесія"), "session end": ("конец сессии", "кінець сесії"),
    "session start": ("начало сессии", "початок сесії"),
    "talk time": ("время разговора", "час розмови"), "time": ("время", "час"),
    "time in IVR": ("время в IVR", "час в IVR"),
    # wallboard, alerts, QA, login, header (issue 21: languages, phones, accessibility)
    "tenant": ("клиент (тенант)", "клієнт (тенант)"),
    "site": ("площадка", "майданчик"), "queue": ("очередь", "черга"),
    "channel": ("канал", "канал"), "reason": ("причина", "причина"),
    "contact": ("обращение", "звернення"), "customer": ("клиент", "клієнт"),
    "topic": ("тема", "тема"), "arrived": ("поступило", "надійшло"),
    "first response": ("первый ответ", "перша відповідь"),
    "resolved": ("решено", "вирішено"), "key": ("ключ", "ключ"),
    "seed": ("начальное число", "початкове число"),
    "alpha": ("альфа", "альфа"), "weekly sample": ("недельная выборка", "тижнева вибірка"),
    "rule": ("правило", "правило"), "webhook": ("вебхук", "вебхук"),
    "webhook address": ("адрес вебхука", "адреса вебхука"), "sent": ("отправлено", "надіслано"),
    "Live updates are off on this server: the wallboard shows no numbers.": (
        "Обновления в реальном времени на этом сервере выключены: табло не показывает цифр.",
        "Оновлення в реальному часі на цьому сервері вимкнено: табло не показує цифр."),
    "SL as a ratio (0.8), waits in seconds, capacity excess in sessions": (
        "SL — доля (0,8), ожидание — в секундах, превышение лимита — в сессиях",
        "SL — частка (0,8), очікування — у секундах, перевищення ліміту — у сесіях"),
    "items, one per line: group | key | text | weight | critical | N/A allowed; the last two are": (
        "пункты, по одному в строке: группа | ключ | текст | вес | критичный | допускается "
        "«неприменимо»; два последних —",
        "пункти, по одному в рядку: група | ключ | текст | вага | критичний | дозволено "
        "«незастосовно»; два останні —"),
    "Style | greeting | Greets by the standard | 1 | no | no": (
        "Стиль | g1 | Приветствует по стандарту | 1 | no | no",
        "Стиль | g1 | Вітається за стандартом | 1 | no | no"),
    "admin": ("администратор", "адміністратор"), "supervisor": ("руководитель", "керівник"),
    "client": ("клиент", "клієнт"),
    "pending": ("ожидает", "очікує"), "submitted": ("отправлена", "надіслано"),
    "acknowledged": ("принята", "прийнято"), "disputed": ("оспорена", "оскаржено"),
    "text": ("текст", "текст"), "any": ("любой", "будь-який"),
    "available": ("свободен", "вільний"), "handling": ("обработка", "обробка"),
    "acw": ("постобработка", "післяобробка"), "hold": ("удержание", "утримання"),
    "not_ready": ("не готов", "не готовий"), "logged_out": ("вне системы", "поза системою"),
    "bot": ("бот", "бот"), "system": ("система", "система"),
    "service level below": ("уровень сервиса ниже", "рівень сервісу нижче"),
    "longest wait over": ("самое долгое ожидание больше", "найдовше очікування більше"),
    "channel unavailable": ("канал недоступен", "канал недоступний"),
    "agent over chat capacity": ("оператор сверх лимита чатов", "оператор понад ліміт чатів"),
    "Fires when a queue's service level so far today is below the threshold, a ratio (0.8 is "
    "80 %).": (
        "Срабатывает, когда уровень сервиса очереди за сегодня ниже порога — доли (0,8 — это "
        "80 %).",
        "Спрацьовує, коли рівень сервісу черги за сьогодні нижчий за поріг — частку (0,8 — це "
        "80 %)."),
    "Fires when a contact of a queue has waited longer than the threshold, in seconds.": (
        "Срабатывает, когда обращение в очереди ждёт дольше порога в секундах.",
        "Спрацьовує, коли звернення в черзі чекає довше за поріг у секундах."),
    "Fires when a channel or queue is unavailable to customers (the threshold is not used).": (
        "Срабатывает, когда канал или очередь недоступны клиентам (порог не используется).",
        "Спрацьовує, коли канал або черга недоступні клієнтам (поріг не використовується)."),
    "Fires when an agent has more chats open than their capacity plus the threshold, in "
    "sessions.": (
        "Срабатывает, когда у оператора открыто больше чатов, чем его лимит плюс порог в "
        "сессиях.",
        "Спрацьовує, коли в оператора відкрито більше чатів, ніж його ліміт плюс поріг у "
        "сесіях."),
    "service level {sl} below {threshold}": ("уровень сервиса {sl} ниже {threshold}",
                                             "рівень сервісу {sl} нижче {threshold}"),
    "longest wait {wait} s over {threshold} s": (
        "самое долгое ожидание {wait} с больше {threshold} с",
        "найдовше очікування {wait} с більше {threshold} с"),
    "{subject} is unavailable to customers": ("{subject} недоступен клиентам",
                                              "{subject} недоступний клієнтам"),
    "{sessions} chats open, capacity {capacity}": ("открыто чатов: {sessions}, лимит {capacity}",
                                                   "відкрито чатів: {sessions}, ліміт {capacity}"),
    "agent {agent_id}": ("оператор {agent_id}", "оператор {agent_id}"),
    "min": ("мин", "хв"), "s": ("с", "с"),
    "wrong user name or password": ("неверное имя пользователя или пароль",
                                    "неправильне ім'я користувача або пароль"),
    "too many failed logins; try again in {seconds} s": (
        "слишком много неудачных входов; повторите через {seconds} с",
        "забагато невдалих входів; спробуйте знову через {seconds} с"),
}


def _area_text() -> dict[str, tuple[str, str]]:
    """Strings of one area each (``scripts/translations/<area>.py``, a ``TEXT`` dict).

    Areas keep a feature's strings beside each other, so two features added side by side do
    not edit the same dict; a msgid defined twice with different text is an error.
    """
    merged: dict[str, tuple[str, str]] = {}
    for path in sorted((Path(__file__).parent / "translations").glob("*.py")):
        namespace: dict[str, object] = {}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        area = namespace.get("TEXT", {})
        assert isinstance(area, dict), f"{path}: TEXT must be a dict"
        for msgid, pair in area.items():
            known = TEXT.get(msgid) or merged.get(msgid)
            if known is not None and tuple(known) != tuple(pair):
                raise SystemExit(f"{path.name}: {msgid!r} is translated differently elsewhere")
            merged[msgid] = pair
    return merged


def main() -> None:
    TEXT.update(_area_text())
    for index, lang in enumerate(("ru", "uk")):
        catalog = Catalog(locale=lang, project="OmniKPI")
        for msgid, translations in TEXT.items():
            catalog.add(msgid, translations[index])
        folder = OUT / lang
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "messages.po").open("wb") as handle:
            write_po(handle, catalog, width=100)
    print(f"wrote {len(TEXT)} messages for ru, uk under {OUT}")


if __name__ == "__main__":
    main()
