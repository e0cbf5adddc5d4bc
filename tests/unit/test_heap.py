import gc
import threading
import weakref

import pytest

from odoo.addons.connector_base.lib.heap import collector_spares_older_objects


class Node:
    def __init__(self):
        self.other = self


def test_objects_older_than_the_block_are_frozen_and_handed_back():
    older = [Node() for _index in range(100)]
    assert gc.get_freeze_count() == 0
    with collector_spares_older_objects():
        assert gc.get_freeze_count() >= len(older)
    assert gc.get_freeze_count() == 0


def test_garbage_made_inside_the_block_is_collected_there():
    with collector_spares_older_objects():
        cycle = Node()
        alive = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert alive() is None


def test_older_garbage_is_collected_once_the_block_ends():
    cycle = Node()
    alive = weakref.ref(cycle)
    del cycle
    with collector_spares_older_objects():
        gc.collect()
        assert alive() is not None, "frozen: not looked at while the block runs"
    gc.collect()
    assert alive() is None


def test_the_objects_stay_frozen_until_the_last_of_overlapping_blocks_ends():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def second():
        first_in.wait()
        with collector_spares_older_objects():
            second_in.set()
            first_out.wait()
            seen["after the first ended"] = gc.get_freeze_count()

    thread = threading.Thread(target=second)
    thread.start()
    with collector_spares_older_objects():
        first_in.set()
        second_in.wait()
    first_out.set()
    thread.join()
    assert seen["after the first ended"] > 0
    assert gc.get_freeze_count() == 0


def test_a_failing_block_hands_the_objects_back():
    with pytest.raises(ValueError), collector_spares_older_objects():
        raise ValueError("the job failed")
    assert gc.get_freeze_count() == 0
