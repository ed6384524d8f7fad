"""The web/ server: content, MIME types, isolation headers, and nothing served from outside the root.

Traversal attempts go through a raw socket: http.client and urllib would normalise the paths.
"""

import contextlib
import gzip
import http.client
import http.server
import os
import socket
import threading
import time

import pytest
from conftest import HOSTILE_NAME, assert_escaped

from tfjs_kombat import cli, serve
from tfjs_kombat.errors import UserError

SECRET = b"the-secret-outside-the-root"
FILES = {
    "index.html": (b"<!doctype html><title>kombat</title>", "text/html"),
    "a.js": (b"export const a = 1;\n", "text/javascript"),
    "b.wasm": (b"\x00asm\x01\x00\x00\x00", "application/wasm"),
    "m/model.json": (b'{"format": "graph-model"}', "application/json"),
    "m/group1-shard1of1.bin": (bytes(range(256)), "application/octet-stream"),
    "sub/listed-nowhere.txt": (b"hidden name", "text/plain"),
}
NPM_FILES = {  # npm's install tree and lock file sit in web/ but are not the site
    "node_modules/pkg/index.js": b"npm-internal",
    "package-lock.json": b'{"npm-internal": true}',
}
HIDDEN_FILES = {  # a folder served from a checkout or a home may hold these
    ".env": b"dot-file-content",
    ".git/config": b"dot-file-content",
    "sub/.hidden.js": b"dot-file-content",
}
TRAVERSALS = [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/.%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/%252e%252e/secret.txt",
    "/%25252e%25252e%25252fsecret.txt",
    "/m/../../secret.txt",
    "/..%5csecret.txt",
    "/%2e%2e%5csecret.txt",
    "/..\\secret.txt",
    "/index.html%00.js",
    "//etc/passwd",
    "//../secret.txt",
    "http://x/../secret.txt",
    "http://x/../../../../../../../../etc/passwd",
    "/../../../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/file-link",
    "/dir-link/secret.txt",
    "/dir-link/",
    "/dir-link",
    "/index-link/",
]


@contextlib.contextmanager
def running(root, quiet=True, host=serve.DEFAULT_HOST):
    server = serve.make_server(root, host=host, port=0, quiet=quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    base = tmp_path_factory.mktemp("serve")
    (base / "secret.txt").write_bytes(SECRET)
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_bytes(SECRET)
    (base / "outside" / "index.html").write_bytes(SECRET)
    root = base / "web"
    files = {**{name: content for name, (content, _) in FILES.items()}, **NPM_FILES, **HIDDEN_FILES}
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    (root / "npm-link").symlink_to(root / "node_modules", target_is_directory=True)
    (root / "env-link.js").symlink_to(root / ".env")
    os.mkfifo(root / "pipe.js")  # opening it would wait for a writer, forever
    (root / "file-link").symlink_to(base / "secret.txt")
    (root / "dir-link").symlink_to(base / "outside", target_is_directory=True)
    (root / "index-link").mkdir()  # a folder whose index.html leads out of the root
    (root / "index-link" / "index.html").symlink_to(base / "secret.txt")
    return root


@pytest.fixture(scope="module")
def port(root):
    with running(root) as port:
        yield port


def get(port, path, method="GET", host="127.0.0.1"):
    connection = http.client.HTTPConnection(host, port, timeout=5)
    connection.request(method, path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def raw_get(port, target):
    """Status and the whole response for a request line written by hand."""
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request.encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    return int(response.split(b" ", 2)[1]), response


@pytest.mark.parametrize("name", FILES)
def test_files_come_with_content_mime_type_and_headers(port, name):
    content, mime_type = FILES[name]
    response, body = get(port, f"/{name}")
    assert response.status == 200 and body == content
    assert response.getheader("Content-Type") == mime_type
    for header, value in serve.HEADERS.items():
        assert response.getheader(header) == value


def test_pages_may_load_from_the_site_only(port):
    # tests/web/test_content_security_policy.py checks in Chromium that the pages need no more.
    response, _ = get(port, "/index.html")
    policy = dict(
        directive.split(" ", 1) for directive in response.getheader("Content-Security-Policy").split("; ")
    )
    assert policy["default-src"] == "'self'"
    for directive in ("object-src", "base-uri", "form-action", "frame-ancestors"):
        assert policy[directive] == "'none'"
    local = {"'self'", "'none'", "blob:", "data:", "'unsafe-eval'", "'wasm-unsafe-eval'"}
    assert {source for sources in policy.values() for source in sources.split()} <= local


def test_root_serves_index_html(port):
    response, body = get(port, "/")
    assert response.status == 200 and body == FILES["index.html"][0]
    assert response.getheader("Cross-Origin-Embedder-Policy") == "require-corp"


def test_head_sends_headers_without_body(port):
    response, body = get(port, "/b.wasm", method="HEAD")
    assert response.status == 200 and body == b""
    assert response.getheader("Content-Type") == "application/wasm"
    assert response.getheader("Content-Length") == str(len(FILES["b.wasm"][0]))


def get_accepting(port, path, accept_encoding, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers={"Accept-Encoding": accept_encoding, **headers})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.mark.parametrize("name", ["m/group1-shard1of1.bin", "a.js", "b.wasm", "m/model.json", "index.html"])
def test_a_browser_that_accepts_gzip_gets_it(port, name):
    content, mime_type = FILES[name]
    response, body = get_accepting(port, f"/{name}", "gzip, deflate, br")
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == content and response.getheader("Content-Length") == str(len(body))
    assert response.getheader("Content-Type") == mime_type and response.getheader("Vary") == "Accept-Encoding"
    assert response.getheader("Cross-Origin-Embedder-Policy") == "require-corp"


@pytest.mark.parametrize("accept_encoding", ["identity", "br", "gzip;q=0", "gzip; q=0.000", "gzip;q=x", ""])
def test_without_gzip_accepted_the_file_goes_as_it_is(port, accept_encoding):
    response, body = get_accepting(port, "/m/group1-shard1of1.bin", accept_encoding)
    assert response.status == 200 and body == FILES["m/group1-shard1of1.bin"][0]
    assert response.getheader("Content-Encoding") is None


def test_compressed_files_follow_their_changes_and_revalidate(root):
    weights = root / "m" / "changing.bin"
    weights.write_bytes(b"first version " * 100)
    with running(root) as port:
        response, body = get_accepting(port, "/m/changing.bin", "gzip")
        assert gzip.decompress(body) == weights.read_bytes()
        since = response.getheader("Last-Modified")
        again, body = get_accepting(port, "/m/changing.bin", "gzip", **{"If-Modified-Since": since})
        assert again.status == 304 and body == b""
        weights.write_bytes(b"second, longer version " * 100)
        os.utime(weights, (time.time() + 5, time.time() + 5))  # a later second than Last-Modified
        response, body = get_accepting(port, "/m/changing.bin", "gzip", **{"If-Modified-Since": since})
        assert response.status == 200 and gzip.decompress(body) == weights.read_bytes()
    weights.unlink()


def test_missing_file_is_404_with_the_headers(port):
    response, body = get(port, "/nope.js")
    assert response.status == 404
    assert response.getheader("Cross-Origin-Opener-Policy") == "same-origin"
    assert response.getheader("Cache-Control") == "no-cache"


def test_folders_are_not_listed(port):
    response, body = get(port, "/sub/")
    assert response.status == 404 and b"listed-nowhere" not in body
    response, _ = get(port, "/m/")
    assert response.status == 404


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_is_refused(port, target):
    status, response = raw_get(port, target)
    assert status in (400, 403)
    assert SECRET not in response and b"root:" not in response
    body = response.split(b"\r\n\r\n", 1)[1]
    assert b"secret" not in body and b"/tmp" not in body and b"passwd" not in body


def test_plain_request_through_the_raw_socket_works(port):
    # The same helper that sees the refusals can see a success: the refusals are not an artefact.
    status, response = raw_get(port, "/m/model.json?v=2")
    assert status == 200 and response.endswith(FILES["m/model.json"][0])


@pytest.mark.parametrize(
    "target",
    [
        "/node_modules/pkg/index.js",
        "/%6Eode_modules/pkg/index.js",
        "/node_modules/",
        "/npm-link/pkg/index.js",
        "/package-lock.json",
    ],
)
def test_npm_files_are_not_served(port, target):
    status, response = raw_get(port, target)
    assert status == 404 and b"npm-internal" not in response


@pytest.mark.parametrize(
    "target", ["/.env", "/%2eenv", "/.git/config", "/.git/", "/.git", "/sub/.hidden.js", "/env-link.js"]
)
def test_dot_files_and_dot_folders_are_not_served(port, target):
    status, response = raw_get(port, target)
    assert status == 404 and b"dot-file-content" not in response


def test_a_root_inside_a_dot_folder_is_served(tmp_path):
    root = tmp_path / ".cache" / "web"  # only the names below the root count
    root.mkdir(parents=True)
    (root / "index.html").write_bytes(FILES["index.html"][0])
    with running(root) as port:
        assert get(port, "/")[0].status == 200


def test_only_regular_files_are_opened(port):
    # A FIFO (or a device, a socket) is not a page: opening a FIFO blocked its thread for good.
    assert raw_get(port, "/pipe.js")[0] == 404


def test_the_server_header_does_not_name_python(port):
    response, _ = get(port, "/a.js")
    assert response.getheader("Server") == "tfjs-kombat"
    assert "python" not in str(response.headers).lower()


def test_a_name_too_long_for_the_file_system_is_404_with_one_log_line(root, capsys):
    with running(root, quiet=False) as port:
        statuses = [raw_get(port, "/" + "a" * 300)[0], raw_get(port, "/m/" + "b" * 256 + "/x.js")[0]]
    assert statuses == [404, 404]
    log = capsys.readouterr().err
    assert len(log.splitlines()) == 2 and log.count('" 404 ') == 2 and "Traceback" not in log


def test_a_lone_surrogate_in_the_path_is_400_with_one_log_line(root, capsys):
    # "%ed%a0%80" decodes to U+D800, which no file name can hold: it used to kill the request
    # thread with a UnicodeEncodeError, without a response.
    with running(root, quiet=False) as port:
        status, _ = raw_get(port, "/%ed%a0%80")
        assert raw_get(port, "/a.js")[0] == 200  # and the server goes on
    assert status == 400
    log = capsys.readouterr().err
    assert len(log.splitlines()) == 2 and '" 400 ' in log and "Traceback" not in log


def test_a_silent_client_is_disconnected(root, monkeypatch):
    assert 0 < serve.Handler.timeout <= 60
    monkeypatch.setattr(serve.Handler, "timeout", 0.3)  # the same mechanism, sooner
    with running(root) as port, socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""  # the server hung up; the client's own timeout would raise
        assert time.monotonic() - started < 5


def test_the_listen_queue_holds_a_burst_of_connections(root):
    # A page load opens several connections at once; with the stdlib's backlog of 5, the rest were
    # dropped and retried a second later (benchmarks/serve_concurrency.py prints the time).
    with serve.make_server(root, port=0) as server:
        assert server.request_queue_size >= 50


def test_is_safe_target():
    assert serve.is_safe_target("/m/model.json?x=..")
    assert serve.is_safe_target("/a%20b.js")
    assert not serve.is_safe_target("*")
    assert not serve.is_safe_target("/%" + "25" * 9 + "41")  # "A" encoded 10 times: nobody's file name


def test_port_in_use_is_a_user_error(root, port):
    with pytest.raises(UserError, match=f"port {port} is in use; pick another with --port"):
        serve.make_server(root, port=port)


def test_an_empty_host_is_refused(root, monkeypatch):
    # The stdlib reads "" as every interface, the most open choice; "--host $HOST" with HOST unset
    # would have opened web/ to the network without a word.
    monkeypatch.setattr(
        serve.Server, "server_bind", lambda server: pytest.fail(f"bound {server.server_address}")
    )
    with pytest.raises(UserError, match="--host is empty; give an address: 127.0.0.1 .* or 0.0.0.0"):
        serve.make_server(root, host="", port=0)


@pytest.mark.parametrize(
    "host", ["a\x00b", "\udced\udca0", "é" * 70], ids=["nul", "not-utf-8", "label-too-long"]
)
def test_a_host_that_names_nothing_is_a_one_line_error(root, host, capsys):
    assert cli.main(["serve", "--root", str(root), "--host", host, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot listen on ") and len(err.splitlines()) == 1
    assert err.rstrip("\n").isprintable()  # the host shown escaped


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_an_ipv6_host_is_served(root, monkeypatch, capsys):
    with running(root, host="::1") as port:
        response, body = get(port, "/a.js", host="::1")
    assert response.status == 200 and body == FILES["a.js"][0]
    monkeypatch.setattr(http.server.ThreadingHTTPServer, "serve_forever", lambda server, *args: None)
    serve.serve(root, host="::1", port=0)
    captured = capsys.readouterr()
    assert "at http://[::1]:" in captured.out and "network" not in captured.err


def test_loopback_addresses():
    assert all(map(serve.is_loopback, ["127.0.0.1", "127.0.0.2", "::1"]))
    assert not any(map(serve.is_loopback, ["0.0.0.0", "::", "192.168.1.2", "fe80::1", "10.0.0.1"]))


def test_a_host_other_machines_reach_is_warned_about(root, monkeypatch, capsys):
    monkeypatch.setattr(http.server.ThreadingHTTPServer, "serve_forever", lambda server, *args: None)
    serve.serve(root, port=0)
    assert "network" not in capsys.readouterr().err
    monkeypatch.setattr(serve, "is_loopback", lambda address: False)  # as 0.0.0.0 would be
    serve.serve(root, port=0)
    err = capsys.readouterr().err
    assert "warning: web/ is open to the network" in err.replace(str(root) + "/", "web/")
    assert "warning: browsers allow the camera only" in err


def test_missing_root_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no web folder"):
        serve.make_server(tmp_path / "nope", port=0)


def test_requests_are_logged_unless_quiet(root, capsys):
    with running(root, quiet=False) as port:
        get(port, "/a.js")
    assert '"GET /a.js HTTP/1.1" 200' in capsys.readouterr().err
    with running(root, quiet=True) as port:
        get(port, "/a.js")
    assert capsys.readouterr().err == ""


def test_missing_models_and_tfjs_are_warnings(tmp_path, capsys):
    serve.warn_about_missing_assets(tmp_path)
    err = capsys.readouterr().err
    assert "make web" in err and "make convert" in err
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "tf.min.js").write_text("")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "config.json").write_text("{}")
    serve.warn_about_missing_assets(tmp_path)
    assert capsys.readouterr().err == ""


def test_serve_prints_the_url_and_closes_the_socket_on_ctrl_c(root, monkeypatch, capsys):
    servers = []

    def interrupted(server, *args):
        servers.append(server)
        raise KeyboardInterrupt

    monkeypatch.setattr(http.server.ThreadingHTTPServer, "serve_forever", interrupted)
    with pytest.raises(KeyboardInterrupt):
        serve.serve(root, port=0)
    (server,) = servers
    assert f"at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)" in capsys.readouterr().out
    assert server.socket.fileno() == -1


def test_serve_writes_the_pages_constants_first(tmp_path, monkeypatch):
    """A fresh clone serves before any convert: the pages' constants.js must be there anyway."""
    served = []
    monkeypatch.setattr(
        http.server.ThreadingHTTPServer,
        "serve_forever",
        lambda server, *args: served.append((tmp_path / "js" / "constants.js").is_file()),
    )
    serve.serve(tmp_path, port=0)
    assert served == [True]


def test_cli_help_and_missing_root(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["serve", "--help"])
    assert exit.value.code == 0
    assert "--port" in capsys.readouterr().out
    assert cli.main(["serve", "--root", str(tmp_path / "nope"), "--port", "0"]) == 2
    assert capsys.readouterr().err.startswith("error: no web folder")


def test_the_root_is_printed_escaped(tmp_path, monkeypatch, capsys):
    root = tmp_path / f"web{HOSTILE_NAME}"
    root.mkdir()
    monkeypatch.setattr(http.server.ThreadingHTTPServer, "serve_forever", lambda server, *args: None)
    serve.serve(root, port=0)
    captured = capsys.readouterr()
    assert_escaped(captured.out)  # serving <root>
    assert_escaped(captured.err)  # no TensorFlow.js in <root>/vendor
