#!/usr/bin/env python3
"""Take the README's pictures from the running demo, in headless Chromium.

    make run                                 # in another terminal, and wait for the demo lines
    python3 scripts/screenshots.py           # writes docs/images/*.png

It logs in as admin/admin on this checkout's Odoo (the port in .local/ports.json),
opens the Connectors overview, the Trello demo backend and a task synced from the
demo board, and saves each page as a PNG. Chromium is driven over its DevTools
protocol with websocket-client, the package Odoo's own browser tests use.
"""

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "images"
VIEWPORT = {"width": 1366, "height": 960}


class Browser:
    """A headless Chromium page, driven over the DevTools protocol."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="connector-screenshots-")
        self.process = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={VIEWPORT['width']},{VIEWPORT['height']}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _attempt in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=10) as answer:
            page = next(target for target in json.load(answer) if target["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], suppress_origin=True)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", **VIEWPORT, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def open(self, url, ready_selector, timeout=30):
        self.call("Page.navigate", url=url)
        self.wait_for(ready_selector, timeout)

    def wait_for(self, ready_selector, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(ready_selector)})"):
                time.sleep(1.5)  # let charts and late requests settle
                return
            time.sleep(0.25)
        raise RuntimeError(f"{ready_selector} did not appear within {timeout} s")

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"wrote {path.relative_to(ROOT)}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def odoo_url():
    ports = json.loads((ROOT / ".local" / "ports.json").read_text())
    return f"http://127.0.0.1:{ports['odoo']}"


def login(base_url, user, password):
    """A session of ``user`` (its cookie), opened the way the web client does."""
    session = requests.Session()
    answer = session.post(
        f"{base_url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": "connector", "login": user, "password": password}},
        timeout=30,
    )
    answer.raise_for_status()
    if answer.json().get("error"):
        raise SystemExit(f"Could not log in as {user}: {answer.json()['error']['data']['message']}")
    return session


def search_read(session, base_url, model, domain, fields, limit=1):
    answer = session.post(
        f"{base_url}/web/dataset/call_kw",
        json={
            "jsonrpc": "2.0",
            "params": {
                "model": model,
                "method": "search_read",
                "args": [domain, fields],
                "kwargs": {"limit": limit},
            },
        },
        timeout=30,
    )
    return answer.json()["result"]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=None, help="Odoo's address (default: this checkout's `make run`)")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()
    base_url = (args.url or odoo_url()).rstrip("/")
    executable = next(
        (
            shutil.which(name)
            for name in ("chromium", "google-chrome", "chromium-browser")
            if shutil.which(name)
        ),
        None,
    )
    if not executable:
        raise SystemExit("Chromium is needed: apt-get install chromium")
    session = login(base_url, args.user, args.password)
    backend = search_read(session, base_url, "trello.backend", [], ["id"])
    binding = search_read(
        session,
        base_url,
        "connector.external.binding",
        [
            ("backend_model", "=", "trello.backend"),
            ("external_type", "=", "card"),
            ("res_model", "=", "project.task"),
        ],
        ["res_id"],
    )
    if not backend or not binding:
        raise SystemExit("The Trello demo has not synced yet: start `make run` and wait for its demo lines.")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    browser = Browser(executable)
    try:
        browser.call("Network.enable")
        browser.call(
            "Network.setCookie",
            name="session_id",
            value=session.cookies["session_id"],
            url=base_url,
        )
        browser.open(
            f"{base_url}/odoo/action-connector_base.action_connector_overview",
            ".o_connector_overview_graph canvas",
        )
        browser.screenshot(OUTPUT / "overview.png")
        browser.open(f"{base_url}/odoo/trello.backend/{backend[0]['id']}", ".o_form_view .o_form_sheet")
        browser.screenshot(OUTPUT / "backend.png")
        browser.open(
            f"{base_url}/odoo/project.task/{binding[0]['res_id']}",
            ".o_form_view button[name=action_view_connector_history]",
        )
        browser.evaluate("document.querySelector('button[name=action_view_connector_history]').click()")
        browser.wait_for(".modal .o_data_row")
        browser.screenshot(OUTPUT / "task-sync-history.png")
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
