from odoo import models

from ..lib.contacts import ITEM
from ..lib.mapper import item_files

FILE = "file"


class PodioAppFiles(models.Model):
    """The images and files of a linked app's items, as attachments of their records."""

    _inherit = "podio.app"  # pylint: disable=consider-merging-classes-inherited

    def _import_files(self, items):
        """Attach each image and file of ``items`` to the item's record, once (bound by file
        id): its content up to the backend's largest size, a link to it beyond. One call per
        new file; none for items without files. Returns how many were attached."""
        self.ensure_one()
        wanted = {str(item["item_id"]): item_files(item) for item in items}
        wanted = {item_id: files for item_id, files in wanted.items() if files}
        if not wanted:
            return 0
        backend = self.backend_id
        Binding = self.env["connector.external.binding"]
        records = self.env[self.odoo_model]._connector_find(backend, ITEM, list(wanted))
        file_ids = [str(file["file_id"]) for files in wanted.values() for _key, file in files]
        known = set(Binding._lookup(backend, FILE, file_ids))
        limit = backend.max_file_size * 1024 * 1024
        vals_list, new_ids = [], []
        with backend._podio_session() as client:
            for item_id, files in wanted.items():
                record = records.get(item_id)
                for _key, file in files if record else ():
                    file_id = str(file["file_id"])
                    if file_id in known:
                        continue
                    known.add(file_id)
                    values = {
                        "name": file.get("name") or file_id,
                        "res_model": record._name,
                        "res_id": record.id,
                    }
                    content = client.file_content(file["link"]) if (file.get("size") or 0) <= limit else None
                    if content is not None and len(content) <= limit:
                        values.update({"raw": content, "mimetype": file.get("mimetype") or None})
                    else:
                        values.update({"type": "url", "url": file["link"]})
                    vals_list.append(values)
                    new_ids.append(file_id)
        created = self.env["ir.attachment"].create(vals_list)
        if created:
            Binding._bind(backend, FILE, dict(zip(new_ids, created, strict=True)))
        return len(created)
