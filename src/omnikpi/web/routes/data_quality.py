"""The data-quality page (``/data``): what validation made of the dataset's files.

The command line says on stderr how many rows were quarantined; the web app said nothing,
so a dashboard read from a dataset with quarantined rows looked complete. This page lists,
per table, the rows read, loaded and quarantined, every problem kept (file, row, column,
what is wrong — as `omnikpi validate` prints them), the notes about loaded rows that will
not read as expected (:mod:`omnikpi.schema.hints`) and the files of the folder that no
table reads (a misspelt table name, a spreadsheet).

Problems describe the source files, which hold every tenant's rows: a viewer whose scope
is bounded (a tenant's supervisor) sees their scope's loaded rows and notes, not the
problem list (the scoped dataset hides it, as it hides the quarantine counts), nor the
source lines the imports left out (``rejects.csv``: :mod:`omnikpi.schema.import_rejects`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from omnikpi.schema.convert import quote
from omnikpi.schema.dataset import Dataset
from omnikpi.schema.files import unread_entries
from omnikpi.schema.hints import data_hints
from omnikpi.schema.import_rejects import ImportRejects, import_rejects
from omnikpi.schema.model import Problem
from omnikpi.schema.tables import TABLES
from omnikpi.web.deps import ViewDep
from omnikpi.web.i18n import choose_language, translator
from omnikpi.web.problem_texts import translated_problem
from omnikpi.web.reject_texts import translated_reason, translated_unread
from omnikpi.web.security import require_roles
from omnikpi.web.template_reading import Translate
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)

PROBLEMS_SHOWN = 500
"""Problems listed on the page (`omnikpi validate --limit 0` lists every one kept)."""


def _rows_seen(dataset: Dataset, table: str) -> int:
    """Rows of ``table`` in the viewer's scoped view of the dataset. A tenant's
    supervisor read the whole dataset's counts (5,541 contacts where theirs are 1,907),
    and the number of files, under "the counts above are the rows you may see"."""
    row = dataset.con.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()
    return int(row[0]) if row else 0


def _shown(dataset: Dataset, _: Callable[[str], str]) -> list[dict[str, Any]]:
    """The first problems, each with its text in the page's language (``translated``:
    None when it has no translation and is shown in English)."""
    return [{"file": p.file, "place": _place(p, _), "column": p.column, "row": p.row,
             "fatal": p.fatal, "message": p.message,
             "translated": translated_problem(p.message, _)}
            for p in dataset.problems[:PROBLEMS_SHOWN]]


def _place(problem: Problem, _: Callable[[str], str]) -> str:
    """Where in its file a problem is, in words (``line 4 (row 3)``); empty for the
    whole file."""
    if problem.row is None:
        return ""
    if problem.line is not None:
        return _("line {line} (row {row})").format(line=problem.line, row=problem.row)
    return _("row {row}").format(row=problem.row)


@router.get("/data", response_class=HTMLResponse)
def data_quality(request: Request, view: ViewDep) -> Response:
    require_roles(view.principal, "admin", "supervisor")
    dataset = view.dataset
    bounded = not view.scope.unbounded
    tables: list[dict[str, Any]] = [
        {"name": name, "files": len(load.files), "read": load.rows_read,
         "loaded": load.rows_loaded, "quarantined": load.quarantined, "usable": load.usable}
        for name, load in sorted(dataset.loads.items())]
    if bounded:  # the rows the viewer may see, not the files' (every client's) counts
        for table in tables:
            seen = _rows_seen(dataset, table["name"]) if table["usable"] else 0
            table.update(read=seen, loaded=seen, files=None)
    hints = view.state.pool.run(lambda: data_hints(dataset, config=view.config), dataset,
                                key=("data-hints", view.cache_key, id(dataset)),
                                caller=view.caller)
    _ = translator(choose_language(request))
    # source lines of every tenant: like the problems, not for a bounded scope
    rejects = import_rejects(dataset.path) if view.scope.unbounded else None
    return templates.TemplateResponse(request, "data_quality.html", {
        "filters": None, "tables": tables, "bounded": bounded,
        "problems": _shown(dataset, _),
        "problem_count": dataset.problem_count,
        "quarantined": dataset.quarantined, "hints": hints, "data_path": dataset.path,
        # file names only (no rows): the same for every scope
        "unread": [(name, why, translated_unread(why, _))
                   for name, why in unread_entries(dataset.path, set(TABLES))],
        "rejects": rejects, "reject_texts": _reject_texts(rejects, _),
    })


def _reject_texts(rejects: ImportRejects | None, _: Translate) -> dict[str, str | None]:
    """Each reason (and kind of reason) the page shows, in the page's language: None
    when it has no translation and is shown in English."""
    if rejects is None:
        return {}
    shown = {*rejects.by_reason, *(line.reason for line in rejects.first)}
    return {reason: translated_reason(reason, _) for reason in shown}
