from odoo.addons.connector_podio.lib.hooks import redact_hook_paths


def test_the_secret_segment_of_a_hook_path_is_masked_in_a_request_line():
    line = '127.0.0.1 - - "POST /connector/podio/hook/7/Zx-9_secret HTTP/1.1" 200 - 3 0.004 0.010'

    assert (
        redact_hook_paths(line)
        == '127.0.0.1 - - "POST /connector/podio/hook/7/*** HTTP/1.1" 200 - 3 0.004 0.010'
    )


def test_other_paths_are_left_alone():
    line = '"POST /connector/trello/webhook/7 HTTP/1.1" 200'

    assert redact_hook_paths(line) == line
