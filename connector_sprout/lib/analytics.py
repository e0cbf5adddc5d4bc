"""Sprout's analytics as the connector asks for them and stores them (ORM-free).

Profile analytics come as one row per profile and day; a day is the network's own day
(platform notes: Facebook, Instagram and YouTube count in Pacific time, X, LinkedIn,
Pinterest and TikTok in UTC), so "the last three days" ends on today in that network's
zone. Post analytics (lifetime metrics of each post) come back in UTC whatever
``timezone`` is sent.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from odoo.addons.connector_base.lib.dates import UTC, parse_iso_datetime

from .filters import as_id

PACIFIC = "America/Los_Angeles"
# The networks whose days the notes name; any other network counts in UTC (UNCONFIRMED).
NETWORK_ZONES = {
    "facebook": PACIFIC,
    "instagram": PACIFIC,
    "youtube": PACIFIC,
    "twitter": "UTC",
    "linkedin": "UTC",
    "pinterest": "UTC",
    "tiktok": "UTC",
}
# The notes' example metrics; per-network choices replace them (Sprout's metric names per network
# are in its "Metrics and fields" reference).
DEFAULT_PROFILE_METRICS = ("impressions", "reactions")
POST_METRICS = {
    "lifetime.impressions": "impressions",
    "lifetime.likes": "likes",
    "lifetime.comments_count": "comments",
    "lifetime.shares_count": "shares",
    "lifetime.post_link_clicks": "link_clicks",
}
POST_FIELDS = ("guid", "created_time", "customer_profile_id", "text", "perma_link")
DAY_DIMENSION = "reporting_period.by(day)"
# Sprout's limits: profiles per analytics request, results per query, days per reporting period.
MAX_PROFILES = 100
RESULT_CAP = 10_000
MAX_PERIOD_DAYS = 366
PROFILE_PAGE = 1000  # the profiles endpoint's default limit
POST_PAGE = 50  # the posts endpoint's default limit


def network_zone(network_type):
    """The IANA zone of a network's days (``instagram`` and ``linkedin_company`` alike by
    their first word)."""
    network = (network_type or "").lower()
    for name, zone in NETWORK_ZONES.items():
        if network == name or network.startswith(f"{name}_"):
            return zone
    return "UTC"


def metric_days(network_type, days, now=None):
    """(first day, last day) of the last ``days`` days of a network, today included, in the
    network's own zone."""
    now = now or datetime.now(UTC)
    today = now.astimezone(ZoneInfo(network_zone(network_type))).date()
    return today - timedelta(days=max(days, 1) - 1), today


def parse_metric_names(text):
    """A person's list of metric names ("impressions, reactions") as a tuple, in order, once each."""
    names = []
    for part in (text or "").replace("\n", ",").split(","):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def split_profile_query(query):
    """A smaller query covering the same ground: half the profiles, else half the days;
    nothing when it is one profile and one day. ``query`` is (profile ids, first day, last day)."""
    profiles, first, last = query
    if len(profiles) > 1:
        middle = len(profiles) // 2
        return [(profiles[:middle], first, last), (profiles[middle:], first, last)]
    if last > first:
        middle = first + (last - first) // 2
        return [(profiles, first, middle), (profiles, middle + timedelta(days=1), last)]
    return []


def profile_queries(profile_ids, first, last):
    """The requests of one period for these profiles, within Sprout's limits: at most 100
    profiles each, a year at most, and no more rows (profiles x days) than one query returns."""
    queries = []
    profile_ids = list(profile_ids)
    for index in range(0, len(profile_ids), MAX_PROFILES):
        chunk = profile_ids[index : index + MAX_PROFILES]
        span = max(1, min(MAX_PERIOD_DAYS, RESULT_CAP // len(chunk)))
        start = first
        while start <= last:
            end = min(last, start + timedelta(days=span - 1))
            queries.append((chunk, start, end))
            start = end + timedelta(days=1)
    return queries


def profile_metric_rows(row):
    """(profile id, day, metric, value) of each metric of one profile-analytics row; metrics
    Sprout sends as null are left out."""
    dimensions = row.get("dimensions") or {}
    profile = as_id(dimensions.get("customer_profile_id"))
    day = date.fromisoformat(str(dimensions[DAY_DIMENSION])[:10])
    return [
        (profile, day, name, float(value))
        for name, value in sorted((row.get("metrics") or {}).items())
        if value is not None
    ]


def post_values(row):
    """A post-analytics row as the values of its record: guid, profile id, UTC time, text,
    link and the lifetime metrics (0 when Sprout sends none)."""
    metrics = row.get("metrics") or {}
    created = row.get("created_time")
    moment = parse_iso_datetime(created) if created else None
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return {
        "guid": row["guid"],
        "profile_id": as_id(row.get("customer_profile_id")),
        "created_time": moment or False,
        "text": row.get("text") or False,
        "permalink": row.get("perma_link") or False,
        **{column: int(metrics.get(metric) or 0) for metric, column in POST_METRICS.items()},
    }
