"""The notification action buttons return, without Odoo."""

from odoo.addons.connector_base.lib.notification import notification


def test_a_notification_is_a_success_by_default_and_leaves_the_dialog_open():
    assert notification("Done.") == {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"type": "success", "message": "Done."},
    }


def test_a_notification_can_warn_close_its_dialog_and_go_away_by_itself():
    action = notification("Careful.", level="warning", close=True, sticky=False)
    assert action["params"] == {
        "type": "warning",
        "message": "Careful.",
        "sticky": False,
        "next": {"type": "ir.actions.act_window_close"},
    }
