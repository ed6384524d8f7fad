"""How long `tfjs-kombat serve` takes to answer a burst of connections: 200 GETs of index.html, 50
at a time, each on its own connection (a page load opens several at once, a reload of every tab
more). With a listen backlog of 5, the connections beyond it were dropped and retried by the
client's TCP a second later: 7.9 s. A benchmark that prints, not a test.

    .venv/bin/python benchmarks/serve_concurrency.py [--requests 200] [--concurrency 50]
"""

import argparse
import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tfjs_kombat import serve


def get_index(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/index.html")
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    server = serve.make_server(serve.DEFAULT_ROOT, port=0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    started = time.monotonic()
    with ThreadPoolExecutor(args.concurrency) as pool:
        statuses = list(pool.map(get_index, [port] * args.requests))
    elapsed = time.monotonic() - started
    server.shutdown()
    server.server_close()
    answered = statuses.count(200)
    print(
        f"{answered}/{args.requests} answered 200 at {args.concurrency} concurrent connections "
        f"in {elapsed:.2f} s (listen backlog {server.request_queue_size})"
    )


if __name__ == "__main__":
    main()
