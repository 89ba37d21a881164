"""The registry's defaults, in one place for the facade, the plugin's ini keys and the
``serve`` command."""

from __future__ import annotations

from typing import Final

DEFAULT_REGION: Final = "us-east-1"
DEFAULT_ACCOUNT_ID: Final = "123456789012"
#: The credentials the fixture puts in the environment: AWS's documented example pair, never a
#: real one, so code under test cannot reach AWS by accident with them.
TEST_ACCESS_KEY_ID: Final = "AKIAIOSFODNN7EXAMPLE"
TEST_SECRET_ACCESS_KEY: Final = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
