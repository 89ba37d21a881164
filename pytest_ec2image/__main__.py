"""``python -m pytest_ec2image serve``: see :mod:`pytest_ec2image.serve`."""

import sys

from .serve import main

if __name__ == "__main__":
    sys.exit(main())
