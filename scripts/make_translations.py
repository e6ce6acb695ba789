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
    "Outbound": ("Исходящие", "Вихідні"),
    "Times in": ("Время:", "Час:"), "Formula": ("Формула", "Формула"),
    "Preview": ("Просмотр", "Перегляд"), "Export": ("Экспорт", "Експорт"),
    "Save": ("Сохранить", "Зберегти"), "Save as": ("Сохранить как", "Зберегти як"),
    "Saved reports": ("Сохранённые отчёты", "Збережені звіти"),
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
}


def main() -> None:
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
