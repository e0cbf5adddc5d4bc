#!/usr/bin/env python3
"""Benchmark the Sprout Social connector's inbox import on a real database (run through `make bench`).

Imports 20,000 messages of 10 profiles (two groups of five) from the local Sprout emulator
(serving from a process of its own, as Sprout serves from its own machines),
through the poll and the import jobs it queues (their handlers run in this process, one
after the other, as the runner would), and prints, on one database, from the round of
three (raw create and import in turn) whose speed ratio is the median:
- messages imported per second, the API calls used and what they weigh against Sprout's
  60 requests a minute, and the SQL queries per message;
- the time spent matching authors to contacts (target: at most 30% on top of the rest);
- the same message records made by raw batch ``create`` calls with the same context, in pages
  of the same size, values prepared beforehand: the speed ratio of the import without the
  matching (target >= 0.85);
- a poll of each group with no new message: API calls (target: one per group) and rows
  written (target 0).

The client's pacing (Sprout's 60 requests in any minute) is lifted for the measurement, or
the figures would measure the pacing: the API calls are counted and shown
against the limit, with the minutes they take at 60 a minute. Exits with 1 when a target is missed.
"""

import os
import tempfile
import time
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from benchlib import (
    ROUNDS,
    ServedApart,
    addon_module,
    emulator_module,
    env_for,
    import_context,
    measured,
    open_registry,
    raw_then_import,
    round_ratios_line,
    verdict,
    written_rows,
)

MESSAGES = 20_000
PROFILES = 10
GROUPS = 2
AUTHORS = 2_000
PARTNERS = 500  # contacts named like a quarter of the authors
PAGE = 100  # Sprout's largest messages page, one import job each
UTC = timezone.utc
FIRST_NAMES = [
    "Ana",
    "Beatriz",
    "Carla",
    "Diana",
    "Elisa",
    "Fatima",
    "Gloria",
    "Helena",
    "Ines",
    "Joana",
    "Laura",
    "Marta",
    "Nadia",
    "Olga",
    "Paula",
    "Rita",
    "Sofia",
    "Teresa",
    "Vera",
    "Zita",
    "Andre",
    "Bruno",
    "Carlos",
    "Duarte",
    "Eduardo",
    "Filipe",
    "Goncalo",
    "Hugo",
    "Ivo",
    "Jorge",
    "Luis",
    "Miguel",
    "Nuno",
    "Oscar",
    "Pedro",
    "Rui",
    "Sergio",
    "Tiago",
    "Vasco",
    "Xavier",
]
SURNAMES = [
    "Silva",
    "Santos",
    "Ferreira",
    "Pereira",
    "Oliveira",
    "Costa",
    "Rodrigues",
    "Martins",
    "Jesus",
    "Sousa",
    "Fernandes",
    "Goncalves",
    "Gomes",
    "Lopes",
    "Marques",
    "Alves",
    "Almeida",
    "Ribeiro",
    "Pinto",
    "Carvalho",
    "Teixeira",
    "Moreira",
    "Correia",
    "Mendes",
    "Nunes",
    "Soares",
    "Vieira",
    "Monteiro",
    "Cardoso",
    "Rocha",
    "Raposo",
    "Neves",
    "Coelho",
    "Cruz",
    "Cunha",
    "Pires",
    "Ramos",
    "Reis",
    "Simoes",
    "Antunes",
    "Matos",
    "Fonseca",
    "Morais",
    "Machado",
    "Azevedo",
    "Barbosa",
    "Tavares",
    "Lourenco",
    "Castro",
    "Faria",
]


def author_name(author):
    """2,000 names of 40 first names and 50 surnames, as common names go."""
    return f"{FIRST_NAMES[author % len(FIRST_NAMES)]} {SURNAMES[author // len(FIRST_NAMES) % len(SURNAMES)]}"


def load(sprout):
    """Two groups of five profiles, 20,000 messages over the last five days, 2,000 authors; one
    message in 20 writes an email address in its text."""
    groups = [sprout.add_group(f"Bench group {number}") for number in range(GROUPS)]
    profiles = [
        sprout.add_profile("instagram", f"Bench profile {number}", groups=[groups[number % GROUPS]])
        for number in range(PROFILES)
    ]
    tag = sprout.add_tag("Question")
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=5)
    for number in range(MESSAGES):
        author = number % AUTHORS
        text = f"Message {number}: do you ship to Porto?"
        if number % 20 == 0:
            text += f" Write me at fan{author}@example.com"
        sprout.add_message(
            profiles[number % PROFILES],
            text,
            created_time=start + timedelta(seconds=20 * number),
            author=(author_name(author), f"fan{author}"),
            tags=(tag,) if number % 3 == 0 else (),
        )
    return groups


def partners(env):
    env["res.partner"].create(
        [
            {"name": author_name(author), "email": f"fan{author}@example.com"}
            for author in range(0, AUTHORS, AUTHORS // PARTNERS)
        ]
    )


def bench(registry):
    emulator = emulator_module("connector_sprout")
    sprout = emulator.SproutEmulator()
    load(sprout)
    sprout = ServedApart(sprout)
    backend_id = None
    try:
        with registry.cursor() as cr:
            env = env_for(cr)
            partners(env)
            backend = env["sprout.backend"].create(
                {"name": "Bench Sprout", "api_url": sprout.base_url, "api_token": emulator.DEMO_TOKEN}
            )
            backend_id = backend.id
            backend._connector_identify()
            backend._job_sync_metadata(None)
            backend.profile_ids.sync_messages = True
            backend.first_poll_days = 7
            env["connector.sync.job"].search([("backend_id", "=", backend.id)]).unlink()
            figures = raw_then_import(
                cr,
                lambda: measure_raw(cr, env, backend, sprout),
                lambda: measure_import(cr, env, backend, sprout),
                lambda: measure_idle_poll(cr, backend, sprout),
                rounds=ROUNDS,
                ratio=speed_ratio,
            )
    finally:
        sprout.stop()
        if backend_id:
            with registry.cursor() as cr:
                env = env_for(cr)
                env["sprout.backend"].browse(backend_id).unlink()
                env["res.partner"].search([("email", "=like", "fan%@example.com")]).unlink()
    return report(figures)


def all_messages(backend):
    """Every bench message as Sprout sends it, read with the connector's client (not timed)."""
    with backend._sprout_session() as client:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=7)
        end = datetime.now(UTC).replace(microsecond=0)
        return [
            message
            for group in backend.group_ids
            for page in client.messages_created(
                group.group_id, backend._sprout_polled_profiles(group).mapped("profile_id"), start, end
            )
            for message in page
        ]


def measure_raw(cr, env, backend, sprout):
    """Raw batch creates of the message records an import makes (values prepared beforehand)."""
    messages = all_messages(backend)
    values = [item["values"] for item in backend._sprout_message_items(messages)]
    Message = env["sprout.message"].with_context(**import_context())

    def create_all():
        for start in range(0, len(values), PAGE):
            Message.create(values[start : start + PAGE])

    _result, seconds, queries = measured(cr, create_all)
    return {"raw_seconds": seconds, "raw_queries": queries}


def measure_import(cr, env, backend, sprout):
    """The poll of each group and the import jobs it queued, their handlers run in turn."""
    sprout.reset()
    matching = {"seconds": 0.0}
    match_authors = type(backend)._sprout_match_authors

    def timed_matching(self, messages, **options):
        started = time.perf_counter()
        try:
            return match_authors(self, messages, **options)
        finally:
            matching["seconds"] += time.perf_counter() - started

    def import_all():
        for container in backend._connector_poll_containers():
            backend._connector_poll_container(container)
        jobs = env["connector.sync.job"].search(
            [("backend_id", "=", backend.id), ("method_name", "=", "_job_import_messages")], order="id"
        )
        for job in jobs:
            backend._job_import_messages(job)

    with patch.object(type(backend), "_sprout_match_authors", timed_matching):
        _result, seconds, queries = measured(cr, import_all)
    imported = env["sprout.message"].search_count([("backend_id", "=", backend.id)])
    assert imported == MESSAGES, f"{imported} messages imported of {MESSAGES}"
    return {
        "import_seconds": seconds,
        "import_queries": queries,
        "matching_seconds": matching["seconds"],
        "api_calls": sprout.count(),
        "matched": env["sprout.message"].search_count(
            [("backend_id", "=", backend.id), ("partner_id", "!=", False)]
        ),
    }


def measure_idle_poll(cr, backend, sprout):
    sprout.reset()

    def poll_all():
        for container in backend._connector_poll_containers():
            backend._connector_poll_container(container)

    writes = written_rows(cr, poll_all)
    return {"poll_calls": sprout.count(), "poll_writes": len(writes)}


def speed_ratio(figures):
    """The raw create's speed over the import's, the matching left out."""
    return figures["raw_seconds"] / (figures["import_seconds"] - figures["matching_seconds"])


def report(figures):
    rest = figures["import_seconds"] - figures["matching_seconds"]
    ratio = speed_ratio(figures)
    matching_share = figures["matching_seconds"] / rest
    poll_ok = figures["poll_calls"] == GROUPS and not figures["poll_writes"]
    calls = figures["api_calls"]
    print(
        f"sprout inbox import: {MESSAGES} messages, {PROFILES} profiles in {GROUPS} groups, {AUTHORS} authors"
    )
    print(f"  load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print(f"  context {import_context()}")
    raw_rate, raw_per = MESSAGES / figures["raw_seconds"], figures["raw_queries"] / MESSAGES
    print(f"  raw batch create  {raw_rate:10.0f} messages/s  {raw_per:6.3f} queries/message")
    rate, per = MESSAGES / figures["import_seconds"], figures["import_queries"] / MESSAGES
    print(f"  sprout import     {rate:10.0f} messages/s  {per:6.3f} queries/message (matching included)")
    print(
        f"  API calls         {calls} ({calls / 60:.1f} minutes of Sprout's 60 a minute; "
        "client pacing lifted for the measurement)"
    )
    print(f"  speed ratio       {ratio:10.2f}x   without matching (target >= 0.85x) {verdict(ratio >= 0.85)}")
    if rounds := round_ratios_line(figures):
        print(rounds)
    print(
        f"  author matching   {figures['matching_seconds']:10.2f} s, {matching_share:.0%} on top "
        f"({figures['matched']} messages matched) (target <= 30%) {verdict(matching_share <= 0.30)}"
    )
    idle = f"{figures['poll_calls']} API call(s) for {GROUPS} groups, {figures['poll_writes']} writes"
    print(f"  idle poll         {idle} (target {GROUPS} and 0) {verdict(poll_ok)}")
    return ratio >= 0.85 and matching_share <= 0.30 and poll_ok


def main():
    registry = open_registry(__doc__)
    rate_limit = addon_module("connector_base.lib.rate_limit")
    client = addon_module("connector_sprout.lib.client")
    with (
        tempfile.TemporaryDirectory() as directory,
        patch.object(rate_limit, "DEFAULT_DIRECTORY", directory),
        # The pacing lifted (see the docstring): the calls are counted and reported instead.
        patch.object(client.SproutClient, "rate_limit", None),
    ):
        return 0 if bench(registry) else 1


if __name__ == "__main__":
    raise SystemExit(main())
