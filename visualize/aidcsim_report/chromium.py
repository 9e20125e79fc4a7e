"""Headless Chromium driven over the DevTools protocol, for printing the report to PDF and for testing it in a real
browser.

Chromium is started with --remote-debugging-pipe: it reads commands on its fd 3 and writes replies and events on its
fd 4, each message one JSON object ended by a NUL byte. That needs no port (nothing another user could connect to),
no third-party package (Python's stdlib only: subprocess, os.pipe, json) and no network. Every wait has a timeout, so
a browser that hangs or dies becomes an exception, never a stuck report or test.

    with Browser() as browser:
        page = browser.open_file("report.html")        # waits for the load event
        page.console_errors(), page.network_requests()  # what the page logged and what it tried to fetch
        page.evaluate("document.querySelectorAll('svg').length")
        png_bytes = page.screenshot_png()               # the full page
        pdf_bytes = page.print_to_pdf("a4")
"""
import base64
import fcntl
import json
import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from .errors import BadInput, MissingTool

CHROMIUM_PATH = "/usr/bin/chromium"   # Debian's launcher script; it execs /usr/lib/chromium/chromium
DEFAULT_TIMEOUT_S = 60.0              # a long report's PDF takes seconds on 2 cores; a minute means it hung
WINDOW_SIZE_PX = (1280, 1024)         # a laptop-sized window for the screen layout and the screenshot

# Paper sizes in inches, as Page.printToPDF takes them (ISO 216 A4 is 210 x 297 mm).
PAPER_SIZES_IN = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}

# Flags: headless, root in a container (no sandbox), no GPU, and no traffic of the browser's own (updates, sync,
# safe browsing, QUIC probes). --host-resolver-rules makes every host name unresolvable, so a page that references
# the web fails at once (and is reported by network_requests()) instead of waiting on DNS.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-extensions", "--disable-breakpad", "--disable-crash-reporter", "--mute-audio", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
]


class ChromiumError(RuntimeError):
    """Chromium did not start, died, timed out or answered a command with an error (the message says which)."""


def find_chromium(path=None):
    """The Chromium executable to run: `path`, $AIDCSIM_CHROMIUM, or Debian's /usr/bin/chromium."""
    candidate = path or os.environ.get("AIDCSIM_CHROMIUM") or CHROMIUM_PATH
    resolved = shutil.which(candidate)
    if resolved is None:
        raise MissingTool(f"{candidate}: not found; the PDF and the browser tests need headless Chromium: install "
                          "Debian's chromium package (apt-get install chromium, or bash tools/deps.sh)")
    return resolved


def file_url(path):
    """The file:// URL of a local file, percent-encoded as the browser itself writes it."""
    return pathlib.Path(os.path.abspath(path)).as_uri()


def without_fragment(url):
    return url.split("#", 1)[0]


def is_console_error(message):
    """Whether a collected console message is an error: console.error/assert, an uncaught exception, or a
    browser log entry of level error that is not about a network load (those are counted as requests)."""
    if message["kind"] == "exception":
        return True
    if message["kind"] == "console":
        return message["level"] in ("error", "assert")
    return message["level"] == "error" and message["source"] != "network"


def _move_above_9(fd):
    """The same pipe end on a descriptor numbered 10 or more (close-on-exec, as Python's own), old one closed."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class _Connection:
    """The two pipes to one Chromium process: send a command and wait for its reply; events go to a callback.

    A reader thread splits Chromium's output into NUL-ended JSON messages; replies are matched to commands by id.
    """

    def __init__(self, to_browser_fd, from_browser_fd, on_event):
        self._to_browser_fd = to_browser_fd
        self._from_browser_fd = from_browser_fd
        self._on_event = on_event
        self._replies = {}
        self._next_id = 1
        self._closed = False
        self._condition = threading.Condition()
        self._reader = threading.Thread(target=self._read_messages, name="chromium-pipe-reader", daemon=True)
        self._reader.start()

    def _read_messages(self):
        pending = bytearray()
        try:
            while True:
                chunk = os.read(self._from_browser_fd, 1 << 20)
                if not chunk:
                    break
                pending += chunk
                while True:
                    end = pending.find(b"\0")
                    if end < 0:
                        break
                    raw = bytes(pending[:end])
                    del pending[:end + 1]
                    self._dispatch(json.loads(raw))
        except OSError:
            pass
        finally:
            with self._condition:
                self._closed = True
                self._condition.notify_all()

    def _dispatch(self, message):
        if "id" in message:
            with self._condition:
                self._replies[message["id"]] = message
                self._condition.notify_all()
        else:
            self._on_event(message.get("method", ""), message.get("params", {}), message.get("sessionId"))

    def send(self, method, params=None, session_id=None, timeout_s=DEFAULT_TIMEOUT_S):
        """Sends one command and returns its result; ChromiumError on an error reply, a closed pipe or timeout."""
        with self._condition:
            if self._closed:
                raise ChromiumError(f"{method}: Chromium's pipe is closed (the browser exited)")
            command_id = self._next_id
            self._next_id += 1
        message = {"id": command_id, "method": method, "params": params or {}}
        if session_id is not None:
            message["sessionId"] = session_id
        data = json.dumps(message).encode("utf-8") + b"\0"
        try:
            while data:
                written = os.write(self._to_browser_fd, data)
                data = data[written:]
        except OSError as e:
            raise ChromiumError(f"{method}: cannot write to Chromium's pipe ({e})") from e
        self.wait_until(lambda: command_id in self._replies, f"answer to {method} from Chromium", timeout_s)
        with self._condition:
            reply = self._replies.pop(command_id)
        if "error" in reply:
            error = reply["error"]
            raise ChromiumError(f"{method}: {error.get('message', error)} {error.get('data', '')}".rstrip())
        return reply.get("result", {})

    def wait_until(self, predicate, what, timeout_s):
        """Waits until predicate() holds (evaluated under the lock events are recorded under)."""
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while not predicate():
                left_s = deadline - time.monotonic()
                if self._closed:
                    raise ChromiumError(f"Chromium exited while waiting for {what}")
                if left_s <= 0:
                    raise ChromiumError(f"no {what} within {timeout_s:g} s")
                self._condition.wait(left_s)

    def notify(self):
        with self._condition:
            self._condition.notify_all()

    @property
    def lock(self):
        return self._condition


class Page:
    """One tab, attached in flat mode (commands carry its sessionId). Records what it logs and fetches."""

    def __init__(self, browser, session_id, timeout_s):
        self._browser = browser
        self._session_id = session_id
        self._timeout_s = timeout_s
        self.url = None                 # the document's own URL once open() was called
        self.console_messages = []      # dicts: kind (console|exception|log), level, source, text
        self.requests = []              # every URL the page asked for (Network.requestWillBeSent)
        self._load_events = 0

    def send(self, method, params=None, timeout_s=None):
        return self._browser.connection.send(method, params, self._session_id, timeout_s or self._timeout_s)

    def on_event(self, method, params):
        """Called by the reader thread, under the connection's lock."""
        if method == "Page.loadEventFired":
            self._load_events += 1
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console_messages.append({"kind": "console", "level": params.get("type", ""),
                                          "source": "console-api", "text": text})
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.console_messages.append({"kind": "exception", "level": "error", "source": "javascript",
                                          "text": text})
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.console_messages.append({"kind": "log", "level": entry.get("level", ""),
                                          "source": entry.get("source", ""),
                                          "text": f"{entry.get('text', '')} {entry.get('url', '')}".rstrip()})

    def open(self, url, timeout_s=None):
        """Navigates to url and waits for its load event; BadInput-like failures (no such file) raise."""
        timeout_s = timeout_s or self._timeout_s
        connection = self._browser.connection
        with connection.lock:
            loads_before = self._load_events
            self.url = url
        result = self.send("Page.navigate", {"url": url}, timeout_s)
        if result.get("errorText"):
            raise ChromiumError(f"cannot open {url}: {result['errorText']}")
        connection.wait_until(lambda: self._load_events > loads_before, f"load event of {url}", timeout_s)
        # Fonts are laid out after load in some cases; printing before they settle can reflow a page.
        self.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true", timeout_s)
        return self

    def console_errors(self):
        with self._browser.connection.lock:
            return [m for m in self.console_messages if is_console_error(m)]

    def network_requests(self):
        """Every request other than for the document itself (file:// URL, fragment aside) or for a data: URL."""
        own = without_fragment(self.url or "")
        with self._browser.connection.lock:
            urls = list(self.requests)
        return [u for u in urls if not u.startswith("data:") and without_fragment(u) != own]

    def evaluate(self, expression, timeout_s=None):
        """The value of a JavaScript expression (promises awaited), returned by value (JSON-able)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout_s)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            raise ChromiumError(f"JavaScript error in {expression[:80]!r}: {text}")
        return result.get("result", {}).get("value")

    def screenshot_png(self, scale=1.0, max_height_px=None, timeout_s=None):
        """A PNG of the whole page (beyond the window), at `scale`; max_height_px crops very long pages."""
        metrics = self.send("Page.getLayoutMetrics", timeout_s=timeout_s)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width_px = max(1, int(size["width"]))
        height_px = max(1, int(size["height"]))
        if max_height_px:
            height_px = min(height_px, max_height_px)
        result = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True, "fromSurface": True,
            "clip": {"x": 0, "y": 0, "width": width_px, "height": height_px, "scale": scale}}, timeout_s)
        return base64.b64decode(result["data"])

    def print_to_pdf(self, paper="a4", timeout_s=None):
        """The page printed as a PDF (bytes) on `paper` (a4 or letter), with backgrounds; the page's own CSS
        @page size and margins win where it sets them (preferCSSPageSize)."""
        if paper not in PAPER_SIZES_IN:
            raise BadInput(f"--paper {paper}: expected one of {', '.join(sorted(PAPER_SIZES_IN))}")
        width_in, height_in = PAPER_SIZES_IN[paper]
        result = self.send("Page.printToPDF", {
            "paperWidth": width_in, "paperHeight": height_in, "preferCSSPageSize": True,
            "printBackground": True, "displayHeaderFooter": False, "transferMode": "ReturnAsBase64"}, timeout_s)
        return base64.b64decode(result["data"])


class Browser:
    """One headless Chromium process with a fresh profile in a temporary folder (removed by close())."""

    def __init__(self, executable=None, timeout_s=DEFAULT_TIMEOUT_S, extra_flags=()):
        self.timeout_s = timeout_s
        self._pages = {}
        self._lock = threading.Lock()
        self._process = None
        self._profile_dir = None
        self._fds = []
        self.connection = None
        executable = find_chromium(executable)
        self._profile_dir = tempfile.mkdtemp(prefix="aidcsim-chromium-")
        try:
            self._start(executable, list(extra_flags))
        except BaseException:
            self.close()
            raise

    def _start(self, executable, extra_flags):
        # Chromium reads commands on fd 3 and writes on fd 4. Our pipe ends for it are first moved to numbers >= 10
        # (so that none of them is already 3 or 4), then bash puts them on 3 and 4 and execs Chromium: no
        # preexec_fn, which is unsafe once threads run (a previous Browser's reader thread may).
        commands_read, commands_write = os.pipe()
        replies_read, replies_write = os.pipe()
        self._fds = [commands_write, replies_read]
        commands_read = _move_above_9(commands_read)
        replies_write = _move_above_9(replies_write)
        width_px, height_px = WINDOW_SIZE_PX
        flags = CHROMIUM_FLAGS + [f"--user-data-dir={self._profile_dir}",
                                  f"--window-size={width_px},{height_px}"] + extra_flags + ["about:blank"]
        shell = f'exec "$0" "$@" 3<&{commands_read} 4>&{replies_write} {commands_read}<&- {replies_write}>&-'
        self._stderr_path = os.path.join(self._profile_dir, "chromium-stderr.txt")
        try:
            with open(self._stderr_path, "wb") as stderr:
                self._process = subprocess.Popen(
                    ["/bin/bash", "-c", shell, executable] + flags, stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=stderr, pass_fds=(commands_read, replies_write),
                    start_new_session=True,  # its own process group, so close() can end its helpers too
                    env=dict(os.environ, HOME=self._profile_dir))
        finally:
            os.close(commands_read)
            os.close(replies_write)
        self.connection = _Connection(commands_write, replies_read, self._on_event)
        try:
            self.version = self.connection.send("Browser.getVersion", timeout_s=self.timeout_s)
        except ChromiumError as e:
            raise ChromiumError(f"{executable} did not start: {e}; its stderr ends: {self.stderr_tail()}") from e

    def stderr_tail(self, chars=2000):
        try:
            with open(self._stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-chars:].strip()
        except OSError:
            return ""

    def _on_event(self, method, params, session_id):
        page = self._pages.get(session_id)
        if page is not None:
            with self.connection.lock:
                page.on_event(method, params)
                self.connection.lock.notify_all()

    def new_page(self):
        """A new tab with the Page, Runtime, Log and Network domains on, so nothing it does goes unrecorded."""
        target = self.connection.send("Target.createTarget", {"url": "about:blank"}, timeout_s=self.timeout_s)
        attached = self.connection.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True},
                                        timeout_s=self.timeout_s)
        page = Page(self, attached["sessionId"], self.timeout_s)
        self._pages[attached["sessionId"]] = page
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        return page

    def open_file(self, path, timeout_s=None):
        """A new tab showing a local file, loaded; BadInput when the file does not exist."""
        if not os.path.isfile(path):
            raise BadInput(f"{path}: no such file; expected an HTML report")
        return self.new_page().open(file_url(path), timeout_s)

    def close(self):
        """Ends Chromium (politely, then its process group by force) and removes the temporary profile."""
        if self._process is not None and self._process.poll() is None:
            try:
                if self.connection is not None:
                    self.connection.send("Browser.close", timeout_s=5)
            except ChromiumError:
                pass
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)  # helpers (zygote, renderers) left behind, if any
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []
        if self._profile_dir is not None:
            shutil.rmtree(self._profile_dir, ignore_errors=True)
            self._profile_dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
