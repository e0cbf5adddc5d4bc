#!/usr/bin/env python3
"""Set up, run and test the connector suite on one machine.

    python3 scripts/suite.py run     Odoo 18 with the suite on http://127.0.0.1:8069
    python3 scripts/suite.py test    lint, pure-Python tests, Odoo tests
    python3 scripts/suite.py bench   benchmark figures

Everything it creates lives in ``.local/`` (git-ignored): the PostgreSQL
cluster, the Odoo configuration with its encryption key, the filestore. Only
the standard library is used until the Python dependencies are installed.
"""

import argparse
import ast
import atexit
import functools
import glob
import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / ".local"


def suite_addons(root):
    """The suite's addons: every connector_* folder with a manifest, found where they are,
    so adding a connector touches no list here."""
    return sorted(path.parent.name for path in root.glob("connector_*/__manifest__.py"))


SUITE = suite_addons(ROOT)
TEST_ADDONS_DIR = ROOT / "tests" / "addons"
ODOO_MAJOR = 18
# Ports this checkout listens on: the defaults when free, otherwise free ones chosen
# once and kept in .local/ports.json, so a second checkout on the same machine runs
# beside the first. CONNECTOR_PG_PORT still forces the PostgreSQL port.
DEFAULT_PORTS = {
    "postgresql": 54329,
    "odoo": 8069,
    "odoo-test": 8169,
    "odoo-runner-test": 8170,
    "odoo-bench": 8269,
}
PORTS_FILE = LOCAL / "ports.json"
DB_USER = "odoo"
DB_PASSWORD = "odoo"
RUN_DB = os.environ.get("CONNECTOR_DB", "connector")
TEST_DB = os.environ.get("CONNECTOR_TEST_DB", "connector_test")
BENCH_DB = "connector_bench"
ODOO_GIT = "https://github.com/odoo/odoo.git"
# Odoo 18's pins build on Python 3.11 only with an older setuptools.
PIP_BUILD_CONSTRAINT = "setuptools<81"
# Warnings about our own addons (bad views, missing access rules...) fail the install too.
OWN_WARNING_LINE = re.compile(rf"^\S+ \S+ \d+ WARNING \S+ .*\b(test_)?({'|'.join(SUITE)})\b")


class SetupError(Exception):
    """A problem the user must fix; the message says how."""


def say(message):
    print(f"[suite] {message}", flush=True)


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@functools.cache
def ports():
    """This checkout's ports, chosen on first use and then kept (see DEFAULT_PORTS; each demo
    emulator's default port is in its DEMO descriptor)."""
    kept = json.loads(PORTS_FILE.read_text()) if PORTS_FILE.exists() else {}
    cluster_conf = cluster_dir() / "data" / "postgresql.conf"
    listening = (
        re.findall(r"^port = (\d+)", cluster_conf.read_text(), re.MULTILINE) if cluster_conf.exists() else []
    )
    if "postgresql" not in kept and listening:
        # A cluster made before ports were kept: it listens where its configuration says.
        kept["postgresql"] = int(listening[-1])
    chosen = {}
    defaults = {**DEFAULT_PORTS, **{demo.port_name: demo.default_port for demo in demos()}}
    for name, default in defaults.items():
        if name in kept:
            chosen[name] = kept[name]
        else:
            chosen[name] = (
                default if port_is_free(default) and default not in chosen.values() else free_port()
            )
    if os.environ.get("CONNECTOR_PG_PORT"):
        chosen["postgresql"] = int(os.environ["CONNECTOR_PG_PORT"])
    if chosen != kept:
        LOCAL.mkdir(exist_ok=True)
        PORTS_FILE.write_text(json.dumps(chosen, indent=1) + "\n")
    return chosen


def claim_port(name):
    """``ports()[name]``, or a free port kept in its place when another program holds it now
    (a kept port was free when chosen, but anything may take it later)."""
    table = ports()
    if not port_is_free(table[name]):
        taken, table[name] = table[name], free_port()
        PORTS_FILE.write_text(json.dumps(table, indent=1) + "\n")
        say(f"port {taken} is taken by another program: using {table[name]} instead (kept in {PORTS_FILE})")
    return table[name]


def run(cmd, *, check=True, capture=False, env=None, **kwargs):
    result = subprocess.run(
        [str(part) for part in cmd],
        check=False,
        text=True,
        capture_output=capture,
        env=env,
        **kwargs,
    )
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip()[-2000:] if capture else ""
        raise SetupError(f"command failed ({result.returncode}): {' '.join(map(str, cmd))}\n{detail}")
    return result


# --------------------------------------------------------------------- Odoo
def find_odoo():
    """The Odoo 18 source tree: an importable ``odoo``, then $ODOO_PATH, then a clone."""
    probe = run(
        [
            sys.executable,
            "-c",
            "import os, odoo.release as r; print(r.version_info[0]); "
            "print(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))",
        ],
        check=False,
        capture=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    if probe.returncode == 0:
        major, path = probe.stdout.split()
        if int(major) != ODOO_MAJOR:
            raise SetupError(
                f"The importable odoo package at {path} is Odoo {major}; this suite needs Odoo 18."
            )
        return Path(path)
    candidates = [Path(os.environ["ODOO_PATH"])] if os.environ.get("ODOO_PATH") else []
    candidates.append(LOCAL / "odoo")
    for candidate in candidates:
        if (candidate / "odoo" / "release.py").exists():
            check_odoo_version(candidate)
            return candidate
    if os.environ.get("ODOO_PATH"):
        raise SetupError(
            f"ODOO_PATH={os.environ['ODOO_PATH']} does not hold an Odoo source tree (no odoo/release.py)."
        )
    say("Odoo 18 not found: trying to clone the official 18.0 branch into .local/odoo ...")
    clone = run(
        ["git", "clone", "--depth", "1", "--branch", "18.0", ODOO_GIT, LOCAL / "odoo.partial"],
        check=False,
        capture=True,
        timeout=1800,
    )
    if clone.returncode != 0:
        shutil.rmtree(LOCAL / "odoo.partial", ignore_errors=True)
        raise SetupError(
            "Odoo 18 is not installed and could not be cloned (no network?).\n"
            "Install it, then run this command again, in one of these ways:\n"
            f"  - git clone --depth 1 --branch 18.0 {ODOO_GIT} /opt/odoo18 and either\n"
            "    `pip install -e /opt/odoo18` (so `python3 -c 'import odoo'` works) or\n"
            "    export ODOO_PATH=/opt/odoo18\n"
            "  - or put a copy of an Odoo 18 source tree in .local/odoo"
        )
    (LOCAL / "odoo.partial").rename(LOCAL / "odoo")
    return LOCAL / "odoo"


def check_odoo_version(path):
    text = (path / "odoo" / "release.py").read_text()
    match = re.search(r"^version_info\s*=\s*\(\s*(?:'saas~)?(\d+)", text, re.MULTILINE)
    if not match or int(match.group(1)) != ODOO_MAJOR:
        raise SetupError(f"{path} is not an Odoo {ODOO_MAJOR} source tree.")


def odoo_env(odoo_root):
    env = dict(os.environ)
    env["TZ"] = "UTC"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(odoo_root), env.get("PYTHONPATH", "")]))
    return env


def odoo_cmd(*args, python=sys.executable):
    return [python, "-m", "odoo", *args]


# --------------------------------------------------------------------- Python dependencies
def unmet_requirements(requirement_file):
    """Lines of a requirements file that the running interpreter does not satisfy."""
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement

    unmet = []
    for raw in requirement_file.read_text().splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker and not requirement.marker.evaluate():
            continue
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            unmet.append(line)
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            unmet.append(f"{line} (installed {installed})")
    return unmet


def ensure_python_deps(odoo_root):
    constraint = LOCAL / "pip-build-constraint.txt"
    constraint.write_text(PIP_BUILD_CONSTRAINT + "\n")
    pip_env = {**os.environ, "PIP_CONSTRAINT": str(constraint), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for requirement_file in (odoo_root / "requirements.txt", ROOT / "requirements.txt"):
        if not requirement_file.exists():
            continue
        unmet = unmet_requirements(requirement_file)
        if not unmet:
            continue
        say(f"installing Python requirements from {requirement_file} ({len(unmet)} missing or off-version)")
        result = run(
            [sys.executable, "-m", "pip", "install", "-q", "-r", requirement_file],
            check=False,
            env=pip_env,
        )
        if result.returncode != 0:
            raise SetupError(
                f"pip could not install {requirement_file}. On Debian, the builds need: "
                "apt-get install libpq-dev libldap2-dev libsasl2-dev"
            )


# --------------------------------------------------------------------- browser
# Odoo's browser tests look for these, in this order (odoo.tests.common._find_executable).
CHROME_NAMES = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")


def ensure_browser():
    """Headless Chromium and the websocket client Odoo drives it with: installed when
    missing, a clear error when they cannot be. Odoo would skip the tours without them."""
    if not any(shutil.which(name) for name in CHROME_NAMES):
        if os.geteuid() != 0 and not shutil.which("sudo"):
            raise SetupError("Chromium is needed for the browser tours: apt-get install chromium")
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        say("Chromium not found: installing Debian's chromium package with apt-get")
        run([*sudo, "apt-get", "update", "-qq"], check=False)
        run(
            [*sudo, "apt-get", "install", "-y", "-qq", "chromium"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if not any(shutil.which(name) for name in CHROME_NAMES):
            raise SetupError("chromium was installed but no Chrome executable is on the PATH.")
    if run([sys.executable, "-c", "import websocket"], check=False, capture=True).returncode != 0:
        say("installing websocket-client (Odoo's browser tests need it)")
        run([sys.executable, "-m", "pip", "install", "-q", "websocket-client"])


# --------------------------------------------------------------------- PostgreSQL
def pg_bindir():
    def version(path):
        return [int(part) for part in re.findall(r"\d+", path)]

    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def install_postgres():
    if os.geteuid() != 0 and not shutil.which("sudo"):
        raise SetupError("PostgreSQL is not installed: apt-get install postgresql, then run this again.")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    say("PostgreSQL binaries not found: installing the postgresql package with apt-get")
    run([*sudo, "apt-get", "update", "-qq"], check=False)
    run(
        [*sudo, "apt-get", "install", "-y", "-qq", "postgresql"],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def cluster_dir():
    """Project-local cluster, unless the postgres user cannot reach this checkout."""
    local = LOCAL / "pg"
    if os.geteuid() != 0:
        return local
    reachable = run(["runuser", "-u", "postgres", "--", "test", "-x", LOCAL], check=False).returncode == 0
    if reachable:
        return local
    digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    return Path("/var/lib/postgresql/odoo-connector-suite") / digest


def as_cluster_owner(cmd):
    # initdb and pg_ctl refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def ensure_postgres():
    bindir = pg_bindir()
    if bindir is None:
        install_postgres()
        bindir = pg_bindir()
        if bindir is None:
            raise SetupError("PostgreSQL was installed but initdb is still missing.")
    pg_dir = cluster_dir()
    data = pg_dir / "data"
    log = pg_dir / "postgresql.log"
    if not (data / "PG_VERSION").exists():
        say(f"creating a PostgreSQL cluster in {data}")
        pg_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(pg_dir, "postgres", "postgres")
        run(
            as_cluster_owner(
                [
                    bindir / "initdb",
                    "-D",
                    data,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            capture=True,
        )
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# odoo connector suite: loopback only, TCP only\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {ports()['postgresql']}\n"
                "unix_socket_directories = ''\n"
                "max_connections = 200\n"
            )
    status = run(as_cluster_owner([bindir / "pg_ctl", "-D", data, "status"]), check=False, capture=True)
    if status.returncode != 0:
        if not os.environ.get("CONNECTOR_PG_PORT") and not port_is_free(ports()["postgresql"]):
            with open(data / "postgresql.conf", "a") as conf:
                conf.write(f"port = {claim_port('postgresql')}\n")
        say(f"starting PostgreSQL on 127.0.0.1:{ports()['postgresql']}")
        started = run(
            as_cluster_owner([bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start"]),
            check=False,
            capture=True,
        )
        if started.returncode != 0:
            tail = log.read_text()[-1500:] if log.exists() else ""
            port = ports()["postgresql"]
            raise SetupError(
                f"PostgreSQL did not start (is port {port} taken? set CONNECTOR_PG_PORT):\n{tail}"
            )
    psql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'odoo') THEN "
        f"CREATE ROLE {DB_USER} LOGIN SUPERUSER PASSWORD '{DB_PASSWORD}'; END IF; END $$;"
    )
    return bindir


def psql(sql, *, db="postgres"):
    env = {**os.environ, "PGPASSWORD": ""}
    result = run(
        ["psql", "-h", "127.0.0.1", "-p", ports()["postgresql"], "-U", "postgres", "-d", db, "-Atqc", sql],
        capture=True,
        env=env,
    )
    return result.stdout.strip()


def db_exists(name):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def drop_db(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(LOCAL / "data" / "filestore" / name, ignore_errors=True)


def copy_db(template, name):
    drop_db(name)
    psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}" OWNER {DB_USER}')
    source = LOCAL / "data" / "filestore" / template
    if source.exists():
        shutil.copytree(source, LOCAL / "data" / "filestore" / name)


# --------------------------------------------------------------------- Odoo configuration
def write_config(
    path, odoo_root, *, db_name, http_port, extra_addons=(), with_checkout=True, extra_options=None
):
    """Write an Odoo configuration, keeping the encryption keys of an existing one.

    ``with_checkout``: this checkout is on the addons path (not when the addons come from wheels)."""
    keys = read_option(path, "connector_encryption_keys") or read_option(
        LOCAL / "odoo.conf", "connector_encryption_keys"
    )
    if not keys:
        from cryptography.fernet import Fernet

        keys = Fernet.generate_key().decode()
    addons = [
        odoo_root / "odoo" / "addons",
        odoo_root / "addons",
        *([ROOT] if with_checkout else []),
        *extra_addons,
    ]
    lines = {
        "addons_path": ",".join(str(p) for p in addons),
        "data_dir": LOCAL / "data",
        "db_host": "127.0.0.1",
        "db_port": ports()["postgresql"],
        "db_user": DB_USER,
        "db_password": DB_PASSWORD,
        "db_name": db_name,
        "dbfilter": f"^{db_name}$",
        "list_db": "False",
        "http_interface": "127.0.0.1",
        "http_port": http_port,
        "without_demo": "all",
        "max_cron_threads": 1,
        "connector_encryption_keys": keys,
        **(extra_options or {}),
    }
    body = "[options]\n" + "".join(f"{key} = {value}\n" for key, value in lines.items())
    if not path.exists() or path.read_text() != body:
        path.write_text(body)
        path.chmod(0o600)
    return path


def read_option(path, key):
    if not path.exists():
        return None
    match = re.search(rf"^{key}\s*=\s*(.+)$", path.read_text(), re.MULTILINE)
    return match.group(1).strip() if match else None


# --------------------------------------------------------------------- addons
def manifest(addon_dir):
    return ast.literal_eval((addon_dir / "__manifest__.py").read_text())


def addon_dirs(names):
    dirs = {}
    for name in names:
        for base in (ROOT, TEST_ADDONS_DIR):
            if (base / name / "__manifest__.py").exists():
                dirs[name] = base / name
    return dirs


def test_addons():
    return sorted(p.parent.name for p in TEST_ADDONS_DIR.glob("*/__manifest__.py"))


def external_dependencies(names):
    """Odoo modules our addons depend on, ours excluded, transitively through ours."""
    ours = {p.parent.name for p in ROOT.glob("*/__manifest__.py")} | set(test_addons())
    dirs = addon_dirs(ours)
    seen, external, todo = set(), set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for dep in manifest(dirs[name]).get("depends", []):
            if dep in ours:
                todo.append(dep)
            else:
                external.add(dep)
    return sorted(external)


def source_fingerprint(names):
    """Changes when any file of these addons changes: then the database needs an update."""
    digest = hashlib.sha1()
    for _name, directory in sorted(addon_dirs(names).items()):
        for path in sorted(directory.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def odoo_install(
    odoo_root, config, db_name, *, install=(), update=(), label, python=sys.executable, cwd=None
):
    """Run Odoo once to install or update modules; fail on any logged ERROR. Returns the log."""
    args = ["-c", config, "-d", db_name, "--stop-after-init", "--no-http", "--log-level=info"]
    if install:
        args += ["-i", ",".join(install)]
    if update:
        args += ["-u", ",".join(update)]
    log_path = LOCAL / f"{label}.log"
    started = time.monotonic()
    with open(log_path, "w") as log:
        result = subprocess.run(
            odoo_cmd(*args, python=python),
            env=odoo_env(odoo_root),
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            cwd=cwd,
        )
    text = log_path.read_text()
    errors = log_guard().logged_errors(text) + [
        line for line in text.splitlines() if OWN_WARNING_LINE.match(line)
    ]
    if result.returncode != 0 or errors:
        excerpt = "\n".join(errors[:20]) or text[-3000:]
        raise SetupError(f"Odoo {label} failed (full log: {log_path}):\n{excerpt}")
    say(f"{label}: done in {time.monotonic() - started:.0f} s")
    return text


@functools.cache
def log_guard():
    """tests/odoo_log_guard.py, which says which lines of Odoo's log fail a run."""
    spec = importlib.util.spec_from_file_location("odoo_log_guard", ROOT / "tests" / "odoo_log_guard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def template_db(odoo_root, config, modules):
    """A database with Odoo's own modules our suite needs, built once and copied per run."""
    key = hashlib.sha1(json.dumps([str(odoo_root), modules, ODOO_MAJOR]).encode()).hexdigest()[:10]
    name = f"connector_tmpl_{key}"
    if db_exists(name):
        return name
    building = f"{name}_building"
    drop_db(building)
    say(f"building template database {name} with {', '.join(modules)} (once per machine)")
    odoo_install(odoo_root, config, building, install=modules, label="template-install")
    psql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    filestore = LOCAL / "data" / "filestore"
    if (filestore / building).exists():
        (filestore / building).rename(filestore / name)
    return name


# --------------------------------------------------------------------- wheels
# OCA's build backend: each addon's pyproject.toml names it; it makes odoo-addon-<name>
# from the manifest (version, Odoo and addon dependencies, external_dependencies).
WHEEL_BUILD_REQUIREMENT = "whool>=1.3"
WHEELS = LOCAL / "wheels"
WHEEL_DB = "connector_wheels"


def venv_python(venv):
    return venv / "bin" / "python"


def build_wheels(names):
    """Build each addon's wheel with whool, from a copy of the working tree: inside a git
    checkout whool takes only the files git tracks, and the wheels must hold what is tested."""
    build_venv = LOCAL / "wheel-build-venv"
    python = venv_python(build_venv)
    if not python.exists():
        say(f"creating {build_venv} with {WHEEL_BUILD_REQUIREMENT} (once)")
        run([sys.executable, "-m", "venv", build_venv])
        run([python, "-m", "pip", "install", "-q", WHEEL_BUILD_REQUIREMENT], capture=True)
    shutil.rmtree(WHEELS, ignore_errors=True)
    dist = WHEELS / "dist"
    # Outside any git checkout (.local is inside this one), so whool copies every file.
    with tempfile.TemporaryDirectory(prefix="connector-wheels-") as sources:
        for name in names:
            shutil.copytree(
                ROOT / name, Path(sources) / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        run(
            [python, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", dist]
            + [Path(sources) / name for name in names],
            capture=True,
        )
    return sorted(dist.glob("*.whl"))


def wheel_install_check(odoo_root, names):
    """Install the suite's wheels in a fresh virtual environment beside Odoo and let Odoo
    install the addons from there, this checkout off the addons path. Returns
    {addon: True when Odoo installed it from the wheel}."""
    wheels = build_wheels(names)
    built = {path.name.split("-")[0].removeprefix("odoo_addon_") for path in wheels}
    if built != set(names):
        raise SetupError(f"wheels built: {sorted(built)}; expected one per addon: {names}")
    venv = WHEELS / "venv"
    # Beside Odoo: its own dependencies come from the interpreter's site-packages.
    run([sys.executable, "-m", "venv", "--system-site-packages", venv])
    python = venv_python(venv)
    run([python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", *wheels], capture=True)
    # Odoo runs from its source tree, not a distribution pip knows: its requirement aside,
    # every requirement the wheels declare must be met.
    check = run([python, "-m", "pip", "check"], check=False, capture=True)
    unmet = [
        line
        for line in check.stdout.splitlines()
        if line.startswith("odoo-addon-") and not re.search(r"requires odoo, which is not installed", line)
    ]
    if unmet:
        raise SetupError("the wheels' requirements are not met:\n" + "\n".join(unmet))
    config = write_config(
        WHEELS / "odoo.conf",
        odoo_root,
        db_name=WHEEL_DB,
        http_port=ports()["odoo-test"],
        with_checkout=False,
    )
    copy_db(template_db(odoo_root, config, external_dependencies(names)), WHEEL_DB)
    log = odoo_install(
        odoo_root, config, WHEEL_DB, install=names, label="wheel-install", python=python, cwd=WHEELS
    )
    paths = re.search(r"addons paths: (\[.*\])", log)
    addon_paths = ast.literal_eval(paths.group(1)) if paths else []
    site_addons = [path for path in addon_paths if path.startswith(str(venv))]
    if str(ROOT) in addon_paths or not site_addons:
        raise SetupError(f"Odoo did not take the addons from the wheels; its addons paths: {addon_paths}")
    installed = set(
        psql(
            "SELECT name FROM ir_module_module WHERE state = 'installed' AND name IN ("
            + ", ".join(f"'{name}'" for name in names)
            + ")",
            db=WHEEL_DB,
        ).split()
    )
    drop_db(WHEEL_DB)
    return {name: name in installed and (Path(site_addons[0]) / name).is_dir() for name in names}


def wheel_results(odoo_root, args):
    """The wheel check's counts for the summary: one per addon Odoo installed from its wheel."""
    if args.k:
        return "not run (-k selects tests)"
    say("wheels: build odoo-addon-* with whool, install them in a fresh venv, let Odoo install them")
    try:
        from_wheels = wheel_install_check(odoo_root, SUITE)
    except SetupError as error:
        say(f"wheels: {error}")
        from_wheels = dict.fromkeys(SUITE, False)
    passed = sum(from_wheels.values())
    return {"passed": passed, "failed": len(from_wheels) - passed, "errors": 0}


# --------------------------------------------------------------------- Odoo's own test runner
RUNNER_DB = f"{TEST_DB}_odoo_runner"
RUNNER_REPORT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
SKIPPED_TEST = re.compile(r": skipped (\S+ \(\S+\)) : (.*)$")


def odoo_runner_env(odoo_root):
    """Odoo's own import path and none of this checkout's, as runbot, Odoo.sh and OCA CI run
    the tests: each addon's tests must import only what it and its dependencies ship."""
    env = odoo_env(odoo_root)
    env["PYTHONPATH"] = str(odoo_root)
    return env


def start_odoo_runner(odoo_root, template, modules, screenshots):
    """Start installing the suite with Odoo's own test runner (``-i ... --test-enable
    --stop-after-init``) on a copy of the dependencies' template, beside the pytest run:
    each addon's tests run when it is installed, before the addons that come after it,
    then the post-install tests and browser tours, as Odoo runs them."""
    say("Odoo's own test runner, meanwhile: -i the suite --test-enable --stop-after-init, fresh database")
    config = write_config(
        LOCAL / f"{RUNNER_DB}.conf",
        odoo_root,
        db_name=RUNNER_DB,
        extra_addons=[TEST_ADDONS_DIR],
        http_port=claim_port("odoo-runner-test"),
        extra_options={"screenshots": screenshots},
    )
    copy_db(template, RUNNER_DB)
    shutil.rmtree(screenshots / RUNNER_DB, ignore_errors=True)
    log_path = LOCAL / "odoo-runner.log"
    args = ["-c", config, "-d", RUNNER_DB, "-i", ",".join(modules), "--test-enable", "--stop-after-init"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            odoo_cmd(*args, "--log-level=info"),
            env=odoo_runner_env(odoo_root),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=LOCAL,  # nothing of the checkout on the path, not even the current folder
        )
    atexit.register(stop_if_running, process)  # when the pytest run fails to start, say
    return process, log_path, time.monotonic()


def stop_if_running(process):
    if process.poll() is None:
        process.terminate()
        process.wait(60)


def odoo_runner_results(started_run):
    """Wait for Odoo's runner and count its tests: any failed, errored or skipped test, or
    any ERROR line in its log, fails it."""
    process, log_path, started = started_run
    returncode = process.wait()
    text = log_path.read_text()
    report = RUNNER_REPORT.findall(text)
    failures, errors, ran = (int(number) for number in report[-1]) if report else (0, 0, 0)
    skipped = SKIPPED_TEST.findall(text)
    problems = log_guard().logged_errors(text)
    problems += [f"skipped {test}: {reason} (tests must run, never be skipped)" for test, reason in skipped]
    if not report:
        problems.append("Odoo reported no test results: the database did not initialise")
    elif ran == 0:
        problems.append("Odoo's runner ran no test")
    if returncode != 0 and not problems:
        problems.append(f"Odoo exited with code {returncode}")
    for line in problems[:30]:
        say(f"Odoo's runner: {line}")
    say(f"Odoo's runner: {ran} tests, done in {time.monotonic() - started:.0f} s (full log: {log_path})")
    failed = failures + errors + len(skipped)
    return {"passed": ran - failed, "failed": failed, "errors": 1 if problems and not failed else 0}


# --------------------------------------------------------------------- commands
def prepare():
    LOCAL.mkdir(exist_ok=True)
    odoo_root = find_odoo()
    ensure_python_deps(odoo_root)
    ensure_postgres()
    return odoo_root


def command_run(args):
    odoo_root = prepare()
    config = write_config(LOCAL / "odoo.conf", odoo_root, db_name=RUN_DB, http_port=claim_port("odoo"))
    stamp = LOCAL / f"{RUN_DB}.fingerprint"
    fingerprint = source_fingerprint(SUITE)
    if not db_exists(RUN_DB):
        say(f"creating database {RUN_DB} with the connector suite")
        odoo_install(odoo_root, config, RUN_DB, install=SUITE, label="run-install")
        stamp.write_text(fingerprint)
    elif not stamp.exists() or stamp.read_text() != fingerprint:
        say(f"updating the connector suite in database {RUN_DB} (your data is kept)")
        odoo_install(odoo_root, config, RUN_DB, update=SUITE, label="run-update")
        stamp.write_text(fingerprint)
    base_url = f"http://127.0.0.1:{ports()['odoo']}"
    banner = (
        f"\nOdoo 18 with the connector suite: {base_url}/odoo\n"
        f"  database {RUN_DB}, login admin / password admin (change it in Settings > Users)\n"
        f"  Connectors overview: {base_url}/odoo/action-connector_base.action_connector_overview\n"
        f"  sync jobs: {base_url}/odoo/action-connector_base.action_connector_sync_job\n"
        f"  configuration: {config} (encryption key inside: keep it, secrets cannot be read without it)\n"
    )
    if args.no_serve:
        print(banner, flush=True)
        return 0
    env = odoo_env(odoo_root)
    emulators = start_demo_emulators(env)
    server = subprocess.Popen(odoo_cmd("-c", config, "-d", RUN_DB), env=env)
    try:
        wait_for_http(f"{base_url}/web/login", server)
        print(banner + run_demo_setup(odoo_root, config, emulators, base_url), flush=True)
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        return server.wait()
    finally:
        for process, _demo in emulators:
            process.terminate()


class Demo:
    """A connector's demo, as its ``tests/emulator.py`` declares it in a literal ``DEMO`` dict:
    ``backend_model``, whose ``_connector_demo_setup(url, public_base_url=...)`` creates or
    refreshes a demo backend on the emulator and returns lines to print, and ``port``, the
    emulator's default port. The file is read, not imported: this runs before the
    dependencies are installed."""

    def __init__(self, addon, backend_model, port):
        self.addon = addon
        self.backend_model = backend_model
        self.default_port = port
        self.port_name = f"demo-{addon.removeprefix('connector_')}"


def find_demos(root, addons):
    """The demos of these addons; a connector without an emulator has none yet."""
    found = []
    for addon in addons:
        emulator = root / addon / "tests" / "emulator.py"
        if not emulator.exists():
            continue
        for node in ast.parse(emulator.read_text()).body:
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "DEMO" for target in node.targets
            ):
                found.append(Demo(addon, **ast.literal_eval(node.value)))
    return found


@functools.cache
def demos():
    return find_demos(ROOT, SUITE)


def start_demo_emulators(env):
    started = []
    for demo in demos():
        log = open(LOCAL / f"emulator-{demo.addon}.log", "w")  # noqa: SIM115 - lives as long as the emulator
        process = subprocess.Popen(
            [
                sys.executable,
                ROOT / "scripts" / "serve_emulator.py",
                demo.addon,
                "--port",
                str(claim_port(demo.port_name)),
                "--demo",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append((process, demo))
    return started


def wait_for_http(url, server, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError("Odoo stopped while starting; see its output above.")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(1)
    raise SetupError(f"Odoo did not answer on {url} within {timeout} s.")


def run_demo_setup(odoo_root, config, emulators, base_url):
    """Set up each demo backend on its emulator; ``base_url`` is the address Odoo is served at,
    which the backends keep as their public URL for the webhooks they register."""
    if not emulators:
        return "  webhook URLs: each platform backend shows its own on its form\n"
    calls = "\n".join(
        f"if {model!r} in env and hasattr(env[{model!r}], '_connector_demo_setup'):\n"
        f"    lines += env[{model!r}]._connector_demo_setup("
        f"'http://127.0.0.1:{ports()[port_name]}', public_base_url={base_url!r})\n"
        for model, port_name in ((demo.backend_model, demo.port_name) for _process, demo in emulators)
    )
    script = f"lines = []\n{calls}env.cr.commit()\nprint('DEMO-LINES', repr(lines))\n"
    result = run(
        odoo_cmd("shell", "-c", config, "-d", RUN_DB, "--no-http", "--log-level=warn"),
        input=script,
        capture=True,
        env=odoo_env(odoo_root),
        check=False,
    )
    found = re.search(r"^DEMO-LINES (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not found:
        return f"  demo setup failed; its output:\n{(result.stdout + result.stderr)[-2000:]}\n"
    return "".join(f"  {line}\n" for line in ast.literal_eval(found.group(1)))


def pytest_counts(output):
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    summary = [
        line
        for line in output.splitlines()
        if re.search(r"\b(passed|failed|error|errors|no tests ran)\b", line)
    ]
    if summary:
        for number, word in re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary[-1]):
            key = "errors" if word.startswith("error") else word
            counts[key] = int(number)
    return counts


def run_pytest(cmd, env):
    """Run pytest, streaming its output, and return (exit code, counts)."""
    process = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        lines.append(line)
    process.wait()
    return process.returncode, pytest_counts("".join(lines))


def print_summary(results, tour_line, failed):
    """Print the counts, closing on the "N passed, N failed" line; return the exit code."""
    print("\n==== summary ====")
    passed = failures = 0
    for label, outcome in results.items():
        if isinstance(outcome, dict):
            passed += outcome["passed"]
            failures += outcome["failed"] + outcome["errors"]
            print(f"{label}: {outcome['passed']} passed, {outcome['failed'] + outcome['errors']} failed")
        else:
            print(f"{label}: {outcome}")
    print(tour_line)
    if failed and failures == 0:
        failures = 1  # lint or a zero count failed the run; the closing line must say so
    print(f"{passed} passed, {failures} failed")
    return 1 if failed else 0


def tour_summary(tour_file, screenshots):
    """The summary line of the browser tours, and whether none ran."""
    tours = tour_file.read_text().split() if tour_file.exists() else []
    line = f"browser tours: {len(tours)} ran ({', '.join(tours) or 'none'})"
    shots = sorted(screenshots.rglob("*.png")) if screenshots.exists() else []
    if shots:
        line += f"\nscreenshots of the failed browser steps: {shots[0].parent}"
    return line, not tours


def command_test(args):
    odoo_root = prepare()
    results = {}
    failed = False

    if not (args.skip_lint or args.odoo_only):
        say("lint: pre-commit hooks")
        lint = run(["pre-commit", "run", "--all-files", "--show-diff-on-failure"], check=False, cwd=ROOT)
        results["lint"] = "passed" if lint.returncode == 0 else "FAILED"
        failed |= lint.returncode != 0

    selection = ["-k", args.k] if args.k else []
    if not args.odoo_only:
        say("pure-Python tests (no Odoo, no database)")
        code, unit = run_pytest(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:odoo",
                "-p",
                "no:cacheprovider",
                "-q",
                *selection,
                "tests/unit",
            ],
            {**os.environ, "PYTHONPATH": ""},
        )
        results["pure-Python tests"] = unit
        failed |= code != 0 or (unit["passed"] == 0 and not args.k)

    say("Odoo tests (pytest-odoo, fresh database), browser tours in headless Chromium")
    ensure_browser()
    extra_addons = [TEST_ADDONS_DIR]
    screenshots = LOCAL / "data" / "screenshots"
    config = write_config(
        LOCAL / f"{TEST_DB}.conf",
        odoo_root,
        db_name=TEST_DB,
        extra_addons=extra_addons,
        http_port=ports()["odoo-test"],
        extra_options={"screenshots": screenshots},
    )
    modules = SUITE + test_addons()
    template = template_db(odoo_root, config, external_dependencies(modules))
    odoo_runner = None if args.k else start_odoo_runner(odoo_root, template, modules, screenshots)
    copy_db(template, TEST_DB)
    odoo_install(odoo_root, config, TEST_DB, install=modules, label=f"{TEST_DB}-install")
    test_dirs = [
        str(p) for p in sorted(ROOT.glob("connector_*/tests")) + sorted(TEST_ADDONS_DIR.glob("*/tests"))
    ]
    env = odoo_env(odoo_root)
    # The pytest plugins that guard Odoo's log and count the tours live in tests/.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests"), env["PYTHONPATH"]])
    tour_file = LOCAL / "tours-ran.txt"
    tour_file.unlink(missing_ok=True)
    env["CONNECTOR_TOUR_COUNT_FILE"] = str(tour_file)
    shutil.rmtree(screenshots / TEST_DB, ignore_errors=True)
    code, odoo_counts = run_pytest(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "odoo_log_guard",
            "-p",
            "odoo_tour_guard",
            f"--odoo-config={config}",
            f"--odoo-database={TEST_DB}",
            "--odoo-http",
            "--odoo-log-level=warn",
            "-q",
            *selection,
            *test_dirs,
        ],
        env,
    )
    results["Odoo tests"] = odoo_counts
    failed |= code != 0
    if odoo_counts["passed"] == 0:
        say("no Odoo test ran: that is a failure")
        failed = True
    tour_line, no_tour = tour_summary(tour_file, screenshots / TEST_DB)
    if no_tour and not args.k:
        say("no browser tour ran: that is a failure")
        failed = True

    runner = odoo_runner_results(odoo_runner) if odoo_runner else "not run (-k selects tests)"
    results["Odoo's own test runner"] = runner
    failed |= isinstance(runner, dict) and (runner["failed"] + runner["errors"] > 0 or runner["passed"] == 0)

    wheels = wheel_results(odoo_root, args)
    results["addons installed from wheels"] = wheels
    failed |= isinstance(wheels, dict) and wheels["failed"] > 0

    return print_summary(results, tour_line, failed)


# Benchmarks on the bench database, in this order; each prints its figures and
# exits non-zero when it misses a target.
ODOO_BENCHMARKS = [
    "bench_base.py",  # job queue against a commit loop, binding upsert against a raw create
    "bench_runners.py",  # one and two real servers running jobs that wait on the platform
    "bench_webhook.py",  # webhook intake against a trivial route, on a server it starts
    "bench_smartsheet.py",  # a 10,000-row, three-level sheet imported from the emulator
    "bench_trello.py",  # a 5,000-card board imported from the emulator
    "bench_sprout.py",  # 20,000 inbox messages of 10 profiles imported from the emulator
    "bench_podio.py",  # 5,000 contact items imported from the emulator
    "bench_latency.py",  # a change on the emulator until it shows in Odoo, idle and under load
]


def command_bench(args):
    # Pure Python, no database: the mapping engine's throughput on one core.
    missed = run([sys.executable, ROOT / "tests" / "bench" / "bench_mapping.py"], check=False).returncode != 0
    odoo_root = prepare()
    config = write_config(
        LOCAL / "odoo-bench.conf",
        odoo_root,
        db_name=BENCH_DB,
        extra_addons=[TEST_ADDONS_DIR],
        http_port=claim_port("odoo-bench"),
    )
    modules = SUITE + test_addons()
    template = template_db(odoo_root, config, external_dependencies(modules))
    copy_db(template, BENCH_DB)
    odoo_install(odoo_root, config, BENCH_DB, install=modules, label="bench-install")
    env = odoo_env(odoo_root)
    for script in ODOO_BENCHMARKS:
        path = ROOT / "tests" / "bench" / script
        if not path.exists():
            continue
        say(f"benchmark {script}")
        result = run([sys.executable, path, "-c", config, "-d", BENCH_DB], check=False, env=env)
        missed |= result.returncode != 0
    return 1 if missed else 0


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="run Odoo with the suite installed")
    run_parser.add_argument("--no-serve", action="store_true", help="set everything up, then exit")
    test_parser = sub.add_parser("test", help="run every test")
    test_parser.add_argument("--skip-lint", action="store_true")
    test_parser.add_argument(
        "--odoo-only", action="store_true", help="only the Odoo tests (no lint, no unit)"
    )
    test_parser.add_argument("-k", help="pytest -k expression selecting tests (for quick iterations)")
    sub.add_parser("bench", help="print benchmark figures")
    args = parser.parse_args()
    # A SIGTERM (a stopped CI job, `kill`) unwinds like Ctrl-C, so the servers and emulators
    # this command started are stopped by its cleanup instead of being left running.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return {"run": command_run, "test": command_test, "bench": command_bench}[args.command](args)
    except SetupError as error:
        print(f"[suite] ERROR: {error}", file=sys.stderr, flush=True)
        return 2


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
