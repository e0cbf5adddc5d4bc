#!/usr/bin/env python3
"""Check every addon manifest (pre-commit hook).

pylint-odoo checks the manifest's keys; this checks what ties it to the
files: every data file listed exists, every data file present is listed,
and every model has an access rule.
"""

import ast
import csv
import re
import sys
from pathlib import Path

VERSION = re.compile(r"^18\.0\.\d+\.\d+\.\d+$")
REQUIRED = ("name", "version", "license", "author", "depends")
DATA_FOLDERS = ("views", "data", "security", "wizards")
MODEL_NAME = re.compile(r"^\s+_name = \"([a-z0-9_.]+)\"", re.MULTILINE)
ABSTRACT = re.compile(r"models\.(AbstractModel|TransientModel)\)")


def check(addon):
    problems = []
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    problems += [f"missing key {key!r}" for key in REQUIRED if key not in manifest]
    if not VERSION.match(manifest.get("version", "")):
        problems.append(f"version {manifest.get('version')!r} is not 18.0.x.y.z")
    listed = set(manifest.get("data", [])) | set(manifest.get("demo", []))
    problems += [
        f"listed file {name} does not exist" for name in sorted(listed) if not (addon / name).exists()
    ]
    for folder in DATA_FOLDERS:
        for path in sorted((addon / folder).glob("*")):
            relative = path.relative_to(addon).as_posix()
            if path.suffix in (".xml", ".csv") and relative not in listed:
                problems.append(f"{relative} is not listed in the manifest")
    problems += check_access(addon)
    return [f"{addon.name}: {problem}" for problem in problems]


def check_access(addon):
    models = set()
    for path in (addon / "models").glob("*.py"):
        text = path.read_text()
        for class_text in re.split(r"\nclass ", text)[1:]:
            match = MODEL_NAME.search(class_text)
            extends_itself = match and re.search(rf"_inherit = .*\"{re.escape(match.group(1))}\"", class_text)
            if match and not extends_itself and not ABSTRACT.search(class_text.splitlines()[0]):
                models.add(match.group(1))
    access = addon / "security" / "ir.model.access.csv"
    covered = set()
    if access.exists():
        with access.open() as handle:
            covered = {row["model_id:id"].split(".")[-1] for row in csv.DictReader(handle)}
    return [
        f"model {model} has no line in security/ir.model.access.csv"
        for model in sorted(models)
        if "model_" + model.replace(".", "_") not in covered
    ]


def main(paths):
    addons = sorted({Path(path).resolve().parent for path in paths if path.endswith("__manifest__.py")})
    problems = [problem for addon in addons for problem in check(addon)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
