"""Statements prepared once per database session: planned once, not per call.

For the statements the queue and webhook intake run per job or per delivery.
"""

import hashlib
import re
import weakref

from odoo.tools import SQL

# A parameter of a statement body: an argument ($1, $2...) or one of the body's own (%s).
_PARAMETER = re.compile(r"%%|%s|\$(\d+)")
# Use count of a statement whose PREPARE failed or may have in a session: it runs as it is.
_DIRECT_ONLY = -1


def execute_prepared(cr, parameter_types, body, arguments, before=None, after=None, log_exceptions=True):
    """Execute ``body`` (SQL whose parameters are ``$1``, ``$2``... of ``parameter_types``,
    or of the types PostgreSQL infers when None) as a prepared statement of the cursor's
    database session, prepared there at its second use; ``before`` and ``after``: SQL
    statements sent with it in the same round trip.

    The queue's per-job statements are so planned once per session, not once per job
    (planning the claim cost more than running it). The first use runs the statement as
    it is: a session that runs it once (a webhook request: Odoo's pool discards prepared
    statements each time it lends a connection) would pay a round trip for the PREPARE
    and plan the statement all the same.
    """
    name, prepare, call_code, direct = _statement(
        parameter_types and tuple(parameter_types), body, len(arguments)
    )
    uses = _session_uses(cr)
    count = uses.get(name, 0)
    if count in (0, _DIRECT_ONLY):
        uses.setdefault(name, 1)
        call = SQL(direct[0], *direct[1](body.params, arguments))
    else:
        call = SQL(call_code, *arguments)
        if count == 1:
            # Sent with its first EXECUTE. A PREPARE outlives the rollback of its transaction,
            # so after a failure it is not known whether it exists: the session then runs
            # the statement as it is.
            uses[name] = _DIRECT_ONLY
            call = SQL("; ").join([prepare, call])
    call = SQL("; ").join([part for part in (before, call, after) if part])
    cr.execute(call, log_exceptions=log_exceptions)
    if count == 1:
        uses[name] = 2


def execute_as_prepared(cr, statement, log_exceptions=True):
    """Execute ``statement`` (SQL and its parameters) as a prepared statement of the
    session (see :func:`execute_prepared`): its parameters become the arguments, their
    types inferred. For a statement run once per request whose shape never changes."""
    arguments = statement.params
    if "%%" in statement.code or "$" in statement.code:
        # An escaped % or a $ would not survive the rewrite: run it as it is.
        cr.execute(statement, log_exceptions=log_exceptions)
        return
    body = SQL(statement.code % tuple(f"${index}" for index in range(1, len(arguments) + 1)))
    execute_prepared(cr, None, body, arguments, log_exceptions=log_exceptions)


# (parameter types, body code, body parameters) -> what _statement returns.
_STATEMENTS = {}


def _statement(parameter_types, body, argument_count):
    """(name, PREPARE statement, EXECUTE code with a placeholder per argument, (code, function
    of the body's parameters and the arguments giving the parameters) running ``body`` as it
    is) of ``body``.

    Kept per process: composing and naming them for each call cost a fifth of a
    no-op job's time in Python.
    """
    key = (parameter_types, body.code, tuple(body.params), argument_count)
    statement = _STATEMENTS.get(key)
    if statement is None:
        if parameter_types is None:
            definition = SQL("AS %s", body)
        else:
            definition = SQL("(%s) AS %s", SQL(", ").join(SQL(kind) for kind in parameter_types), body)
        # Named after the definition: a changed one never meets the old one's name.
        digest = hashlib.sha1(repr((definition.code, definition.params)).encode()).hexdigest()[:16]
        name = f"connector_{digest}"
        prepare = SQL("PREPARE %s %s", SQL.identifier(name), definition)
        call_code = f'EXECUTE "{name}"({", ".join(["%s"] * argument_count)})'
        statement = _STATEMENTS[key] = (name, prepare, call_code, _direct(parameter_types, body.code))
    return statement


def _direct(parameter_types, code):
    """(code, function of the body's parameters and the arguments giving the parameters) of
    ``code`` (a body: ``$n`` for the arguments, ``%s`` for its own parameters) run without
    PREPARE; an argument keeps its declared type."""
    order = []  # (is an argument, its index among the arguments or the body's parameters)
    own_count = iter(range(len(code)))

    def placeholder(match):
        if match.group(0) == "%%":
            return "%%"
        if match.group(1) is None:
            order.append((False, next(own_count)))
            return "%s"
        index = int(match.group(1)) - 1
        order.append((True, index))
        return f"%s::{parameter_types[index]}" if parameter_types else "%s"

    direct_code = _PARAMETER.sub(placeholder, code)

    def parameters(own, arguments):
        return [arguments[index] if is_argument else own[index] for is_argument, index in order]

    return direct_code, parameters


def _session_uses(cr):
    """Statement name -> 1 (run once as it is), 2 (prepared) or :data:`_DIRECT_ONLY` in the cursor's database
    session. A session's prepared statements last until Odoo lends its connection again
    (the pool resets it): they are counted per borrow, that is per real cursor (a test
    cursor shares the real cursor of its test)."""
    borrow = getattr(cr, "_cursor", cr)
    connection = borrow._cnx
    known = connection.__dict__.get("_connector_prepared_statements")
    if known is None or known[0]() is not borrow:
        known = connection.__dict__["_connector_prepared_statements"] = (weakref.ref(borrow), {})
    return known[1]
