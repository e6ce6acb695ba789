"""The chain column reads the same on the QA lead's queue and on the sample's page: the
queue showed the number of contacts in a chain ("—" for one contact) while the sample's
page listed the ids, the first of which is the contact already in the first column."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from omnikpi.demo import DEMO_DATA_DIR

from .qa_setup import people_and_qa

ROW = re.compile(r'<tr><td translate="no">([^<]+)</td>.*?<td translate="no" title="([^"]*)">'
                 r"([^<]*)</td>", re.S)


def test_a_chain_reads_the_same_on_the_queue_and_the_sample(
        make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    data = tmp_path / "data"  # evaluations are written beside the data: a copy
    shutil.copytree(DEMO_DATA_DIR, data)
    app = make_app(data, auth_required=True, live_updates=False, scheduler=False)
    site = people_and_qa(app, data, "plum tractor velvet 9")
    sample = {c: (title, shown) for c, title, shown in
              ROW.findall(site.lead.get(site.pages["qa-sample"]).text)}
    queue = {c: (title, shown) for c, title, shown in ROW.findall(site.lead.get("/qa").text)}
    assert queue and set(queue) <= set(sample)
    assert all(sample[c] == cell for c, cell in queue.items())
    assert any(len(ids.split()) > 1 for ids, _ in sample.values())  # a chain of chats
    for contact, (ids, shown) in sample.items():
        chain = ids.split()
        assert chain[0] == contact  # the chain starts with the contact itself
        assert shown == (str(len(chain)) if len(chain) > 1 else "—")
