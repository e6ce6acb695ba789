"""The schedule page (/wfm/schedule) and its roster export."""

TEXT: dict[str, tuple[str, str]] = {
    "The break's new start is not a time.": ("Новое начало перерыва — не время.",
                                             "Новий початок перерви — не час."),
    "The {activity} must stay inside the shift, {start}–{end}.": (
        "{activity}: должен остаться в пределах смены, {start}–{end}.",
        "{activity}: має лишитися в межах зміни, {start}–{end}."),
    "The {activity} would overlap the {other} at {start}.": (
        "{activity}: накладывается на «{other}» в {start}.",
        "{activity}: накладається на «{other}» о {start}."),
    "Not moved for {agent}: {why}": ("Не перенесено для {agent}: {why}",
                                     "Не перенесено для {agent}: {why}"),
    "Day: “{value}” is not a date such as 2024-03-04.": (
        "День: «{value}» — не дата вида 2024-03-04.",
        "День: «{value}» — не дата на зразок 2024-03-04."),
    "The schedule has no shift on {day}: its first day is shown.": (
        "В графике нет смен на {day}: показан его первый день.",
        "У графіку немає змін на {day}: показано його перший день."),
    "Work schedule": ("График работы", "Графік роботи"),
    "Break moved for": ("Перерыв перенесён:", "Перерву перенесено:"),
    "This dataset has no schedule. Write one into its folder with":
        ("В этом наборе данных нет графика. Запишите его в папку командой",
         "У цьому наборі даних немає графіка. Запишіть його в теку командою"),
    "Roster as XLSX": ("График смен в XLSX", "Графік змін у XLSX"),
    "Coverage": ("Покрытие", "Покриття"),
    "Short of the requirement": ("Нехватка до потребности", "Нестача до потреби"),
    "above it": ("сверх неё", "понад неї"),
    "agent-intervals": ("оператор-интервалов", "оператор-інтервалів"),
    "No requirement to compare with. It is read from this file in the dataset folder and "
    "shown to accounts that see every tenant:":
        ("Нет потребности для сравнения. Она читается из этого файла в папке набора данных "
         "и видна учётным записям со всеми клиентами:",
         "Немає потреби для порівняння. Вона читається з цього файлу в теці набору даних і "
         "видима обліковим записам з усіма клієнтами:"),
    "Scheduled": ("По графику", "За графіком"),
    "Required": ("Требуется", "Потрібно"),
    "Roster": ("График смен", "Графік змін"),
    "off": ("выходной", "вихідний"),
    "Breaks and lunch": ("Перерывы и обед", "Перерви та обід"),
    "New start": ("Новое начало", "Новий початок"),
    "Move": ("Перенести", "Перенести"),
}
