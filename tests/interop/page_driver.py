#!/usr/bin/env python3
"""Drive the shipped ping page (www/index.html) in headless Chromium through
the DevTools protocol over --remote-debugging-pipe (Python standard library
only, no npm).

  page_driver.py [--browser chromium|firefox] --url 'file:///.../index.html#url=...' \
      --run stream:50:20 --run datagram:50:20 --out DIR [--timeout S]

For each --run MODE:COUNT:INTERVAL_MS it sets the page's own controls (mode,
count, interval), clicks Start, waits until the page says it is done or
failed, and reads the results from the DOM (sent, received, lost, the
status line, the chart's drawn points and, from the canvas pixels, how much
of the RTT line is drawn). It saves DIR/chart-MODE.png (the chart element)
and DIR/page-MODE.png (the whole page), and prints one JSON object per run
to DIR/results.json. Exit 0 when every run completed with COUNT pongs, no
loss and a non-empty chart; 1 otherwise.
"""

import argparse
import base64
import json
import os
import select
import subprocess
import sys
import tempfile
import time


class Cdp:
    """A DevTools protocol connection over a pipe pair (NUL-separated JSON)."""

    def __init__(self, chromium, url, profile, log):
        a_r, a_w = os.pipe()  # we write commands -> chromium fd 3
        b_r, b_w = os.pipe()  # chromium fd 4 -> we read
        args = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--remote-debugging-pipe", "--window-size=1100,1000",
                "--user-data-dir=" + profile, url]

        def child():
            os.dup2(a_r, 3)
            os.dup2(b_w, 4)
            os.setsid()

        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     preexec_fn=child, pass_fds=(3, 4))
        os.close(a_r)
        os.close(b_w)
        self.w, self.r = a_w, b_r
        self.buf = b""
        self.next_id = 1
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self.r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe (exit %s)" % self.proc.poll())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=30):
        mid = self.next_id
        self.next_id += 1
        cmd = {"id": mid, "method": method, "params": params or {}}
        if session:
            cmd["sessionId"] = session
        data = json.dumps(cmd).encode() + b"\0"
        while data:
            n = os.write(self.w, data)
            data = data[n:]
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == mid:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)
            del self.events[:-200]

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - it may be gone already
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)


class Marionette:
    """Firefox's Marionette protocol over TCP ("LEN:JSON" frames), standard
    library only: enough to navigate, run scripts and take screenshots."""

    ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

    def __init__(self, firefox, url, profile, log):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        prefs = {
            "marionette.port": port,
            "browser.shell.checkDefaultBrowser": False,
            "browser.startup.homepage_override.mstone": "ignore",
            "datareporting.policy.dataSubmissionEnabled": False,
            "toolkit.telemetry.reporterEnabled": False,
            "app.update.auto": False,
            "app.update.enabled": False,
            "browser.aboutwelcome.enabled": False,
            "network.webtransport.enabled": True,
            "network.webtransport.datagrams.enabled": True,
        }
        with open(os.path.join(profile, "user.js"), "w") as f:
            for k, v in prefs.items():
                f.write("user_pref(%s, %s);\n" % (json.dumps(k), json.dumps(v)))
        env = dict(os.environ, HOME=profile, MOZ_HEADLESS="1")
        self.proc = subprocess.Popen([firefox, "--headless", "--marionette", "--no-remote",
                                      "--profile", profile, "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("firefox's marionette port %d did not open" % port)
                time.sleep(0.2)
        self.buf = b""
        self.next_id = 1
        self._recv()  # the greeting
        self.call("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {
            "acceptInsecureCerts": False}}})
        self.call("WebDriver:SetWindowRect", {"width": 1100, "height": 1000})
        self.call("WebDriver:Navigate", {"url": url})

    def _recv(self):
        while True:
            if b":" in self.buf:
                n, rest = self.buf.split(b":", 1)
                if len(rest) >= int(n):
                    msg, self.buf = rest[:int(n)], rest[int(n):]
                    return json.loads(msg)
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("firefox closed the marionette connection")
            self.buf += chunk

    def call(self, name, params=None):
        mid = self.next_id
        self.next_id += 1
        data = json.dumps([0, mid, name, params or {}]).encode()
        self.sock.sendall(b"%d:%s" % (len(data), data))
        while True:
            m = self._recv()
            if m[0] == 1 and m[1] == mid:
                if m[2]:
                    raise RuntimeError("%s: %s" % (name, m[2]))
                return m[3]

    def evaluate(self, expr, timeout=30):
        r = self.call("WebDriver:ExecuteScript", {"script": "return (%s);" % expr, "args": []})
        return r.get("value")

    def screenshot(self, path, selector=None):
        params = {"full": selector is None, "hash": False}
        if selector:
            el = self.call("WebDriver:FindElement", {"using": "css selector",
                                                     "value": selector})["value"]
            params["id"] = el[self.ELEMENT]
        data = self.call("WebDriver:TakeScreenshot", params)["value"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Marionette:Quit", {"flags": ["eForceQuit"]})
        except Exception:  # noqa: BLE001 - it may be gone already
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        self.sock.close()


class ChromiumPage:
    """The page in Chromium, through Cdp, with Marionette's interface."""

    def __init__(self, chromium, url, profile, log):
        self.cdp = Cdp(chromium, url, profile, log)
        self.session = None
        deadline = time.monotonic() + 20
        while self.session is None:
            for t in self.cdp.call("Target.getTargets")["targetInfos"]:
                if t["type"] == "page" and t["url"].startswith(url.split("#")[0]):
                    self.session = self.cdp.call("Target.attachToTarget", {
                        "targetId": t["targetId"], "flatten": True})["sessionId"]
                    break
            if self.session is None:
                if time.monotonic() > deadline:
                    raise TimeoutError("the page target did not appear")
                time.sleep(0.1)
        self.cdp.call("Runtime.enable", session=self.session)

    def evaluate(self, expr, timeout=30):
        return js(self.cdp, self.session, expr, timeout)

    def screenshot(self, path, selector=None):
        screenshot(self.cdp, self.session, path, selector)

    def close(self):
        self.cdp.close()


def js(cdp, session, expr, timeout=30):
    r = cdp.call("Runtime.evaluate", {"expression": expr, "awaitPromise": True,
                                      "returnByValue": True}, session, timeout)
    if "exceptionDetails" in r:
        raise RuntimeError("page script failed: %s" % json.dumps(r["exceptionDetails"])[:500])
    return r["result"].get("value")


# Reads the results from the DOM and measures the chart: how many canvas
# pixels have the RTT line's colour (#1f6feb), per column band.
READ_RESULTS = r"""
(() => {
  const t = (id) => document.getElementById(id).textContent;
  const c = document.getElementById('chart');
  const g = c.getContext('2d');
  const img = g.getImageData(0, 0, c.width, c.height).data;
  let blue = 0;
  const cols = new Set();
  for (let i = 0; i < img.length; i += 4) {
    if (Math.abs(img[i] - 0x1f) < 24 && Math.abs(img[i + 1] - 0x6f) < 24 &&
        Math.abs(img[i + 2] - 0xeb) < 24 && img[i + 3] > 200) {
      blue++;
      cols.add(((i / 4) % c.width) >> 4);
    }
  }
  return {
    state: document.body.dataset.state,
    status: t('status'),
    sent: Number(t('sent')), received: Number(t('received')),
    lost: t('lost'), loss: t('loss'), p50: t('p50'), p99: t('p99'),
    min: t('min'), max: t('max'), jitter: t('jitter'),
    chart_points: Number(c.dataset.points), chart_lost: Number(c.dataset.lost),
    chart_blue_pixels: blue, chart_columns_with_line: cols.size,
    chart_columns: Math.ceil(c.width / 16),
    log: Array.from(document.querySelectorAll('#log li')).map((li) => li.textContent).slice(-20),
  };
})()
"""


def set_controls(mode, count, interval):
    return r"""
(() => {
  const set = (id, v) => {
    const e = document.getElementById(id);
    e.value = v;
    e.dispatchEvent(new Event('input', {bubbles: true}));
    e.dispatchEvent(new Event('change', {bubbles: true}));
  };
  set('mode', %s); set('count', %s); set('interval', %s);
  document.getElementById('start').click();
  return document.body.dataset.state;
})()
""" % (json.dumps(mode), json.dumps(str(count)), json.dumps(str(interval)))


def screenshot(cdp, session, path, selector=None):
    params = {"format": "png"}
    if selector:
        rect = js(cdp, session, "(() => { const r = document.querySelector(%s)"
                  ".getBoundingClientRect(); return {x: r.x + scrollX, y: r.y + scrollY, "
                  "width: r.width, height: r.height}; })()" % json.dumps(selector))
        params["clip"] = dict(rect, scale=1)
        params["captureBeyondViewport"] = True
    r = cdp.call("Page.captureScreenshot", params, session)
    with open(path, "wb") as f:
        f.write(base64.b64decode(r["data"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--browser", choices=("chromium", "firefox"), default="chromium")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--firefox", default="/usr/bin/firefox-esr")
    ap.add_argument("--url", required=True)
    ap.add_argument("--run", action="append", required=True, help="MODE:COUNT:INTERVAL_MS")
    ap.add_argument("--out", required=True)
    ap.add_argument("--timeout", type=float, default=60, help="per run, seconds")
    args = ap.parse_args()
    prefix = "" if args.browser == "chromium" else args.browser + "-"

    os.makedirs(args.out, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="wtping-page-profile.")
    log = open(os.path.join(args.out, "%s.log" % args.browser), "wb")
    ok = True
    results = []
    page = None
    try:
        if args.browser == "firefox":
            page = Marionette(args.firefox, args.url, profile, log)
        else:
            page = ChromiumPage(args.chromium, args.url, profile, log)
        # the page is loaded and the fragment has filled the fields
        deadline = time.monotonic() + 30
        while page.evaluate("document.readyState") != "complete" or \
                not page.evaluate("!!(document.getElementById('url') || {}).value"):
            if time.monotonic() > deadline:
                raise TimeoutError("the page did not load or its URL field stayed empty")
            time.sleep(0.1)
        print("page_driver: %s: page loaded: url=%s, %d hash(es), %s" % (
            args.browser, page.evaluate("document.getElementById('url').value"),
            page.evaluate("document.getElementById('hashes').value.split('\\n')"
                          ".filter(Boolean).length"),
            page.evaluate("navigator.userAgent")), flush=True)

        for spec in args.run:
            mode, count, interval = spec.split(":")
            count, interval = int(count), int(interval)
            t0 = time.monotonic()
            page.evaluate(set_controls(mode, count, interval))
            deadline = t0 + args.timeout
            while True:
                state = page.evaluate("document.body.dataset.state")
                if state in ("done", "failed"):
                    break
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            res = page.evaluate(READ_RESULTS)
            res.update(browser=args.browser, mode=mode, count=count, interval_ms=interval,
                       seconds=round(time.monotonic() - t0, 2))
            page.screenshot(os.path.join(args.out, "chart-%s%s.png" % (prefix, mode)), "#chart")
            page.screenshot(os.path.join(args.out, "page-%s%s.png" % (prefix, mode)))
            problems = []
            if res["state"] != "done":
                problems.append("the page ended in state %r" % res["state"])
            if res["sent"] != count or res["received"] != count:
                problems.append("sent %s, received %s, want %d each"
                                % (res["sent"], res["received"], count))
            if res["lost"] != "0" or res["chart_lost"]:
                problems.append("lost %s" % res["lost"])
            if res["chart_points"] != min(count, 300):
                problems.append("the chart shows %s points" % res["chart_points"])
            # the RTT line crosses the plot: blue pixels in most column bands
            if res["chart_blue_pixels"] < 200 or \
                    res["chart_columns_with_line"] < res["chart_columns"] * 0.6:
                problems.append("the chart looks empty (%d line pixels in %d of %d bands)"
                                % (res["chart_blue_pixels"], res["chart_columns_with_line"],
                                   res["chart_columns"]))
            res["problems"] = problems
            results.append(res)
            print("page_driver: %s: %s: %d/%d pongs, lost %s, p50 %s, p99 %s, jitter %s, "
                  "chart %d points, %.1f s%s" % (
                      args.browser, mode, res["received"], res["sent"], res["lost"], res["p50"],
                      res["p99"], res["jitter"], res["chart_points"], res["seconds"],
                      "" if not problems else " -- FAIL: " + "; ".join(problems)), flush=True)
            if problems:
                ok = False
                print("page_driver: status: %s" % res["status"])
                for line in res["log"]:
                    print("page_driver: page log: %s" % line)
    except Exception as e:  # noqa: BLE001 - report and fail
        print("page_driver: FAIL: %s" % e, flush=True)
        ok = False
    finally:
        with open(os.path.join(args.out, "%sresults.json" % prefix), "w") as f:
            json.dump(results, f, indent=1)
        if page:
            page.close()
        log.close()
        subprocess.run(["rm", "-rf", profile], check=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
