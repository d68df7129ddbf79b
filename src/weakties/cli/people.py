"""Commands about people: add, edit, list, show, tag, note, merge, unmerge, forget."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from weakties.cli.output import ago, console, jsonable, local_time, ok, plain_table, print_json

if TYPE_CHECKING:
    from weakties.workspace import Profile

add_app = typer.Typer(help="Add a person or an organisation.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _ws() -> Any:
    from weakties.cli.app import open_workspace

    return open_workspace()


def _split(values: list[str] | None) -> list[str]:
    """Options may repeat or hold comma-separated values."""
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


@add_app.command("person")
def add_person(
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Annotated[
        list[str] | None, typer.Option("--email", "-e", help="Email (repeatable).")
    ] = None,
    phone: Annotated[
        list[str] | None, typer.Option("--phone", "-p", help="Phone (repeatable).")
    ] = None,
    url: Annotated[
        list[str] | None, typer.Option("--url", "-u", help="Profile URL (repeatable).")
    ] = None,
    handle: Annotated[
        list[str] | None, typer.Option("--handle", help="Handle like telegram:@name.")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", "-o", help="Current organisation.")] = None,
    title: Annotated[str | None, typer.Option("--title", "-t", help="Title at --org.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Tag (repeatable or comma-separated).")
    ] = None,
    skill: Annotated[list[str] | None, typer.Option("--skill", help="Skill (repeatable).")] = None,
    location: Annotated[str | None, typer.Option("--location", help="City or region.")] = None,
    how_met: Annotated[str | None, typer.Option("--how", help="How you met.")] = None,
    met_where: Annotated[str | None, typer.Option("--where", help="Where you met.")] = None,
    met_when: Annotated[
        str | None, typer.Option("--when", help="When you met (2019, 2019-05, '3 years ago').")
    ] = None,
    met_through: Annotated[
        str | None, typer.Option("--through", help="The person who introduced you.")
    ] = None,
    do_not_ask: Annotated[
        bool, typer.Option("--do-not-ask", help="Never route introductions through them.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a contact with their identities, job, tags and how you met."""
    with _ws() as ws:
        person = ws.add_person(
            name,
            emails=_split(email),
            phones=_split(phone),
            urls=_split(url),
            handles=_split(handle),
            org=org,
            title=title,
            tags=_split(tag),
            skills=_split(skill),
            location=location,
            how_met=how_met,
            met_where=met_where,
            met_when=met_when,
            met_through=met_through,
            do_not_ask=do_not_ask,
        )
    if as_json:
        print_json(person)
    else:
        ok(f"added {person.name} (#{person.id})")


@add_app.command("org")
def add_org(
    name: Annotated[str, typer.Argument(help="Organisation name.")],
    kind: Annotated[
        str, typer.Option("--kind", help="company, agency, school, coworking, community, other.")
    ] = "company",
    industry: Annotated[str | None, typer.Option("--industry", help="e.g. fintech.")] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="Another name (repeatable).")
    ] = None,
    domain: Annotated[
        list[str] | None, typer.Option("--domain", help="Web or email domain (repeatable).")
    ] = None,
    location: Annotated[str | None, typer.Option("--location")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an organisation with its aliases and web domains."""
    from weakties.domain.people import OrgKind
    from weakties.errors import InvalidInput

    try:
        org_kind = OrgKind(kind.lower())
    except ValueError:
        raise InvalidInput(
            f"unknown organisation kind {kind!r}",
            hint="accepted: " + ", ".join(k.value for k in OrgKind),
        ) from None
    with _ws() as ws:
        org = ws.add_org(
            name,
            kind=org_kind,
            industry=industry,
            aliases=_split(alias),
            domains=_split(domain),
            location=location,
        )
    if as_json:
        print_json(org)
    else:
        ok(f"added {org.name} (#{org.id})")


def edit(
    person: Annotated[str, typer.Argument(help="Id, email, profile URL or name.")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    location: Annotated[str | None, typer.Option("--location")] = None,
    how_met: Annotated[str | None, typer.Option("--how")] = None,
    met_where: Annotated[str | None, typer.Option("--where")] = None,
    met_when: Annotated[str | None, typer.Option("--when")] = None,
    met_through: Annotated[str | None, typer.Option("--through")] = None,
    add_email: Annotated[
        list[str] | None, typer.Option("--email", "-e", help="Add an email.")
    ] = None,
    add_phone: Annotated[
        list[str] | None, typer.Option("--phone", "-p", help="Add a phone.")
    ] = None,
    add_url: Annotated[
        list[str] | None, typer.Option("--url", "-u", help="Add a profile URL.")
    ] = None,
    add_handle: Annotated[list[str] | None, typer.Option("--handle", help="Add a handle.")] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="Remove an identity.")
    ] = None,
    org: Annotated[
        str | None, typer.Option("--org", "-o", help="A new current organisation.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", "-t", help="Title at --org.")] = None,
    left: Annotated[str | None, typer.Option("--left", help="They left this organisation.")] = None,
    left_when: Annotated[
        str | None, typer.Option("--left-when", help="When they left (default: today).")
    ] = None,
    skill: Annotated[list[str] | None, typer.Option("--skill", help="Add a skill.")] = None,
    do_not_ask: Annotated[
        bool | None,
        typer.Option(
            "--do-not-ask/--ok-to-ask", help="Never (or again) route introductions through them."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a person's profile, identities or job."""
    with _ws() as ws:
        updated = ws.edit_person(
            person,
            name=name,
            location=location,
            how_met=how_met,
            met_where=met_where,
            met_when=met_when,
            met_through=met_through,
            add_emails=_split(add_email),
            add_phones=_split(add_phone),
            add_urls=_split(add_url),
            add_handles=_split(add_handle),
            remove_identities=_split(remove),
            org=org,
            title=title,
            left_org=left,
            left_when=left_when,
            skills=_split(skill),
            do_not_ask=do_not_ask,
        )
    if as_json:
        print_json(updated)
    else:
        ok(f"updated {updated.name} (#{updated.id})")


def people(
    query: Annotated[
        str | None, typer.Argument(help="Search names, emails, organisations, titles, tags, notes.")
    ] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only people with this tag.")] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="Only people currently at this organisation.")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Only people whose current title has these words.")
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="name, recent, interactions or added.")
    ] = "name",
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="At most this many.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List and search people."""
    from weakties.errors import InvalidInput

    if sort not in ("name", "recent", "interactions", "added"):
        raise InvalidInput(
            f"unknown sort {sort!r}", hint="accepted: name, recent, interactions, added"
        )
    with _ws() as ws:
        rows = ws.people(query, tag=tag, org=org, title=title, sort=sort, limit=limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console().print(
            "nobody matches"
            if (query or tag or org or title)
            else "no people yet: `weakties add person NAME`"
        )
        return
    headers = ["id", "name", "tie", "organisation", "title", "tags", "talks", "last contact"]
    plain_table(
        headers,
        [
            [
                str(r.id),
                r.name,
                f"{r.strength:.2f} {r.category}" if r.strength is not None else "",
                r.org or "",
                r.title or "",
                ", ".join(r.tags),
                str(r.interactions),
                ago(r.last_contact),
            ]
            for r in rows
        ],
        {"name": 28, "organisation": 26, "title": 28, "tags": 24},
    )
    sys.stdout.write(f"{len(rows)} {'person' if len(rows) == 1 else 'people'}\n")


def _profile_json(profile: Profile) -> dict[str, Any]:
    data: dict[str, Any] = jsonable(profile)
    data["affiliations"] = [
        {**jsonable(aff), "org_name": name} for aff, name in profile.affiliations
    ]
    return data


def show(
    person: Annotated[str, typer.Argument(help="Id, email, profile URL or name.")],
    timeline: Annotated[
        int, typer.Option("--timeline", help="How many recent interactions to list.")
    ] = 15,
    as_json: JsonOpt = False,
) -> None:
    """Everything about one person: profile, identities, jobs, timeline, favours, goals."""
    with _ws() as ws:
        profile = ws.profile(person, timeline=timeline)
    if as_json:
        print_json(_profile_json(profile))
        return
    _print_profile(profile)


def _print_profile(profile: Profile) -> None:
    from rich.markup import escape

    p, out = profile.person, console()
    names = {k: escape(v) for k, v in profile.names.items()}

    def name(pid: int | None) -> str:
        if pid is None:
            return "?"
        return "you" if pid == profile.me_id else f"{names.get(pid, '?')} (#{pid})"

    out.print(
        f"[bold]{escape(p.name)}[/bold]  #{p.id}" + ("  [cyan](you)[/cyan]" if p.is_me else "")
    )
    if profile.strength is not None:
        out.print(
            f"  tie: {profile.strength:.2f} {profile.category}  [dim](why: weakties tie {p.id})[/dim]"
        )
    if p.aliases:
        out.print(f"  also known as: {escape(', '.join(p.aliases))}")
    for ident in p.identities:
        out.print(
            f"  {ident.kind.value:6} {escape(ident.value)}"
            + (f"  ({ident.label})" if ident.label else "")
        )
    facts = []
    if p.location:
        facts.append(f"lives in {escape(p.location)}")
    if p.how_met or p.met_where or p.met_when or p.met_through_id:
        met = "met"
        if p.how_met:
            met += f" {escape(p.how_met)}"
        if p.met_where:
            met += f" at {escape(p.met_where)}"
        if p.met_when:
            met += f" in {p.met_when}"
        if p.met_through_id:
            met += f" through {name(p.met_through_id)}"
        facts.append(met)
    if p.do_not_ask:
        facts.append("[yellow]do not ask for introductions[/yellow]")
    for fact in facts:
        out.print(f"  {fact}")
    if p.tags:
        out.print(f"  tags: {escape(', '.join(p.tags))}")
    if p.skills:
        out.print(f"  skills: {escape(', '.join(p.skills))}")
    if profile.affiliations:
        out.print("\n[bold]Work and study[/bold]")
        for aff, org in profile.affiliations:
            span = (
                f"{aff.start or '?'} – {aff.end or 'now'}"
                if aff.start or aff.end
                else ("now" if aff.is_current else "")
            )
            out.print(
                f"  {escape(aff.title) + ' at ' if aff.title else ''}{escape(org)}  [dim]{span}[/dim]"
            )
    out.print(f"\n[bold]Timeline[/bold]  ({profile.interaction_count} interactions)")
    if not profile.interactions:
        out.print("  nothing logged yet")
    for item in profile.interactions:
        others = [name(x.person_id) for x in item.participants if x.person_id != p.id]
        others = list(dict.fromkeys(others))
        what = item.channel.value.replace("_", " ")
        if item.kind.value != "conversation":
            what += f" ({item.kind.value})"
        arrow = {"outbound": "→", "inbound": "←", "mutual": "↔"}.get(item.direction.value, "·")
        line = f"  {local_time(item.occurred_at)}  {arrow} {what}"
        if others:
            shown = ", ".join(others[:4]) + (f" +{len(others) - 4}" if len(others) > 4 else "")
            line += f" with {shown}"
        if item.summary:
            line += f" — {escape(item.summary)}"
        out.print(line, soft_wrap=True)
    if profile.favors:
        out.print("\n[bold]Favours[/bold]")
        for f in profile.favors:
            out.print(
                f"  {f.when or 'undated'}  {name(f.giver_id)} helped {name(f.receiver_id)}: {escape(f.what)}  [dim]{f.size.value}[/dim]"
            )
    if profile.introductions:
        out.print("\n[bold]Introductions[/bold]")
        for i in profile.introductions:
            out.print(
                f"  {i.when or 'undated'}  {name(i.introducer_id)} introduced {name(i.a_id)} to {name(i.b_id)}"
                f"  [dim]{i.outcome.value}[/dim]"
            )
    if profile.goals:
        out.print("\n[bold]Goals and asks[/bold]")
        for g in profile.goals:
            tags = ", ".join(f"{t.kind.value}:{t.value}" for t in g.tags)
            out.print(
                f"  #{g.id} ({g.status.value}) {escape(g.text)}"
                + (f"  [dim]{tags}[/dim]" if tags else "")
            )
    if profile.opportunities:
        out.print("\n[bold]Opportunities[/bold]")
        for o in profile.opportunities:
            chain = " → ".join(["you", *(names.get(c, "?") for c in o.chain)])
            org = profile.org_names.get(o.org_id, "") if o.org_id else ""
            out.print(
                f"  #{o.id} {escape(o.title)}{' at ' + org if org else ''} ({o.status.value})  via {chain}"
            )
    if profile.notes:
        out.print("\n[bold]Notes[/bold]")
        for n in profile.notes:
            out.print(f"  {(n.created_at or '')[:10]}  {escape(n.text)}", soft_wrap=True)
    if profile.merged_from:
        out.print(
            f"\n[dim]merged from {', '.join('#' + str(m) for m in profile.merged_from)} (undo: weakties unmerge ID)[/dim]"
        )


def tag(
    person: Annotated[str, typer.Argument(help="Id, email, profile URL or name.")],
    tags: Annotated[list[str], typer.Argument(help="Tags to add.")],
    remove: Annotated[
        bool, typer.Option("--remove", "-r", help="Remove these tags instead.")
    ] = False,
) -> None:
    """Add tags to a person (or remove them)."""
    with _ws() as ws:
        changed = ws.tag(person, tags, remove=remove)
    verb = "removed" if remove else "added"
    ok(
        f"{verb} {', '.join(changed)}"
        if changed
        else f"nothing to do: tags already {'absent' if remove else 'there'}"
    )


def note(
    person: Annotated[str, typer.Argument(help="Id, email, profile URL or name.")],
    text: Annotated[str, typer.Argument(help="The note.")],
) -> None:
    """Write a note about a person (it becomes searchable)."""
    with _ws() as ws:
        ws.note(person, text)
    ok("noted")


def merge(
    keep: Annotated[str, typer.Argument(help="The person to keep.")],
    other: Annotated[str, typer.Argument(help="The duplicate to fold into it.")],
) -> None:
    """Merge a duplicate into another person (undo with `unmerge`)."""
    with _ws() as ws:
        person, _merge_id = ws.merge(keep, other)
    ok(f"merged into {person.name} (#{person.id}); undo with `weakties unmerge {person.id}`")


def unmerge(person: Annotated[str, typer.Argument(help="Either person of the merge.")]) -> None:
    """Undo the latest merge involving this person."""
    with _ws() as ws:
        kept, restored = ws.unmerge(person)
    ok(f"separated {restored.name} (#{restored.id}) from {kept.name} (#{kept.id})")


def forget(
    person: Annotated[str, typer.Argument(help="Id, email, profile URL or name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Erase a person and every fact about them (for privacy requests)."""
    with _ws() as ws:
        target = ws.person(person)
        if not yes and not typer.confirm(
            f"Erase {target.name} (#{target.id}) and everything about them?"
        ):
            raise typer.Exit(1)
        name, counts = ws.forget(str(target.id))
    if as_json:
        print_json({"name": name, "erased": counts})
        return
    parts = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    ok(f"forgot {name}: erased {parts}")


def register(app: typer.Typer) -> None:
    app.add_typer(add_app, name="add")
    app.command()(edit)
    app.command()(people)
    app.command()(show)
    app.command()(tag)
    app.command()(note)
    app.command()(merge)
    app.command()(unmerge)
    app.command()(forget)
