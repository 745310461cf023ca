"""
pytest configuration of frr-ebpf's topotests.

The topologies run on FRR's own topotest library (micronet, topogen), taken
from the FRR source that matches the installed frr package and patched in a
copy (frrlib.py, frr-topotest-lib.patch). FRR's conftest.py comes with it and
is loaded as a plugin: it provides --rundir, the logs, the junit report and
the session cleanup the library expects.

Options of this suite:
  --ebpf-module PATH   the zebra module to load (-M), absolute
  --ebpf-vtysh PATH    the vtysh that knows the plugin's commands; routers
                       run `vtysh` from PATH, so its directory goes first
  --dry-run            plain FRR with kernel forwarding on; what needs the
                       plugin is skipped (see ebpftest/settings.py)
"""

import os
import sys

import pytest

import frrlib
from ebpftest import settings

# Tags every process the suite starts, so that the patched
# cleanup_previous() reaps only this suite's orphans (before lib is imported).
os.environ["TOPOTEST_OWNER"] = "frr-ebpf"

BUILD = os.environ.get("FRR_EBPF_TOPOTEST_BUILD") or os.path.join(frrlib.HERE, "build")
sys.path.insert(0, frrlib.prepare(os.path.join(BUILD, "frr-topotest-lib")))

pytest_plugins = ["frr_conftest"]


def pytest_addoption(parser):
    group = parser.getgroup("frr-ebpf")
    group.addoption(
        "--ebpf-module",
        default=os.path.join(frrlib.REPO, "frr-plugin", "dplane_ebpf.so"),
        help="zebra module to load (default: the one built in frr-plugin/)",
    )
    group.addoption(
        "--ebpf-vtysh",
        default=os.path.join(frrlib.REPO, "vtysh", "vtysh"),
        help="plugin-aware vtysh run on the routers (default: vtysh/vtysh)",
    )
    group.addoption(
        "--dry-run",
        action="store_true",
        help="plain FRR, kernel forwarding on, plugin checks skipped",
    )


def _use_vtysh(path):
    # A directory holding only `vtysh`, so that nothing else from the
    # binary's own directory shadows system commands in the routers.
    bindir = os.path.join(BUILD, "bin")
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, "vtysh")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(path, link)
    os.environ["PATH"] = bindir + os.pathsep + os.environ["PATH"]


def pytest_configure(config):
    if config.getoption("--collect-only") or config.getoption("--dry-run"):
        return
    module = os.path.abspath(config.getoption("--ebpf-module"))
    vtysh = os.path.abspath(config.getoption("--ebpf-vtysh"))
    for what, path in (("plugin module", module), ("vtysh", vtysh)):
        if not os.path.isfile(path):
            pytest.exit(
                "{} not found: {} (build it, pass its path, or use --dry-run)".format(
                    what, path
                ),
                returncode=4,
            )
    settings.ebpf_module = module
    settings.vtysh = vtysh
    _use_vtysh(vtysh)
