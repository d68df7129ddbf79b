"""Commands about tie strength: ties, tie, circles, rate, calibrate."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from weakties.cli.output import ago, console, ok, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
CATEGORY_STYLE = {
    "strong": "green",
    "moderate": "cyan",
    "weak": "white",
    "dormant": "yellow",
    "never": "dim",
}
WORDS = {"strong": 0.8, "moderate": 0.45, "weak": 0.15, "none": 0.0}


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def bar(strength: float, width: int = 10) -> str:
    """A strength bar like ``███████░░░``."""
    filled = round(max(0.0, min(1.0, strength)) * width)
    return "█" * filled + "░" * (width - filled)


def ties(
    strong: Annotated[bool, typer.Option("--strong", help="Only strong ties.")] = False,
    moderate: Annotated[bool, typer.Option("--moderate", help="Only moderate ties.")] = False,
    weak: Annotated[bool, typer.Option("--weak", help="Only weak ties.")] = False,
    dormant: Annotated[
        bool, typer.Option("--dormant", help="Only dormant ties (silent far beyond their rhythm).")
    ] = False,
    never: Annotated[
        bool, typer.Option("--never", help="Only connections you never talked with.")
    ] = False,
    sort: Annotated[
        str, typer.Option("--sort", help="strength, weakest, recent or name.")
    ] = "strength",
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1)] = 30,
    as_json: JsonOpt = False,
) -> None:
    """Your ties with their strength and category (strong, moderate, weak, dormant, never)."""
    from weakties.errors import InvalidInput

    chosen = [
        name
        for name, flag in (
            ("strong", strong),
            ("moderate", moderate),
            ("weak", weak),
            ("dormant", dormant),
            ("never", never),
        )
        if flag
    ]
    if len(chosen) > 1:
        raise InvalidInput("choose one category at a time")
    with _ws() as ws:
        rows = ws.ties(category=chosen[0] if chosen else None, sort=sort, limit=limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console().print("no ties yet: import an export or `weakties log` an interaction")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("id", "name", "strength", "", "category", "organisation", "last contact"):
        table.add_column(column, no_wrap=True)
    for r in rows:
        style = CATEGORY_STYLE.get(r.category, "white")
        table.add_row(
            str(r.person_id),
            escape(r.name),
            bar(r.strength),
            f"{r.strength:.2f}",
            f"[{style}]{r.category}[/{style}]",
            escape(r.org or ""),
            ago(r.last_contact),
        )
    console().print(table)


def tie(
    person: Annotated[str, typer.Argument(help="Id, email, profile URL or name.")],
    as_json: JsonOpt = False,
) -> None:
    """One tie explained: the facts behind its strength, and whom of yours they know."""
    from rich.markup import escape

    with _ws() as ws:
        detail = ws.tie(person)
    if as_json:
        print_json(detail)
        return
    out = console()
    p, e = detail.person, detail.explanation
    if e is None:
        out.print(
            f"[bold]{escape(p.name)}[/bold]: nothing links you yet (no contact, favour or connection)"
        )
    else:
        style = CATEGORY_STYLE.get(e.category.value, "white")
        out.print(
            f"[bold]{escape(p.name)}[/bold]  {bar(e.strength)} {e.strength:.2f}  [{style}]{e.category.value}[/{style}]"
        )
        for fact in e.facts:
            out.print(f"  • {escape(fact)}")
        if e.contributions:
            parts = ", ".join(f"{name} {value:+.2f}" for name, value in e.contributions)
            scale = "against your average tie" if e.rewarded else "log scale"
            out.print(f"  [dim]contributions ({scale}): {parts}[/dim]")
        if e.rewarded:
            out.print(f"  [dim]{escape(rewarded_text(e.rewarded))}[/dim]")
    if detail.between:
        out.print("\n[bold]Whom of yours they probably know[/bold]")
        for pid, name, p_knows, mine in detail.between:
            out.print(f"  {p_knows:4.0%}  {escape(name)} (#{pid})  [dim]your tie {mine:.2f}[/dim]")


def rewarded_text(rewarded: tuple[tuple[str, float], ...], top: int = 4) -> str:
    """ "your history rewards recency, mutual contacts; volume counts against" in words."""
    words = {
        "one_to_one": "one-to-one contact",
        "mutual": "mutual contacts",
        "person_recency": "both being active lately",
        "resource_allocation": "shared contacts (resource allocation)",
        "adamic_adar": "shared contacts (Adamic–Adar)",
        "common": "common contacts",
        "shared_recency": "recently active shared contacts",
        "three_step": "friends of friends' friends (three steps)",
        "org_overlap": "the same organisation",
        "activity": "how active both are",
    }
    strong = [(n, v) for n, v in rewarded if abs(v) >= 0.05][:top]
    plus = [words.get(n, n) for n, v in strong if v > 0]
    minus = [words.get(n, n) for n, v in strong if v < 0]
    text = "your history rewards " + (", ".join(plus) if plus else "nothing in particular")
    if minus:
        text += "; " + ", ".join(minus) + (" counts" if len(minus) == 1 else " count") + " against"
    return text


def calibrate(
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Stop calibrating: back to the literature defaults."),
    ] = False,
    on: Annotated[bool, typer.Option("--on", help="Calibrate on your history again.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """What your own history says predicts a tie: the weights fitted to your past."""
    from weakties.errors import InvalidInput

    if reset and on:
        raise InvalidInput("choose --reset or --on, not both")
    with _ws() as ws:
        if reset or on:
            ws.set_calibration(on)
        state = ws.calibration()
    if as_json:
        print_json(
            {
                "on": state.on,
                "ratings_refit": state.ratings_refit,
                **state.calibration.as_dict(),
            }
        )
        return
    out = console()
    if not state.on:
        ok("not calibrating: the literature defaults score your ties (`--on` to calibrate)")
        return
    cal = state.calibration
    if reset or on:
        ok("calibrating on your own history")
    for title, model in (("tie strength", cal.persistence), ("who knows whom", cal.knows)):
        if not model.calibrated:
            out.print(f"[bold]{title}[/bold]: literature defaults ({escape_text(model.reason)})")
            continue
        out.print(
            f"[bold]{title}[/bold]: fitted on {model.labels:,} past cases "
            f"({model.positives:,} came true within {cal.horizon_days:.0f} days); "
            f"held-out AUC {model.cv_auc:.3f}, defaults {model.prior_cv_auc:.3f}"
        )
        weights = ", ".join(
            f"{name} {w:+.3f}"
            for name, w in zip(model.names, model.weights, strict=True)
            if name not in model.untested
        )
        out.print(f"  [dim]weights per raw unit: {escape_text(weights)}[/dim]")
        if model.untested:
            out.print(
                f"  [dim]not seen varying in your history (literature weight kept): "
                f"{escape_text(', '.join(model.untested))}[/dim]"
            )
    if state.ratings_refit:
        out.print(
            "[dim]tie strength follows the weights refit from your ratings "
            "(`weakties rate --reset` to use the calibration)[/dim]"
        )


def escape_text(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def circles(as_json: JsonOpt = False) -> None:
    """Your circles: Dunbar layers by contact frequency, brokerage and communities."""
    from rich.markup import escape

    with _ws() as ws:
        c = ws.circles()
    if as_json:
        print_json(c)
        return
    out = console()
    out.print(
        f"[bold]Your circles[/bold] ({c.contacts:,} contacts; layers by contacts in the last 12 months)"
    )
    cumulative = 0
    for name, freq, size, members in zip(
        c.layer_names, c.per_year_at_least, c.sizes, c.members, strict=True
    ):
        cumulative += size
        who = ", ".join(members[:5]) + (" …" if size > 5 else "")
        out.print(
            f"  {name:15} ≥{freq:>3.0f}/year  {size:4} (cumulative {cumulative:4})  [dim]{escape(who)}[/dim]"
        )
    out.print(
        f"\n  brokerage: constraint {c.constraint:.3f} (lower spans more holes), effective size {c.effective_size:.1f}"
    )
    out.print(
        f"  communities among your contacts: {c.communities} (largest: {', '.join(map(str, c.largest_communities))})"
    )


def rate(
    person: Annotated[str | None, typer.Argument(help="Id, email, profile URL or name.")] = None,
    value: Annotated[
        str | None, typer.Argument(help="strong, moderate, weak, none, or a number 0..1.")
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Forget all ratings and refit weights.")
    ] = False,
) -> None:
    """Say how strong a tie really is; with enough ratings the model's weights are refit to you."""
    from weakties.errors import InvalidInput

    with _ws() as ws:
        if reset:
            removed = ws.reset_ratings()
            ok(f"back to the default weights; {removed} rating(s) forgotten")
            return
        if person is None or value is None:
            raise InvalidInput(
                "give a person and a rating", hint="e.g. weakties rate 'Jane Roe' strong"
            )
        if value.lower() in WORDS:
            number = WORDS[value.lower()]
        else:
            try:
                number = float(value)
            except ValueError:
                raise InvalidInput(
                    f"not a rating: {value!r}", hint="strong, moderate, weak, none, or 0..1"
                ) from None
        result = ws.rate(person, number)
    ok(f"rated {number:.2f} ({result.ratings} rating(s) so far)")
    if result.cv_mae is not None:
        console().print(
            f"  weights refit from your ratings: cross-validated error {result.cv_mae:.3f} "
            f"(defaults: {result.default_cv_mae:.3f})"
        )


def register(app: typer.Typer) -> None:
    app.command()(ties)
    app.command()(tie)
    app.command()(circles)
    app.command()(rate)
    app.command()(calibrate)
