"""QA refusals said on the QA pages: a form saved without a shelf, an evaluation's
answers, the agent's acknowledgement or dispute, a sample's numbers."""

TEXT: dict[str, tuple[str, str]] = {
    "Acknowledge or dispute the evaluation with the buttons below it.":
        ("Подтвердите или оспорьте оценку кнопками под ней.",
         "Підтвердьте або оскаржте оцінку кнопками під нею."),
    "An item not met is an operator error or a process error, not “{value}”.":
        ("Невыполненный пункт — ошибка оператора или ошибка процесса, а не «{value}».",
         "Невиконаний пункт — помилка оператора або помилка процесу, а не «{value}»."),
    "Every item is marked not applicable (or weighs 0): score at least one item.":
        ("Все пункты отмечены «неприменимо» (или весят 0): оцените хотя бы один пункт.",
         "Усі пункти позначено «незастосовно» (або вони важать 0): оцініть хоча б один "
         "пункт."),
    "Item line {number}: every item needs a group, a key and a text.":
        ("Строка пунктов {number}: у каждого пункта должны быть группа, ключ и текст.",
         "Рядок пунктів {number}: кожен пункт має мати групу, ключ і текст."),
    "Item “{key}” cannot be marked not applicable: score it.":
        ("Пункт «{key}» нельзя отметить «неприменимо»: оцените его.",
         "Пункт «{key}» не можна позначити «незастосовно»: оцініть його."),
    "Item “{key}”: a score is from 0 to 1.":
        ("Пункт «{key}»: балл — от 0 до 1.",
         "Пункт «{key}»: бал — від 0 до 1."),
    "Item “{key}”: the answer “{value}” is not a score (a number from 0 to 1, or not "
    "applicable).":
        ("Пункт «{key}»: ответ «{value}» — не балл (число от 0 до 1 или «неприменимо»).",
         "Пункт «{key}»: відповідь «{value}» — не бал (число від 0 до 1 або "
         "«незастосовно»)."),
    "Item “{key}”: the score “{value}” must be from 0 to 1.":
        ("Пункт «{key}»: балл «{value}» должен быть от 0 до 1.",
         "Пункт «{key}»: бал «{value}» має бути від 0 до 1."),
    "Say why you dispute the evaluation: write it in the comment, then press Dispute.":
        ("Объясните, почему вы оспариваете оценку: напишите это в комментарии и нажмите "
         "«Оспорить».",
         "Поясніть, чому ви оскаржуєте оцінку: напишіть це в коментарі й натисніть "
         "«Оскаржити»."),
    "Score every item or mark it not applicable. Items without an answer: {keys}.":
        ("Оцените каждый пункт или отметьте «неприменимо». Пункты без ответа: {keys}.",
         "Оцініть кожен пункт або позначте «незастосовно». Пункти без відповіді: {keys}."),
    "The comment has {length} characters: at most {limit} are allowed. Shorten it and "
    "send again.":
        ("В комментарии {length} символов, а можно не больше {limit}. Сократите его и "
         "отправьте снова.",
         "У коментарі {length} символів, а можна не більше {limit}. Скоротіть його й "
         "надішліть знову."),
    "The minimum per agent must be a whole number from 0 to {most}.":
        ("Минимум на оператора — целое число от 0 до {most}.",
         "Мінімум на оператора — ціле число від 0 до {most}."),
    "The seed must be a whole number from −{least} to {most}.":
        ("Начальное число генератора — целое число от −{least} до {most}.",
         "Початкове число генератора — ціле число від −{least} до {most}."),
    "You have already answered this evaluation: an answer cannot be changed.":
        ("Вы уже ответили на эту оценку: ответ изменить нельзя.",
         "Ви вже відповіли на цю оцінку: відповідь змінити не можна."),
    "You have already scored this contact in this session: a calibration keeps each "
    "evaluator's first score.":
        ("Вы уже оценили это обращение в этой сессии: калибровка хранит первую оценку "
         "каждого оценщика.",
         "Ви вже оцінили це звернення в цій сесії: калібрування зберігає першу оцінку "
         "кожного оцінювача."),
    "Your account supervises sites, not a client: the forms you may use are the "
    "operator's, which every site and client uses. An administrator saves them.":
        ("Ваша учётная запись руководит площадками, а не клиентом: анкеты, которыми вы "
         "пользуетесь, — анкеты оператора, общие для всех площадок и клиентов. Сохраняет их "
         "администратор.",
         "Ваш обліковий запис керує майданчиками, а не клієнтом: анкети, якими ви "
         "користуєтеся, — анкети оператора, спільні для всіх майданчиків і клієнтів. "
         "Зберігає їх адміністратор."),
    "held on": ("дата проведения", "дата проведення"),
    "risk-weighted": ("с учётом риска", "з урахуванням ризику"),
}
