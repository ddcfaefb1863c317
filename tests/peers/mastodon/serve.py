"""Runs `mastodon_mock serve ...` and prints `ready` on stdout once it listens.

Used by the mastodon-mock launcher that tests/peers/setup.sh writes; all arguments are
passed on to mastodon_mock's own command line unchanged. One process: no children.
"""

import sys

import uvicorn
from mastodon_mock import cli


class _Server(uvicorn.Server):
    async def startup(self, sockets=None):
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print("ready", flush=True)


def _run(app, **kwargs):
    _Server(uvicorn.Config(app, **kwargs)).run()


cli.uvicorn.run = _run  # the CLI calls uvicorn.run(app, host=..., port=..., ...)
cli.main(sys.argv[1:])
