from odoo import api, fields, models
from odoo.tools import html2plaintext

from ..lib import preview as dry_run
from ..lib.notification import notification

KINDS = [
    (dry_run.CREATE, "Would be created"),
    (dry_run.UPDATE, "Would be updated"),
    (dry_run.FAIL, "Would fail"),
    (dry_run.LOSS, "Would lose a value"),
]
# Longest text shown for one value of a previewed row.
VALUE_WIDTH = 60


class ConnectorImportPreview(models.TransientModel):
    """A dry run of the import of linked platform objects (sheets, boards), before the first
    import: what would be created and updated, the first rows as Odoo values, and every row
    that would fail or lose a value. The objects implement ``connector.import.preview.mixin``."""

    _name = "connector.import.preview"
    _description = "Connector Import Preview"

    source_model = fields.Char(required=True, readonly=True)
    source_ids = fields.Json(required=True, readonly=True)
    source_names = fields.Char(string="Previewing", readonly=True)
    create_count = fields.Integer(string="To create", readonly=True)
    update_count = fields.Integer(string="To update", readonly=True)
    fail_count = fields.Integer(string="Failing", readonly=True)
    loss_count = fields.Integer(string="Losing a value", readonly=True)
    api_calls = fields.Integer(string="API calls", readonly=True)
    row_ids = fields.One2many(
        "connector.import.preview.line", "preview_id", domain=[("kind", "in", ("create", "update"))]
    )
    problem_ids = fields.One2many(
        "connector.import.preview.line", "preview_id", domain=[("kind", "in", ("fail", "loss"))]
    )

    @api.model
    def _open_for(self, sources):
        """Preview the import of ``sources`` (records of a model with the preview hooks)."""
        wizard = self.create({"source_model": sources._name, "source_ids": sources.ids})
        wizard._run()
        return wizard._reopen()

    def _sources(self):
        return self.env[self.source_model].browse(self.source_ids).exists()

    def _run(self):
        """Run each source's preview hook in a savepoint rolled back at once: whatever the hook
        created on the way (the records an import makes before mapping) is gone, while the
        values shown were read before the rollback."""
        self.ensure_one()
        sources = self._sources()
        totals = dict.fromkeys(("create_count", "update_count", "fail_count", "loss_count", "api_calls"), 0)
        lines = []
        for source in sources:
            # The savepoint's rollback drops the transaction's precommit hooks (mail tracking of
            # what was written before, the linking for one): run them now, as a commit would.
            self.env.cr.precommit.run()
            savepoint = self.env.cr.savepoint()
            try:
                preview = dry_run.ImportPreview(source._connector_preview_model())
                source._connector_preview_import(preview)
                lines += self._line_values(source, preview)
            finally:
                savepoint.close(rollback=True)
            totals["create_count"] += preview.counts[dry_run.CREATE]
            totals["update_count"] += preview.counts[dry_run.UPDATE]
            totals["fail_count"] += preview.counts[dry_run.FAIL]
            totals["loss_count"] += preview.losses
            totals["api_calls"] += preview.api_calls
        self.env.invalidate_all()
        self.write(
            {
                **totals,
                "source_names": ", ".join(sources.mapped("display_name")),
                "row_ids": [fields.Command.clear()],
                "problem_ids": [fields.Command.clear()],
            }
        )
        self.env["connector.import.preview.line"].create([{**line, "preview_id": self.id} for line in lines])

    def _line_values(self, source, preview):
        Model = self.env[preview.odoo_model]
        origin = source.display_name
        lines = [
            {
                "kind": row.kind,
                "source": origin,
                "reference": row.ref,
                "values_text": _values_text(Model, row.values),
            }
            for row in preview.rows
        ]
        lines += [
            {
                "kind": problem.kind,
                "source": origin,
                "reference": problem.ref,
                "field": _field_label(Model, problem.field),
                "value": _shorten(problem.value),
                "reason": problem.reason,
            }
            for problem in preview.problems
        ]
        return lines

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import preview"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_refresh(self):
        """Preview again, after the mappings (or the platform's data) changed."""
        self._run()
        return self._reopen()

    def action_view_mappings(self):
        return self._sources()[:1]._connector_preview_mappings_action()

    def action_import(self):
        """Start the import the preview described."""
        sources = self._sources()
        sources._connector_preview_start_import()
        return notification(
            self.env._("Import of %(names)s queued.", names=", ".join(sources.mapped("display_name"))),
            close=True,
        )


class ConnectorImportPreviewLine(models.TransientModel):
    _name = "connector.import.preview.line"
    _description = "Connector Import Preview Row"
    _order = "id"

    preview_id = fields.Many2one("connector.import.preview", required=True, ondelete="cascade")
    kind = fields.Selection(KINDS, required=True, readonly=True)
    source = fields.Char(string="From", readonly=True)
    reference = fields.Char(string="Record", readonly=True)
    values_text = fields.Text(string="Odoo values", readonly=True)
    field = fields.Char(readonly=True)
    value = fields.Char(readonly=True)
    reason = fields.Char(readonly=True)


def _field_label(model, name):
    field = model._fields.get(name)
    return field.string if field else name


def _shorten(value, width=VALUE_WIDTH):
    if value is None or value is False:
        return ""
    text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _values_text(model, values):
    """One line per field set, as a person reads it: "Assignees: Ana Silva"."""
    lines = []
    for name, value in values.items():
        field = model._fields.get(name)
        shown = _shown_value(model, field, value) if field else _shorten(value)
        if shown:
            lines.append(f"{field.string if field else name}: {shown}")
    return "\n".join(lines)


def _shown_value(model, field, value):
    if value is None or value is False or value == []:
        return ""
    if field.type == "many2one":
        return _shorten(model.env[field.comodel_name].browse(value).display_name)
    if field.type in ("many2many", "one2many"):
        ids = []
        for command in value:
            if command[0] == fields.Command.SET:
                ids = list(command[2])
            elif command[0] == fields.Command.LINK:
                ids.append(command[1])
        return _shorten(model.env[field.comodel_name].browse(ids).mapped("display_name"))
    if field.type == "selection":
        selection = field._description_selection(model.env)
        return _shorten(dict(selection).get(value, value))
    if field.type == "html":
        return _shorten(html2plaintext(value))
    if field.type == "boolean":
        return model.env._("Yes") if value else ""
    return _shorten(value)
