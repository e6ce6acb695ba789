"""Cost per contact, resolution, sale and customer (costs spread over their period)."""

from __future__ import annotations

import dataclasses

import ibis

from omnikpi.errors import UsageError
from omnikpi.metrics.base import REGISTRY, Metric, Param, Params, register
from omnikpi.metrics.common import n
from omnikpi.metrics.fcr_params import FCR_PARAMS, FCR_WHEN_EMPTY, FCR_WHEN_EMPTY_TEXTS
from omnikpi.metrics.sales import SALE_OUTCOMES, is_sale

_NOTE = ("Cost rows are spread over the time they cover in proportion to time; a cost row "
         "without queue/channel/tenant falls in the null group of that dimension. A group "
         "no cost row covers has no value (its costs are unknown), not 0.")


def _cost(**kwargs: object) -> Metric:
    base: dict[str, object] = {"area": "cost", "unit": "money", "source": "costs",
                               "tables": ("costs", "contacts"), "notes": _NOTE,
                               "unknown_without_numerator": True}
    base.update(kwargs)
    return Metric(**base)  # type: ignore[arg-type]


def _per_sale(p: Params) -> Metric:
    """``sales=all`` divides by the ``sales`` metric's count: an outbound-only center has
    converted dial attempts and no contact closed with the outcome ``sale``."""
    base = REGISTRY["cost_per_sale"]
    if p["sales"] == "contacts":
        return base
    # the sales source reads contacts and dial attempts as it finds them: a center that
    # only dials has no contacts table, and asking for one refused the very case
    return dataclasses.replace(base, tables=("costs",), denominator_source="sales",
                               denominator=lambda t, q: n(is_sale(t, q)), resolve=None)


def _per_customer(p: Params) -> Metric:
    base = p.get("customer_base")
    if base is None:
        raise UsageError(
            "cost_per_customer needs the size of the customer base: "
            "--param cost_per_customer.customer_base=N"
        )
    return dataclasses.replace(REGISTRY["cost_per_customer"], scale=1.0 / float(base),
                               resolve=None)


register(
    _cost(
        id="cost_per_contact", name="Cost per contact",
        formulas={"ru": "Σ затрат / обработанные обращения",
                  "uk": "Σ витрат / оброблені звернення"},
        names={"ru": "Стоимость обращения", "uk": "Вартість звернення"}, better="lower",
        sections={"experience": 4}, denominator_source="contacts",
        booking="end", formula="Σ costs / handled contacts",
        numerator=lambda t, p: t.cost, denominator=lambda t, p: n(t.handled),
    ),
    _cost(
        id="cost_per_resolution", name="Cost per resolution",
        formulas={"ru": "Σ затрат / вопросы, решённые с первого обращения (без перевода и "
                        "повтора в окне)",
                  "uk": "Σ витрат / питання, вирішені з першого звернення (без переведення й "
                        "повтору у вікні)"},
        names={"ru": "Стоимость решения", "uk": "Вартість вирішення"}, better="lower",
        denominator_source="fcr",
        booking="end", formula="Σ costs / FCR questions resolved at first contact (not "
        "transferred, no repeat in the window)",
        params=FCR_PARAMS,
        numerator=lambda t, p: t.cost, denominator=lambda t, p: n(~t.unresolved_first),
        notes=_NOTE + " A question counts once its repeat window has ended by as-of (as in "
        "fcr): over the last window_hours before as-of the costs are whole and the "
        "resolutions not yet, so the figure reads high there.",
        when_empty=FCR_WHEN_EMPTY, when_empty_texts=FCR_WHEN_EMPTY_TEXTS,
    ),
    _cost(
        id="cost_per_sale", name="Cost per sale",
        formulas={"ru": "Σ затрат / обработанные обращения с результатом «продажа» "
                        "(все продажи: / продажи, как их считает показатель «Продажи»)",
                  "uk": "Σ витрат / оброблені звернення з результатом «продаж» "
                        "(усі продажі: / продажі, як їх рахує показник «Продажі»)"},
        names={"ru": "Стоимость продажи", "uk": "Вартість продажу"}, better="lower",
        denominator_source="contacts",
        booking="end", formula="Σ costs / handled contacts with outcome = sale (sales=all: "
        "/ sales as the metric sales counts them)",
        params=(Param("sales", "choice", "contacts", "what a sale is: contacts = handled "
                      "contacts with outcome sale (the catalog); all = inbound handled "
                      "contacts with an outcome in sale_outcomes and converted dial attempts, "
                      "as the metric sales", ("contacts", "all")),
                dataclasses.replace(SALE_OUTCOMES, read_only_with=("sales", "all"))),
        numerator=lambda t, p: t.cost,
        denominator=lambda t, p: n(t.handled & (t.outcome.lower() == "sale")),
        resolve=_per_sale,
    ),
    _cost(
        id="total_cost", name="Total cost",
        formulas={"ru": "Σ затрат (распределённых по их периоду)",
                  "uk": "Σ витрат (розподілених за їхнім періодом)"},
        names={"ru": "Общие затраты", "uk": "Загальні витрати"}, better="lower",
        sections={"experience": 6}, tables=("costs",),
        formula="Σ costs (spread over their period)",
        numerator=lambda t, p: t.cost,
    ),
    _cost(
        id="cost_per_customer_served", name="Cost per customer served",
        formulas={"ru": "Σ затрат / различные customer_id среди обработанных обращений "
                        "(обращение без customer_id считается один раз)",
                  "uk": "Σ витрат / різні customer_id серед оброблених звернень (звернення без "
                        "customer_id рахується один раз)"},
        names={"ru": "Стоимость обслуженного клиента", "uk": "Вартість обслуженого клієнта"},
        better="lower", sections={"experience": 5}, denominator_source="contacts",
        denominator_aggregate="distinct",
        booking="end", formula="Σ costs / distinct customer_id among handled contacts (a "
        "contact without customer_id counts once)",
        numerator=lambda t, p: t.cost,
        denominator=lambda t, p: ibis.ifelse(
            t.handled, t.customer_id.coalesce("\x1fcontact " + t.contact_id),
            ibis.null("string")),
    ),
    _cost(
        id="cost_per_customer", name="Cost per customer",
        formulas={"ru": "Σ затрат / customer_base",
                  "uk": "Σ витрат / customer_base"},
        names={"ru": "Стоимость на клиента", "uk": "Вартість на клієнта"}, better="lower",
        tables=("costs",),
        formula="Σ costs / customer_base",
        params=(Param("customer_base", "float", None, "number of customers served "
                      "(required)", unit="customers", minimum=1),),
        numerator=lambda t, p: t.cost, resolve=_per_customer,
    ),
)
