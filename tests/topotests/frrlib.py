"""
Locate FRR's own topotest library and prepare a patched copy of it.

The library comes from the FRR source tree that matches the installed frr
package (scripts/frr-source.sh). That tree is a shared cache, so the fixes
in frr-topotest-lib.patch are applied to a copy, rebuilt whenever the source
tree or the patch changes.
"""

import hashlib
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
PATCH = os.path.join(HERE, "frr-topotest-lib.patch")
STAMP = ".frr-ebpf-stamp"


def frr_source():
    """The configured FRR source tree: $FRR_SOURCE, else scripts/frr-source.sh."""
    src = os.environ.get("FRR_SOURCE")
    if not src:
        script = os.path.join(REPO, "scripts", "frr-source.sh")
        src = subprocess.run(
            [script], check=True, stdout=subprocess.PIPE, text=True
        ).stdout.strip()
    if not os.path.isdir(os.path.join(src, "tests", "topotests", "lib")):
        raise RuntimeError("no tests/topotests/lib in FRR source " + src)
    return src


def _stamp(src):
    with open(PATCH, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return "{} {}\n".format(os.path.realpath(src), digest)


def prepare(dest, src=None):
    """Make dest hold lib/, frr_conftest.py and pytest.ini from FRR's
    topotests, patched. Returns dest, to be put on sys.path."""
    src = src or frr_source()
    stamp = _stamp(src)
    stamp_path = os.path.join(dest, STAMP)
    if os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if f.read() == stamp:
                return dest

    topo = os.path.join(src, "tests", "topotests")
    tmp = dest + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    shutil.copytree(
        os.path.join(topo, "lib"),
        os.path.join(tmp, "lib"),
        ignore=shutil.ignore_patterns("__pycache__", "test"),
    )
    # lib/ reads its defaults from ../pytest.ini
    shutil.copy(os.path.join(topo, "pytest.ini"), tmp)
    # FRR's conftest holds the options (--rundir ...) and hooks the library
    # relies on; our conftest loads it as a plugin under this name.
    shutil.copy(os.path.join(topo, "conftest.py"), os.path.join(tmp, "frr_conftest.py"))
    with open(PATCH, "rb") as f:
        subprocess.run(
            ["patch", "-s", "-p1", "-d", tmp], stdin=f, check=True
        )
    with open(os.path.join(tmp, STAMP), "w") as f:
        f.write(stamp)
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(tmp, dest)
    return dest
