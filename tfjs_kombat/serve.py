"""Serve web/ (the game, TensorFlow.js and the converted models) on localhost, standard library only.

Every response carries the cross-origin isolation headers that TensorFlow.js's WASM backend needs
for threads, a Content-Security-Policy that lets the pages load from the site only, explicit MIME
types (browsers refuse `.wasm` and ES modules served as anything else) and `Cache-Control:
no-cache`, so a re-converted model is picked up on reload. Nothing outside the
root is ever served: encoded `..`, backslashes, NULs, absolute-URL targets and symlinks that lead
out of the root are all refused with 403. Inside it, dot-files and dot-folders (.git/, .env) and
npm's install tree and lock file, which sit in web/, are not part of the site: 404; nor is anything
but a regular file or a folder (opening a FIFO would block). Each connection times out, so a silent
client cannot hold a thread. The `Server:` header names the project, not the Python version.
Text, WASM and model weights go out gzip-compressed to a browser that accepts it (compressed once
per file version, kept in memory): BlazePose's detector is pruned, two thirds of its weights zero,
and the play page's models come down in 5.0 MB instead of 9.0.
It listens on 127.0.0.1 unless told otherwise (IPv6 addresses too, "::1"), and says so plainly when
an address lets other machines in. Before serving, the root's js/constants.js is written from
tfjs_kombat/config.py (webconfig.py).
"""

import email.utils
import errno
import functools
import gzip
import io
import ipaddress
import socket
import sys
import urllib.parse
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tfjs_kombat import webconfig
from tfjs_kombat.errors import UserError, say, shown, warn

DEFAULT_ROOT = Path(__file__).resolve().parents[1] / "web"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_DECODES = 5  # "%25252e" needs 3 rounds; deeper nesting is an attack, not a file name
CONNECTION_TIMEOUT = 30  # seconds a client may stay silent mid-request
NPM_NAMES = {"node_modules", "package-lock.json"}

# The pages load nothing but web/'s own files. Beyond that, what they need (Chromium shows each
# refusal otherwise): TensorFlow.js compiles WASM, and its bundled regenerator runtime evaluates a
# string as tf.min.js loads ('unsafe-eval': without it tf.min.js stops half-way); the WASM
# backend's threads are workers made from blob: URLs, each importing the backend's script from
# another blob: URL; the record page shows its frames from blob: URLs, and every page's empty
# favicon is a data: URL. The camera is no URL (video.srcObject). No plug-ins, <base>, form
# posts or framing by other sites.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' blob: 'wasm-unsafe-eval' 'unsafe-eval'",
        "worker-src 'self' blob:",
        "img-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
# Explicit, so the types do not depend on the machine's /etc/mime.types.
MIME_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".bin": "application/octet-stream",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}

# What compresses: text, WASM and model weights; pictures are compressed already.
COMPRESSIBLE = {".html", ".css", ".js", ".mjs", ".json", ".wasm", ".bin", ".svg"}


def is_safe_target(target):
    """True if a raw request target is a plain path: no `..` segment, backslash or NUL, however encoded."""
    if not target.startswith("/") or target.startswith("//"):
        return False  # absolute-URL targets ("http://x/.."), "*" and "//host/path"
    path = target.split("?", 1)[0].split("#", 1)[0]
    for _ in range(MAX_DECODES):
        path, previous = urllib.parse.unquote(path), path
        if path == previous:
            break
    else:
        return False
    return "\\" not in path and "\x00" not in path and ".." not in path.split("/")


def accepts_gzip(header):
    """True if an Accept-Encoding header accepts gzip (by name or "*"), its q not zero."""
    for part in (header or "").split(","):
        coding, _, parameters = part.partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            name, _, value = parameters.partition("=")
            try:
                return name.strip().lower() != "q" or float(value) > 0
            except ValueError:
                return False
    return False


@functools.lru_cache(maxsize=32)
def compressed(path, modified_ns, size):
    """The file gzip-compressed, once per version (its modification time and size in the key)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


class Handler(SimpleHTTPRequestHandler):
    extensions_map = MIME_TYPES
    timeout = CONNECTION_TIMEOUT  # StreamRequestHandler sets it on the socket

    def __init__(self, *args, quiet=False, **kwargs):
        self.quiet = quiet  # set first: the base class handles the request inside __init__
        super().__init__(*args, **kwargs)

    def send_head(self):
        """GET and HEAD both come here: refuse what must not be served, then serve."""
        target = self.requestline.split()[1]  # raw: the stdlib already rewrote a leading "//" in self.path
        path = Path(self.translate_path(self.path))
        status = self.refusal(target, path)
        if status:
            self.send_error(status)
            return None
        if path.is_file() and path.suffix in COMPRESSIBLE and accepts_gzip(self.headers["Accept-Encoding"]):
            return self.send_compressed(path)
        return super().send_head()

    def send_compressed(self, path):
        """Headers for the gzip-compressed file (304 when the browser's copy is current); its body."""
        stat = path.stat()
        if self.unchanged_since_asked(stat.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return None
        body = compressed(str(path), stat.st_mtime_ns, stat.st_size)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(stat.st_mtime))
        self.end_headers()
        return io.BytesIO(body)

    def unchanged_since_asked(self, modified):
        """True if If-Modified-Since names the file's modification second or later."""
        try:
            asked = email.utils.parsedate_to_datetime(self.headers["If-Modified-Since"])
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return asked.tzinfo is not None and int(modified) <= asked.timestamp()

    def refusal(self, target, path):
        """400 for a name no file can have, 403 for anything that could leave the root, 404 for
        hidden files, npm's and anything but a regular file or a folder, else None."""
        try:
            if not is_safe_target(target) or self.escapes_root(path):
                return HTTPStatus.FORBIDDEN
            if self.is_hidden(path) or not (path.is_file() or path.is_dir()):
                return HTTPStatus.NOT_FOUND
        except UnicodeEncodeError:  # "%ed%a0%80" decodes to a lone surrogate, which no file name holds
            return HTTPStatus.BAD_REQUEST
        except OSError:  # a name longer than the file system allows: there is no such file
            return HTTPStatus.NOT_FOUND
        return None

    @staticmethod
    def served(path):
        """The path, and for a folder the index files the stdlib would serve from it."""
        return [path, path / "index.html", path / "index.htm"] if path.is_dir() else [path]

    def escapes_root(self, path):
        """True if the path, or the index file served for a folder, resolves outside the root."""
        candidates = self.served(path)  # a name too long for the file system raises here: 404
        try:
            return not all(candidate.resolve().is_relative_to(self.directory) for candidate in candidates)
        except (OSError, RuntimeError):  # a symlink loop
            return True

    def is_hidden(self, path):
        """True if the path, as asked or with symlinks resolved, goes through a dot-file or dot-folder
        (.git/, .env) or through npm's node_modules/ or package-lock.json."""
        names = [path, *(candidate.resolve() for candidate in self.served(path))]
        parts = {part for name in names for part in name.relative_to(self.directory).parts}
        return any(part.startswith(".") or part in NPM_NAMES for part in parts)

    def list_directory(self, path):
        self.send_error(HTTPStatus.NOT_FOUND)  # no listings: they would show what is in web/
        return None

    def version_string(self):
        return "tfjs-kombat"  # the stdlib's names the Python version: nobody's business

    def end_headers(self):
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)

    def log_error(self, format, *args):
        pass  # log_request already prints the status: one line per request


class Server(ThreadingHTTPServer):
    # The stdlib's listen backlog is 5: a page load's burst of connections overflowed it, and the
    # dropped ones were retried a second later (benchmarks/serve_concurrency.py).
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A browser that drops a download (a reload mid-model) is not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Server6(Server):
    address_family = socket.AF_INET6  # for an IPv6 address: "::1", or "::" (every interface)


def is_ipv6(host):
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:  # a host name, or an IPv4 address
        return False


def is_loopback(address):
    """True for a numeric address that only this machine reaches: 127.0.0.0/8 or ::1."""
    return ipaddress.ip_address(address).is_loopback


def authority(host, port):
    """host:port as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]:{port}" if is_ipv6(host) else f"{host}:{port}"


def make_server(root, host=DEFAULT_HOST, port=DEFAULT_PORT, quiet=False):
    """A threading HTTP server for root, bound but not yet serving (call serve_forever())."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise UserError(f"no web folder at {shown(root)}")
    if not 0 <= port <= 65535:
        raise UserError(f"port {port} is out of range; pick one in 0-65535 (0: any free port)")
    # The stdlib reads "" as every interface, the most open choice, while an empty --host is far
    # more likely an unset variable (--host "$HOST") than a wish: ask for the address instead.
    if not host:
        raise UserError(
            "--host is empty; give an address: 127.0.0.1 (this machine only, the default) "
            "or 0.0.0.0 (every interface: web/ open to the network)"
        )
    handler = functools.partial(Handler, directory=str(root), quiet=quiet)
    where = shown(authority(host, port))
    try:
        return (Server6 if is_ipv6(host) else Server)((host, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UserError(f"port {port} is in use; pick another with --port") from None
        raise UserError(f"cannot listen on {where}: {error.strerror or error}") from None
    except (TypeError, ValueError):  # bind() on a NUL, a name that is not UTF-8 or too long for IDNA
        raise UserError(f"cannot listen on {where}: that is neither a host name nor an address") from None


def warn_about_missing_assets(root):
    """The game plays by keyboard without these, so they are warnings, not errors."""
    root = Path(root)
    if not (root / "vendor" / "tf.min.js").is_file():
        warn(f"TensorFlow.js is not installed in {shown(root / 'vendor')}; run `make web`")
    if not (root / "models" / "config.json").is_file():
        warn(f"no models in {shown(root / 'models')} (keyboard play only); run `make convert`")


def as_typed(path):
    """The root as the user would type it: relative to the current folder when inside it."""
    path = Path(path).resolve()
    return shown(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}/")


def warn_about_the_network(root):
    """Any address but a loopback one lets other machines in: say so, and what they cannot do."""
    warn(f"{as_typed(root)} is open to the network: any machine that reaches this one can fetch its files")
    warn(
        "browsers allow the camera only at localhost or 127.0.0.1 (or over https): "
        "from other machines the game plays by keyboard"
    )


def serve(root=DEFAULT_ROOT, host=DEFAULT_HOST, port=DEFAULT_PORT):
    """Serve root until Ctrl-C; the socket is closed however serving ends."""
    server = make_server(root, host, port)
    with server:
        webconfig.write_constants(root)  # a fresh clone serves before any convert
        warn_about_missing_assets(root)
        address, port = server.server_address[:2]  # numeric, whatever name --host gave
        if not is_loopback(address):
            warn_about_the_network(root)
        say(f"serving {as_typed(root)} at http://{authority(host, port)}/ (Ctrl-C to stop)")
        server.serve_forever()


def add_arguments(parser):
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="folder to serve (default: web/)")
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 or ::, every interface)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default: 8000; 0: any free)")


def run(args):
    serve(args.root, args.host, args.port)
