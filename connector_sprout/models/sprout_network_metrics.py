from odoo import api, fields, models

from ..lib import analytics


class SproutNetworkMetrics(models.Model):
    """The daily metrics a backend imports for the profiles of one network; a network with no
    line gets the default ones (impressions, reactions)."""

    _name = "sprout.network.metrics"
    _description = "Sprout Social Metrics per Network"
    _order = "network"

    backend_id = fields.Many2one("sprout.backend", required=True, ondelete="cascade", index=True)
    network = fields.Char(
        required=True, help="As Sprout names the profiles' network: instagram, facebook, linkedin_company..."
    )
    metric_names = fields.Char(
        string="Metrics",
        required=True,
        help="Sprout's metric names for this network, separated by commas (Sprout's 'Metrics and "
        "fields' reference lists them).",
    )

    _sql_constraints = [
        ("network_unique", "UNIQUE (backend_id, network)", "One metric choice per network and backend."),
    ]

    @api.model
    def _metrics_by_network(self, backend):
        """{network: metric names} chosen on ``backend``."""
        return {
            line.network: analytics.parse_metric_names(line.metric_names)
            for line in self.search([("backend_id", "=", backend.id)])
        }
