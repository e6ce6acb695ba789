"""The what-if page (/wfm/whatif)."""

TEXT: dict[str, tuple[str, str]] = {
    "What-if": ("Что если", "Що як"),
    "The what-if": ("Вариант «что если»", "Варіант «що як»"),
    "Try a change on a simulated center before you make it on the floor. Both centers are "
    "simulated with the same callers, so the difference in the numbers is the effect of the "
    "change; the numbers are the KPI catalog's, per channel.":
        ("Проверьте изменение на смоделированном центре, прежде чем вносить его в работу. "
         "Оба центра моделируются с одними и теми же клиентами, поэтому разница в цифрах — "
         "это эффект изменения; цифры — показатели каталога KPI по каналам.",
         "Перевірте зміну на змодельованому центрі, перш ніж вносити її в роботу. Обидва "
         "центри моделюються з тими самими клієнтами, тому різниця в цифрах — це ефект "
         "зміни; цифри — показники каталогу KPI за каналами."),
    "Scenario": ("Сценарий", "Сценарій"),
    "The scenario": ("Сценарий", "Сценарій"),
    "Open the scenario": ("Открыть сценарий", "Відкрити сценарій"),
    "your scenario": ("ваш сценарий", "ваш сценарій"),
    "Your own scenario": ("Свой сценарий", "Власний сценарій"),
    "Scenario file (TOML)": ("Файл сценария (TOML)", "Файл сценарію (TOML)"),
    "Paste a scenario file: your queues, agent groups, shifts and arrivals; start from the "
    "shipped one below. Its keys are described in":
        ("Вставьте файл сценария: ваши очереди, группы операторов, смены и поток обращений; "
         "начните с поставляемого ниже. Ключи описаны в",
         "Вставте файл сценарію: ваші черги, групи операторів, зміни та потік звернень; "
         "почніть із постачуваного нижче. Ключі описано в"),
    "Use this scenario": ("Использовать этот сценарий", "Використати цей сценарій"),
    "Paste a scenario file (TOML) to use it.": ("Вставьте файл сценария (TOML).",
                                               "Вставте файл сценарію (TOML)."),
    "Choose a scenario from the list.": ("Выберите сценарий из списка.",
                                         "Виберіть сценарій зі списку."),
    "The scenario is longer than {limit} characters.": (
        "Сценарий длиннее {limit} символов.", "Сценарій довший за {limit} символів."),
    "The scenario cannot be read: {reason}": ("Сценарий не прочитать: {reason}",
                                              "Сценарій не прочитати: {reason}"),
    "The scenario changed: its agent groups are below, set the what-if for them and run it "
    "again.":
        ("Сценарий изменился: его группы операторов ниже — задайте для них изменение и "
         "запустите снова.",
         "Сценарій змінився: його групи операторів нижче — задайте для них зміну і "
         "запустіть знову."),
    "Nothing is changed yet: change agents, sessions, routing, volume, handle time or "
    "dialing, then run.":
        ("Пока ничего не изменено: измените число операторов, сессий, маршрутизацию, объём, "
         "время обработки или темп дозвона и запустите.",
         "Поки нічого не змінено: змініть кількість операторів, сесій, маршрутизацію, обсяг, "
         "час обробки або темп дозвону і запустіть."),
    "This center is too large to simulate on a page ({size} of at most {limit} contacts or "
    "agents): compare it on the command line with omnikpi simulate compare.":
        ("Центр слишком велик для моделирования на странице ({size} при пределе {limit} "
         "обращений или операторов): сравните на командной строке — omnikpi simulate "
         "compare.",
         "Центр завеликий для моделювання на сторінці ({size} за межі {limit} звернень або "
         "операторів): порівняйте в командному рядку — omnikpi simulate compare."),
    "This center is too large to simulate on a page ({size} shift and break events of at "
    "most {limit}): compare it on the command line with omnikpi simulate compare.":
        ("Центр слишком велик для моделирования на странице ({size} начал и концов смен и "
         "перерывов при пределе {limit}): сравните на командной строке — omnikpi simulate "
         "compare.",
         "Центр завеликий для моделювання на сторінці ({size} початків і кінців змін і "
         "перерв за межі {limit}): порівняйте в командному рядку — omnikpi simulate "
         "compare."),
    "This center is too large to simulate on a page ({size} customers of at most "
    "{limit}): compare it on the command line with omnikpi simulate compare.":
        ("Центр слишком велик для моделирования на странице ({size} клиентов при пределе "
         "{limit}): сравните на командной строке — omnikpi simulate compare.",
         "Центр завеликий для моделювання на сторінці ({size} клієнтів за межі {limit}): "
         "порівняйте в командному рядку — omnikpi simulate compare."),
    "The change": ("Изменение", "Зміна"),
    "Routing": ("Маршрутизация", "Маршрутизація"),
    "as in the scenario": ("как в сценарии", "як у сценарії"),
    "the agent idle longest": ("дольше всех свободный оператор",
                               "найдовше вільний оператор"),
    "in turn": ("по очереди", "по черзі"),
    "the first free agent in the list": ("первый свободный по списку",
                                         "перший вільний за списком"),
    "all ring, a random free agent answers": (
        "звонит всем, отвечает случайный свободный",
        "дзвонить усім, відповідає випадковий вільний"),
    "the fewest open sessions": ("меньше всего открытых сессий",
                                 "найменше відкритих сесій"),
    "first skill first": ("сначала основной навык", "спершу основна навичка"),
    "Volume change, %": ("Изменение объёма, %", "Зміна обсягу, %"),
    "Handle time change, %": ("Изменение времени обработки, %", "Зміна часу обробки, %"),
    "Seed (random numbers)": ("Начальное число генератора случайных чисел",
                              "Початкове число генератора випадкових чисел"),
    "Agent group": ("Группа операторов", "Група операторів"),
    "Skills": ("Навыки", "Навички"),
    "No inbound queues (outbound dialing)": ("Без входящих очередей (исходящий обзвон)",
                                             "Без вхідних черг (вихідний обдзвін)"),
    "shift": ("смена", "зміна"),
    "Sessions at once": ("Сессий одновременно", "Сесій одночасно"),
    "Run the what-if": ("Запустить «что если»", "Запустити «що як»"),
    "Simulating both centers… a few seconds.": ("Моделируем оба центра… несколько секунд.",
                                                "Моделюємо обидва центри… кілька секунд."),
    "What changes": ("Что меняется", "Що змінюється"),
    "Agents in {group}: {before} → {after}": ("Операторов в {group}: {before} → {after}",
                                              "Операторів у {group}: {before} → {after}"),
    "Sessions at once in {group}: {before} → {after}": (
        "Сессий одновременно в {group}: {before} → {after}",
        "Сесій одночасно в {group}: {before} → {after}"),
    "Routing: {before} → {after}": ("Маршрутизация: {before} → {after}",
                                    "Маршрутизація: {before} → {after}"),
    "Volume: {change}": ("Объём: {change}", "Обсяг: {change}"),
    "Handle time: {change}": ("Время обработки: {change}", "Час обробки: {change}"),
    "Metric": ("Показатель", "Показник"),
    "Baseline": ("Исходный", "Початковий"),  # "вихідний" is outbound on the same page
    "Change": ("Изменение", "Зміна"),
    "Voice": ("Голос", "Голос"),
    "Chat": ("Чат", "Чат"),
    "Social": ("Соцсети", "Соцмережі"),
    "Messenger": ("Мессенджеры", "Месенджери"),
    "The whole center: agents' time": ("Весь центр: время операторов",
                                       "Увесь центр: час операторів"),
    "Service level per hour, baseline and what-if": (
        "Уровень сервиса по часам: исходный и «что если»",
        "Рівень сервісу по годинах: вихідний і «що як»"),
    "Service level, %": ("Уровень сервиса, %", "Рівень сервісу, %"),
    "Service level per hour of the live channels, in the scenario's own clock": (
        "Уровень сервиса по часам в живых каналах, по часам сценария",
        "Рівень сервісу по годинах у живих каналах, за годинником сценарію"),
    "The scenario files:": ("Файлы сценариев:", "Файли сценаріїв:"),
    "Outbound campaign": ("Исходящая кампания", "Вихідна кампанія"),
    "Agent groups": ("Группы операторов", "Групи операторів"),
    "Dial attempts per hour": ("Попыток дозвона в час", "Спроб дозвону на годину"),
    "Dial attempts per hour in {campaign}: {before} → {after}": (
        "Попыток дозвона в час в {campaign}: {before} → {after}",
        "Спроб дозвону на годину в {campaign}: {before} → {after}"),
    "Runs (seeds)": ("Число прогонов", "Кількість прогонів"),
    "could be chance": ("может быть случайностью", "може бути випадковістю"),
    "Means of {runs} runs with the seeds {first}–{last}, the same callers in both centers "
    "in each run. ± is the 95 % interval of the change; a change whose interval holds zero "
    "could be chance: run more seeds.": (
        "Средние по {runs} прогонам с начальными числами {first}–{last}; в каждом прогоне "
        "оба центра "
        "обслуживают одних и тех же клиентов. ± — 95-процентный интервал изменения; "
        "изменение, чей интервал включает ноль, может быть случайностью: запустите больше "
        "прогонов.",
        "Середні за {runs} прогонами з початковими числами {first}–{last}; у кожному прогоні "
        "обидва "
        "центри обслуговують тих самих клієнтів. ± — 95-відсотковий інтервал зміни; зміна, "
        "чий інтервал включає нуль, може бути випадковістю: запустіть більше прогонів."),
    "One run (one seed): a change of a few points may be chance. Set Runs to 5 or more to "
    "see each change's 95 % interval.": (
        "Один прогон: изменение на несколько пунктов может быть случайностью. "
        "Задайте 5 прогонов или больше, чтобы увидеть 95-процентный интервал каждого "
        "изменения.",
        "Один прогін: зміна на кілька пунктів може бути випадковістю. Задайте 5 "
        "прогонів або більше, щоб побачити 95-відсотковий інтервал кожної зміни."),
    "Simulating both centers with {runs} seeds… a few seconds a seed.": (
        "Моделируем оба центра, прогонов: {runs}… несколько секунд на прогон.",
        "Моделюємо обидва центри, прогонів: {runs}… кілька секунд на прогін."),
}
