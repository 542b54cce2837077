"""`python -m oversight.demo --write-sample data/sample` regenerates the committed sample files."""

from oversight.demo.command import main

if __name__ == "__main__":
    raise SystemExit(main())
