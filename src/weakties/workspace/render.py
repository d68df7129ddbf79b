"""A monthly review rendered for people: the terminal (Rich), Markdown, and self-contained HTML.

All three formats show the same sections, built once here as plain tables; the HTML adds
charts (PNG made with matplotlib, embedded as base64 so the file stands alone and can be mailed
or archived). matplotlib is imported only when a chart is drawn, so the CLI starts fast.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from weakties.analysis.review import ChainLink, Review

if TYPE_CHECKING:
    from rich.console import Console

MAX_ROWS = 20


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the review as a table, with a line of context and an empty-state text."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str
    notes: list[str] = field(default_factory=list)
    more: int = 0  # rows left out


def _cut(rows: list[tuple[str, ...]]) -> tuple[list[tuple[str, ...]], int]:
    return rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS)


def chain_text(chain: tuple[ChainLink, ...]) -> str:
    """``Jane Roe 75% → Bob Smith 25%``."""
    return " → ".join(f"{c.name} {c.share:.0%}" for c in chain)


def title_of(review: Review) -> str:
    state = " (in progress)" if review.in_progress else ""
    return f"Monthly review {review.month}{state}"


def subtitle_of(review: Review) -> str:
    return f"{review.start.isoformat()} to {review.closes_on.isoformat()}"


def sections(review: Review) -> list[Section]:
    """The review's sections, in reading order."""
    out: list[Section] = []
    rows, more = _cut(
        [(t.name, t.first_contact or "—", f"{t.strength:.2f}", t.category) for t in review.new_ties]
    )
    out.append(
        Section(
            "New ties",
            ("person", "first contact", "strength", "category"),
            rows,
            "no one new this month",
            more=more,
        )
    )
    rows, more = _cut(
        [
            (
                c.name,
                f"{c.strength_before:.2f} {c.category_before}",
                f"{c.strength:.2f} {c.category}",
                c.reason,
            )
            for c in review.went_cold
        ]
    )
    compared = (
        f"compared with {review.previous}" if review.previous else "nothing earlier to compare with"
    )
    out.append(
        Section(
            "Ties that went cold",
            ("person", "before", "now", "why"),
            rows,
            "no tie cooled",
            notes=[compared],
            more=more,
        )
    )
    rows, more = _cut(
        [
            (
                "given" if f.given else "received",
                f.name,
                f.what,
                f.when or "undated",
                f.size,
            )
            for f in review.favours
        ]
    )
    given = sum(f.given for f in review.favours)
    out.append(
        Section(
            "Favours",
            ("", "person", "what", "when", "size"),
            rows,
            "no favours given or received",
            notes=[f"{given} given, {len(review.favours) - given} received"]
            if review.favours
            else [],
            more=more,
        )
    )
    rows, more = _cut(
        [
            (
                "made" if i.by_me else "received",
                i.a,
                i.b,
                i.introducer or "unknown",
                i.when or "undated",
                i.outcome.replace("_", " "),
            )
            for i in review.introductions
        ]
    )
    out.append(
        Section(
            "Introductions",
            ("", "introduced", "to", "by", "when", "outcome"),
            rows,
            "no introductions made or received",
            more=more,
        )
    )
    rows, more = _cut([(n.key, n.done_on) for n in review.nudges_done])
    out.append(Section("Nudges done", ("nudge", "done on"), rows, "no nudges done", more=more))
    rows, more = _cut(
        [
            (
                f"#{g.id}",
                g.text,
                g.status + (" this month" if g.closed_this_period else ""),
                f"{g.open_opportunities} open of {g.opportunities}",
            )
            for g in review.goals
        ]
    )
    out.append(
        Section("Goals", ("", "goal", "status", "opportunities"), rows, "no goals", more=more)
    )
    rows, more = _cut(
        [
            (
                f"#{o.id}",
                o.title + (f" at {o.org}" if o.org else ""),
                o.status,
                o.event,
                chain_text(o.chain),
            )
            for o in review.opportunities
        ]
    )
    out.append(
        Section(
            "Opportunities",
            ("", "opportunity", "status", "this month", "credit along the chain"),
            rows,
            "no opportunities open or moving",
            more=more,
        )
    )
    if review.shape is not None:
        s = review.shape
        notes = [
            f"{s.contacts:,} contacts: "
            + ", ".join(f"{v:,} {k}" for k, v in s.categories.items() if v),
        ]
        if s.constraint is not None and s.effective_size is not None:
            notes.append(
                f"brokerage: constraint {s.constraint:.3f} (lower spans more structural holes), "
                f"effective size {s.effective_size:,.1f}"
            )
        out.append(
            Section(
                "Network shape",
                ("layer", "contacts a year", "people"),
                [
                    (name, f"≥ {lo:.0f}", f"{size:,}")
                    for name, lo, size in zip(
                        s.layer_names, s.layer_min_per_year, s.layer_sizes, strict=True
                    )
                ],
                "no contacts",
                notes=notes,
            )
        )
    if len(review.history) > 1:
        out.append(
            Section(
                "Month on month",
                ("month", "contacts", "strong", "moderate", "weak", "dormant"),
                [
                    (
                        h.month,
                        f"{h.contacts:,}",
                        f"{h.strong:,}",
                        f"{h.moderate:,}",
                        f"{h.weak:,}",
                        f"{h.dormant:,}",
                    )
                    for h in review.history
                ],
                "",
            )
        )
    return out


# ---------------------------------------------------------------------------- terminal


def print_review(review: Review, console: Console) -> None:
    """The review on a Rich console."""
    from rich.markup import escape
    from rich.table import Table

    console.print(f"[bold]{escape(title_of(review))}[/bold]  [dim]{subtitle_of(review)}[/dim]")
    for sec in sections(review):
        console.print(f"\n[bold]{escape(sec.title)}[/bold]")
        for note in sec.notes:
            console.print(f"  [dim]{escape(note)}[/dim]")
        if not sec.rows:
            console.print(f"  [dim]{escape(sec.empty)}[/dim]")
            continue
        table = Table(box=None, pad_edge=False, padding=(0, 1))
        for h in sec.headers:
            table.add_column(h)
        for row in sec.rows:
            table.add_row(*(escape(c) for c in row))
        console.print(table)
        if sec.more:
            console.print(f"  [dim]… and {sec.more} more[/dim]")


# ---------------------------------------------------------------------------- markdown


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(review: Review) -> str:
    """The review as Markdown (tables; the charts are in the HTML version)."""
    lines = [f"# {title_of(review)}", "", f"_{subtitle_of(review)}_", ""]
    for sec in sections(review):
        lines += [f"## {sec.title}", ""]
        lines += [f"{note}  " for note in sec.notes]
        if sec.notes:
            lines.append("")
        if not sec.rows:
            lines += [f"_{sec.empty}_", ""]
            continue
        lines.append("| " + " | ".join(h or " " for h in sec.headers) + " |")
        lines.append("|" + "|".join("---" for _ in sec.headers) + "|")
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in sec.rows]
        if sec.more:
            lines += ["", f"… and {sec.more} more"]
        lines.append("")
    return "\n".join(lines)


# -------------------------------------------------------------------------------- charts


def _png(fig: object) -> bytes:
    import io

    from matplotlib.figure import Figure

    assert isinstance(fig, Figure)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()


def _figure() -> object:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(6.4, 3.2), layout="constrained")


def charts(review: Review) -> dict[str, bytes]:
    """The review's charts as PNG bytes by title: layer sizes, the strength distribution,
    and (when earlier reviews exist) the counts month on month."""
    from matplotlib.figure import Figure

    out: dict[str, bytes] = {}
    s = review.shape
    if s is None:
        return out
    fig = _figure()
    assert isinstance(fig, Figure)
    ax = fig.add_subplot()
    labels = [
        f"{n}\n(≥{lo:.0f}/yr)" for n, lo in zip(s.layer_names, s.layer_min_per_year, strict=True)
    ]
    bars = ax.bar(labels, s.layer_sizes, color="#4878a8")
    ax.bar_label(bars)
    ax.set_ylabel("people")
    ax.set_title("Dunbar layers: contacts in the 12 months to the closing day")
    out["Layers"] = _png(fig)

    fig = _figure()
    assert isinstance(fig, Figure)
    ax = fig.add_subplot()
    edges = [i / len(s.histogram) for i in range(len(s.histogram))]
    ax.bar(edges, s.histogram, width=1 / len(s.histogram), align="edge", color="#6a9f58",
           edgecolor="white")  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_xlabel("tie strength")
    ax.set_ylabel("contacts")
    ax.set_title("Strength of your ties")
    out["Tie strength"] = _png(fig)

    if len(review.history) > 1:
        fig = _figure()
        assert isinstance(fig, Figure)
        ax = fig.add_subplot()
        months = [h.month for h in review.history]
        for name, values in (
            ("contacts", [h.contacts for h in review.history]),
            ("strong", [h.strong for h in review.history]),
            ("moderate", [h.moderate for h in review.history]),
            ("weak", [h.weak for h in review.history]),
            ("dormant", [h.dormant for h in review.history]),
        ):
            ax.plot(months, values, marker="o", label=name)
        ax.legend(fontsize="small", ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.12))
        ax.set_ylim(bottom=0)
        ax.set_title("Month on month")
        out["Month on month"] = _png(fig)
    return out


# ---------------------------------------------------------------------------------- html

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0; } .sub, .note, .empty { color: #666; }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
th, td { text-align: left; padding: .2rem .8rem .2rem 0; border-bottom: 1px solid #eee;
         vertical-align: top; }
th { font-weight: 600; border-bottom: 1px solid #ccc; }
figure { margin: 1rem 0; } img { max-width: 100%; }
"""


def to_html(review: Review, *, with_charts: bool = True) -> str:
    """The review as one self-contained HTML page, charts embedded as base64 PNG."""
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title_of(review))}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title_of(review))}</h1>",
        f'<p class="sub">{e(subtitle_of(review))}</p>',
    ]
    for sec in sections(review):
        parts.append(f"<h2>{e(sec.title)}</h2>")
        parts += [f'<p class="note">{e(note)}</p>' for note in sec.notes]
        if not sec.rows:
            parts.append(f'<p class="empty">{e(sec.empty)}</p>')
            continue
        parts.append("<table><thead><tr>")
        parts += [f"<th>{e(h)}</th>" for h in sec.headers]
        parts.append("</tr></thead><tbody>")
        for row in sec.rows:
            parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
        if sec.more:
            parts.append(f'<p class="note">… and {sec.more} more</p>')
    if with_charts:
        drawn = charts(review)
        if drawn:
            parts.append("<h2>Charts</h2>")
        for title, png in drawn.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(
                f'<figure><img alt="{e(title)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{e(title)}</figcaption></figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
