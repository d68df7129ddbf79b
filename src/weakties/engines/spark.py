"""The Spark engine: the data-parallel steps of scoring as Spark SQL jobs (the ``.[spark]`` extra).

Three steps grow with the interactions, and they are the ones that run here
(:class:`weakties.engines.local.Kernels`): expanding each interaction into its pairs of
participants (a self-join per interaction), grouping the pairwise events by pair into the tie
features (a window for the gaps between contacts, then one aggregation), and the closure sums
of candidate pairs over their common neighbours and paths of length three (the local engine's
own function, in an Arrow UDF over partitions of the candidates). Everything else — the side inputs, the calibration's fit, the scoring
of ties and of knows probabilities, the path graph — is the local engine's code fed with the
columns Spark hands back, so each model has one definition.

Data moves the conventional way: the store's fact columns are written as Parquet files with
pyarrow into a scratch folder that Spark reads, and results come back the same way: the
executors write them as Parquet there and the driver reads them with pyarrow. A cluster's
executors must be able to read and write that folder: on ``local[*]`` it is a temporary
folder, on a cluster pass a shared path (``--scratch``).
The calibration's inner split runs on the driver (it fits on a sample; about 7 s at 10^7
events): :meth:`SparkKernels.collect` brings the events there only when calibrating.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from weakties.analysis.events import DEFAULT_MAX_CLIQUE, EventArrays
from weakties.analysis.features import (
    ACTR_DECAY,
    CHANNEL_WEIGHTS,
    DAY,
    MIN_GAP_DAYS,
    PairAggregate,
    checked_channel_weights,
    empty_aggregate,
)
from weakties.analysis.signals import CLOSURE_SUMS, closure_order
from weakties.errors import WeaktiesError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from weakties.engines.local import FactColumns

I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
DEFAULT_MASTER = "local[*]"
INT32_MAX = 2**31 - 1


class SparkUnavailable(WeaktiesError):
    """pyspark or a Java runtime is missing, or the Spark master cannot be reached."""


def spark_session(
    master: str | None = None,
    *,
    app_name: str = "weakties",
    driver_memory: str | None = None,
    shuffle_partitions: int | None = None,
) -> SparkSession:
    """A Spark session on ``master`` (``local[*]``: this machine's cores, no cluster).

    Without ``master``: the master ``spark-submit`` was given when it launched this process
    (``docs/scaling.md``), else ``local[*]``.

    The Python workers run this interpreter (the one weakties is installed in), the web UI and
    the event log are off (nothing listens on a port or writes beside the data), and times are
    UTC. A local master gets a small number of shuffle partitions: Spark's default of 200 is
    made for clusters and costs seconds of task overhead on a laptop.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable(
            "the Spark engine needs pyspark: pip install 'weakties[spark]' (and Java 17+)"
        ) from exc
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkUnavailable(
            "the Spark engine needs a Java runtime (17 or newer): "
            "e.g. apt-get install openjdk-17-jre-headless"
        )
    # pyspark warns on every Arrow hand-over that it has not been tested with pandas 3; the
    # hand-overs here go through pyarrow only
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started the JVM already
    if master is None and not submitted:
        master = DEFAULT_MASTER
    local = (master or "").startswith("local")
    partitions = shuffle_partitions or (max(2, 2 * (os.cpu_count() or 1)) if local else 200)
    builder = SparkSession.builder
    if master is not None:
        builder = builder.master(master)
    builder = (
        builder.appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.eventLog.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.adaptive.enabled", "true")
    )
    if driver_memory:
        builder = builder.config("spark.driver.memory", driver_memory)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j raises plain Exceptions when the JVM cannot start
        where = master or "the spark-submit master"
        raise SparkUnavailable(f"cannot start Spark on {where}: {exc}".splitlines()[0]) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkKernels:
    """:class:`weakties.engines.local.Kernels` as Spark SQL jobs on ``session``.

    ``scratch`` is the folder for the Parquet hand-over (a temporary folder by default, removed
    by :meth:`close`). Use as a context manager; the session itself is the caller's.
    """

    def __init__(
        self,
        session: SparkSession,
        scratch: Path | None = None,
        *,
        max_clique: int = DEFAULT_MAX_CLIQUE,
        decay: float = ACTR_DECAY,
        channel_weights: tuple[float, ...] = CHANNEL_WEIGHTS,
    ) -> None:
        self.spark = session
        self._own_scratch = scratch is None
        self.scratch = (
            Path(tempfile.mkdtemp(prefix="weakties-spark-")) if scratch is None else scratch
        )
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.max_clique = max_clique
        self.decay = decay
        self.channel_weights = checked_channel_weights(channel_weights)
        self._tables = 0

    def __enter__(self) -> SparkKernels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the cached tables and remove a scratch folder this object made."""
        self.spark.catalog.clearCache()
        if self._own_scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)

    # ------------------------------------------------------------------ hand-over
    def table(self, name: str, columns: dict[str, NDArray[Any]]) -> DataFrame:
        """Write ``columns`` as one Parquet file with pyarrow and read it as a DataFrame."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._tables += 1
        path = self.scratch / f"{self._tables:04d}-{name}.parquet"
        table = pa.table({k: pa.array(v) for k, v in columns.items()})
        pq.write_table(table, path)  # type: ignore[no-untyped-call]
        return self.spark.read.parquet(str(path))

    def fetch(self, frame: DataFrame, name: str) -> Any:
        """A job's result on the driver as one Arrow table: written by the executors as Parquet
        into the scratch folder and read back with pyarrow.

        Not ``toArrow``: that ships every row through the driver's JVM, which holds them all
        at once and refuses results over ``spark.driver.maxResultSize`` (1 GB by default; the
        pairs of 10^7 interactions are more).
        """
        import pyarrow.parquet as pq

        self._tables += 1
        path = self.scratch / f"{self._tables:04d}-{name}.out"
        frame.write.mode("overwrite").parquet(str(path))
        table = pq.read_table(path)  # type: ignore[no-untyped-call]
        shutil.rmtree(path, ignore_errors=True)
        return table

    # ------------------------------------------------------------------ kernels
    def pairwise(self, facts: FactColumns, ids: I64) -> DataFrame:
        """The pairwise events among ``ids``, as :func:`weakties.analysis.events.
        expand_interactions` makes them, with each event's interaction and the positions of
        its two participants (which order the events exactly as the local engine does)."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        rows = self.table(
            "participants",
            {
                "interaction": np.asarray(facts.p_interaction, np.int64),
                "person": np.asarray(facts.p_person, np.int64),
                "initiator": np.asarray(facts.p_initiator, np.bool_),
                "t": np.asarray(facts.p_time, np.float64),
                "channel": np.asarray(facts.p_channel, np.int8).astype(np.int32),
            },
        )
        # initiators first inside each interaction, then by person id
        order = Window.partitionBy("interaction").orderBy(F.desc("initiator"), F.asc("person"))
        whole = Window.partitionBy("interaction")
        placed = rows.withColumn("pos", F.row_number().over(order) - 1).withColumn(
            "size", F.count(F.lit(1)).over(whole)
        )
        small = placed.where(F.col("size") <= self.max_clique)
        big = placed.where(F.col("size") > self.max_clique)
        first, second = small.alias("f"), small.alias("s")
        pairs_small = first.join(
            second,
            (F.col("f.interaction") == F.col("s.interaction")) & (F.col("f.pos") < F.col("s.pos")),
        )
        # a large list keeps only its initiator's pairs
        heads = big.where((F.col("pos") == 0) & F.col("initiator")).alias("f")
        rest = big.where(F.col("pos") > 0).alias("s")
        pairs_big = heads.join(rest, F.col("f.interaction") == F.col("s.interaction"))
        columns = [
            F.col("f.interaction").alias("interaction"),
            F.col("f.pos").alias("pos_u"),
            F.col("s.pos").alias("pos_v"),
            F.col("f.person").alias("u"),
            F.col("s.person").alias("v"),
            F.col("f.t").alias("t"),
            F.col("f.channel").alias("channel"),
            F.least(F.col("f.size"), F.lit(INT32_MAX)).cast("int").alias("grp"),
            (F.col("f.initiator") & ~F.col("s.initiator")).alias("u_initiated"),
        ]
        events = pairs_small.select(*columns).unionByName(pairs_big.select(*columns))
        events = events.where(F.col("u") != F.col("v"))
        known = self.table("people", {"id": np.asarray(ids, np.int64)})
        events = events.join(F.broadcast(known.withColumnRenamed("id", "u")), "u", "left_semi")
        events = events.join(F.broadcast(known.withColumnRenamed("id", "v")), "v", "left_semi")
        return events.persist()

    def aggregate(self, events: object, as_of: float) -> PairAggregate:
        """The pair columns of :func:`weakties.analysis.features.aggregate_events`, grouped by
        Spark: gaps between a pair's consecutive contacts by a window ordered by time, then one
        aggregation per pair; sorted by ``(a, b)`` on the way back."""
        from pyspark.sql import DataFrame, Window
        from pyspark.sql import functions as F

        from weakties.analysis.events import CHANNELS

        assert isinstance(events, DataFrame)
        e = events.where((F.col("u") != F.col("v")) & (F.col("t") <= F.lit(float(as_of))))
        e = e.select(
            F.least("u", "v").alias("a"),
            F.greatest("u", "v").alias("b"),
            "t",
            "channel",
            (F.col("u_initiated") == (F.col("u") < F.col("v"))).cast("long").alias("from_a"),
            (F.lit(1.0) / (F.col("grp") - F.lit(1))).alias("inv"),
        )
        weight = F.element_at(
            F.array(*[F.lit(float(w)) for w in self.channel_weights]), F.col("channel") + 1
        )
        age = (F.lit(float(as_of)) - F.col("t")) * F.lit(1.0 / DAY) + F.lit(1.0)
        trace = (
            weight * F.col("inv") / F.sqrt(age)
            if self.decay == 0.5
            else weight * F.col("inv") * F.exp(F.log(age) * F.lit(-self.decay))
        )
        previous = F.lag("t").over(Window.partitionBy("a", "b").orderBy("t"))
        gap = F.when(previous.isNull(), F.lit(0.0)).otherwise(
            F.log(F.greatest((F.col("t") - previous) * F.lit(1.0 / DAY), F.lit(MIN_GAP_DAYS)))
        )
        e = e.withColumn("trace", trace).withColumn("log_gap", gap)
        by_channel = [
            F.sum(F.when(F.col("channel") == k, 1).otherwise(0)).cast("long").alias(f"ch{k}")
            for k in range(len(CHANNELS))
        ]
        grouped = e.groupBy("a", "b").agg(
            F.count(F.lit(1)).alias("count"),
            *by_channel,
            F.sum("from_a").alias("from_a"),
            F.min("t").alias("first_t"),
            F.max("t").alias("last_t"),
            F.sum("log_gap").alias("log_gap_sum"),
            F.sum("inv").alias("intimacy"),
            F.sum("trace").alias("activation"),
        )
        table = self.fetch(grouped, "pairs")
        if table.num_rows == 0:
            return empty_aggregate()
        col = {name: table.column(name).to_numpy() for name in table.column_names}
        order = np.lexsort((col["b"], col["a"]))
        counts = np.column_stack([col[f"ch{k}"] for k in range(len(CHANNELS))])
        return PairAggregate(
            a=col["a"].astype(np.int64)[order],
            b=col["b"].astype(np.int64)[order],
            count=col["count"].astype(np.int64)[order],
            count_by_channel=counts.astype(np.int64)[order],
            from_a=col["from_a"].astype(np.int64)[order],
            first_t=col["first_t"].astype(np.float64)[order],
            last_t=col["last_t"].astype(np.float64)[order],
            log_gap_sum=col["log_gap_sum"].astype(np.float64)[order],
            intimacy=col["intimacy"].astype(np.float64)[order],
            activation=col["activation"].astype(np.float64)[order],
        )

    def collect(self, events: object) -> EventArrays:
        """The events on the driver, in the local engine's order (interaction, positions)."""
        from pyspark.sql import DataFrame

        assert isinstance(events, DataFrame)
        table = self.fetch(
            events.select(
                "interaction", "pos_u", "pos_v", "u", "v", "t", "channel", "grp", "u_initiated"
            ),
            "events",
        )
        if table.num_rows == 0:
            return EventArrays.from_columns([], [], [])
        col = {
            name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names
        }
        order = np.lexsort((col["pos_v"], col["pos_u"], col["interaction"]))
        return EventArrays(
            col["u"].astype(np.int64)[order],
            col["v"].astype(np.int64)[order],
            col["t"].astype(np.float64)[order],
            col["channel"].astype(np.int8)[order],
            col["grp"].astype(np.int32)[order],
            col["u_initiated"].astype(np.bool_)[order],
        )

    def closure(self, adjacency: sp.csr_matrix, a: I64, b: I64, weights: F64) -> F64:
        """The closure sums of candidates ``(a[i], b[i])`` (rows of ``adjacency``), computed
        by :func:`weakties.analysis.signals.closure_sums` itself in an Arrow-backed UDF
        (``mapInArrow``) over partitions of the candidates, with the adjacency broadcast to
        every executor: the same function as the local engine's, so the same numbers, spread
        over the cluster's cores. Candidates are partitioned by the pair's larger end and each
        partition is one call, so a person's two-step row is computed once however many pairs
        they are in (per Arrow batch, every call also paid the whole graph's preparation). The
        adjacency must fit in an executor's memory (12 bytes per tie and direction: 2.4 GB at
        10^8 ties)."""
        import pyarrow as pa

        m = len(a)
        out = np.zeros((m, len(CLOSURE_SUMS)))
        if m == 0:
            return out
        A = sp.csr_matrix(adjacency)
        n = int(A.shape[0])
        shared = self.spark.sparkContext.broadcast(
            (
                np.asarray(A.indptr, np.int64),
                np.asarray(A.indices, np.int32),
                n,
                np.ascontiguousarray(weights, np.float64),
            )
        )
        names = [f"s{k}" for k in range(len(CLOSURE_SUMS))]
        # grouped by the pair's larger end, so each person's two-step row is computed once, in
        # the one partition holding all their pairs (see closure_order)
        a, b = closure_order(np.asarray(A.sum(axis=1)).ravel(), a, b)
        cand = self.table(
            "candidates",
            {"i": np.arange(m, dtype=np.int64), "a": a.astype(np.int64), "b": b.astype(np.int64)},
        )
        parts = max(self.spark.sparkContext.defaultParallelism * 2, m // 250_000 + 1)

        def sums(batches: Any) -> Any:
            from weakties.analysis.signals import closure_sums

            got = pa.Table.from_batches(list(batches), schema=candidates)
            if not got.num_rows:
                return
            indptr, indices, size, w = shared.value
            graph = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(size, size))
            col = {name: got.column(name).to_numpy() for name in ("i", "a", "b")}
            result = closure_sums(graph, col["a"], col["b"], w)
            for s in range(0, len(col["i"]), 65_536):
                yield pa.RecordBatch.from_arrays(
                    [
                        pa.array(col["i"][s : s + 65_536]),
                        *[pa.array(result[s : s + 65_536, k]) for k in range(result.shape[1])],
                    ],
                    names=["i", *names],
                )

        candidates = pa.schema([("i", pa.int64()), ("a", pa.int64()), ("b", pa.int64())])
        schema = "i long, " + ", ".join(f"{name} double" for name in names)
        table = self.fetch(cand.repartition(parts, "b").mapInArrow(sums, schema), "closure")
        shared.unpersist()
        rows = table.column("i").to_numpy()
        for k, name in enumerate(names):
            out[rows, k] = table.column(name).to_numpy()
        return out
