"""``python -m pytest_ec2image serve``: see :mod:`pytest_ec2image.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
