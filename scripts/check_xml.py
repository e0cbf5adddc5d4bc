#!/usr/bin/env python3
"""Fail on XML files that are not well-formed (pre-commit hook)."""

import sys

from lxml import etree


def main(paths):
    failed = False
    for path in paths:
        try:
            etree.parse(path)
        except etree.XMLSyntaxError as error:
            print(f"{path}: {error}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
