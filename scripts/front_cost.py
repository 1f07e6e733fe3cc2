#!/usr/bin/env python3
"""What the front (header_timeout) costs per request: N sequential GET /api/v1/health
against a server started with ROCKET_HEADER_TIMEOUT=10 (front) and =0 (Rocket alone),
each as a new connection and, without the front, also over one kept-alive connection.

    python3 scripts/front_cost.py target/release/asset-registry [N]
"""
import http.client, os, socket, subprocess, sys, tempfile, time

binary = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def run(timeout):
    folder = tempfile.mkdtemp()
    port = free_port()
    env = dict(os.environ, ROCKET_LOG_LEVEL="off", ROCKET_HEADER_TIMEOUT=str(timeout))
    server = subprocess.Popen([binary, "--database", f"{folder}/r.sqlite3", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port)).close(); break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)
        began = time.perf_counter()
        for _ in range(n):
            c = http.client.HTTPConnection("127.0.0.1", port); c.request("GET", "/api/v1/health")
            assert c.getresponse().read(); c.close()
        fresh = (time.perf_counter() - began) / n * 1e6
        kept = None
        if timeout == 0:
            c = http.client.HTTPConnection("127.0.0.1", port)
            began = time.perf_counter()
            for _ in range(n):
                c.request("GET", "/api/v1/health"); assert c.getresponse().read()
            kept = (time.perf_counter() - began) / n * 1e6
        return fresh, kept
    finally:
        server.kill(); server.wait()

front, _ = run(10)
alone, kept = run(0)
print(f"{n} requests: front {front:.0f} µs/request; Rocket alone {alone:.0f} µs (new connection each), {kept:.0f} µs (kept alive)")
