"""Wallboard, TV mode, saved boards and alerts (issue 22: the live path)."""

TEXT: dict[str, tuple[str, str]] = {
    "Pause rule": ("Приостановить правило", "Призупинити правило"),
    "Resume rule": ("Возобновить правило", "Відновити правило"),
    "Edit the rule": ("Изменение правила", "Зміна правила"),
    "kept as it is": ("остаётся прежним", "залишається без змін"),
    # the board
    "No data yet today: no contacts and no agents logged in since midnight.": (
        "Сегодня данных ещё нет: с полуночи не было обращений и никто из операторов не вошёл.",
        "Сьогодні даних ще немає: з півночі не було звернень і ніхто з операторів не увійшов."),
    "busy": ("заняты", "зайняті"),
    "not ready": ("не готовы", "не готові"),
    "backlog": ("очередь писем", "черга листів"),
    "oldest item": ("самое старое", "найстаріше"),
    "time in state": ("в статусе", "у статусі"),
    "waiting since": ("ждёт с", "чекає з"),
    "chats": ("чаты", "чати"),
    "Saved boards": ("Сохранённые табло", "Збережені табло"),
    "team": ("команда", "команда"),
    "TV mode": ("Режим ТВ", "Режим ТБ"),
    "this board on a TV": ("это табло на ТВ", "це табло на ТБ"),
    "tiles": ("плитки", "плитки"),
    "for my team": ("для моей команды", "для моєї команди"),
    "Save this board": ("Сохранить это табло", "Зберегти це табло"),
    "Leave TV mode": ("Выйти из режима ТВ", "Вийти з режиму ТБ"),
    "Full screen": ("Во весь экран", "На весь екран"),
    "ascending": ("по возрастанию", "за зростанням"),
    # the banner: a rule firing on many agents or queues is one line
    "and {n} more": ("и ещё {n}", "і ще {n}"),
    "descending": ("по убыванию", "за спаданням"),
    # alert kinds: the figure in the sentence
    "SL": ("Уровень сервиса", "Рівень сервісу"),
    "Abandon rate": ("Доля потерянных", "Частка втрачених"),
    "Waiting": ("Ожидают", "Очікують"),
    "Agents available": ("Свободных операторов", "Вільних операторів"),
    "AHT": ("Среднее время обработки", "Середній час обробки"),
    "Adherence": ("Соблюдение графика", "Дотримання графіка"),
    "Oldest backlog item": ("Самое старое письмо", "Найстаріший лист"),
    "Channel unavailable": ("Канал недоступен", "Канал недоступний"),
    "Chats over capacity": ("Чатов сверх лимита", "Чатів понад ліміт"),
    # the sentence
    "{label} {value} < {threshold} on {where}": ("{label} {value} < {threshold}: {where}",
                                                  "{label} {value} < {threshold}: {where}"),
    "{label} {value} > {threshold} on {where}": ("{label} {value} > {threshold}: {where}",
                                                  "{label} {value} > {threshold}: {where}"),
    "{label} on {where}": ("{label}: {where}", "{label}: {where}"),
    "{text} for {minutes} min": ("{text} уже {minutes} мин", "{text} вже {minutes} хв"),
    "queue {queue}": ("очередь {queue}", "черга {queue}"),
    "channel {channel}": ("канал {channel}", "канал {channel}"),
    "Cleared: {text}": ("Снято: {text}", "Знято: {text}"),
    # the alerts page
    "abandon rate above": ("доля потерянных выше", "частка втрачених вища"),
    "contacts waiting above": ("ожидающих больше", "тих, хто чекає, більше"),
    "agents available below": ("свободных операторов меньше", "вільних операторів менше"),
    "AHT above": ("среднее время обработки больше", "середній час обробки більший"),
    "not ready longer than": ("не готов дольше", "не готовий довше"),
    "adherence below": ("соблюдение графика ниже", "дотримання графіка нижче"),
    "oldest backlog item over": ("самое старое письмо старше", "найстаріший лист старший"),
    "Fires when a queue's abandon rate so far today is above the threshold, a ratio (0.05 "
    "is 5 %).": (
        "Срабатывает, когда доля потерянных в очереди с начала дня выше порога, доля "
        "(0,05 — это 5 %).",
        "Спрацьовує, коли частка втрачених у черзі від початку дня вища за поріг, частка "
        "(0,05 — це 5 %)."),
    "Fires when more contacts wait in a queue than the threshold.": (
        "Срабатывает, когда в очереди ждёт больше обращений, чем порог.",
        "Спрацьовує, коли в черзі чекає більше звернень, ніж поріг."),
    "Fires when fewer agents are available for a queue than the threshold.": (
        "Срабатывает, когда свободных операторов очереди меньше порога.",
        "Спрацьовує, коли вільних операторів черги менше за поріг."),
    "Fires when a queue's average handling time so far today is above the threshold, in "
    "seconds.": (
        "Срабатывает, когда среднее время обработки в очереди с начала дня больше порога в "
        "секундах.",
        "Спрацьовує, коли середній час обробки в черзі від початку дня більший за поріг у "
        "секундах."),
    "Fires when an agent has been not ready longer than the threshold, in seconds.": (
        "Срабатывает, когда оператор не готов дольше порога в секундах.",
        "Спрацьовує, коли оператор не готовий довше за поріг у секундах."),
    "Fires when an agent's schedule adherence so far today is below the threshold, a ratio "
    "(0.9 is 90 %).": (
        "Срабатывает, когда соблюдение графика оператором с начала дня ниже порога, доля "
        "(0,9 — это 90 %).",
        "Спрацьовує, коли дотримання графіка оператором від початку дня нижче за поріг, "
        "частка (0,9 — це 90 %)."),
    "Fires when the oldest e-mail or social item of a queue has waited longer than the "
    "threshold, in seconds.": (
        "Срабатывает, когда самое старое письмо или сообщение соцсетей в очереди ждёт дольше "
        "порога в секундах.",
        "Спрацьовує, коли найстаріший лист або повідомлення соцмереж у черзі чекає довше за "
        "поріг у секундах."),
    "window minutes": ("окно, минут", "вікно, хвилин"),
    "clear at": ("снять при", "зняти при"),
    "e-mail": ("эл. почта", "ел. пошта"),
    "e-mail addresses": ("адреса эл. почты", "адреси ел. пошти"),
    "acknowledged by": ("кто подтвердил", "хто підтвердив"),
    "Acknowledge alert": ("Подтвердить", "Підтвердити"),
    "the mean of this many minutes is judged (0: the latest value)": (
        "оценивается среднее за столько минут (0 — последнее значение)",
        "оцінюється середнє за стільки хвилин (0 — останнє значення)"),
    "the level to get back past before the alert clears (empty: the threshold)": (
        "уровень, за который значение должно вернуться, чтобы оповещение снялось (пусто — "
        "порог)",
        "рівень, за який значення має повернутися, щоб сповіщення знялося (порожньо — "
        "поріг)"),
    "For this kind the threshold is a ratio from 0 to 1 (0.8 is 80 %).": (
        "Для этого вида порог — доля от 0 до 1 (0,8 — это 80 %).",
        "Для цього виду поріг — частка від 0 до 1 (0,8 — це 80 %)."),
    "“{value}” is not an e-mail address (name@example.com).": (
        "«{value}» — не адрес эл. почты (name@example.com).",
        "«{value}» — не адреса ел. пошти (name@example.com)."),
    # the clearing level on the good side of the threshold (live.alert_kinds)
    "For this kind the alert clears once the value is back up to the clearing level: it "
    "cannot be below the threshold.": (
        "Для этого вида оповещение снимается, когда значение поднимется до уровня снятия: "
        "он не может быть ниже порога.",
        "Для цього виду сповіщення знімається, коли значення підніметься до рівня зняття: "
        "він не може бути нижчим за поріг."),
    "For this kind the alert clears once the value is back down to the clearing level: it "
    "cannot be above the threshold.": (
        "Для этого вида оповещение снимается, когда значение опустится до уровня снятия: "
        "он не может быть выше порога.",
        "Для цього виду сповіщення знімається, коли значення опуститься до рівня зняття: "
        "він не може бути вищим за поріг."),
    # a field over its length limit
    "{field}: {length} characters, at most {limit}. Shorten it and send the form again.": (
        "{field}: символов — {length}, можно не больше {limit}. Сократите и отправьте "
        "форму ещё раз.",
        "{field}: символів — {length}, можна не більше {limit}. Скоротіть і надішліть "
        "форму ще раз."),
    # the webhook's address (delivery.webhook.resolve)
    "The webhook address must be an http or https address with a host, such as "
    "https://example.com/hook.": (
        "Адрес вебхука должен быть адресом http или https с именем хоста, например "
        "https://example.com/hook.",
        "Адреса вебхука має бути адресою http або https з іменем хоста, наприклад "
        "https://example.com/hook."),
    "The webhook address cannot carry a user name or password: remove the part before "
    "“@”.": (
        "Адрес вебхука не может содержать имя пользователя или пароль: удалите часть до "
        "«@».",
        "Адреса вебхука не може містити ім’я користувача або пароль: видаліть частину до "
        "«@»."),
    "The webhook address has a bad port: the port is a number up to 65535.": (
        "В адресе вебхука неверный порт: порт — число не больше 65535.",
        "В адресі вебхука неправильний порт: порт — число не більше 65535."),
    "The webhook host “{host}” cannot be found: check the address.": (
        "Хост вебхука «{host}» не найден: проверьте адрес.",
        "Хост вебхука «{host}» не знайдено: перевірте адресу."),
    "The webhook host “{host}” is {address}, an address of this machine or of a private "
    "network: an administrator can allow the host in the configuration ([alerts] "
    "webhook_allowed_hosts).": (
        "Хост вебхука «{host}» — это {address}, адрес этого компьютера или частной сети: "
        "администратор может разрешить хост в конфигурации ([alerts] "
        "webhook_allowed_hosts).",
        "Хост вебхука «{host}» — це {address}, адреса цього комп’ютера або приватної "
        "мережі: адміністратор може дозволити хост у конфігурації ([alerts] "
        "webhook_allowed_hosts)."),
}

TEXT.update({  # an agent alert narrowed to a queue (web/routes/live_alerts_page.py)
    "This alert is about agents, who have no queue: leave the queue empty (narrow it by "
    "tenant, site or channel).": (
        "Это оповещение об операторах, а у оператора нет очереди: оставьте очередь пустой "
        "(сузьте его по клиенту, площадке или каналу).",
        "Це сповіщення про операторів, а в оператора немає черги: залиште чергу порожньою "
        "(звузьте його за клієнтом, майданчиком або каналом)."),
})

TEXT.update({  # a control character in an alert rule's field (web/routes/live_alerts.py)
    "A field of the rule holds a control character (a tab, a line break): type it again "
    "without one.": (
        "Поле правила содержит управляющий символ (табуляцию, перевод строки): введите "
        "его заново без него.",
        "Поле правила містить керівний символ (табуляцію, розрив рядка): введіть його "
        "знову без нього."),
})
