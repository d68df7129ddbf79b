"""Web app under load: the main pages and API calls on the demo workspace, 20 clients, 30 s.

Starts ``weakties serve`` on 127.0.0.1 in a child process over the demo workspace (built into a
temporary folder, or ``--db`` for an existing one), visits every path twice (the cold time: the
first visit computes and caches the answer), then runs the load: ``--clients`` concurrent
clients in one asyncio event loop of this process, each on its own keep-alive HTTP/1.1
connection over loopback, each walking the list of paths in turn from its own starting point,
for ``--seconds``. Every answer is read to its end and parsed (status, headers, body length)
before the next request goes; a status of 400 or more counts as an error.

The load generator: by default a lean HTTP/1.1 client on asyncio streams, with httptools (the
C parser uvicorn itself uses) reading the answers. ``--client httpx`` runs the same load
through one shared ``httpx.AsyncClient`` (keep-alive, a connection per client) instead, as the
issue first proposed; on a 2-core machine httpx spends about 2.5 ms of CPU per request in the
generator, so with the server on the other core the generator itself becomes the bottleneck
and its own queueing (twenty requests waiting on one busy event loop) dominates the measured
latency: p99 of 250-400 ms even for a static file. The lean client spends about 0.1 ms per
request, so what it measures is the server. The CPU each side used is printed with the figures.

Imports are measured in a third phase of their own (with httpx, for its multipart uploads),
because every import writes and so clears the cached answers of every other path. The
baseline, in the same run and with the same generator, is a static file served by the same
server (Starlette's ``StaticFiles``: a file read in a worker thread, no cache in front).

    python bench/web_bench.py [--seconds 30] [--clients 20] [--client lean|httpx] [--json]
    python bench/web_bench.py --mixed [--seconds 20] [--max-stale S] [--without-nudges]

Goal: p99 under 100 ms for every page and API call except imports.

``--mixed`` measures reads while others write, as in daily use with a sync running: the same
``--clients`` readers walk the read paths, first alone (the baseline, in the same run), then
while three writers run without pause: uploads imported through the app (``POST
/api/imports?wait=true``), nudge updates through the app (``POST /api/nudges/{key}``: snooze,
then done), and ``weakties import`` in a separate process writing the same SQLite file, so the
app's busy handling and its cache invalidation (a write elsewhere must be seen) are both in
the figures. Printed: the readers' p50/p99 and errors with and without writers and the ratio,
the worst path, and each writer's count, p50/p99 and errors. Every write clears the cached
answers, so reads under writes pay for recomputing them: that is what this measures.

Stale while revalidate (``weakties.web.cache``) lets readers keep the previous answers,
marked ``X-Weakties-Stale``, while they are recomputed after a change made elsewhere (the CLI
import) or by an import job; the readers' ``stale`` column counts such answers. A nudge update
is a write its user waits to see, so after each one readers wait for fresh answers:
``--without-nudges`` leaves that writer out, and ``--max-stale 0`` (passed to ``weakties
serve``) turns stale answers off, for the same run without them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

GOAL_P99_MS = 100.0


def build_demo(folder: Path) -> tuple[Path, dict[str, Any]]:
    """The demo workspace (seed 7) and the planted story's names."""
    from weakties.synth.world import build_world
    from weakties.workspace import Workspace

    path = folder / "demo.db"
    world = build_world(7)
    with Workspace.open(str(path)) as ws:
        ids = ws.load_world(world)
        ws.set_setting("demo_seed", "7")
        ws.refresh_ties(force=True)
        story = world.story
        return path, {
            "target": world.orgs[story.target_org].name,
            "helped": ids[story.helped],
        }


def story_of(path: Path) -> dict[str, Any]:
    """For an existing workspace: its largest organisation and its strongest tie."""
    from weakties.workspace import Workspace

    with Workspace.open(str(path), create=False) as ws:
        org = ws.orgs()[0][0].name
        helped = ws.ties(limit=1)[0].person_id
    return {"target": org, "helped": helped}


def paths_for(story: dict[str, Any]) -> list[str]:
    target, helped = quote(story["target"]), story["helped"]
    return [
        "/",
        "/people",
        "/people?q=nora",
        f"/people/{helped}",
        "/network",
        f"/paths?kind=org&target={target}",
        "/plan",
        "/import",
        "/opportunities",
        "/reviews",
        "/api/me",
        "/api/people?limit=50",
        "/api/people?q=nora",
        f"/api/people/{helped}",
        f"/api/paths?org={target}&draft=true",
        "/api/targets?q=acm",
        "/api/nudges",
        "/api/network",
        "/api/plan",
        "/api/review",
        "/api/reviews",
        "/api/ties?limit=50",
        "/api/goals",
        "/api/opportunities",
        "/api/insights",
    ]


BASELINE = "/static/app.css"
VCARD = "BEGIN:VCARD\nVERSION:3.0\nFN:Bench Person {i}\nEMAIL:bench{i}@example.net\nEND:VCARD\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


class LeanConnection:
    """One keep-alive HTTP/1.1 connection: writes a ``GET``, reads the whole answer.

    The answer is parsed with httptools (the parser uvicorn uses), which handles a
    ``Content-Length`` or a chunked body alike; the connection is opened again when the server
    closes it.
    """

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host = host
        self.port = port
        lines = [f"Host: {host}:{port}", *(f"{k}: {v}" for k, v in headers.items())]
        self.head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.complete = False
        self.received = 0
        self.stale = False  # the last answer carried X-Weakties-Stale

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"x-weakties-stale":
            self.stale = True

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.received += len(body)

    def on_message_complete(self) -> None:
        self.complete = True

    async def get(self, path: str) -> int:
        """The status of ``GET path``, once its whole body has arrived."""
        import httptools

        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.head)
        self.complete = False
        self.stale = False
        parser = httptools.HttpResponseParser(self)
        try:
            while not self.complete:
                data = await self.reader.read(1 << 16)
                if not data:
                    raise ConnectionError("the server closed the connection")
                parser.feed_data(data)
        except BaseException:
            self.close()
            raise
        if not parser.should_keep_alive():
            self.close()
        return int(parser.get_status_code())

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def load(
    base: str,
    headers: dict[str, str],
    paths: list[str],
    clients: int,
    seconds: float,
    request: Any = None,
    generator: str = "lean",
) -> dict[str, dict[str, Any]]:
    """``clients`` concurrent clients walking ``paths`` for ``seconds``; latencies per path.

    ``request(http, path, i)`` sends something other than a ``GET`` (through httpx).
    """
    import httpx

    stats: dict[str, dict[str, Any]] = {p: {"lat": [], "errors": 0, "stale": 0} for p in paths}
    host, _, port = base.removeprefix("http://").partition(":")
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60.0
    ) as http:
        stop = time.perf_counter() + seconds

        async def client(n: int) -> None:
            lean = LeanConnection(host, int(port), headers)
            i = n
            while time.perf_counter() < stop:
                path = paths[i % len(paths)]
                i += 1
                started = time.perf_counter()
                try:
                    async with asyncio.timeout(60.0):
                        if request is not None:
                            status = (await request(http, path, i)).status_code
                        elif generator == "lean":
                            status = await lean.get(path)
                            stats[path]["stale"] += lean.stale
                        else:
                            answer = await http.get(path)
                            status = answer.status_code
                            stats[path]["stale"] += "x-weakties-stale" in answer.headers
                    ok = status < 400
                except (OSError, TimeoutError, httpx.HTTPError, ValueError):
                    ok = False  # httptools' errors are ValueErrors
                elapsed = (time.perf_counter() - started) * 1000
                stats[path]["lat"].append(elapsed)
                if not ok:
                    stats[path]["errors"] += 1
            lean.close()

        began = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(clients)))
        took = time.perf_counter() - began
    for s in stats.values():
        s["seconds"] = took
    return stats


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` so far (Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def measured(
    server: int, phase: Any, shares: dict[str, tuple[float, float]], name: str
) -> dict[str, dict[str, Any]]:
    """Run ``phase`` (a coroutine) and note the share of a core the server and we used."""
    s0, c0, t0 = cpu_seconds(server), time.process_time(), time.perf_counter()
    stats: dict[str, dict[str, Any]] = asyncio.run(phase)
    wall = time.perf_counter() - t0
    s1 = cpu_seconds(server)
    if s0 is not None and s1 is not None:
        shares[name] = ((s1 - s0) / wall, (time.process_time() - c0) / wall)
    return stats


def rows_of(stats: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for path, s in stats.items():
        lat = s["lat"]
        rows.append(
            {
                "path": path,
                "requests": len(lat),
                "rps": round(len(lat) / s["seconds"], 1) if s["seconds"] else 0.0,
                "p50_ms": round(percentile(lat, 0.50), 1),
                "p99_ms": round(percentile(lat, 0.99), 1),
                "errors": s["errors"],
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="An existing workspace (default: build the demo).")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--import-seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--client",
        choices=("lean", "httpx"),
        default="lean",
        help="The load generator's HTTP client (see above; default: lean).",
    )
    parser.add_argument("--json", action="store_true", help="Print the rows as JSON.")
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="Readers alone, then readers while imports and nudge updates write (see above).",
    )
    parser.add_argument(
        "--max-stale",
        type=float,
        default=None,
        help="Passed to weakties serve: 0 makes readers wait for fresh answers after every "
        "change (no stale while revalidate, as before it was built).",
    )
    parser.add_argument(
        "--without-nudges",
        action="store_true",
        help="--mixed with the import writers only: no nudge updates, the app writes a user "
        "waits to see, after which no stale answer may be served.",
    )
    args = parser.parse_args()

    from weakties.web.auth import ensure_token
    from weakties.workspace import Workspace

    folder = Path(tempfile.mkdtemp(prefix="weakties-web-bench-"))
    log = sys.stderr
    try:
        if args.db:
            db = folder / "copy.db"
            shutil.copyfile(args.db, db)
            story = story_of(db)
        else:
            print("building the demo workspace…", file=log)
            db, story = build_demo(folder)
        with Workspace.open(str(db)) as ws:
            token = ensure_token(ws)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "WEAKTIES_DB": str(db)}
        stale = [] if args.max_stale is None else ["--max-stale", str(args.max_stale)]
        server = subprocess.Popen(
            [sys.executable, "-m", "weakties", "serve", "--port", str(port), *stale],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            if args.mixed:
                return run_mixed(args, base, token, story, log, server.pid, db, folder)
            return run(args, base, token, story, log, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wait_for(base: str, headers: dict[str, str], log: Any) -> bool:
    """Whether the server answered within a minute."""
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/api/me", headers=headers, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            print("the server did not start", file=log)
            return False
        time.sleep(0.2)


def warm(base: str, headers: dict[str, str], paths: list[str], log: Any) -> dict[str, float]:
    """Visit every path twice (the first visit's time is the cold one); returns the cold times."""
    import httpx

    cold: dict[str, float] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        for path in paths:
            started = time.perf_counter()
            response = http.get(path)
            cold[path] = (time.perf_counter() - started) * 1000
            if response.status_code >= 400:
                print(f"{path}: HTTP {response.status_code} {response.text[:200]}", file=log)
        # the review of a closed month is stored on first view, a write that clears every
        # answer cached before it; a second pass leaves every path cached, as in daily use
        for path in paths:
            http.get(path)
    return cold


def summary(stats: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """All of a phase's requests together: count, rate, p50/p99, errors, and the worst path."""
    every = [v for s in stats.values() for v in s["lat"]]
    seconds = max((s["seconds"] for s in stats.values()), default=0.0)
    worst = max(rows_of(stats), key=lambda r: r["p99_ms"]) if stats else None
    return {
        "requests": len(every),
        "rps": round(len(every) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(every, 0.50), 1),
        "p99_ms": round(percentile(every, 0.99), 1),
        "errors": sum(s["errors"] for s in stats.values()),
        "stale": sum(s.get("stale", 0) for s in stats.values()),
        "worst_path": worst["path"] if worst else None,
        "worst_p99_ms": worst["p99_ms"] if worst else None,
    }


async def writers(
    base: str,
    headers: dict[str, str],
    nudge_keys: list[str],
    db: Path,
    folder: Path,
    seconds: float,
) -> dict[str, dict[str, Any]]:
    """The three writers of the mixed run, each in a loop until ``seconds`` have passed."""
    import httpx

    stats: dict[str, dict[str, Any]] = {
        name: {"lat": [], "errors": 0, "seconds": seconds, "failures": []}
        for name in ("import via the app", "nudge update via the app", "weakties import (CLI)")
    }
    stop = time.perf_counter() + seconds

    def record(name: str, started: float, ok: bool, why: str = "") -> None:
        stats[name]["lat"].append((time.perf_counter() - started) * 1000)
        if not ok:
            stats[name]["errors"] += 1
            if len(stats[name]["failures"]) < 3:
                stats[name]["failures"].append(why[:200])

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:

        async def upload() -> None:
            i = 0
            while time.perf_counter() < stop:
                i += 1
                card = VCARD.format(i=f"app-{i}").encode()
                started = time.perf_counter()
                try:
                    r = await http.post(
                        "/api/imports?wait=true", files={"files": ("app.vcf", card, "text/vcard")}
                    )
                    failed = [f["error"] for f in r.json().get("files", []) if f.get("error")]
                    ok = r.status_code < 400 and not failed
                    why = f"HTTP {r.status_code} {failed or r.text[:120]}"
                except (httpx.HTTPError, ValueError) as exc:
                    ok, why = False, repr(exc)
                record("import via the app", started, ok, why)

        async def nudge() -> None:
            i = 0
            while time.perf_counter() < stop and nudge_keys:
                key = nudge_keys[i % len(nudge_keys)]
                body = (
                    {"status": "snoozed", "until": "2099-01-01"}
                    if i % 2 == 0
                    else {"status": "done"}
                )
                i += 1
                started = time.perf_counter()
                try:
                    r = await http.post(f"/api/nudges/{quote(key, safe='')}", json=body)
                    ok, why = r.status_code < 400, f"HTTP {r.status_code} {r.text[:120]}"
                except httpx.HTTPError as exc:
                    ok, why = False, repr(exc)
                record("nudge update via the app", started, ok, why)

        async def cli() -> None:
            i = 0
            env = {**os.environ, "WEAKTIES_DB": str(db)}
            while time.perf_counter() < stop:
                i += 1
                card = folder / f"cli-{i}.vcf"
                card.write_text(VCARD.format(i=f"cli-{i}"), encoding="utf-8")
                started = time.perf_counter()
                proc = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "weakties",
                    "import",
                    str(card),
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
                _, err = await proc.communicate()
                record("weakties import (CLI)", started, proc.returncode == 0, err.decode()[-200:])

        await asyncio.gather(upload(), nudge(), cli())
    return stats


def run_mixed(
    args: Any,
    base: str,
    token: str,
    story: dict[str, Any],
    log: Any,
    server: int,
    db: Path,
    folder: Path,
) -> int:
    """Readers alone, then readers with writers; both printed side by side."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    if not wait_for(base, headers, log):
        return 1
    paths = paths_for(story)
    warm(base, headers, paths, log)
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        listed = http.get("/api/nudges", params={"limit": 50}).json()
    keys = [] if args.without_nudges else [n["key"] for n in listed.get("items", [])]
    gen = args.client
    shares: dict[str, tuple[float, float]] = {}
    print(f"readers alone: {args.clients} clients for {args.seconds:.0f} s…", file=log)
    alone = measured(
        server,
        load(base, headers, paths, args.clients, args.seconds, generator=gen),
        shares,
        "alone",
    )
    warm(base, headers, paths, log)
    print(f"readers with 3 writers for {args.seconds:.0f} s…", file=log)

    async def together() -> dict[str, dict[str, Any]]:
        read, written = await asyncio.gather(
            load(base, headers, paths, args.clients, args.seconds, generator=gen),
            writers(base, headers, keys, db, folder, args.seconds),
        )
        return {"read": read, "write": written}  # type: ignore[dict-item]

    mixed: dict[str, Any] = measured(server, together(), shares, "mixed")
    before, under = summary(alone), summary(mixed["read"])
    wrote = {
        name: {**summary({name: s}), "failures": s["failures"]}
        for name, s in mixed["write"].items()
    }
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        seen = http.get(  # fresh, not a stale answer
            "/api/people",
            params={"q": "Bench Person cli", "limit": 1},
            headers={"Cache-Control": "no-cache"},
        ).json()
    result = {
        "readers_alone": before,
        "readers_with_writers": under,
        "writers": wrote,
        "cli_imports_seen_by_the_app": seen.get("total"),
        "p99_ratio": round(under["p99_ms"] / before["p99_ms"], 2) if before["p99_ms"] else None,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"{'':28} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
        f"{'stale':>6}  worst path (p99)"
    )
    for name, row in (("readers alone (baseline)", before), ("readers with writers", under)):
        print(
            f"{name:28} {row['requests']:9d} {row['rps']:8.1f} {row['p50_ms']:8.1f} "
            f"{row['p99_ms']:8.1f} {row['errors']:6d} {row['stale']:6d}  "
            f"{row['worst_path']} ({row['worst_p99_ms']} ms)"
        )
    for name, row in wrote.items():
        print(
            f"{name:28} {row['requests']:9d} {row['rps']:8.1f} {row['p50_ms']:8.1f} "
            f"{row['p99_ms']:8.1f} {row['errors']:6d}"
        )
        for why in row["failures"]:
            print(f"    failed: {why}")
    ratio = result["p99_ratio"]
    print(
        f"\nreaders' p99 with writers / alone: {ratio}×; p50 {under['p50_ms']} vs "
        f"{before['p50_ms']} ms; read errors {under['errors']}, write errors "
        f"{sum(r['errors'] for r in wrote.values())}; people from the CLI imports the app "
        f"sees: {result['cli_imports_seen_by_the_app']}"
    )
    for name, (served, generated) in shares.items():
        print(f"{name:>9}: the server used {served:.0%} of a core, this process {generated:.0%}")
    return 0


def run(args: Any, base: str, token: str, story: dict[str, Any], log: Any, server: int) -> int:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/api/me", headers=headers, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            print("the server did not start", file=log)
            return 1
        time.sleep(0.2)
    paths = paths_for(story)
    cold: dict[str, float] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        for path in paths:
            started = time.perf_counter()
            response = http.get(path)
            cold[path] = (time.perf_counter() - started) * 1000
            if response.status_code >= 400:
                print(f"{path}: HTTP {response.status_code} {response.text[:200]}", file=log)
        # the review of a closed month is stored on first view, a write that clears every
        # answer cached before it; a second pass leaves every path cached, as in daily use
        for path in paths:
            http.get(path)
    print(
        f"load: {args.clients} clients ({args.client}) for {args.seconds:.0f} s over "
        f"{len(paths)} paths, then the baseline…",
        file=log,
    )
    shares: dict[str, tuple[float, float]] = {}
    gen = args.client
    stats = measured(
        server,
        load(base, headers, paths, args.clients, args.seconds, generator=gen),
        shares,
        "main",
    )
    baseline = measured(
        server,
        load(base, headers, [BASELINE], args.clients, min(args.seconds, 10), generator=gen),
        shares,
        "baseline",
    )

    async def upload(http: Any, path: str, i: int) -> Any:
        files = {"files": ("bench.vcf", VCARD.format(i=i % 50).encode(), "text/vcard")}
        return await http.post(path, files=files)

    imports = measured(
        server,
        load(base, headers, ["/api/imports?wait=true"], args.clients, args.import_seconds, upload),
        shares,
        "imports",
    )
    rows = rows_of(stats) + rows_of(baseline) + rows_of(imports)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(
        f"{'path':44} {'requests':>9} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}  cold ms"
    )
    for r in rows:
        mark = ""
        if r["path"] in cold:
            mark = f"{cold[r['path']]:8.0f}"
            if r["p99_ms"] > GOAL_P99_MS:
                mark += "  over the 100 ms goal"
        elif r["path"] == BASELINE:
            mark = "     baseline: a static file"
        else:
            mark = "     imports (no goal; run one at a time)"
        print(
            f"{r['path'][:44]:44} {r['requests']:9d} {r['rps']:8.1f} {r['p50_ms']:8.1f} "
            f"{r['p99_ms']:8.1f} {r['errors']:6d}{mark}"
        )
    main_rows = [r for r in rows if r["path"] in cold]
    worst = max(main_rows, key=lambda r: r["p99_ms"])
    total = sum(r["requests"] for r in main_rows) / args.seconds
    for name, (served, generated) in shares.items():
        print(
            f"{name:>9}: the server used {served:.0%} of a core, the load generator "
            f"({args.client if name != 'imports' else 'httpx'}) {generated:.0%}"
        )
    print(
        f"\n{total:,.0f} requests/s over the main paths; worst p99 {worst['p99_ms']:.1f} ms "
        f"({worst['path']}); goal p99 < {GOAL_P99_MS:.0f} ms: "
        + ("met" if worst["p99_ms"] < GOAL_P99_MS else "NOT met")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
