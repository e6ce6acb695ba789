"""QA sampling, calibration and coaching (issue 24)."""

TEXT: dict[str, tuple[str, str]] = {
    "A calibration compares evaluators who sign in: it needs at least two accounts that "
    "may see these contacts (an administrator adds them with omnikpi users add NAME "
    "--role supervisor).":
        ("Калибровка сравнивает оценщиков, которые входят в систему: нужны как минимум две "
         "учётные записи с доступом к этим обращениям (администратор добавляет их командой "
         "omnikpi users add ИМЯ --role supervisor).",
         "Калібрування порівнює оцінювачів, які входять у систему: потрібні щонайменше два "
         "облікові записи з доступом до цих звернень (адміністратор додає їх командою "
         "omnikpi users add ІМ'Я --role supervisor)."),
    "Calibration sessions": ("Сессии калибровки", "Сесії калібрування"),
    "No agent has a submitted evaluation yet: a coaching session starts from an agent's "
    "evaluation. Evaluate a contact first (QA, a sample's Evaluate).":
        ("Ни у одного оператора ещё нет отправленной оценки: сессия коучинга начинается "
         "с оценки оператора. Сначала оцените обращение (QA, «Оценить» в выборке).",
         "Жоден оператор ще не має надісланої оцінки: сесія коучингу починається з оцінки "
         "оператора. Спершу оцініть звернення (QA, «Оцінити» у вибірці)."),
    "Choose": ("Выбрать", "Вибрати"),
    "Coaching": ("Коучинг", "Коучинг"),
    "Coaching history": ("История коучинга", "Історія коучингу"),
    "Coaching session": ("Сессия коучинга", "Сесія коучингу"),
    "Contacts": ("Обращения", "Звернення"),
    "Each evaluator's deviation from the reference, per item":
        ("Отклонение каждого оценщика от эталона по пунктам",
         "Відхилення кожного оцінювача від еталона за пунктами"),
    "Errors by item": ("Ошибки по пунктам", "Помилки за пунктами"),
    "Errors by item and queue": ("Ошибки по пунктам и очередям",
                                 "Помилки за пунктами й чергами"),
    "Invite evaluators": ("Пригласить оценщиков", "Запросити оцінювачів"),
    "Item scores before and after the session":
        ("Баллы по пунктам до и после сессии", "Бали за пунктами до і після сесії"),
    "Items covered": ("Разобранные пункты", "Розібрані пункти"),
    "Mean item score of the agent's evaluations before the session's day and after it "
    "(the day itself counts for neither).":
        ("Средний балл пункта в оценках оператора до дня сессии и после него (сам день не "
         "учитывается).",
         "Середній бал пункту в оцінках оператора до дня сесії та після нього (сам день не "
         "враховується)."),
    "Mean of the evaluator's item score minus the reference's, over the contacts both "
    "scored: above 0 more lenient, below 0 stricter.":
        ("Среднее разности балла оценщика и эталона по обращениям, оценённым обоими: больше "
         "0 — мягче, меньше 0 — строже.",
         "Середнє різниці балу оцінювача та еталона за зверненнями, оціненими обома: більше "
         "0 — м'якше, менше 0 — суворіше."),
    "My coaching": ("Мой коучинг", "Мій коучинг"),
    "New calibration session": ("Новая сессия калибровки", "Нова сесія калібрування"),
    "New coaching session": ("Новая сессия коучинга", "Нова сесія коучингу"),
    "No calibration session to open.": ("Нет сессий калибровки.", "Немає сесій калібрування."),
    "No coaching sessions yet.": ("Сессий коучинга пока нет.", "Сесій коучингу поки немає."),
    "No errors of this kind.": ("Ошибок этого вида нет.", "Помилок цього виду немає."),
    "No handled contacts match the search.": ("Нет обработанных обращений по запросу.",
                                              "Немає оброблених звернень за запитом."),
    "Or type contact ids": ("Или введите номера обращений", "Або введіть номери звернень"),
    "Pick contacts from a list and invite evaluators":
        ("Выбрать обращения из списка и пригласить оценщиков",
         "Вибрати звернення зі списку й запросити оцінювачів"),
    "Process errors go to the owner of the process; operator errors go to coaching.":
        ("Ошибки процесса передаются владельцу процесса, ошибки оператора — в коучинг.",
         "Помилки процесу передаються власникові процесу, помилки оператора — в коучинг."),
    "Score every item or mark it not applicable before submitting. Items without an answer:":
        ("Оцените каждый пункт или отметьте «неприменимо». Пункты без ответа:",
         "Оцініть кожен пункт або позначте «незастосовно». Пункти без відповіді:"),
    "Search": ("Найти", "Знайти"),
    "after": ("после", "після"),
    "agreed actions": ("согласованные действия", "узгоджені дії"),
    "before": ("до", "до"),
    "change": ("изменение", "зміна"),
    "choose": ("выбрать", "вибрати"),
    "coach": ("коуч", "коуч"),
    "date": ("дата", "дата"),
    "error": ("ошибка", "помилка"),
    "errors": ("ошибок", "помилок"),
    "follow-up date": ("дата контроля", "дата контролю"),
    "handle time, s": ("время обработки, с", "час обробки, с"),
    "if not met": ("если не выполнено", "якщо не виконано"),
    "items covered": ("разобранные пункты", "розібрані пункти"),
    "not applicable": ("неприменимо", "не застосовується"),
    "operator error": ("ошибка оператора", "помилка оператора"),
    "operator errors": ("ошибки оператора", "помилки оператора"),
    "process error": ("ошибка процесса", "помилка процесу"),
    "process errors": ("ошибки процесса", "помилки процесу"),
    "risk-weighted (new and low-scoring agents, negative surveys, long handle times, "
    "flagged calls)":
        ("с учётом риска (новые и слабые операторы, негативные опросы, долгая обработка, "
         "проблемные звонки)",
         "з урахуванням ризику (нові й слабкі оператори, негативні опитування, довга "
         "обробка, проблемні дзвінки)"),
    "session date": ("дата сессии", "дата сесії"),
    "share": ("доля", "частка"),
    "you are invited": ("вы приглашены", "вас запрошено"),
    # the new form's placeholder (make_translations.py has it with the key "greeting")
    "Style | greet | Greets by the standard | 1 | no | no":
        ("Стиль | greet | Приветствует по стандарту | 1 | no | no",
         "Стиль | greet | Вітається за стандартом | 1 | no | no"),
    # the QA page's forms refused (``QA_SENTENCES`` in web/routes/qa.py)
    "The pass score must be a number from 0 to 100.":
        ("Проходной балл — это число от 0 до 100.", "Прохідний бал — це число від 0 до 100."),
    "Item line {number}: the weight “{value}” is not a number.":
        ("Строка пунктов {number}: вес «{value}» — не число.",
         "Рядок пунктів {number}: вага «{value}» — не число."),
    "Item line {number}: “critical” is “{value}”: write yes or no.":
        ("Строка пунктов {number}: в поле «критичный» стоит «{value}»: напишите yes или no "
         "(да / нет).",
         "Рядок пунктів {number}: у полі «критичний» стоїть «{value}»: напишіть yes або no "
         "(так / ні)."),
    "Item line {number}: “N/A allowed” is “{value}”: write yes or no.":
        ("Строка пунктов {number}: в поле «допускается „неприменимо“» стоит «{value}»: "
         "напишите yes или no (да / нет).",
         "Рядок пунктів {number}: у полі «дозволено „незастосовно“» стоїть «{value}»: "
         "напишіть yes або no (так / ні)."),
    "Item line {number}: {count} fields, at most 6 (group | key | text | weight | "
    "critical | N/A allowed): a text with “|” in it cannot be typed here.":
        ("Строка пунктов {number}: полей {count}, а можно не больше 6 (группа | ключ | "
         "текст | вес | критичный | допускается «неприменимо»): текст со знаком «|» здесь "
         "ввести нельзя.",
         "Рядок пунктів {number}: полів {count}, а можна не більше 6 (група | ключ | текст "
         "| вага | критичний | дозволено «незастосовно»): текст зі знаком «|» тут "
         "ввести не можна."),
    "Item line {number}: write group | key | text | weight | critical | N/A allowed.":
        ("Строка пунктов {number}: напишите группа | ключ | текст | вес | критичный | "
         "допускается «неприменимо».",
         "Рядок пунктів {number}: напишіть група | ключ | текст | вага | критичний | "
         "дозволено «незастосовно»."),
    "The key may hold only lower-case Latin letters, digits, - and _.":
        ("Ключ может содержать только строчные латинские буквы, цифры, - и _.",
         "Ключ може містити лише малі латинські літери, цифри, - і _."),
    "Choose the channels from the list.":
        ("Выберите каналы из списка.", "Виберіть канали зі списку."),
    "A form needs at least one item: type one item per line.":
        ("В форме нужен хотя бы один пункт: введите по одному пункту в строке.",
         "У формі потрібен хоча б один пункт: введіть по одному пункту в рядку."),
    "Item keys must be unique; used on more than one line: {keys}.":
        ("Ключи пунктов должны быть разными; в нескольких строках стоит: {keys}.",
         "Ключі пунктів мають бути різними; у кількох рядках стоїть: {keys}."),
    "Weights must be numbers from 0 to 1,000,000, and not all 0.":
        ("Веса — числа от 0 до 1 000 000, и не все нули.",
         "Ваги — числа від 0 до 1 000 000, і не всі нулі."),
    "Unknown contacts: {ids}. Type the ids of contacts you may see.":
        ("Неизвестные обращения: {ids}. Введите номера обращений, которые вам видны.",
         "Невідомі звернення: {ids}. Введіть номери звернень, які вам видно."),
    "No account is named {names}: invite evaluators by the names of their accounts.":
        ("Нет учётной записи с именем {names}: пригласите оценщиков по именам их учётных "
         "записей.",
         "Немає облікового запису з ім'ям {names}: запросіть оцінювачів за іменами їхніх "
         "облікових записів."),
    "{names} may not see these contacts: invite supervisors of their site or the "
    "client's quality lead.":
        ("{names}: нет доступа к этим обращениям; пригласите супервизоров их площадки или "
         "руководителя по качеству клиента.",
         "{names}: немає доступу до цих звернень; запросіть супервізорів їхнього "
         "майданчика або керівника з якості клієнта."),
    "A calibration takes at most 200 contacts and 50 evaluators.":
        ("В калибровке не больше 200 обращений и 50 оценщиков.",
         "У калібруванні не більше 200 звернень і 50 оцінювачів."),
    "Form “{value}” is not a form id: choose a form from the list.":
        ("Форма «{value}» — не номер формы: выберите форму из списка.",
         "Форма «{value}» — не номер форми: виберіть форму зі списку."),
    "There is no QA form {number}: choose a form from the list.":
        ("Формы контроля качества {number} нет: выберите форму из списка.",
         "Форми контролю якості {number} немає: виберіть форму зі списку."),
    "“{name}” is not an account that may evaluate these contacts: give the login of an "
    "administrator or of a supervisor who sees them.": (
        "«{name}» — не учётная запись, которой можно оценивать эти обращения: укажите логин "
        "администратора или супервизора, который их видит.",
        "«{name}» — не обліковий запис, яким можна оцінювати ці звернення: вкажіть логін "
        "адміністратора або супервізора, який їх бачить."),
    "Contact “{id}” is not in the loaded data (the sample was drawn from other data, or the "
    "data has changed since): it cannot be evaluated here.": (
        "Обращения «{id}» нет в загруженных данных (выборка взята из других данных, или "
        "данные с тех пор изменились): оценить его здесь нельзя.",
        "Звернення «{id}» немає в завантажених даних (вибірку взято з інших даних, або дані "
        "відтоді змінилися): оцінити його тут не можна."),
    "The loaded data does not hold this contact.": (
        "В загруженных данных этого обращения нет.",
        "У завантажених даних цього звернення немає."),
}
