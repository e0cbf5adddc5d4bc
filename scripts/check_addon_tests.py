#!/usr/bin/env python3
"""Check each addon's tests as Odoo's own runner loads them (pre-commit hook).

Odoo runs only the test modules its ``tests/__init__.py`` imports, and loads
every addon's tests at that addon's install, with only the addons installed so
far: each ``tests/test_*.py`` must be imported there, and a test may import
another addon of this suite only when the manifest depends on it (directly or
through another of ours).
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def suite_addons():
    """{name: directory} of this checkout's addons, the test addons included."""
    manifests = [*ROOT.glob("*/__manifest__.py"), *ROOT.glob("tests/addons/*/__manifest__.py")]
    return {path.parent.name: path.parent for path in manifests}


def dependencies(name, addons):
    """The suite's addons ``name`` depends on, transitively."""
    found, todo = set(), [name]
    while todo:
        manifest = ast.literal_eval((addons[todo.pop()] / "__manifest__.py").read_text())
        for dep in manifest.get("depends", []):
            if dep in addons and dep not in found:
                found.add(dep)
                todo.append(dep)
    return found


def imported_modules(tree):
    """Absolute module names a file imports."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def check(name, addon, addons):
    tests = addon / "tests"
    if not tests.is_dir():
        return []
    problems = []
    package = tests / "__init__.py"
    imported = set()
    if package.exists():
        for node in ast.parse(package.read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
                imported |= {alias.name for alias in node.names}
    problems += [
        f"{path.relative_to(ROOT)} is not imported in tests/__init__.py: Odoo would never run it"
        for path in sorted(tests.glob("test_*.py"))
        if path.stem not in imported
    ]
    allowed = dependencies(name, addons) | {name}
    for path in sorted(tests.rglob("*.py")):
        for module in imported_modules(ast.parse(path.read_text())):
            parts = module.split(".")
            if parts[:2] == ["odoo", "addons"] and len(parts) > 2 and parts[2] in addons.keys() - allowed:
                problems.append(
                    f"{path.relative_to(ROOT)} imports {module}, but {name} does not depend on {parts[2]}"
                )
    return problems


def main():
    addons = suite_addons()
    problems = [problem for name, addon in sorted(addons.items()) for problem in check(name, addon, addons)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
