import requests

from odoo import api, models


class TrelloBackendDemo(models.Model):
    """The demo of ``make run``: a backend on the local Trello emulator. Only the demo
    and its tests call it."""

    _inherit = "trello.backend"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _connector_demo_setup(self, emulator_url, public_base_url=None):
        """Set up the demo of `make run`: a backend on the local Trello emulator, its boards
        linked (their webhooks and imports run as jobs). Returns the lines to print.

        ``public_base_url``: the address ``make run`` serves Odoo at. The backend keeps it, so
        the webhook it registers stays the same whatever host name a person logs in with (Odoo
        rewrites ``web.base.url`` after an administrator's login)."""
        emulator_url = emulator_url.rstrip("/")
        credentials = requests.get(f"{emulator_url}/demo/credentials", timeout=10).json()
        api_url = f"{emulator_url}/1"
        backend = self.search([("api_url", "=", api_url)], limit=1) or self.create(
            {"name": self.env._("Trello demo (local emulator)"), "api_url": api_url}
        )
        values = {"api_key": credentials["api_key"], "app_secret": credentials["app_secret"]}
        if public_base_url:
            values["public_base_url"] = public_base_url
        backend.write(values)
        backend._trello_store_token(credentials["token"])
        with backend._trello_session() as client:
            boards = client.my_boards()
        linked = set(backend.with_context(active_test=False).board_ids.mapped("board_id"))
        self.env["trello.board"].create(
            [
                {
                    "backend_id": backend.id,
                    "board_id": board["id"],
                    "name": board["name"],
                    "url": board.get("url"),
                }
                for board in boards
                if board["id"] not in linked
            ]
        )
        names = ", ".join(board["name"] for board in boards)
        return [
            f"Trello demo: backend {backend.display_name!r} (id {backend.id}) on the emulator at {api_url}",
            f"  boards linked: {names}; webhook URL {backend.webhook_url}",
            f"  change cards on {emulator_url}/ and watch the tasks follow in Odoo's Project app",
        ]
