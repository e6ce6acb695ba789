/* Russian and Ukrainian for Plotly's axes (month and day names, separators, and the day
   before the month on date ticks: "4 бер", not English's "бер 4"), registered
   before a chart page draws: `Plotly.newPlot(div, data, layout, {locale: "ru"})`. Written
   here (not fetched) because no page may load anything from the internet. */
(function () {
  if (typeof Plotly === "undefined") { return; }
  var locales = {
    ru: {
      days: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
      shortDays: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
      months: ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
               "сентябрь", "октябрь", "ноябрь", "декабрь"],
      shortMonths: ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт",
                    "ноя", "дек"],
      date: "%d.%m.%Y", decimal: ",", thousands: "\u00a0",
      year: "%Y", month: "%b %Y", dayMonth: "%-d %b", dayMonthYear: "%-d %b %Y"
    },
    uk: {
      days: ["неділя", "понеділок", "вівторок", "середа", "четвер", "пʼятниця", "субота"],
      shortDays: ["нд", "пн", "вт", "ср", "чт", "пт", "сб"],
      months: ["січень", "лютий", "березень", "квітень", "травень", "червень", "липень",
               "серпень", "вересень", "жовтень", "листопад", "грудень"],
      shortMonths: ["січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов",
                    "лис", "гру"],
      date: "%d.%m.%Y", decimal: ",", thousands: "\u00a0",
      year: "%Y", month: "%b %Y", dayMonth: "%-d %b", dayMonthYear: "%-d %b %Y"
    }
  };
  Object.keys(locales).forEach(function (name) {
    Plotly.register({moduleType: "locale", name: name, dictionary: {}, format: locales[name]});
  });
})();
