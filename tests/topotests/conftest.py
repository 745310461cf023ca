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
  --bpf-privcheck PATH the LD_PRELOAD shim that refuses bpf() without
                       CAP_BPF/CAP_SYS_ADMIN in the effective set, as
                       Debian 12's kernel 6.1 does (default: the one make
                       check builds in tests/privcheck/, used when it
                       exists; "none": never). A topology after which it
                       refused a call errors at teardown.
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

PRIVCHECK = os.path.join(frrlib.REPO, "tests", "privcheck", "bpf_privcheck.so")


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
    group.addoption(
        "--bpf-privcheck",
        default=PRIVCHECK,
        help="bpf() privilege check preloaded into every daemon, if it "
        "exists (default: tests/privcheck/bpf_privcheck.so); none: never",
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


def _use_privcheck(config):
    # This machine's kernel lets a thread without CAP_BPF/CAP_SYS_ADMIN in
    # its effective set use maps it holds; Debian 12's 6.1 refuses every
    # bpf() command then. With the shim preloaded, a call zebra makes
    # outside its raised privileges fails here too. Every process the
    # suite starts inherits the environment, the routers' daemons included
    # (micronet passes it on); the shim only judges bpf() calls, and
    # processes running as root have every capability. Refused calls are
    # appended to bpf_privcheck-PID.log in the run directory: a file of
    # this run's own, since other runs may share the directory.
    shim = config.getoption("--bpf-privcheck")
    if shim == "none" or not os.path.isfile(shim):
        return
    rundir = config.getoption("--rundir") or config.getini("rundir") or "/tmp/topotests"
    os.makedirs(rundir, exist_ok=True)
    log = os.path.join(rundir, "bpf_privcheck-{}.log".format(os.getpid()))
    open(log, "w").close()
    preload = [os.path.abspath(shim)]
    if os.environ.get("LD_PRELOAD"):
        preload.append(os.environ["LD_PRELOAD"])
    os.environ["LD_PRELOAD"] = " ".join(preload)
    os.environ["BPF_PRIVCHECK_LOG"] = log


@pytest.fixture(autouse=True, scope="module")
def bpf_privcheck():
    """Errors a topology after which the shim refused bpf() calls (its
    teardown runs after the module's, so zebra's shutdown counts too)."""
    log = os.environ.get("BPF_PRIVCHECK_LOG")
    start = os.path.getsize(log) if log and os.path.exists(log) else 0
    yield
    if not log or not os.path.exists(log):
        return
    with open(log) as f:
        f.seek(start)
        refused = f.read()
    if refused:
        pytest.fail(
            "bpf() called without CAP_BPF/CAP_SYS_ADMIN in the effective set "
            "(refused, as on Debian 12's kernel 6.1; see {}):\n{}".format(log, refused),
            pytrace=False,
        )


def pytest_configure(config):
    if config.getoption("--collect-only"):
        return
    _use_privcheck(config)
    if config.getoption("--dry-run"):
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
