"""S3 bundle manifests: the safe parser RegisterImage reads them with (:mod:`.parsing`) and
:func:`bundle_manifest`, which writes one for a test to declare (:mod:`.writing`)."""

from __future__ import annotations

from .writing import bundle_manifest

__all__ = ["bundle_manifest"]
