"""A click group whose subcommands are imported only when used, so ``hls --help`` stays instant."""
from __future__ import annotations

import importlib

import click


class LazyGroup(click.Group):
    """Subcommands given as ``{"name": ("module.path:attr", "short help")}``.

    Listing help only needs the short help strings, so nothing is imported for ``--help``.
    """

    def __init__(self, *args, lazy: dict[str, tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, name):
        if name in self.lazy:
            return self._load(name)
        return super().get_command(ctx, name)

    def _load(self, name):
        target, _ = self.lazy[name]
        module, attr = target.split(":")
        cmd = getattr(importlib.import_module(module), attr)
        if not isinstance(cmd, click.Command):  # pragma: no cover - programming error
            raise TypeError(f"{target} is not a click command")
        return cmd

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name][1]))
            else:
                cmd = super().get_command(ctx, name)
                if cmd is not None and not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(limit=formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
