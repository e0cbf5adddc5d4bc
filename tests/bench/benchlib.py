"""What the benchmark scripts share: opening the bench database, timing, verdicts."""

import argparse
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config


def open_registry(description):
    """Parse ``-c`` and ``-d`` and return the registry of that database."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    return odoo.modules.registry.Registry(args.database)


def env_for(cr):
    return api.Environment(cr, SUPERUSER_ID, {})


def measured(cr, action):
    """(result, seconds, SQL queries) of ``action()``, pending writes flushed on both sides."""
    cr.flush()
    queries = cr.sql_log_count
    started = time.perf_counter()
    result = action()
    cr.flush()
    return result, time.perf_counter() - started, cr.sql_log_count - queries


def verdict(met):
    return "OK" if met else "MISSED"
