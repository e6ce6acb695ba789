"""QA pages: an evaluation's verdict, dates and contact; distinct headers of the
coaching session's table; the sampling rate typed as a percent."""

TEXT: dict[str, tuple[str, str]] = {
    # an evaluation's page
    "No verdict": ("Без вердикта", "Без вердикту"),
    "this form has no pass score.":
        ("у этой анкеты нет проходного балла.", "ця анкета не має прохідного бала."),
    "Passed": ("Пройдено", "Пройдено"),
    "Failed": ("Не пройдено", "Не пройдено"),
    "the score {score} is at or above the pass score {pass_score}.":
        ("балл {score} не ниже проходного балла {pass_score}.",
         "бал {score} не нижчий за прохідний бал {pass_score}."),
    "the score {score} is below the pass score {pass_score}.":
        ("балл {score} ниже проходного балла {pass_score}.",
         "бал {score} нижчий за прохідний бал {pass_score}."),
    "The score {score} is also below the pass score {pass_score}.":
        ("Балл {score} к тому же ниже проходного балла {pass_score}.",
         "Бал {score} до того ж нижчий за прохідний бал {pass_score}."),
    "a critical item was not met, whatever the score.":
        ("критичный пункт не выполнен, каким бы ни был балл.",
         "критичний пункт не виконано, яким би не був бал."),
    "evaluated": ("оценено", "оцінено"),
    "not in the data": ("нет в данных", "немає в даних"),
    # the coaching session's table: each column its own header
    "score before": ("балл до", "бал до"),
    "evaluations before": ("оценок до", "оцінок до"),
    "score after": ("балл после", "бал після"),
    "evaluations after": ("оценок после", "оцінок після"),
    # the sampling rate
    "sampling rate": ("доля выборки", "частка вибірки"),
    "sampling rate, % of contacts": ("доля выборки, % обращений",
                                     "частка вибірки, % звернень"),
    "rate (share: 0.03 = 3 %)": ("доля (от 1: 0,03 = 3 %)", "частка (від 1: 0,03 = 3 %)"),
    "The sampling rate is a percent of the handled contacts: more than 0 and at most 100, "
    "such as 3 for 3 %.":
        ("Доля выборки указывается в процентах от обработанных обращений: больше 0 и не "
         "больше 100, например 3 для 3 %.",
         "Частка вибірки вказується у відсотках від оброблених звернень: більше 0 і не "
         "більше 100, наприклад 3 для 3 %."),
}
