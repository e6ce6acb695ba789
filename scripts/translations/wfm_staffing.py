"""The staffing calculator (/wfm/staffing)."""

TEXT: dict[str, tuple[str, str]] = {
    "{field}: {value} % looks like a share: type per cents ({hundred} for {hundred} %).": (
        "{field}: {value} % похоже на долю: введите проценты ({hundred} для {hundred} %).",
        "{field}: {value} % схоже на частку: введіть відсотки ({hundred} для {hundred} %)."),
    "Staffing": ("Расчёт штата", "Розрахунок штату"),
    # the tooltips of the acronyms ASA and AHT, which stay in Latin letters
    "Average speed of answer": ("Среднее время ответа", "Середній час відповіді"),
    "Average handle time": ("Среднее время обработки", "Середній час обробки"),
    "Staffing calculator": ("Калькулятор штата", "Калькулятор штату"),
    "Agents needed in one interval to meet your targets, and the positions to schedule after "
    "shrinkage.":
        ("Сколько операторов нужно в одном интервале, чтобы выполнить цели, и сколько позиций "
         "поставить в график с учётом шринкеджа.",
         "Скільки операторів потрібно в одному інтервалі, щоб виконати цілі, і скільки "
         "позицій поставити в графік з урахуванням шринкеджу."),
    "Agents needed to answer a day's e-mail within the time you promise, and the positions "
    "to schedule after shrinkage.":
        ("Сколько операторов нужно, чтобы ответить на письма дня в обещанный срок, и сколько "
         "позиций поставить в график с учётом шринкеджа.",
         "Скільки операторів потрібно, щоб відповісти на листи дня в обіцяний строк, і "
         "скільки позицій поставити в графік з урахуванням шринкеджу."),
    "Kind of work": ("Вид работы", "Вид роботи"),
    "Calls": ("Звонки", "Дзвінки"),
    "Chats": ("Чаты", "Чати"),
    "E-mail": ("Почта", "Пошта"),
    "Customers wait (Erlang C)": ("Клиенты ждут (Erlang C)", "Клієнти чекають (Erlang C)"),
    "Customers give up (Erlang A)": ("Клиенты уходят (Erlang A)", "Клієнти йдуть (Erlang A)"),
    "No queue, busy signal (Erlang B)": ("Без очереди, сигнал «занято» (Erlang B)",
                                         "Без черги, сигнал «зайнято» (Erlang B)"),
    "Model": ("Модель", "Модель"),
    "Contacts in the interval": ("Обращений в интервале", "Звернень в інтервалі"),
    "Interval, minutes": ("Интервал, минут", "Інтервал, хвилин"),
    "Average handle time, seconds": ("Среднее время обработки, секунд",
                                     "Середній час обробки, секунд"),
    "Service level target, %": ("Цель уровня сервиса, %", "Ціль рівня сервісу, %"),
    "Answered within, seconds": ("Ответ в течение, секунд", "Відповідь протягом, секунд"),
    "ASA target, seconds": ("Цель ASA, секунд", "Ціль ASA, секунд"),
    "Occupancy cap, %": ("Предел занятости, %", "Межа зайнятості, %"),
    "Shrinkage, %": ("Шринкедж, %", "Шринкедж, %"),
    "Mean patience, seconds (Erlang A)": ("Среднее терпение, секунд (Erlang A)",
                                          "Середнє терпіння, секунд (Erlang A)"),
    "Sessions an agent holds at once": ("Сессий у оператора одновременно",
                                        "Сесій в оператора одночасно"),
    "E-mails arriving in the day": ("Писем за день", "Листів за день"),
    "Hours the team works in the day": ("Часов работы команды в день",
                                        "Годин роботи команди на день"),
    "Answer within, hours": ("Ответ в течение, часов", "Відповідь протягом, годин"),
    "Unanswered at the start of the day": ("Без ответа на начало дня",
                                           "Без відповіді на початок дня"),
    "Calculate": ("Рассчитать", "Розрахувати"),
    "Agents needed": ("Нужно операторов", "Потрібно операторів"),
    "Positions to schedule": ("Позиций в графике", "Позицій у графіку"),
    "with shrinkage": ("с шринкеджем", "зі шринкеджем"),
    "traffic": ("нагрузка", "навантаження"),
    "Erlangs": ("Эрланг", "Ерланг"),
    "Service level": ("Уровень сервиса", "Рівень сервісу"),
    "share not blocked": ("доля без отказа", "частка без відмови"),
    "ASA": ("ASA", "ASA"),
    "Occupancy": ("Занятость", "Зайнятість"),
    "Abandoned": ("Брошенные", "Покинуті"),
    "Blocked": ("Отказ (занято)", "Відмова (зайнято)"),
    "Positions": ("Позиции", "Позиції"),
    "Hours of work": ("Часов работы", "Годин роботи"),
    "the opening backlog and the day's e-mail": ("остаток на начало дня и письма дня",
                                                 "залишок на початок дня і листи дня"),
    "Staff levels around the answer": ("Соседние варианты штата", "Сусідні варіанти штату"),
    "Service level and occupancy by number of agents":
        ("Уровень сервиса и занятость по числу операторов",
         "Рівень сервісу і зайнятість за кількістю операторів"),
    "The same from the command line:": ("То же из командной строки:",
                                        "Те саме з командного рядка:"),
    "Measured in the filters' period": ("Измерено за период фильтров",
                                        "Виміряно за період фільтрів"),
    "the busiest {minutes}-minute interval, {start}, had {offered} contacts; AHT over the "
    "period {aht}.":
        ("в самом загруженном {minutes}-минутном интервале, {start}, было {offered} "
         "обращений; AHT за период {aht}.",
         "у найзавантаженішому {minutes}-хвилинному інтервалі, {start}, було {offered} "
         "звернень; AHT за період {aht}."),
    "the busiest day, {day}, had {offered} e-mails; AHT over the period {aht}.":
        ("в самый загруженный день, {day}, пришло {offered} писем; AHT за период {aht}.",
         "у найзавантаженіший день, {day}, надійшло {offered} листів; AHT за період {aht}."),
    "Plan for these numbers": ("Рассчитать по этим данным", "Розрахувати за цими даними"),
    "{field}: choose one of the list.": ("{field}: выберите значение из списка.",
                                         "{field}: виберіть значення зі списку."),
    "{field}: enter a number.": ("{field}: введите число.", "{field}: введіть число."),
    "{field}: “{value}” is not a number.": ("{field}: «{value}» — не число.",
                                            "{field}: «{value}» — не число."),
    "{field} must be a whole number.": ("{field}: нужно целое число.",
                                        "{field}: потрібне ціле число."),
    "{field} must be more than {low}.": ("{field}: нужно больше {low}.",
                                         "{field}: потрібно більше {low}."),
    "{field} must be at least {low}.": ("{field}: нужно не меньше {low}.",
                                        "{field}: потрібно не менше {low}."),
    "{field} must be less than {high}.": ("{field}: нужно меньше {high}.",
                                          "{field}: потрібно менше {high}."),
    "{field} must be at most {high}.": ("{field}: нужно не больше {high}.",
                                        "{field}: потрібно не більше {high}."),
    "Give a target: a service level, an ASA, an occupancy cap or an abandonment cap.":
        ("Задайте цель: уровень сервиса, ASA, предел занятости или предел доли брошенных.",
         "Задайте ціль: рівень сервісу, ASA, межу зайнятості або межу частки покинутих."),
    "An abandonment cap needs the model where customers give up (Erlang A).":
        ("Предел доли брошенных требует модели, в которой клиенты уходят (Erlang A).",
         "Межа частки покинутих потребує моделі, в якій клієнти йдуть (Erlang A)."),
    "Abandonment cap, % (Erlang A)": ("Предел доли брошенных, % (Erlang A)",
                                      "Межа частки покинутих, % (Erlang A)"),
    "No staffing up to {agents} agents meets these targets.":
        ("Ни один штат до {agents} операторов не выполняет эти цели.",
         "Жоден штат до {agents} операторів не виконує ці цілі."),
    "Day plan": ("План на день", "План на день"),
    "The days after the filters' period: their contacts and AHT per interval forecast from "
    "the period (the model the backtest chooses), and the agents each interval needs.":
        ("Дни после периода фильтров: обращения и AHT по интервалам, спрогнозированные по "
         "периоду (модель выбирает бэктест), и сколько операторов нужно в каждом интервале.",
         "Дні після періоду фільтрів: звернення та AHT за інтервалами, спрогнозовані за "
         "періодом (модель обирає бектест), і скільки операторів потрібно в кожному "
         "інтервалі."),
    "History: the filters' period": ("История: период фильтров", "Історія: період фільтрів"),
    "voice calls (choose a channel in the filter bar for another)":
        ("голосовые звонки (для другого канала выберите его в панели фильтров)",
         "голосові дзвінки (для іншого каналу виберіть його в панелі фільтрів)"),
    "Days to plan": ("Дней в плане", "Днів у плані"),
    "Peak agents": ("Пик операторов", "Пік операторів"),
    "Peak positions": ("Пик позиций", "Пік позицій"),
    "Agent hours": ("Часы операторов", "Години операторів"),
    "positions": ("позиции", "позиції"),
    "Contacts forecast": ("Прогноз обращений", "Прогноз звернень"),
    "Forecast error in the backtest (WAPE)": ("Ошибка прогноза в бэктесте (WAPE)",
                                              "Похибка прогнозу в бектесті (WAPE)"),
    "days held out": ("дней отложено", "днів відкладено"),
    "Contacts forecast and agents needed per interval":
        ("Прогноз обращений и нужные операторы по интервалам",
         "Прогноз звернень і потрібні оператори за інтервалами"),
    "The plan as CSV": ("План в CSV", "План у CSV"),
    "the requirement the schedule reads: save it as":
        ("потребность, которую читает график: сохраните как",
         "потреба, яку читає графік: збережіть як"),
    "in the dataset folder, or give it to": ("в папке набора данных или передайте в",
                                              "у теці набору даних або передайте в"),
    "The plan per interval": ("План по интервалам", "План за інтервалами"),
    "Interval": ("Интервал", "Інтервал"),
    "The filters' period has no contacts to forecast from: choose a longer period, another "
    "queue or channel.":
        ("В периоде фильтров нет обращений для прогноза: выберите более длинный период, "
         "другую очередь или канал.",
         "У періоді фільтрів немає звернень для прогнозу: виберіть довший період, іншу "
         "чергу або канал."),
    "The filters' period holds {days} day(s) of history: a day plan needs at least {needed} "
    "(the last is held out to choose the forecast model).":
        ("В периоде фильтров дней истории: {days}; плану на день нужно не меньше {needed} "
         "(последний откладывается, чтобы выбрать модель прогноза).",
         "У періоді фільтрів днів історії: {days}; плану на день потрібно не менше {needed} "
         "(останній відкладається, щоб вибрати модель прогнозу)."),
    "{field}: “{value}” could be thousands or a decimal: write thousands without a "
    "separator (1000) and decimals with a point (1.5).":
        ("{field}: «{value}» — это тысячи или дробь? Пишите тысячи без разделителя (1000), "
         "дроби — с точкой (1.5).",
         "{field}: «{value}» — це тисячі чи дріб? Пишіть тисячі без роздільника (1000), "
         "дроби — з крапкою (1.5)."),
    "An ASA target needs a model with a queue (Erlang C or Erlang A): with Erlang B nobody "
    "waits.":
        ("Цель по ASA требует модели с очередью (Erlang C или Erlang A): в Erlang B никто не "
         "ждёт.",
         "Ціль щодо ASA потребує моделі з чергою (Erlang C або Erlang A): в Erlang B ніхто не "
         "чекає."),
    "Erlang B cannot be staffed to an occupancy cap alone (its occupancy falls as more calls "
    "are blocked): give a service level target.":
        ("Erlang B нельзя рассчитать только по пределу занятости (занятость падает, когда "
         "блокируется больше звонков): задайте цель по уровню сервиса.",
         "Erlang B не можна розрахувати лише за межею зайнятості (зайнятість падає, коли "
         "блокується більше дзвінків): задайте ціль щодо рівня сервісу."),
    "An occupancy cap of 100 % alone asks for no agent: give a service level, ASA or "
    "abandonment target as well.":
        ("Предел занятости 100 % сам по себе не требует ни одного оператора: задайте также "
         "цель по уровню сервиса, ASA или доле брошенных.",
         "Межа зайнятості 100 % сама по собі не потребує жодного оператора: задайте також "
         "ціль щодо рівня сервісу, ASA або частки покинутих."),
    "One e-mail takes {aht} s to handle, longer than {what} ({hours} h): no number of "
    "agents answers it in time.":
        ("Обработка одного письма занимает {aht} с — дольше, чем {what} ({hours} ч): никакое "
         "число операторов не ответит на него вовремя.",
         "Обробка одного листа триває {aht} с — довше, ніж {what} ({hours} год): жодна "
         "кількість операторів не відповість на нього вчасно."),
    "the promise": ("обещанный срок ответа", "обіцяний термін відповіді"),
    "the working day": ("рабочий день", "робочий день"),
}
