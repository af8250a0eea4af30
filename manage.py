#!/usr/bin/env python
import sys

from tongban.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
