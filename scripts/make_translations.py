"""Write the web UI's gettext catalogs (src/omnikpi/web/locale/<lang>/messages.po).

The msgids are the English UI strings and the metric names of the KPI declarations; run
this after adding a metric or a UI string, then fill in the new entries.

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
    "Times in": ("Время:", "Час:"), "Formula": ("Формула", "Формула"),
    "Preview": ("Просмотр", "Перегляд"), "Export": ("Экспорт", "Експорт"),
    "Save": ("Сохранить", "Зберегти"), "Save as": ("Сохранить как", "Зберегти як"),
    "Saved reports": ("Сохранённые отчёты", "Збережені звіти"),
    "Metrics": ("Показатели", "Показники"), "Cut by": ("Разрез", "Розріз"),
    "Parameters": ("Параметры", "Параметри"),
    "Wallboard": ("Табло", "Табло"), "Alerts": ("Оповещения", "Сповіщення"),
    "Log in": ("Войти", "Увійти"), "Log out": ("Выйти", "Вийти"),
    "User name": ("Имя пользователя", "Ім'я користувача"), "Password": ("Пароль", "Пароль"),
    "No accounts yet. Create the first one on the server:": (
        "Учётных записей ещё нет. Создайте первую на сервере:",
        "Облікових записів ще немає. Створіть перший на сервері:"),
    "connecting…": ("подключение…", "підключення…"),
    "Waiting now": ("Ожидают сейчас", "Очікують зараз"),
    "Longest wait": ("Самое долгое ожидание", "Найдовше очікування"),
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
    "Blocked rate": ("Доля заблокированных", "Частка заблокованих"),
    "Service level": ("Уровень сервиса", "Рівень сервісу"),
    "Average speed of answer": ("Среднее время ответа", "Середній час відповіді"),
    "Average wait": ("Среднее ожидание", "Середнє очікування"),
    "Longest wait": ("Максимальное ожидание", "Максимальне очікування"),
    "Average time to abandon": ("Среднее время до отказа", "Середній час до відмови"),
    "Abandon rate": ("Доля потерянных", "Частка втрачених"),
    "Average time late": ("Среднее опоздание", "Середнє запізнення"),
    "Average first response time": ("Среднее время первого ответа",
                                    "Середній час першої відповіді"),
    "Average queue time": ("Среднее время в очереди", "Середній час у черзі"),
    "Average pick-up time": ("Среднее время взятия в работу", "Середній час узяття в роботу"),
    "Average in-session response time": ("Среднее время ответа в сессии",
                                         "Середній час відповіді в сесії"),
    "Blocked time rate": ("Доля времени недоступности", "Частка часу недоступності"),
    "Occupancy": ("Занятость", "Зайнятість"),
    "Time in state": ("Время в статусе", "Час у статусі"),
    "Contacts per shift": ("Обращений за смену", "Звернень за зміну"),
    "Chat occupancy (relative to capacity)": ("Загрузка чатов (от ёмкости)",
                                              "Завантаження чатів (від місткості)"),
    "Chat occupancy (absolute)": ("Загрузка чатов (абсолютная)",
                                  "Завантаження чатів (абсолютне)"),
    "Average concurrent chat sessions": ("Среднее число параллельных чатов",
                                         "Середня кількість паралельних чатів"),
    "Maximum concurrent chat sessions": ("Максимум параллельных чатов",
                                         "Максимум паралельних чатів"),
    "Cost per contact": ("Стоимость обращения", "Вартість звернення"),
    "Cost per resolution": ("Стоимость решения", "Вартість вирішення"),
    "Cost per sale": ("Стоимость продажи", "Вартість продажу"),
    "Cost per customer": ("Стоимость на клиента", "Вартість на клієнта"),
    "Customer satisfaction (top box)": ("Удовлетворённость клиентов (CSAT)",
                                        "Задоволеність клієнтів (CSAT)"),
    "Customer dissatisfaction (bottom box)": ("Неудовлетворённость клиентов (CDSAT)",
                                              "Незадоволеність клієнтів (CDSAT)"),
    "Mean CSAT score": ("Средняя оценка CSAT", "Середня оцінка CSAT"),
    "Net promoter score": ("Индекс NPS", "Індекс NPS"),
    "Customer effort score": ("Индекс усилий клиента (CES)", "Індекс зусиль клієнта (CES)"),
    "Survey response rate": ("Доля ответивших на опрос", "Частка тих, хто відповів на опитування"),
    "Employee satisfaction": ("Удовлетворённость сотрудников", "Задоволеність працівників"),
    "Dial attempts": ("Попытки дозвона", "Спроби дозвону"),
    "Connection rate": ("Доля соединений", "Частка з'єднань"),
    "Right-party contact rate": ("Доля целевых контактов", "Частка цільових контактів"),
    "Right-party contacts per hour": ("Целевых контактов в час", "Цільових контактів на годину"),
    "Attempts per hour": ("Попыток в час", "Спроб на годину"),
    "Conversion rate": ("Конверсия", "Конверсія"),
    "List penetration": ("Проработка базы", "Опрацювання бази"),
    "Average handle time": ("Среднее время обработки", "Середній час обробки"),
    "Average talk time": ("Среднее время разговора", "Середній час розмови"),
    "Average hold time": ("Среднее время удержания", "Середній час утримання"),
    "Average after-contact work": ("Средняя постобработка", "Середня післяобробка"),
    "Transactions per hour": ("Обращений в час", "Звернень на годину"),
    "Transfer rate": ("Доля переводов", "Частка переведень"),
    "Resolution rate": ("Доля решённых", "Частка вирішених"),
    "First-contact resolution": ("Решение с первого обращения", "Вирішення з першого звернення"),
    "Repeat rate": ("Доля повторных", "Частка повторних"),
    "Contact quality": ("Качество обслуживания", "Якість обслуговування"),
    "QA score": ("Оценка QA", "Оцінка QA"),
    "Received": ("Поступило", "Надійшло"), "Offered": ("Предложено", "Запропоновано"),
    "Answered": ("Отвечено", "Відповіли"), "Handled": ("Обработано", "Оброблено"),
    "Abandoned": ("Потеряно", "Втрачено"),
    "Short abandoned": ("Короткие потерянные", "Короткі втрачені"),
    "Transferred": ("Переведено", "Переведено"), "Utilization": ("Утилизация", "Утилізація"),
    "Schedule adherence": ("Соблюдение расписания", "Дотримання розкладу"),
    "Schedule conformance": ("Соответствие расписанию", "Відповідність розкладу"),
    "Shrinkage": ("Потери рабочего времени", "Втрати робочого часу"),
    "Monthly attrition": ("Текучесть за месяц", "Плинність за місяць"),
    "Annualized attrition": ("Годовая текучесть (по месяцу)", "Річна плинність (за місяцем)"),
    "Annual attrition": ("Годовая текучесть", "Річна плинність"),
    "occupancy": ("занятость", "зайнятість"), "aht": ("ср. время обработки",
                                                      "сер. час обробки"),
    "handled": ("обработано", "оброблено"),
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
