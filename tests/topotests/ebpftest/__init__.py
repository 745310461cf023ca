"""
Helpers shared by frr-ebpf's topotests.

settings   how this run is configured (plugin module, vtysh, dry run)
show       one parser per `show ebpf ... json` command
bpfmaps    the datapath's own counters, read from the pinned maps
traffic    ping, TCP transfers, UDP flows and link counters between hosts
flowtool   the sender/receiver program those helpers run inside the hosts
probes     UDP probes to many addresses, counted per destination where they
           arrive (probetool runs inside the hosts)
bgpfeed    a BGP peer that feeds large route sets (bgpinject runs in a host)
sharp      FRR's sharpd (scripts/build-sharpd.sh) started in a router
"""
