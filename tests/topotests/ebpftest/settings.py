"""
How this run is configured, filled in by conftest.py from the command line.

A normal run loads the plugin into zebra with kernel forwarding off, so any
packet that crosses a router was forwarded by the datapath. A dry run
(--dry-run) starts plain FRR with kernel forwarding on: it validates the
topology, the routing and the traffic helpers without the plugin, and every
assertion that needs the plugin is skipped with a reason.
"""

import os
import re

import pytest

ebpf_module = None  # absolute path of dplane_ebpf.so; None in a dry run
vtysh = None  # the plugin-aware vtysh routers run; None: the system's


def dry_run():
    return ebpf_module is None


def require_plugin(what):
    """Skip the rest of a test that checks the plugin itself, in a dry run."""
    if dry_run():
        pytest.skip("dry run (no plugin): " + what)


def zebra_args(module=None):
    """Extra zebra arguments for router.load_config(RD_ZEBRA, ...); module:
    another build of the plugin than the run's."""
    return None if dry_run() else "-M " + (module or ebpf_module)


def rebuilt_module():
    """A second build of the plugin, with the same map layout and programs
    that differ (frr-plugin/subdir.am, DP_BUILD_VARIANT): what an upgrade
    installs. None in a dry run or where it was not built."""
    if dry_run():
        return None
    repo = os.path.dirname(os.path.dirname(os.path.abspath(ebpf_module)))
    path = os.path.join(repo, "tests", "topotests", "build", "rebuilt", "dplane_ebpf.so")
    return path if os.path.exists(path) else None


def router_config(text):
    """A router's frr.conf for this run. The files in the topologies are
    written for the plugin; a dry run drops the `ebpf` block and turns kernel
    forwarding on instead of off."""
    if not dry_run():
        return text
    text = re.sub(r"(?ms)^ebpf\n.*?^exit\n", "", text)
    text = re.sub(r"(?m)^no ip forwarding$", "ip forwarding", text)
    return re.sub(r"(?m)^no ipv6 forwarding$", "ipv6 forwarding", text)


def load_router_frr_conf(tgen, router, topo_dir):
    """Give router the integrated configuration topo_dir/NAME/frr.conf, as
    router_config() makes it for this run (written to the router's log
    directory)."""
    import os

    with open(os.path.join(topo_dir, router.name, "frr.conf")) as f:
        text = f.read()
    conf = os.path.join(tgen.logdir, router.name, "frr.conf")
    with open(conf, "w") as f:
        f.write(router_config(text))
    router.load_config(router.RD_FRR, conf)
