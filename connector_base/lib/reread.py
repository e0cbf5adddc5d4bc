"""Re-reading changed objects in as few calls as the platform allows.

After a burst of events a connector knows which objects changed, not their new values
(or not all of them): it reads them again. One call per object costs as many calls as
objects; a listing of the container they live in costs one call per page, however many
changed. :func:`reread` takes whichever is cheaper.
"""


def reread(wanted, read_each, list_pages, listing_calls, *, key=lambda obj: obj["id"]):
    """{id: object, or None when the platform no longer has it} for the ``wanted`` ids.

    ``read_each(id)`` reads one object (None when it is gone); ``list_pages()`` yields the
    container's objects a page at a time; ``listing_calls`` is how many calls that listing
    takes. The listing is read when it takes fewer calls than the objects one by one, and
    stops once every wanted object was seen; an object it does not hold (moved away,
    deleted) is then read by itself.
    """
    wanted = list(dict.fromkeys(wanted))
    found = {}
    if len(wanted) > listing_calls:
        missing = set(wanted)
        for page in list_pages():
            for obj in page:
                if key(obj) in missing:
                    found[key(obj)] = obj
                    missing.discard(key(obj))
            if not missing:
                break
    return {
        object_id: found[object_id] if object_id in found else read_each(object_id) for object_id in wanted
    }
