"""Deterministic synthetic data: the demo's professional world and benchmark-sized networks.

Only :mod:`weakties.domain`, :mod:`weakties.errors` and numpy are used here; the workspace
loads a :class:`World` into a store, and benchmarks feed a :class:`CommunityGraph` to the
graph engines.
"""

from __future__ import annotations

from weakties.synth.community import CommunityGraph, community_graph
from weakties.synth.world import NOW, Story, World, build_world

__all__ = ["NOW", "CommunityGraph", "Story", "World", "build_world", "community_graph"]
