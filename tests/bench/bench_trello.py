#!/usr/bin/env python3
"""Benchmark the Trello connector's board import on a real database (run through `make bench`).

Imports a board of 5,000 cards (two labels, a three-item checklist and a comment each)
from the local Trello emulator and prints, from one run on one database:
- cards imported per second, the API calls used and the SQL queries per card;
- the same records (tasks, sub-tasks, comment notes) made by raw batch ``create`` calls
  with the same context, pages of the same size, no API, no mapping, no binding: the
  speed ratio (target >= 0.7) and the queries per card the import adds (target <= 2);
- a poll of the board with no new action: API calls (target 1) and rows written (target 0).

Exits with 1 when a target is missed.
"""

import tempfile
from unittest.mock import patch

from benchlib import (
    addon_module,
    emulator_module,
    env_for,
    import_context,
    measured,
    open_registry,
    raw_then_import,
    verdict,
    written_rows,
)

CARDS = 5000
PAGE = 1000  # Trello's largest page, the import's batch


def raw_create(env, link, board_cards, comments):
    """The records the import ends with, made by batch creates only (values prepared beforehand)."""
    mapper = addon_module("connector_trello.lib.mapper")
    markdown_to_html = addon_module("connector_trello.lib.markdown").markdown_to_html
    Task = env["project.task"].with_context(**import_context())
    stage_by_list = {item.list_id: item.stage_id.id for item in link.list_ids}
    tags = {tag.name: tag.id for tag in env["project.tags"].search([])}
    note = env.ref("mail.mt_note").id
    pages = []
    for start in range(0, len(board_cards), PAGE):
        cards = board_cards[start : start + PAGE]
        pages.append(
            (
                [
                    {
                        "name": card["name"],
                        "description": markdown_to_html(card["desc"]),
                        "date_deadline": mapper.parse_datetime(card["due"]),
                        "planned_date_start": False,
                        "state": "01_in_progress",
                        "active": True,
                        "project_id": link.project_id.id,
                        "trello_board_id": link.id,
                        "stage_id": stage_by_list[card["idList"]],
                        "sequence": int(card["pos"]),
                        "trello_card_url": card["shortUrl"],
                        "tag_ids": [(6, 0, sorted(tags[label["name"]] for label in card["labels"]))],
                        "user_ids": [(6, 0, [])],
                    }
                    for card in cards
                ],
                cards,
            )
        )

    def create_all():
        task_by_card = {}
        for values, cards in pages:
            tasks = Task.create(values)
            task_by_card.update(zip((card["id"] for card in cards), tasks.ids, strict=True))
            Task.create(
                [
                    {
                        "name": item["name"],
                        "parent_id": task_by_card[card["id"]],
                        "project_id": link.project_id.id,
                        "state": "1_done" if item["done"] else "01_in_progress",
                        "sequence": item["sequence"],
                    }
                    for card in cards
                    for item in mapper.check_items(card)
                ]
            )
        for start in range(0, len(comments), PAGE):
            env["mail.message"].with_context(**import_context()).create(
                [
                    {
                        "model": "project.task",
                        "res_id": task_by_card[comment["card_id"]],
                        "body": comment["html"],
                        "date": comment["date"],
                        "author_id": False,
                        "email_from": f"{comment['member_name']} (Trello)",
                        "message_type": "comment",
                        "subtype_id": note,
                    }
                    for comment in comments[start : start + PAGE]
                ]
            )

    return create_all


def bench(registry):
    emulator = emulator_module("connector_trello")
    trello = emulator.TrelloEmulator()
    board_id = emulator.generate_board(trello, CARDS)
    trello.start()
    backend_id = None
    try:
        with registry.cursor() as cr:
            env = env_for(cr)
            backend = env["trello.backend"].create(
                {
                    "name": "Bench Trello",
                    "api_url": trello.url("/1"),
                    "api_key": trello.api_key,
                    "app_secret": trello.app_secret,
                    "token": next(iter(trello.tokens)),
                }
            )
            backend_id = backend.id
            link = env["trello.board"].create(
                {"backend_id": backend.id, "board_id": board_id, "name": "Bench"}
            )
            # Its webhook and import jobs are not run: the import is measured by hand below.
            env["connector.sync.job"].search([("backend_id", "=", backend.id)]).unlink()
            figures = raw_then_import(
                cr,
                lambda: measure_raw(cr, env, link, trello),
                lambda: measure_import(cr, env, link, trello),
                lambda: measure_idle_poll(cr, link, trello),
            )
    finally:
        trello.stop()
        if backend_id:
            with registry.cursor() as cr:
                backend = env_for(cr)["trello.backend"].browse(backend_id)
                projects = backend.board_ids.project_id
                backend.unlink()
                projects.with_context(active_test=False).unlink()
    return report(figures)


def measure_raw(cr, env, link, trello):
    """Raw batch creates of what an import makes, on the structure (project, stages, tags) it made."""
    mapper = addon_module("connector_trello.lib.mapper")
    TrelloClient = addon_module("connector_trello.lib.client").TrelloClient
    link._sync_structure_from_trello()
    with TrelloClient(trello.api_key, next(iter(trello.tokens)), api_url=trello.url("/1")) as client:
        cards = [card for page in client.iter_card_pages(link.board_id) for card in page]
        comments = [
            comment
            for page in client.iter_action_pages(link.board_id, action_filter="commentCard")
            for comment in mapper.comments(page)
        ]
    link._tags_for_labels([label for card in cards for label in mapper.card_labels(card)])
    _result, seconds, queries = measured(cr, raw_create(env, link, cards, comments))
    return {"raw_seconds": seconds, "raw_queries": queries, "comments": len(comments)}


def measure_import(cr, env, link, trello):
    trello.reset()
    totals, seconds, queries = measured(cr, link._import)
    Task = env["project.task"]
    tasks = Task.search_count([("trello_board_id", "=", link.id), ("parent_id", "=", False)])
    assert tasks == CARDS, f"{tasks} tasks imported of {CARDS} cards ({totals})"
    return {
        "import_seconds": seconds,
        "import_queries": queries,
        "api_calls": trello.count(),
        "subtasks": Task.search_count([("parent_id.trello_board_id", "=", link.id)]),
    }


def measure_idle_poll(cr, link, trello):
    trello.reset()
    writes = written_rows(cr, lambda: link.backend_id._connector_poll_container(link.board_id))
    return {"poll_calls": trello.count(), "poll_writes": len(writes)}


def report(figures):
    ratio = figures["raw_seconds"] / figures["import_seconds"]
    extra = (figures["import_queries"] - figures["raw_queries"]) / CARDS
    poll_ok = figures["poll_calls"] == 1 and not figures["poll_writes"]
    print(
        f"trello board import: {CARDS} cards, {figures['subtasks']} sub-tasks, {figures['comments']} comments"
    )
    print(f"  context {import_context()}")
    raw_rate, raw_per_card = CARDS / figures["raw_seconds"], figures["raw_queries"] / CARDS
    print(f"  raw batch create  {raw_rate:10.0f} cards/s  {raw_per_card:6.3f} queries/card")
    rate, per_card = CARDS / figures["import_seconds"], figures["import_queries"] / CARDS
    calls = figures["api_calls"]
    print(f"  trello import     {rate:10.0f} cards/s  {per_card:6.3f} queries/card  {calls} API calls")
    print(f"  speed ratio       {ratio:10.2f}x   (target >= 0.70x) {verdict(ratio >= 0.7)}")
    print(f"  extra queries     {extra:10.3f} per card (target <= 2) {verdict(extra <= 2)}")
    idle = f"{figures['poll_calls']} API call(s), {figures['poll_writes']} writes (target 1 and 0)"
    print(f"  idle poll         {idle} {verdict(poll_ok)}")
    return ratio >= 0.7 and extra <= 2 and poll_ok


def main():
    registry = open_registry(__doc__)
    # Fresh quota buckets: the benchmark must not inherit a previous run's spent quota.
    rate_limit = addon_module("connector_base.lib.rate_limit")
    with tempfile.TemporaryDirectory() as directory, patch.object(rate_limit, "DEFAULT_DIRECTORY", directory):
        return 0 if bench(registry) else 1


if __name__ == "__main__":
    raise SystemExit(main())
