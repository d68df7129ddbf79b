"""Pair features against hand-computed values and a plain-Python oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakties.analysis.events import EventArrays, expand_interactions, load_snap_events
from weakties.analysis.features import DAY, PairValues, SideInputs, pair_features
from weakties.domain.ledger import Channel
from weakties.errors import InvalidInput

T0 = 1_600_000_000.0


def test_hand_computed_pair() -> None:
    # 3 → 1 on day 0 and day 2, 1 → 3 on day 6; pair (1, 3); as_of day 9.
    ev = EventArrays.from_columns([3, 3, 1], [1, 1, 3], [T0, T0 + 2 * DAY, T0 + 6 * DAY])
    f = pair_features(ev, T0 + 9 * DAY, workers=1)
    assert f.a.tolist() == [1] and f.b.tolist() == [3]
    assert f.count.tolist() == [3]
    assert f.from_a.tolist() == [1]  # only the day-6 event was started by person 1
    assert f.first_t[0] == T0 and f.last_t[0] == T0 + 6 * DAY
    # gaps 2 and 4 days: geometric mean sqrt(8)
    assert f.usual_gap_days[0] == pytest.approx(math.sqrt(8))
    # ages +1: 10, 8, 4 days; message weight 1, group of two
    assert f.activation[0] == pytest.approx(10**-0.5 + 8**-0.5 + 4**-0.5)
    assert f.intimacy[0] == pytest.approx(3.0)


def test_group_and_channel_weights() -> None:
    ch = np.array([0, 1], dtype=np.int8)  # email, meeting
    ev = EventArrays.from_columns([1, 1], [2, 2], [T0, T0], channel=ch, group=np.array([5, 2]))
    f = pair_features(ev, T0, workers=1)
    assert f.intimacy[0] == pytest.approx(1 / 4 + 1)
    assert f.activation[0] == pytest.approx(1.0 * 1 / 4 + 2.0 * 1)
    assert f.count_by_channel[0].tolist() == [1, 1, 0, 0, 0, 0]


def test_future_events_and_self_loops_ignored() -> None:
    ev = EventArrays.from_columns([1, 2, 1], [2, 2, 2], [T0, T0, T0 + DAY])
    f = pair_features(ev, T0 + 0.5 * DAY, workers=1)
    assert f.count.tolist() == [1]


def test_side_inputs_join_and_add_pairs() -> None:
    ev = EventArrays.from_columns([1], [2], [T0])
    side = SideInputs(
        favours=PairValues.of([2, 1], [1, 2], [4.0, 1.0]),
        connections=PairValues.of([5], [4]),
        mutual_contacts=PairValues.of([2], [1], [7.0]),
    )
    f = pair_features(ev, T0, side, workers=1)
    assert list(zip(f.a.tolist(), f.b.tolist(), strict=True)) == [(1, 2), (4, 5)]
    assert f.favours_from_a.tolist() == [1.0, 0.0]
    assert f.favours_from_b.tolist() == [4.0, 0.0]
    assert f.mutual_contacts.tolist() == [7.0, 0.0]
    assert f.connected.tolist() == [False, True]
    assert f.count.tolist() == [1, 0]


def _oracle(
    u: list[int], v: list[int], t: list[float], as_of: float
) -> dict[tuple[int, int], tuple[int, float, float, float]]:
    out: dict[tuple[int, int], list[float]] = {}
    for x, y, tt in sorted(zip(u, v, t, strict=True), key=lambda r: r[2]):
        if x == y or tt > as_of:
            continue
        k = (min(x, y), max(x, y))
        rec = out.setdefault(k, [0, math.inf, -math.inf, 0.0])
        rec[0] += 1
        rec[1] = min(rec[1], tt)
        rec[2] = max(rec[2], tt)
        rec[3] += ((as_of - tt) / DAY + 1) ** -0.5
    return {k: (int(r[0]), r[1], r[2], r[3]) for k, r in out.items()}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 100 * 86400)),
        min_size=1,
        max_size=60,
    ),
    st.integers(1, 2),
)
def test_matches_python_oracle(rows: list[tuple[int, int, int]], workers: int) -> None:
    u, v, t = (list(c) for c in zip(*rows, strict=True))
    as_of = float(80 * 86400)
    expect = _oracle(u, v, [float(x) for x in t], as_of)
    f = pair_features(EventArrays.from_columns(u, v, t), as_of, workers=workers)
    got = {
        (int(a), int(b)): (int(c), float(fi), float(la), float(ac))
        for a, b, c, fi, la, ac in zip(
            f.a, f.b, f.count, f.first_t, f.last_t, f.activation, strict=True
        )
    }
    assert got.keys() == expect.keys()
    for k, (c, fi, la, ac) in expect.items():
        assert got[k][:3] == (c, fi, la)
        assert got[k][3] == pytest.approx(ac)


def test_threads_split_large_input_same_result() -> None:
    rng = np.random.default_rng(3)
    n = 300_000
    ev = EventArrays.from_columns(
        rng.integers(0, 500, n), rng.integers(0, 500, n), np.sort(rng.uniform(0, 1e7, n))
    )
    one = pair_features(ev, 1e7, workers=1)
    two = pair_features(ev, 1e7, workers=2)
    assert np.array_equal(one.a, two.a) and np.array_equal(one.b, two.b)
    assert np.array_equal(one.count, two.count)
    assert np.allclose(one.activation, two.activation)
    # Each unordered pair appears once and the counts add up to the non-loop events.
    assert one.count.sum() == int((ev.u != ev.v).sum())


def test_expand_interactions_pairs() -> None:
    # Interaction 7: person 1 emails 2 and 3. Interaction 9: 4 calls 5.
    ev = expand_interactions(
        np.array([7, 7, 7, 9, 9]),
        np.array([2, 1, 3, 5, 4]),
        np.array([False, True, False, False, True]),
        np.array([T0] * 3 + [T0 + 1] * 2),
        np.array([0, 0, 0, 2, 2]),
    )
    pairs = sorted(
        zip(ev.u.tolist(), ev.v.tolist(), ev.u_initiated.tolist(), ev.group.tolist(), strict=True)
    )
    assert pairs == [(1, 2, True, 3), (1, 3, True, 3), (2, 3, False, 3), (4, 5, True, 2)]


def test_expand_big_group_keeps_initiator_star() -> None:
    k = 8
    ev = expand_interactions(
        np.zeros(k, int),
        np.arange(k),
        np.arange(k) == 0,
        np.zeros(k),
        np.zeros(k, int),
        max_clique=5,
    )
    assert sorted(ev.v.tolist()) == list(range(1, k)) and set(ev.u.tolist()) == {0}


def test_load_snap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "ev.txt"
    p.write_text("# comment\n1 2 100\n2 1 200\n")
    ev = load_snap_events(p)
    assert ev.u.tolist() == [1, 2] and ev.t.tolist() == [100.0, 200.0]
    assert ev.channel.tolist() == [list(Channel).index(Channel.MESSAGE)] * 2
    p.write_text("1 2 100\n1 x 5\n")
    with pytest.raises(InvalidInput, match=r"ev.txt:2"):
        load_snap_events(p)


def test_bad_columns_raise() -> None:
    with pytest.raises(InvalidInput):
        EventArrays.from_columns([1, 2], [3], [0.0, 1.0])
    with pytest.raises(InvalidInput):
        EventArrays.from_columns([-1], [3], [0.0])


def test_wide_person_ids_take_the_ranking_path() -> None:
    big = 2**31 + 5  # 32-bit ids leave no room for the time rank in one 64-bit key
    ev = EventArrays.from_columns([big, 3, big], [3, big, 7], [T0, T0 + DAY, T0 + 2 * DAY])
    f = pair_features(ev, T0 + 2 * DAY, workers=1)
    assert list(zip(f.a.tolist(), f.b.tolist(), f.count.tolist(), strict=True)) == [
        (3, big, 2),
        (7, big, 1),
    ]
    assert f.from_a.tolist() == [1, 0]


def _columns_of(f: object) -> dict[str, np.ndarray]:
    names = "a b count count_by_channel from_a first_t last_t log_gap_sum intimacy activation"
    return {name: getattr(f, name) for name in names.split()}


def test_any_number_of_parts_gives_identical_features() -> None:
    # Busy people, self-loops, future events and unsorted times, split two and three ways:
    # every pair stays in one part, so the sums run in the same order and agree to the bit.
    rng = np.random.default_rng(11)
    n = 450_000
    u = np.where(rng.random(n) < 0.2, 7, rng.integers(0, 3_000, n))
    v = rng.integers(0, 3_000, n)
    ev = EventArrays.from_columns(
        u,
        v,
        rng.uniform(0, 1e8, n),
        channel=rng.integers(0, 6, n).astype(np.int8),
        group=rng.integers(2, 40, n),
        u_initiated=rng.random(n) < 0.4,
    )
    one = _columns_of(pair_features(ev, 9e7, workers=1, decay=0.6))
    for workers in (2, 3):
        many = _columns_of(pair_features(ev, 9e7, workers=workers, decay=0.6))
        for name, col in one.items():
            assert np.array_equal(col, many[name]), (workers, name)


def test_sparse_person_ids_match_dense_ones() -> None:
    # Ids far apart (up to 2^32 - 1) are ranked before grouping; features must not notice.
    rng = np.random.default_rng(12)
    n = 5_000
    dense_u, dense_v = rng.integers(0, 60, n), rng.integers(0, 60, n)
    spread = np.sort(rng.choice(2**32 - 1, 60, replace=False)).astype(np.int64)
    t = np.sort(rng.uniform(0, 1e7, n))
    dense = pair_features(EventArrays.from_columns(dense_u, dense_v, t), 1e7, workers=1)
    sparse = pair_features(
        EventArrays.from_columns(spread[dense_u], spread[dense_v], t), 1e7, workers=1
    )
    assert np.array_equal(sparse.a, spread[dense.a]) and np.array_equal(sparse.b, spread[dense.b])
    for name, col in _columns_of(dense).items():
        if name not in ("a", "b"):
            assert np.array_equal(col, getattr(sparse, name)), name


def test_person_ids_beyond_32_bits_raise() -> None:
    ev = EventArrays.from_columns([2**32], [1], [T0])
    with pytest.raises(InvalidInput, match="32"):
        pair_features(ev, T0, workers=1)
