"""Tie strength: the owner's scored ties, one tie explained, circles and ratings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from weakties.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    pass


from weakties.workspace.base import WorkspaceBase
from weakties.workspace.results import (
    MIN_RATINGS_TO_FIT,
    CalibrationState,
    Circles,
    RatingResult,
    TieDetail,
    TieRow,
)


class TieOps(WorkspaceBase):
    """Scores and their explanations."""

    # ------------------------------------------------------------------ ties
    def ties(
        self, *, category: str | None = None, sort: str = "strength", limit: int | None = None
    ) -> list[TieRow]:
        """The owner's ties with strength and category, strongest first by default."""
        from weakties.store import people as store_people
        from weakties.store.ties import read_ties

        if sort not in ("strength", "name", "recent", "weakest"):
            raise InvalidInput(
                f"unknown sort {sort!r}", hint="accepted: strength, weakest, recent, name"
            )
        self.refresh_ties()
        with self.transaction() as conn:
            scores = read_ties(conn)
            ids = [p for p, (_, c) in scores.items() if category is None or c == category]
            rows = store_people.people_rows(conn, ids)
        out = [
            TieRow(
                pid,
                rows[pid].name,
                scores[pid][0],
                scores[pid][1],
                rows[pid].org,
                rows[pid].title,
                rows[pid].interactions,
                rows[pid].last_contact,
            )
            for pid in ids
            if pid in rows
        ]
        keys: dict[str, Callable[[TieRow], Any]] = {
            "strength": lambda r: (-r.strength, r.name),
            "weakest": lambda r: (r.strength, r.name),
            "name": lambda r: r.name.lower(),
            "recent": lambda r: (
                -(r.last_contact.timestamp() if r.last_contact else -1e18),
                r.name,
            ),
        }
        out.sort(key=keys[sort])
        return out[:limit] if limit else out

    def tie(self, ref: str, *, between_limit: int = 10) -> TieDetail:
        """One tie in full: strength, category, the facts behind it, and who they know of mine."""
        import numpy as np

        from weakties.analysis.strength import explain
        from weakties.engines.local import knows_scores
        from weakties.store import people as store_people
        from weakties.store.ledger import names_of
        from weakties.store.lookup import resolve_person

        with self.transaction() as conn:
            pid = resolve_person(conn, ref)
            person = store_people.get_person(conn, pid)
            if person.is_me:
                raise InvalidInput("that is you; name one of your contacts")
            facts, net = self._score(conn)
            if net is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            name = person.given_name or person.name
            try:
                explanation = explain(
                    net.features,
                    net.me,
                    pid,
                    net.now,
                    self._weights(conn),
                    names=("you", name),
                    model=net.tie_model,
                )
            except InvalidInput:
                explanation = None
            rows = net.owner_rows()
            contacts = net.contact_of(rows)
            others = contacts[contacts != pid]
            between: list[tuple[int, str, float, float]] = []
            if len(others):
                score = knows_scores(net, facts, np.full(len(others), pid), others)
                order = np.argsort(-score.p, kind="stable")[:between_limit]
                names = names_of(conn, [int(o) for o in others[order]])
                own = dict(zip(contacts.tolist(), net.strength[rows].tolist(), strict=True))
                between = [
                    (
                        int(others[i]),
                        names[int(others[i])],
                        float(score.p[i]),
                        float(own[int(others[i])]),
                    )
                    for i in order
                    if score.p[i] >= 0.05
                ]
            return TieDetail(person, explanation, between)

    def circles(self) -> Circles:
        """Dunbar-style layers by contact frequency in the last year, brokerage and communities."""
        import numpy as np

        from weakties.analysis.structure import (
            communities,
            constraint,
            dunbar_layers,
            effective_size,
        )

        with self.transaction() as conn:
            facts, net = self._score(conn)
            if net is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            from weakties.store.ledger import names_of

            year_ago = net.now - 365.25 * 86400
            mine = np.isin(facts.p_interaction, facts.p_interaction[facts.p_person == net.me])
            recent = mine & (facts.p_time >= year_ago) & (facts.p_person != net.me)
            people, counts = np.unique(facts.p_person[recent], return_counts=True)
            layers = dunbar_layers(counts.astype(np.float64))
            me_row = net.index(np.array([net.me]))
            ego_constraint = float(constraint(net.adjacency, me_row)[0])
            ego_size = float(effective_size(net.adjacency, me_row)[0])
            labels = communities(net.adjacency)
            contact_rows = np.flatnonzero(
                np.asarray(net.adjacency[int(me_row[0])].todense()).ravel()
            )
            groups = (
                np.unique(labels[contact_rows], return_counts=True)[1]
                if len(contact_rows)
                else np.array([])
            )
            order = np.argsort(-counts, kind="stable")
            names = names_of(conn, [int(p) for p in people])
            members = []
            for layer in range(len(layers.names)):
                ids = [int(people[i]) for i in order if layers.layer_of[i] == layer][:8]
                members.append(tuple(names[i] for i in ids))
            return Circles(
                layer_names=layers.names,
                per_year_at_least=layers.per_year_at_least,
                sizes=layers.sizes,
                members=tuple(members),
                contacts=len(contact_rows),
                constraint=ego_constraint,
                effective_size=ego_size,
                communities=int((groups >= 3).sum()),
                largest_communities=tuple(
                    int(g) for g in sorted(groups.tolist(), reverse=True)[:5]
                ),
                layer_of={
                    int(p): layers.names[int(layer)]
                    for p, layer in zip(people.tolist(), layers.layer_of.tolist(), strict=True)
                    if layer >= 0
                },
            )

    def rate(self, ref: str, value: float) -> RatingResult:
        """Record my judgement of a tie (0..1); with enough ratings the weights are refit."""
        import dataclasses
        import json

        import numpy as np

        from weakties.analysis.strength import fit_weights
        from weakties.store import people as store_people
        from weakties.store.lookup import resolve_person
        from weakties.store.ties import FIT_KEY, WEIGHTS_KEY, put_setting, ratings, set_rating

        if not 0.0 <= value <= 1.0:
            raise InvalidInput(
                f"a rating is between 0 and 1, not {value}", hint="or say strong, moderate, weak"
            )
        with self.transaction() as conn:
            pid = resolve_person(conn, ref)
            if store_people.get_person(conn, pid).is_me:
                raise InvalidInput("rate your ties to other people, not to yourself")
            set_rating(conn, pid, value)
            given = ratings(conn)
            if len(given) < MIN_RATINGS_TO_FIT:
                return RatingResult(pid, value, len(given), None, None)
            from weakties.analysis.strength import DEFAULT_WEIGHTS
            from weakties.engines.local import build_network
            from weakties.store.facts import load_facts

            facts = load_facts(conn)
            net = build_network(facts, datetime.now(UTC).timestamp(), DEFAULT_WEIGHTS)
            assert net is not None
            y = np.full(len(net.features), np.nan)
            rows = net.owner_rows()
            contact = net.contact_of(rows)
            for r, c in zip(rows, contact, strict=True):
                if int(c) in given:
                    y[r] = given[int(c)]
            try:
                fit = fit_weights(net.features, y, net.now)
            except InvalidInput:
                return RatingResult(pid, value, len(given), None, None)
            put_setting(conn, WEIGHTS_KEY, json.dumps(dataclasses.asdict(fit.weights)))
            put_setting(
                conn,
                FIT_KEY,
                json.dumps(
                    {
                        "cv_mae": fit.cv_mae,
                        "default_cv_mae": fit.default_cv_mae,
                        "ratings": len(given),
                    }
                ),
            )
            return RatingResult(pid, value, len(given), fit.cv_mae, fit.default_cv_mae)

    def reset_ratings(self) -> int:
        """Forget my ratings and the refit weights: back to the literature defaults."""
        from weakties.store.ties import FIT_KEY, WEIGHTS_KEY, clear_ratings, put_setting

        with self.transaction() as conn:
            put_setting(conn, WEIGHTS_KEY, None)
            put_setting(conn, FIT_KEY, None)
            return clear_ratings(conn)

    # ------------------------------------------------------------ calibration
    def calibration(self) -> CalibrationState:
        """The tie and knows models as fitted on this workspace's history, or why not."""
        from weakties.store.ties import load_weights

        with self.transaction() as conn:
            _, net = self._score(conn)
            if net is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            return CalibrationState(
                self._calibrated(conn), load_weights(conn) is not None, net.calibration
            )

    def set_calibration(self, on: bool) -> None:
        """Turn self-calibration on, or off (back to the literature defaults)."""
        from weakties.store.ties import CALIBRATION_KEY, put_setting

        with self.transaction() as conn:
            put_setting(conn, CALIBRATION_KEY, None if on else "off")
