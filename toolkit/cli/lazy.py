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
        prepare(cmd)
        return cmd


FORCE_HELP = ("Replace an existing output even when it holds human work (a review workbook with decisions, a "
              "filled questionnaire, a YAML file you edited, a workbook hls did not write).")


def _set_force(ctx, param, value):
    if value:
        from ..io import allow_overwrite

        allow_overwrite(True)
    return value


def prepare(cmd: click.Command) -> None:
    """Give every command the same ``--force`` option and record what each run reads (for provenance)."""
    if getattr(cmd, "_hls_prepared", False):
        return
    cmd._hls_prepared = True
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            prepare(sub)
        return
    if not any(p.name == "force" for p in cmd.params):
        cmd.params.append(click.Option(["--force"], is_flag=True, expose_value=False, callback=_set_force,
                                       help=FORCE_HELP))
    if cmd.callback is not None:
        cmd.callback = _recording(cmd.callback)


def _recording(callback):
    import functools

    @functools.wraps(callback)
    def run(*args, **kwargs):
        from pathlib import Path

        from ..provenance import set_run

        ctx = click.get_current_context()
        inputs = []
        for param in ctx.command.params:
            if isinstance(param, click.Argument):
                values = ctx.params.get(param.name)
                for v in values if isinstance(values, (list, tuple)) else [values]:
                    if isinstance(v, (str, Path)) and Path(v).exists():
                        inputs.append(Path(v))
        set_run(command=ctx.command_path.split(" ", 1)[-1], inputs=inputs, seed=kwargs.get("seed"))
        return callback(*args, **kwargs)

    return run

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
