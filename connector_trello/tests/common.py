from odoo.tests import HttpCase, tagged

from odoo.addons.connector_base.tests.common import (
    EmulatorRequestsMixin,
    PrivateRateLimitsMixin,
    RunJobsMixin,
)
from odoo.addons.connector_trello.tests.emulator import (
    DEMO_API_KEY,
    DEMO_APP_SECRET,
    DEMO_TOKEN,
    TrelloEmulator,
    load_sample,
)


def backend_values(trello, **values):
    """Values of a backend signed in to the emulator ``trello`` with the demo key and token."""
    return {
        "name": "Trello",
        "api_url": trello.url("/1"),
        "api_key": DEMO_API_KEY,
        "app_secret": DEMO_APP_SECRET,
        "token": DEMO_TOKEN,
        **values,
    }


@tagged("post_install", "-at_install")
class TrelloCase(PrivateRateLimitsMixin, RunJobsMixin, EmulatorRequestsMixin, HttpCase):
    """End to end against the Trello emulator, over real HTTP both ways.

    Every test gets a fresh emulator (with the sample board) and a backend pointing at
    it. Jobs run in the test's transaction through :meth:`run_jobs`, as the runner would
    run them (a failing job rolls back its own work and is marked failed or retried);
    Trello's webhook calls reach Odoo's HTTP server when the test sends them with
    ``self.trello.deliver_pending()``.
    """

    def setUp(self):
        super().setUp()
        self.trello = TrelloEmulator()
        self.sample = load_sample(self.trello)
        self.start_emulator(self.trello)
        self.backend = self.env["trello.backend"].create(backend_values(self.trello))
        self.bruno = self.env["res.users"].create(
            {"name": "Bruno Odoo", "login": "bruno.trello", "email": "Bruno@Example.com"}
        )

    # ------------------------------------------------------------------ helpers
    def link_board(self, **values):
        """Link the sample board, let its webhook be registered and import it."""
        link = self.env["trello.board"].create(
            {"backend_id": self.backend.id, "board_id": self.sample["board"], "name": "IT", **values}
        )
        self.run_jobs()
        return link

    def deliver(self):
        """Send Trello's pending webhook calls to Odoo; returns their HTTP statuses."""
        self.env.flush_all()
        statuses = self.trello.deliver_pending()
        self.env.invalidate_all()
        return statuses

    def task_of(self, card_name):
        card_id = self.sample["cards"][card_name]
        return self.env["project.task"]._connector_find(self.backend, "card", [card_id])[card_id]

    def card(self, card_name):
        return self.trello.cards[self.sample["cards"][card_name]]
