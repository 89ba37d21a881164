"""A boto 2 client run by tests/test_signatures.py under a boto 2 interpreter (not pytest's).

Usage: python boto2_client.py PORT ACCESS_KEY SECRET NAME [tamper]

Registers NAME from a snapshot and describes it, then prints one JSON object:
``{"version", "image_id", "described"}`` or ``{"version", "error": {"status", "code"}}``.
With ``tamper``, one byte of each request body is changed after boto signed it.
"""

from __future__ import annotations

import json
import os
import sys

os.environ["BOTO_CONFIG"] = os.devnull  # never read the user's ~/.boto

import boto  # noqa: E402
import boto.connection  # noqa: E402
from boto.ec2.connection import EC2Connection  # noqa: E402
from boto.exception import EC2ResponseError  # noqa: E402
from boto.regioninfo import RegionInfo  # noqa: E402


def _tamper_after_signing() -> None:
    original = boto.connection.HTTPRequest.authorize

    def authorize(self, connection, **kwargs):  # type: ignore[no-untyped-def]
        original(self, connection, **kwargs)
        # One byte of the name, so Content-Length still holds: only the signed bytes differ.
        if isinstance(self.body, bytes):
            self.body = self.body.replace(b"Name=b", b"Name=c", 1)
        else:
            self.body = self.body.replace("Name=b", "Name=c", 1)

    boto.connection.HTTPRequest.authorize = authorize


def main() -> None:
    port, key, secret, name = sys.argv[1:5]
    if sys.argv[5:] == ["tamper"]:
        _tamper_after_signing()
    connection = EC2Connection(
        key,
        secret,
        region=RegionInfo(name="us-east-1", endpoint="127.0.0.1"),
        port=int(port),
        is_secure=False,
    )
    connection.num_retries = 0
    result: dict[str, object] = {"version": boto.__version__}
    try:
        image_id = connection.register_image(
            name=name, root_device_name="/dev/sda1", snapshot_id="snap-0123456789abcdef0"
        )
        result["image_id"] = image_id
        result["described"] = [
            [image.id, image.name] for image in connection.get_all_images(image_ids=[image_id])
        ]
    except EC2ResponseError as error:
        result["error"] = {"status": error.status, "code": error.error_code}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
