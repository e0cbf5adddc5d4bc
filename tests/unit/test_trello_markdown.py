import pytest

from odoo.addons.connector_trello.lib.markdown import html_to_markdown, markdown_to_html

ROUND_TRIPS = [
    "2nd floor, near reception",
    "# Title\n\nSome **bold**, *italic* and ~~struck~~ text\nsecond line of the paragraph",
    "- one\n- two\n   - nested\n- three\n\n1. first\n2. second",
    "> quoted **text**\n> more",
    "```\ncode <b>not bold</b> **not either**\n  indented\n```",
    "See [the docs](https://example.com/a?b=1&c=2) or https://trello.com/c/xx.",
    "Use `a*b` and 5 \\* 3 and snake\\_case\\_name\n\n---\n\nafter the rule",
    "\\- not a list\n2\\. nor this",
]


@pytest.mark.parametrize("text", ROUND_TRIPS)
def test_markdown_survives_a_trip_through_html(text):
    html = markdown_to_html(text)

    assert markdown_to_html(html_to_markdown(html)) == html
    assert html_to_markdown(html) == text


def test_markdown_becomes_the_html_odoo_shows():
    html = markdown_to_html("# Plan\n**Bold** and _it_\nnext line\n\n- a\n  - b\n\n[x](https://x.org)")

    assert html == (
        "<h1>Plan</h1><p><strong>Bold</strong> and <em>it</em><br>next line</p>"
        '<ul><li>a<ul><li>b</li></ul></li></ul><p><a href="https://x.org">x</a></p>'
    )


def test_markup_and_unsafe_links_in_trello_text_stay_text():
    assert markdown_to_html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert markdown_to_html("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"
    assert markdown_to_html("snake_case_name") == "<p>snake_case_name</p>"


def test_odoo_html_becomes_trello_markdown():
    html = (
        "<p>Hello <b>world</b><br>- not a list</p><ul><li><p>item</p></li></ul><h2>T</h2>"
        '<p><a href="https://x.y">https://x.y</a> <a href="javascript:x()">bad</a></p><script>x()</script>'
    )

    assert html_to_markdown(html) == "Hello **world**\n\\- not a list\n\n- item\n\n## T\n\nhttps://x.y bad"
    assert html_to_markdown("") == html_to_markdown(False) == ""


# As Trello's editor writes them: a titled link, a smart-card link, formatted link text with
# an empty title, and a title holding quotes.
TITLED_LINKS = [
    'See [the docs](https://example.com/a "Read me") first',
    '[https://trello.com/c/abc](https://trello.com/c/abc "smartCard-inline")',
    '[**file.py**](http://file.py "")',
    'Ask [Ana](https://example.com/ana "she said \\"hi\\"") today',
]


@pytest.mark.parametrize("text", TITLED_LINKS)
def test_links_with_titles_come_back_byte_identical(text):
    html = markdown_to_html(text)

    assert "<a href=" in html and "title=" in html
    assert html_to_markdown(html) == text


def test_a_titled_link_keeps_its_title_and_formatted_text_in_html():
    assert markdown_to_html('[**file.py**](http://file.py "")') == (
        '<p><a href="http://file.py" title=""><strong>file.py</strong></a></p>'
    )
    assert markdown_to_html('[x](https://x.org "smartCard-inline")') == (
        '<p><a href="https://x.org" title="smartCard-inline">x</a></p>'
    )
