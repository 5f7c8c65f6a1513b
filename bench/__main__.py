"""``python -m bench``: the scenario runner."""

from bench.runner import main

if __name__ == "__main__":
    main()
