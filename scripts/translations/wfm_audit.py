"""The staffing calculator's refusals added after the WFM audit (/wfm/staffing)."""

TEXT: dict[str, tuple[str, str]] = {
    "Erlang A cannot be staffed to an ASA target or an occupancy cap alone: impatient callers "
    "leave the queue instead of waiting, so too few agents meet them while most callers hang "
    "up. Give a service level target or an abandonment cap as well.":
        ("Erlang A нельзя рассчитать только по цели ASA или пределу занятости: нетерпеливые "
         "клиенты уходят из очереди, а не ждут, поэтому их выполняет слишком мало операторов, "
         "пока большинство клиентов бросает трубку. Задайте также цель по уровню сервиса или "
         "предел доли брошенных.",
         "Erlang A не можна розрахувати лише за ціллю ASA або межею зайнятості: нетерплячі "
         "клієнти йдуть із черги, а не чекають, тож їх виконує замало операторів, поки "
         "більшість клієнтів кладе слухавку. Задайте також ціль щодо рівня сервісу або межу "
         "частки покинутих."),
}
