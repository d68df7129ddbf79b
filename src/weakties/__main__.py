"""``python -m weakties``, and the file ``spark-submit`` runs (see docs/scaling.md)."""

from weakties.cli.app import main

if __name__ == "__main__":
    main()
