from odoo.addons.connector_base.lib.reread import reread

OBJECTS = {name: {"id": name, "value": name.upper()} for name in "abcdef"}


class Platform:
    """Counts the calls of each kind; pages of two objects."""

    def __init__(self):
        self.single_reads = []
        self.pages_read = 0

    def read_each(self, object_id):
        self.single_reads.append(object_id)
        return OBJECTS.get(object_id)

    def list_pages(self):
        ids = sorted(OBJECTS)
        for start in range(0, len(ids), 2):
            self.pages_read += 1
            yield [OBJECTS[object_id] for object_id in ids[start : start + 2]]


def test_few_changed_objects_are_read_one_by_one():
    platform = Platform()
    found = reread(["b", "e"], platform.read_each, platform.list_pages, listing_calls=3)
    assert found == {"b": OBJECTS["b"], "e": OBJECTS["e"]}
    assert (platform.single_reads, platform.pages_read) == (["b", "e"], 0)


def test_many_changed_objects_come_from_the_listing_which_stops_once_all_are_seen():
    platform = Platform()
    found = reread(["c", "a", "d", "c"], platform.read_each, platform.list_pages, listing_calls=1)
    assert list(found) == ["c", "a", "d"]
    assert found["d"] == OBJECTS["d"]
    # a, b then c, d: the third page is never asked for.
    assert (platform.single_reads, platform.pages_read) == ([], 2)


def test_an_object_the_listing_lacks_is_read_by_itself_and_none_when_gone():
    moved = {"id": "moved", "value": "on another board"}
    platform = Platform()
    single_reads = []

    def read_each(object_id):
        single_reads.append(object_id)
        return moved if object_id == "moved" else None

    found = reread(["a", "b", "moved", "gone"], read_each, platform.list_pages, listing_calls=1)
    assert found == {"a": OBJECTS["a"], "b": OBJECTS["b"], "moved": moved, "gone": None}
    assert (single_reads, platform.pages_read) == (["moved", "gone"], 3)
