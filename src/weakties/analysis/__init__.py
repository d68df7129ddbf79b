"""The numeric core: events → pair features → tie strength, knows, structure.

Engine-agnostic and store-independent: everything here works on numpy arrays, so the local
engine, the store and the benchmarks share one definition of every score.
"""
