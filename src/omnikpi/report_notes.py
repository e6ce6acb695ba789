"""Why a report came out empty or thin, in sentences: what ``omnikpi report`` prints on
stderr as ``note:`` and the Python API raises as :class:`omnikpi.ReportNote` warnings.

A filter value no row holds (``queue="Sales"`` where the data says ``sales``), a period
after the data, an as-of before it, a metric whose figures cannot exist yet (FCR's open
repeat windows): each gave a table of "—" or an empty DataFrame. The command line said
why; the Python API said nothing, and an analyst read the silence as "no calls". One
function finds the notes for both, so they can never say different things.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from omnikpi.empty_figures import has_no_figure
from omnikpi.engine.params import unread_param_notes
from omnikpi.engine.result import ReportResult
from omnikpi.errors import OmniKPIError
from omnikpi.schema.dataset import Dataset
from omnikpi.survey_notes import survey_notes


def report_notes(dataset: Dataset, result: ReportResult, *,
                 filters: Mapping[str, Sequence[str]] | None, engine: str,
                 as_of_given: str | datetime | None, as_of_name: str,
                 params: Mapping[str, object] | None = None) -> list[str]:
    """The notes of a computed report, in the order a reader needs them: filters that
    keep nothing, then a period or as-of outside the data, then the empty metrics, then
    the given ``params`` no metric of the report reads.

    ``as_of_name`` is how the reader gave the as-of (``--as-of`` on the command line,
    ``as_of`` in Python)."""
    notes = unmatched_filter_notes(dataset, filters, engine)
    outside = as_of_before_data_note(dataset, result, as_of_given, as_of_name) or \
        window_outside_data_note(dataset, result)
    if outside:
        notes.append(outside)
    notes += [f"{metric_id} has no value: {text}" for metric_id, text in empty_notes_en(result)]
    later = later_reviews_note(dataset, result, as_of_given, as_of_name)
    if later:
        notes.append(later)
    notes += shared_cost_notes(dataset, result, engine)
    notes += survey_notes(dataset, result, engine, filters, params or {})
    return notes + unread_param_notes(list(result.metrics), params or {})


def later_reviews_note(dataset: Dataset, result: ReportResult,
                       as_of_given: str | datetime | None, as_of_name: str) -> str | None:
    """Which QA or survey figures leave out reviews made after the report's as-of.

    A report mixing them with contact metrics takes the contacts' latest event as its
    as-of (``engine/run._as_of_tables``), so an evaluation made later is not counted:
    qa_score read 90 beside aht and 70 alone, and nothing said why. A figure with no value
    at all already says so (its ``when_empty``)."""
    from omnikpi.engine.registry import review_reads
    from omnikpi.engine.timezones import local_datetime
    from omnikpi.metrics.base import get_metric

    window = result.window
    if as_of_given not in (None, "") or window is None:
        return None
    reviews: dict[str, set[str]] = {}
    for metric_id in result.metrics:
        try:
            read = review_reads(get_metric(metric_id))
        except OmniKPIError:
            continue
        if read and any(v is not None for v in result.values.get(metric_id, ())):
            reviews[metric_id] = {t for t in read if dataset.has(t)}
    tables = sorted(set().union(*reviews.values())) if reviews else []
    latest = dataset.latest_event_us(tables, window.tz) if tables else None
    if latest is None or latest <= window.as_of_us:
        return None

    def shown(us: int) -> str:
        return local_datetime(us, window.tz).isoformat(timespec="minutes")

    return (f"{', '.join(reviews)} count(s) the reviews made by the as-of "
            f"({shown(window.as_of_us)}), the last event of the report's other data; later "
            f"ones (the latest {shown(latest)}) are left out: give {as_of_name} "
            f"{shown(latest)} to count them")


PER_UNIT_COSTS = ("cost_per_contact", "cost_per_resolution", "cost_per_sale",
                  "cost_per_customer_served", "cost_per_customer")
"""The cost metrics that divide a group's costs by that group's own contacts."""


def shared_cost_notes(dataset: Dataset, result: ReportResult, engine: str) -> list[str]:
    """Why the row of no tenant reads a cost per contact far above the others, or none: a
    cost row naming no tenant falls in that row (the catalog's null group), where it is
    divided by the contacts naming no tenant only — a center's rent over its few own
    calls read 500 per contact beside clients of 100, and with no such contact it is in
    no tenant's figure at all. A cost metric's row without a tenant is there only when
    such costs (or such contacts) are."""
    if "tenant" not in result.by or not any(m in result.values for m in PER_UNIT_COSTS):
        return []
    tenants = result.values["tenant"]
    if not any(t is not None for t in tenants) or None not in tenants:
        return []
    if engine != "duckdb" or not dataset.has("costs"):
        return []  # on Spark the rows are on the cluster
    shared = dataset.con.execute("SELECT count(*) FROM costs WHERE tenant IS NULL").fetchone()
    if not shared or not shared[0]:
        return []
    return [f"{metric_id}: the cost rows that name no tenant are in the row without a "
            "tenant, divided by the contacts that name none (if any), and in no tenant's "
            "figure: a cost shared by every tenant (rent, licences) is then no tenant's; "
            "give each cost row its tenant to compare tenants, or read the total"
            for metric_id in PER_UNIT_COSTS if metric_id in result.values]


def unmatched_filter_notes(dataset: Dataset, filters: Mapping[str, Sequence[str]] | None,
                           engine: str) -> list[str]:
    """Which filter values no row holds (``tenant=Alpha`` where the data says alpha gave
    an empty report). On Spark the rows are on the cluster: the check is DuckDB's."""
    from omnikpi.engine.filter_values import unmatched_filter_values

    if engine != "duckdb" or not filters:
        return []
    try:
        unmatched = unmatched_filter_values(dataset, filters)
    except OmniKPIError:
        return []  # the report itself names a bad filter
    # a value of another case is a note of its own (it names the spelling the data has);
    # many plain misses of one dimension are one note (a list of 200 agents gave 199
    # lines); each dimension's notes together, in the order the filters were given
    notes: list[str] = []
    for dimension in dict.fromkeys(miss.dimension for miss in unmatched):
        misses = [miss for miss in unmatched if miss.dimension == dimension]
        notes += [miss.text() for miss in misses if miss.data_has]
        plain = [miss for miss in misses if not miss.data_has]
        if len(plain) <= SHOWN_MISSES:
            notes += [miss.text() for miss in plain]
        else:
            shown = ", ".join(repr(miss.value) for miss in plain[:SHOWN_MISSES])
            notes.append(f"no row has {dimension} {shown} or {len(plain) - SHOWN_MISSES} "
                         f"other value(s) the filter names ({len(misses)} of "
                         f"{len(filters[dimension])} match no row)")
    return notes


SHOWN_MISSES = 3
"""Values of one filter that match nothing named one by one; past them, a count."""


def as_of_before_data_note(dataset: Dataset, result: ReportResult,
                           as_of_given: str | datetime | None, as_of_name: str) -> str | None:
    """Why a report as of an instant before all of the data is empty (an as-of of 2000
    over 2024's data printed an empty table and no word)."""
    from omnikpi.engine.run import report_span
    from omnikpi.engine.timezones import local_datetime

    window = result.window
    if as_of_given in (None, "") or window is None or not has_no_figure(result):
        return None
    first = report_span(dataset, []).first
    if window.as_of_us >= first:
        return None
    when = local_datetime(first, window.tz).isoformat(timespec="minutes")
    return (f"the report is empty: {as_of_name} {as_of_given} is before the data's first "
            f"record ({when}), and nothing was known by then")


def window_outside_data_note(dataset: Dataset, result: ReportResult) -> str | None:
    """Why a report over a window after (or before) all of the data has no figure: a
    January 2025 report over March 2024's data gave an empty table by day, or 0 and "—"
    in total, and no word."""
    from omnikpi.engine.run import report_span
    from omnikpi.engine.timezones import local_datetime

    window = result.window
    if window is None or not has_no_figure(result):
        return None
    span = report_span(dataset, [])

    def shown(us: int) -> str:
        return local_datetime(us, window.tz).isoformat(timespec="minutes")

    # the span counts instants only: data of dates alone (a roster) has none, and its
    # "last record" read 1970-01-01
    instants = (span.first, span.hi) != (0, 0)
    if window.from_us is not None and instants and window.from_us > span.hi:
        return f"the report is empty: its period starts after the data's last record " \
            f"({shown(span.hi)})"
    if window.from_us is not None and window.as_of_us < window.from_us:
        return f"the report is empty: its as-of ({shown(window.as_of_us)}) is before its " \
            f"period starts ({shown(window.from_us)})"
    if window.to_us is not None and window.to_us <= span.first:
        return f"the report is empty: its period ends before the data's first record " \
            f"({shown(span.first)})"
    return None




def empty_notes_en(result: ReportResult) -> list[tuple[str, str]]:
    """(metric id, why it has no value) in English, the as-of to the minute."""
    from omnikpi.empty_figures import empty_notes

    return empty_notes(result, "en", lambda as_of: as_of.isoformat(timespec="minutes"))
