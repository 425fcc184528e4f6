"""Entry module for ``flet build`` (see ``[tool.flet]`` in pyproject.toml): the packaged app."""

from wallet.app import run

run(web=False)
