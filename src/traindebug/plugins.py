"""The plugin interface: one hook specification, loaded with pluggy.

Built-in probes, rules and figures register through these hooks exactly as a
third-party plugin does: a plugin is a module (or object) with functions marked
``@hookimpl``, listed in the entry-point group ``traindebug.plugins``::

    [project.entry-points."traindebug.plugins"]
    myplugin = "mypackage.traindebug_plugin"
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from traindebug.logbook.figures import Figure
    from traindebug.probes.base import Probe, Settings
    from traindebug.rules.base import Rule

hookspec = pluggy.HookspecMarker("traindebug")
hookimpl = pluggy.HookimplMarker("traindebug")

ENTRY_POINT_GROUP = "traindebug.plugins"

#: Built-in plugin modules, registered in this order.
BUILTIN_PLUGINS = (
    "traindebug.probes.loss",
    "traindebug.probes.gradients",
    "traindebug.probes.updates",
    "traindebug.probes.learning_rate",
    "traindebug.probes.non_finite",
    "traindebug.probes.activations",
    "traindebug.probes.recurrence",
    "traindebug.probes.repeated_calls",
    "traindebug.probes.detached_calls",
    "traindebug.rules.script_error",
    "traindebug.rules.non_finite",
    "traindebug.rules.learning_rate",
    "traindebug.rules.gradient_scale",
    "traindebug.rules.gradient_flow",
    "traindebug.rules.zero_grad",
    "traindebug.rules.initialization",
    "traindebug.logbook.core_figures",
    # -- data and loop checks (issue 4) --
    "traindebug.probes.loss_inputs",
    "traindebug.probes.loss_graph",
    "traindebug.probes.labels",
    "traindebug.probes.label_neighbours",
    "traindebug.probes.target_batches",
    "traindebug.probes.inputs",
    "traindebug.probes.module_modes",
    "traindebug.rules.loss_output_mismatch",
    "traindebug.rules.labels",
    "traindebug.rules.unshuffled_data",
    "traindebug.rules.input_scale",
    "traindebug.rules.wrong_mode",
    "traindebug.rules.over_regularization",
    # -- training dynamics checks (issue 4) --
    "traindebug.probes.unit_health",
    "traindebug.probes.weight_symmetry",
    "traindebug.rules.lr_too_low",
    "traindebug.rules.dead_units",
    "traindebug.rules.saturated_units",
    "traindebug.rules.symmetric_init",
    "traindebug.rules.overfitting",
    "traindebug.rules.underfitting",
    # -- per-sample statistics (issue 5) --
    "traindebug.probes.per_sample",
    "traindebug.probes.distance",
    "traindebug.probes.histograms",
    "traindebug.rules.step_quality",
    "traindebug.rules.gradient_noise",
    "traindebug.rules.gradient_histograms",
    # -- curvature (issue 6) --
    "traindebug.probes.curvature",
    "traindebug.rules.stability",
    "traindebug.logbook.curvature_figures",
    # -- gradient check and batch mixing (issue 7) --
    "traindebug.probes.gradient_check",
    "traindebug.rules.wrong_gradient",
    "traindebug.rules.batch_mixing",
    "traindebug.logbook.gradient_check_figures",
    # -- logbook figures (issue 8) --
)


class Spec:
    """The hooks a plugin may implement."""

    @hookspec
    def traindebug_probes(self, settings: "Settings") -> "list[Probe]":
        """Return probe instances for this run (read ``settings.preset``)."""

    @hookspec
    def traindebug_rules(self) -> "list[Rule]":
        """Return rules."""

    @hookspec
    def traindebug_figures(self) -> "list[Figure]":
        """Return figure makers for the logbook."""


def plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    """A plugin manager with the built-ins and (optionally) installed plugins."""
    pm = pluggy.PluginManager("traindebug")
    pm.add_hookspecs(Spec)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return pm


def collect_probes(pm: pluggy.PluginManager, settings: "Settings") -> "list[Probe]":
    """All probes from all plugins, in registration order."""
    return [p for group in reversed(pm.hook.traindebug_probes(settings=settings)) for p in group]


def collect_rules(pm: pluggy.PluginManager) -> "list[Rule]":
    """All rules from all plugins."""
    return [r for group in reversed(pm.hook.traindebug_rules()) for r in group]


def collect_figures(pm: pluggy.PluginManager) -> "list[Figure]":
    """All figure makers from all plugins."""
    return [f for group in reversed(pm.hook.traindebug_figures()) for f in group]
