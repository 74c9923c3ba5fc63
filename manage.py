#!/usr/bin/env python
"""Django's command-line utility for Counterpart."""

from counterpart.cli import main

if __name__ == "__main__":
    main()
