"""The web client's notification action, which every button that reports back returns."""

CLOSE_WINDOW = {"type": "ir.actions.act_window_close"}


def notification(message, *, level="success", close=False, sticky=None):
    """A ``display_notification`` client action showing ``message``.

    ``level`` is the web client's type (success, info, warning, danger); ``close`` also
    closes the dialog the button stands in (a wizard); ``sticky`` keeps the message up
    until dismissed (the web client's default when left out).
    """
    params = {"type": level, "message": message}
    if sticky is not None:
        params["sticky"] = sticky
    if close:
        params["next"] = CLOSE_WINDOW
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
