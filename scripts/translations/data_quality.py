"""The data-quality page (``/data``) and the dashboard's line about quarantined rows."""

TEXT: dict[str, tuple[str, str]] = {
    "Data quality": ("Качество данных", "Якість даних"),
    "Rows that break the data model are quarantined: left out of every KPI, never lost. Each "
    "one is listed below with its file, row and column; the command line lists the same:": (
        "Строки, нарушающие модель данных, помещаются в карантин: они не входят ни в один "
        "показатель, но и не теряются. Каждая указана ниже с файлом, строкой и столбцом; "
        "то же выводит команда:",
        "Рядки, що порушують модель даних, потрапляють у карантин: вони не входять до жодного "
        "показника, але й не губляться. Кожен наведено нижче з файлом, рядком і стовпцем; "
        "те саме виводить команда:"),
    "Tables": ("Таблицы", "Таблиці"),
    "table": ("таблица", "таблиця"),
    "files": ("файлы", "файли"),
    "rows read": ("прочитано строк", "прочитано рядків"),
    "loaded": ("загружено", "завантажено"),
    "quarantined": ("в карантине", "у карантині"),
    "in use": ("используется", "використовується"),
    "not usable: see its problems": ("не используется: см. проблемы",
                                     "не використовується: див. проблеми"),
    "no row loaded: see its problems": ("ни одна строка не загружена: см. проблемы",
                                        "жоден рядок не завантажено: див. проблеми"),
    "The source files hold every client's rows, so their problems are shown to administrators "
    "only; the counts above are the rows you may see.": (
        "Исходные файлы содержат строки всех клиентов, поэтому их проблемы видят только "
        "администраторы; выше — число строк, доступных вам.",
        "Вихідні файли містять рядки всіх клієнтів, тому їхні проблеми бачать лише "
        "адміністратори; вище — кількість рядків, доступних вам."),
    "Problems": ("Проблемы", "Проблеми"),
    "where": ("где", "де"),
    "column": ("столбец", "стовпець"),
    "what is wrong": ("что не так", "що не так"),
    "effect": ("последствие", "наслідок"),
    "the whole file is left out": ("файл не используется целиком",
                                   "файл не використовується повністю"),
    "about the file": ("о файле в целом", "про файл загалом"),
    "row quarantined": ("строка в карантине", "рядок у карантині"),
    "Only the first problems are listed here; the command lists all of them:": (
        "Здесь показаны только первые проблемы; все выводит команда:",
        "Тут показано лише перші проблеми; усі виводить команда:"),
    "No problems: every row of every file is in the KPIs.": (
        "Проблем нет: все строки всех файлов входят в показатели.",
        "Проблем немає: усі рядки всіх файлів входять до показників."),
    "Notes": ("Замечания", "Зауваження"),
    "Files not read": ("Непрочитанные файлы", "Непрочитані файли"),
    "Lines left out at import": ("Строки, пропущенные при импорте",
                                 "Рядки, пропущені під час імпорту"),
    "Lines of the source exports that an import could not read: never in the KPIs, kept "
    "with their text to be fixed at the source and imported again, in": (
        "Строки исходных выгрузок, которые импорт не смог прочитать: они не входят в "
        "показатели, но сохранены вместе с текстом, чтобы исправить их в источнике и "
        "импортировать снова, в файле",
        "Рядки вихідних вивантажень, які імпорт не зміг прочитати: вони не входять до "
        "показників, але збережені разом із текстом, щоб виправити їх у джерелі й "
        "імпортувати знову, у файлі"),
    "the line": ("строка", "рядок"),
    "line": ("строка", "рядок"),
    "Only the first lines are listed here; the file holds every one.": (
        "Здесь показаны только первые строки; в файле есть все.",
        "Тут показано лише перші рядки; у файлі є всі."),
    "Nothing to note about the loaded rows.": ("Замечаний к загруженным строкам нет.",
                                               "Зауважень до завантажених рядків немає."),
    "Tables left out (their files do not follow the data model):": (
        "Таблицы, не вошедшие в показатели (их файлы не соответствуют модели данных):",
        "Таблиці, що не увійшли до показників (їхні файли не відповідають моделі даних):"),
    "Rows quarantined and left out of the KPIs:": (
        "Строк в карантине, не вошедших в показатели:",
        "Рядків у карантині, що не увійшли до показників:"),
    # omnikpi.schema.hints.FUTURE_ARRIVALS
    "Contacts arrive more than a day after the time of the check: a report's as-of is the "
    "data's latest event by default, so a wrong date (a clock, a year typed wrong) moves "
    "it and changes every figure that depends on it (service level, FCR). Correct the "
    "dates, or give reports an --as-of.": (
        "Обращения поступают больше чем через сутки после момента проверки: момент отчёта "
        "по умолчанию — последнее событие данных, поэтому неверная дата (часы, опечатка в "
        "годе) сдвигает его и меняет все зависящие от него показатели (уровень сервиса, "
        "FCR). Исправьте даты или задайте отчётам --as-of.",
        "Звернення надходять більш ніж через добу після моменту перевірки: момент звіту "
        "за замовчуванням — остання подія даних, тому хибна дата (годинник, помилка в "
        "році) зсуває його і змінює всі залежні від нього показники (рівень сервісу, "
        "FCR). Виправте дати або задайте звітам --as-of."),
    # omnikpi.schema.hints.REPLIED_AFTER_ABANDON
    "Contacts with abandoned_at before first_response_at count as answered: abandoned_at is "
    "when the customer left before a first response, so a reply recorded after the customer "
    "had gone (a chat answered into an empty window) makes a lost contact look answered. "
    "Clear first_response_at where nobody was left to read it, or abandoned_at where the "
    "customer stayed.": (
        "Обращения с abandoned_at раньше first_response_at считаются отвеченными: "
        "abandoned_at — момент, когда клиент ушёл до первого ответа, поэтому ответ, "
        "записанный после ухода клиента (чат, отвеченный в пустое окно), выдаёт потерянное "
        "обращение за отвеченное. Очистите first_response_at там, где ответ уже некому было "
        "прочитать, или abandoned_at там, где клиент остался.",
        "Звернення з abandoned_at раніше за first_response_at вважаються такими, на які "
        "відповіли: abandoned_at — момент, коли клієнт пішов до першої відповіді, тому "
        "відповідь, записана після відходу клієнта (чат, на який відповіли в порожнє "
        "вікно), видає втрачене звернення за обслужене. Очистьте first_response_at там, де "
        "відповідь уже нікому "
        "було прочитати, або abandoned_at там, де клієнт залишився."),
    # omnikpi.schema.hints.UNKNOWN_CHANNELS
    "Contacts of a channel that is neither one OmniKPI knows (voice, video, callback, chat, "
    "messenger, email, social, sms, letter) nor declared in the configuration are read as "
    "continuous, with a 20-second service-level threshold. Declare the channel's mode and "
    "threshold in [channels.NAME] of the configuration, or map it to a known channel in "
    "the import.": (
        "Обращения канала, которого OmniKPI не знает (voice, video, callback, chat, "
        "messenger, email, social, sms, letter) и который не объявлен в конфигурации, "
        "читаются как непрерывные, с порогом уровня сервиса 20 секунд. Объявите режим и "
        "порог канала в [channels.NAME] конфигурации или сопоставьте его известному каналу "
        "при импорте.",
        "Звернення каналу, якого OmniKPI не знає (voice, video, callback, chat, messenger, "
        "email, social, sms, letter) і який не оголошено в конфігурації, читаються як "
        "безперервні, з порогом рівня сервісу 20 секунд. Оголосіть режим і поріг каналу в "
        "[channels.NAME] конфігурації або зіставте його з відомим каналом під час імпорту."),
    # omnikpi.schema.hints.CONVERTED_NOT_RPC
    "Dial attempts marked converted are not right-party connects (no answer, a wrong "
    "party): sales counts every converted attempt, as the catalog defines it, but "
    "conversion_rate counts only converted right-party connects, so the two disagree. "
    "Correct the dialer's export, or clear converted where nobody was sold to.": (
        "Попытки дозвона с отметкой converted не являются контактами с нужным лицом (нет "
        "ответа, не то лицо): sales считает каждую такую попытку, как определяет каталог, а "
        "conversion_rate — только конвертированные контакты с нужным лицом, поэтому они "
        "расходятся. Исправьте выгрузку дайлера или снимите converted там, где продажи не "
        "было.",
        "Спроби дозвону з позначкою converted не є контактами з потрібною особою (немає "
        "відповіді, не та особа): sales враховує кожну таку спробу, як визначає каталог, а "
        "conversion_rate — лише конвертовані контакти з потрібною особою, тому вони "
        "розходяться. Виправте вивантаження дайлера або зніміть converted там, де продажу "
        "не було."),
    # omnikpi.schema.hints.OVERLAPPING_ACTIVITIES
    "Scheduled activities of one agent overlap (a break laid over a work block): the "
    "schedule is read in layers, the shorter activity on top where two overlap (the break, "
    "not the work under it). If your tool meant something else, export the schedule as "
    "consecutive pieces (work 08:00–12:00, break 12:00–12:15, work 12:15–16:00).": (
        "Запланированные активности одного оператора пересекаются (перерыв поверх блока "
        "работы): график читается слоями, и там, где две активности пересекаются, "
        "действует более короткая (перерыв, а не работа под ним). Если ваша система имела "
        "в виду другое, выгружайте график последовательными отрезками (работа "
        "08:00–12:00, перерыв 12:00–12:15, работа 12:15–16:00).",
        "Заплановані активності одного оператора перетинаються (перерва поверх блоку "
        "роботи): графік читається шарами, і там, де дві активності перетинаються, діє "
        "коротша (перерва, а не робота під нею). Якщо ваша система мала на увазі інше, "
        "вивантажуйте графік послідовними відрізками (робота 08:00–12:00, перерва "
        "12:00–12:15, робота 12:15–16:00)."),
    # omnikpi.schema.hints.OVERLAPPING_EMPLOYMENT
    "Employment periods of one agent overlap in the roster: the agent is counted twice in "
    "headcount, which lowers attrition. End the earlier period (left_on) before the next "
    "hired_on.": (
        "Периоды работы одного оператора в roster пересекаются: он учитывается в "
        "численности дважды, что занижает текучесть. Закройте ранний период (left_on) до "
        "следующего hired_on.",
        "Періоди роботи одного оператора в roster перетинаються: його враховано в "
        "чисельності двічі, що занижує плинність. Закрийте ранній період (left_on) до "
        "наступного hired_on."),
    # omnikpi.schema.hints.LEFT_WITHOUT_LEAVE_TYPE
    "Roster rows end an employment (left_on) without saying how (leave_type): attrition "
    "counts a leaver by the leave type (the types in leave_types; internal_move is no "
    "leaver), so these agents are not counted as having left. Give each one's leave_type "
    "(voluntary, involuntary, company_move or internal_move).": (
        "Строки roster завершают работу (left_on), не говоря как (leave_type): текучесть "
        "считает ушедшего по типу ухода (типы из leave_types; internal_move — не уход), "
        "поэтому эти операторы не учтены как ушедшие. Укажите каждому leave_type "
        "(voluntary, involuntary, company_move или internal_move).",
        "Рядки roster завершують роботу (left_on), не кажучи як (leave_type): плинність "
        "рахує того, хто пішов, за типом відходу (типи з leave_types; internal_move — не "
        "відхід), тож цих операторів не враховано як тих, що пішли. Вкажіть кожному "
        "leave_type (voluntary, involuntary, company_move або internal_move)."),
    # omnikpi.schema.hints.LEAVE_TYPE_WITHOUT_LEFT
    "Roster rows give a leave_type but no left_on: the agent is read as still employed, "
    "counted in headcount and not as a leaver. Give the last day employed in left_on, or "
    "clear leave_type.": (
        "Строки roster указывают leave_type без left_on: оператор считается работающим, "
        "учитывается в численности и не как ушедший. Укажите последний рабочий день в "
        "left_on или очистите leave_type.",
        "Рядки roster вказують leave_type без left_on: оператора вважають працюючим, його "
        "враховано в чисельності й не як того, хто пішов. Вкажіть останній робочий день у "
        "left_on або очистьте leave_type."),
    # omnikpi.schema.hints.CHATS_WITHOUT_STATES
    "Chat and messenger sessions outside their agent's active time (no available, "
    "handling, hold or acw state covers them, or the agent has no state at all): the chat "
    "occupancy and concurrency metrics count a session only while its agent is active, so "
    "this session time counts nowhere. Add the missing states to the agent-state export, "
    "or check that both exports name agents alike and keep the same clock.": (
        "Сессии чатов и мессенджеров вне активного времени их оператора (их не покрывает "
        "ни одно состояние available, handling, hold или acw, или у оператора нет ни "
        "одного состояния): показатели загрузки и параллельности чатов учитывают сессию "
        "только пока оператор активен, поэтому это время сессий нигде не учтено. Добавьте "
        "недостающие состояния в выгрузку состояний или проверьте, что обе выгрузки "
        "называют операторов одинаково и идут по одним часам.",
        "Сесії чатів і месенджерів поза активним часом їхнього оператора (їх не покриває "
        "жоден стан available, handling, hold чи acw, або в оператора немає жодного "
        "стану): показники завантаження й паралельності чатів враховують сесію лише поки "
        "оператор активний, тож цей час сесій ніде не враховано. Додайте відсутні стани до "
        "вивантаження станів або перевірте, що обидва вивантаження називають операторів "
        "однаково й ідуть за одним годинником."),
    # omnikpi.schema.hints.MESSAGES_WITHOUT_CONTACT
    "Messages of contacts that are not among the loaded contacts (missing from the "
    "contacts export, or quarantined): the response times (ART, first and in-session) "
    "read a conversation's messages with its contact, so these count nowhere. Export the "
    "contacts of the same period, or correct the contact_id the messages carry.": (
        "Сообщения обращений, которых нет среди загруженных обращений (их нет в выгрузке "
        "contacts или они в карантине): время ответа (ART, первого и в ходе сессии) читает "
        "сообщения разговора вместе с его обращением, поэтому эти сообщения нигде не "
        "учтены. Выгрузите обращения того же периода или исправьте contact_id в сообщениях.",
        "Повідомлення звернень, яких немає серед завантажених звернень (їх немає у "
        "вивантаженні contacts або вони в карантині): час відповіді (ART, першої та під час "
        "сесії) читає повідомлення розмови разом із її зверненням, тож ці повідомлення ніде "
        "не враховано. Вивантажте звернення того самого періоду або виправте contact_id у "
        "повідомленнях."),
    # omnikpi.schema.hints.SURVEYS_NO_METRIC_READS
    "Survey answers of type cdsat or esat are read by no metric: CDSAT is the bottom box "
    "of the csat answers (bottom_box points of their own scale), and employee "
    "satisfaction comes from employee_surveys. Export a dissatisfaction question's "
    "answers as csat (their scale places them in the bottom box), an employee survey's "
    "in employee_surveys (scores on its 1–10 scale).": (
        "Ответы опросов типа cdsat или esat не читает ни один показатель: CDSAT — нижние "
        "баллы ответов csat (bottom_box баллов их собственной шкалы), а удовлетворённость "
        "сотрудников берётся из employee_surveys. Выгружайте ответы на вопрос о "
        "неудовлетворённости как csat (их шкала отнесёт их к нижним баллам), ответы "
        "опроса сотрудников — в employee_surveys (баллы по её шкале 1–10).",
        "Відповіді опитувань типу cdsat або esat не читає жоден показник: CDSAT — нижні "
        "бали відповідей csat (bottom_box балів їхньої власної шкали), а задоволеність "
        "працівників береться з employee_surveys. Вивантажуйте відповіді на питання про "
        "незадоволеність як csat (їхня шкала віднесе їх до нижніх балів), відповіді "
        "опитування працівників — до employee_surveys (бали за її шкалою 1–10)."),
    # omnikpi.schema.hints.REPEATED_ANSWERS
    "Survey answers repeated row for row (the same contact or person, survey, instant and "
    "score): each copy counts as another answer in the satisfaction figures and their "
    "response counts. An export read twice, or windows that overlap, repeat lines: "
    "remove the copies, or bring the files in with omnikpi import, which keeps each "
    "answer once.": (
        "Ответы опросов, повторённые строка в строку (то же обращение или сотрудник, "
        "опрос, момент и балл): каждая копия считается ещё одним ответом в показателях "
        "удовлетворённости и в числе ответов. Строки повторяет выгрузка, прочитанная "
        "дважды, или перекрывающиеся периоды выгрузок: удалите копии или загрузите файлы "
        "через omnikpi import, который сохраняет каждый ответ один раз.",
        "Відповіді опитувань, повторені рядок у рядок (те саме звернення чи працівник, "
        "опитування, момент і бал): кожна копія рахується ще однією відповіддю в "
        "показниках задоволеності та в кількості відповідей. Рядки повторює вивантаження, "
        "прочитане двічі, або періоди вивантажень, що перекриваються: видаліть копії або "
        "завантажте файли через omnikpi import, який зберігає кожну відповідь один раз."),
    # omnikpi.schema.hints.STATES_WITHOUT_SHIFTS
    "Agent states of agents who have no shift at all in the schedule: adherence, "
    "conformance, shrinkage and utilization have no scheduled time for them, so they are "
    "left out of those figures (a team's counts the agents with a schedule only). Add "
    "their shifts, or leave them out of the state export if they are not scheduled.": (
        "Состояния операторов, у которых в графике нет ни одной смены: у соблюдения "
        "графика, выполнения графика, потерь рабочего времени и утилизации для них нет "
        "запланированного времени, поэтому они не входят в эти показатели (показатель "
        "группы учитывает только операторов с графиком). Добавьте их смены или не "
        "выгружайте их состояния, если они не планируются.",
        "Стани операторів, у яких у графіку немає жодної зміни: у дотримання графіка, "
        "виконання графіка, втрат робочого часу та утилізації для них немає запланованого "
        "часу, тож вони не входять до цих показників (показник групи враховує лише операторів із "
        "графіком). Додайте їхні зміни або не вивантажуйте їхні стани, якщо їх не "
        "планують."),
    # omnikpi.schema.hints.VOICE_WITHOUT_FIRST_RESPONSE
    "Voice contacts with accepted_at but no first_response_at count as not answered: they "
    "lower the answered count and the service level, and have no ASA or handle time. For "
    "voice, the data model gives first_response_at = accepted_at: set it in the export or "
    "the import mapping.": (
        "Голосовые обращения с accepted_at, но без first_response_at, считаются "
        "неотвеченными: они снижают число отвеченных и уровень сервиса и не имеют ASA и "
        "времени обработки. Для голоса модель данных задаёт first_response_at = accepted_at: "
        "укажите его в выгрузке или в схеме импорта.",
        "Голосові звернення з accepted_at, але без first_response_at, вважаються "
        "неприйнятими: вони знижують кількість прийнятих і рівень сервісу та не мають ASA й "
        "часу обробки. Для голосу модель даних задає first_response_at = accepted_at: "
        "вкажіть його у вивантаженні або в схемі імпорту."),
}
