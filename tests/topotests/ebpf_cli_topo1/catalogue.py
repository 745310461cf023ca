"""
The hostile-input catalogue of the plugin's CLI, as data.

One Entry per input: the lines typed into the plugin-aware vtysh, the node
they are typed in, the regular expressions the output must match (all of
them: the first says what is wrong, the others what is valid) and whether
the output must parse as JSON. An entry that is meant to change the running
configuration carries the lines that undo it; every other entry must leave
it byte-identical. test_ebpf_cli_topo1.py runs them all against r1 (see
r1/frr.conf for what is configured there).

Policy the expectations encode:
  - every refused input says what is wrong and what is valid, never only
    FRR's "% Unknown command" / "% Command incomplete": words the grammar
    cannot place get vtysh's hint (vtysh/ebpf_vtysh.c), values the grammar
    takes get the handler's message;
  - `json` variants print JSON even when refused ({"error": "..."});
  - `no` of a named object that is not configured (an interface, the ebpf
    block) is an error; `no` of a toggle already off (debug,
    ignore-ipsec-policies) changes nothing and says nothing, as FRR's own.
"""

import os
import re

CWD = os.path.dirname(os.path.realpath(__file__))

# What vtysh types before an entry's own lines.
NODES = {
    "enable": [],
    "config": ["configure terminal"],
    "ebpf": ["configure terminal", "ebpf"],
    "lb": ["configure terminal", "ebpf", "load-balancer"],
    "vip": ["configure terminal", "ebpf", "load-balancer", "vip web4"],
    "vip6": ["configure terminal", "ebpf", "load-balancer", "vip web6"],
    "vipdns": ["configure terminal", "ebpf", "load-balancer", "vip dns"],
    "vipnew": ["configure terminal", "ebpf", "load-balancer", "vip fresh"],
    "nat": ["configure terminal", "ebpf", "nat"],
    "policer": ["configure terminal", "ebpf", "policer gold"],
}


# The ebpf block of r1/frr.conf, to restore after entries that remove it
# (nested `exit` lines are typed too: they leave the nested nodes).
RESTORE_EBPF = ("config", [
    line.strip() for line in re.search(
        r"(?ms)^ebpf\n.*?^exit\n",
        open(os.path.join(CWD, "r1", "frr.conf")).read()).group(0).splitlines()[:-1]
])


def _model_messages():
    """The error-message statements of the YANG model: the words a
    refusal by the model (a must, a range, a pattern) may use."""
    model = os.path.join(CWD, "..", "..", "..", "yang", "frr-zebra-ebpf.yang")
    with open(model) as f:
        text = f.read()
    return [" ".join(m.split()) for m in re.findall(r'error-message\s+"([^"]*)"', text)]


MODEL_MESSAGES = _model_messages()

IFNAME_RULE = r"An interface name is 1 to 15 bytes of UTF-8 without '/', ':', quotes, white space or control characters"


class Entry:
    """One hostile (or odd but valid) input and what must answer it."""

    def __init__(self, command, node, lines, expect, json=False, undo=None):
        self.command = command  # the command under attack, for counts
        self.node = node
        self.lines = [lines] if isinstance(lines, (str, bytes)) else list(lines)
        self.expect = [expect] if isinstance(expect, str) else list(expect)
        self.json = json
        # None, or (node, [lines]) that restore the running configuration
        self.undo = undo

    def typed(self):
        """The lines as typed, for reports (bytes shown escaped)."""
        return " / ".join(
            line if isinstance(line, str) else repr(line) for line in self.lines
        )

    def __repr__(self):
        return "<{} [{}] {}>".format(self.command, self.node, self.typed()[:80])


# ------------------------------------------------------ expected messages


def q(text):
    return re.escape(text)


def hint(after, bad, *valid):
    """vtysh's answer to a word the grammar cannot place: the offending
    word, the valid start before it, and (some of) what may follow."""
    exp = [
        r"% Unknown command: ",
        r'% "{}" is not valid after "{}"\. Valid there:'.format(q(bad), q(after)),
    ]
    return exp + [r"(?m)^  {}(  |$)".format(q(v)) for v in valid]


def incomplete(after, *valid):
    exp = [
        r"% Command incomplete: ",
        r'% "{}" needs more\. Valid there:'.format(q(after)),
    ]
    return exp + [r"(?m)^  {}(  |$)".format(q(v)) for v in valid]


def not_in_node(*valid):
    exp = [r"% Unknown command: ", r"is not a command of this node\. Valid there:"]
    return exp + [r"(?m)^  {}(  |$)".format(q(v)) for v in valid]


WRONG_NODE_CONFIG = [
    r"% Unknown command: ",
    r'% This is a command of configuration mode: enter "configure terminal" first',
]
WRONG_NODE_ENABLE = [
    r"% Unknown command: ",
    r'% This is a command of enable mode: in configuration mode, prefix it with "do"',
]
WRONG_NODE_EBPF = [
    r"% Unknown command: ",
    r'% This is a command of the ebpf node: enter "ebpf" in configuration mode first',
]


def bad_ifname(echo, why):
    """The handler's answer to a name that cannot be an interface's: why
    (a regex of the start of the reason), then what a valid name is."""
    return r'% Invalid interface name "{}": {}[^\n]*\. {}'.format(q(echo), why, IFNAME_RULE)


def bad_ifname_json(echo, why):
    # the same message as a JSON string: quotes escaped
    return r'"error":\s*"Invalid interface name \\"{}\\": {}[^\n]*\. '.format(q(echo), why)


def nb_failed(description):
    """FRR's answer to a commit the plugin's northbound callbacks refused."""
    return [
        r"% Configuration failed\.",
        r"Error description: " + description,
    ]


NHG_RANGE = r"Nexthop group id must be 1-4294967295 \(decimal\), not "
NOT_PREFIX = r"is not a prefix: {}\. Give A\.B\.C\.D/M or X:X::X:X/M \(exact match\), ipv4 or ipv6"
LONG = "x" * 300
LONG_ECHO = "x" * 40 + "..."  # how messages echo LONG
HUGE = "y" * 5000
TOO_LONG_LINE = r"% Command is too long: \d+ bytes, at most 4094 are taken"
SILENT = r"\A\s*\Z"  # a valid command: no output at all


# ------------------------------------------------------------ the catalogue


def _interface():
    c = "interface"
    e = []

    def add(node, lines, expect, **kw):
        e.append(Entry(c, node, lines, expect, **kw))

    # missing and unknown names
    add("ebpf", "interface", incomplete("interface", "IFNAME"))
    add("ebpf", "interface eth9", nb_failed(r"interface eth9 does not exist"))
    add("ebpf", "interface r2-eth0", nb_failed(r"interface r2-eth0 does not exist"))
    add("ebpf", "interface R1-ETH0", nb_failed(r"interface R1-ETH0 does not exist"))
    add("ebpf", "interface -", nb_failed(r"interface - does not exist"))
    add("ebpf", "interface eth%s%n%x", nb_failed(r"interface eth%s%n%x does not exist"))
    add("ebpf", "interface $(reboot)", nb_failed(r"interface \$\(reboot\) does not exist"))
    add("ebpf", "interface a\\b", nb_failed(r"interface a\\b does not exist"))
    add("ebpf", "interface *", nb_failed(r"interface \* does not exist"))
    add("ebpf", "interface ...", nb_failed(r"interface \.\.\. does not exist"))
    # too long: 16 bytes, 40, 300, and a line longer than zebra's buffer
    add("ebpf", "interface abcdefghijklmnop",
        bad_ifname("abcdefghijklmnop", "it is longer than 15 bytes"))
    add("ebpf", "interface r1-eth0r1-eth0r1-eth0",
        bad_ifname("r1-eth0r1-eth0r1-eth0", "it is longer than 15 bytes"))
    add("ebpf", "interface " + LONG,
        bad_ifname(LONG_ECHO, "it is longer than 15 bytes"))
    add("ebpf", "interface " + HUGE, TOO_LONG_LINE)
    # unicode: valid names that do not exist, and the byte limit
    add("ebpf", "interface ä", nb_failed(r"interface ä does not exist"))
    add("ebpf", "interface 网卡0", nb_failed(r"interface 网卡0 does not exist"))
    add("ebpf", "interface eth0\U0001f600", nb_failed(r"interface eth0\U0001f600 does not exist"))
    add("ebpf", "interface ääääääää",
        bad_ifname("ääääääää", "it is longer than 15 bytes"))
    add("ebpf", b"interface a\xffb", r"it is not valid UTF-8\. " + IFNAME_RULE)
    add("ebpf", b"interface a\x01b", bad_ifname("a\\x01b", "it contains a control character"))
    add("ebpf", "interface a\u200bb", nb_failed("interface a\u200bb does not exist"))
    # '/', ':', quotes, spaces, reserved names
    add("ebpf", "interface a/b", bad_ifname("a/b", "it contains '/'"))
    add("ebpf", "interface ../etc", bad_ifname("../etc", "it contains '/'"))
    add("ebpf", "interface a:b", bad_ifname("a:b", "it contains ':'"))
    add("ebpf", "interface r1-eth0:1", bad_ifname("r1-eth0:1", r"it contains ':' \(an address label, not an interface\)"))
    add("ebpf", 'interface "r1-eth0"', bad_ifname('"r1-eth0"', r"it contains a quote \(none is needed around names\)"))
    add("ebpf", "interface 'r1-eth0'", bad_ifname("'r1-eth0'", "it contains a quote"))
    add("ebpf", "interface a'b", bad_ifname("a'b", "it contains a quote"))
    add("ebpf", 'interface "a/b"', bad_ifname('"a/b"', "it contains a quote"))
    add("ebpf", 'interface "a b"',
        hint('interface "a', 'b"', "<cr>", "mode")
        + [r"% Quotes do not group words: every space separates arguments"])
    add("ebpf", "interface a\tb", hint("interface a", "b", "<cr>", "mode"))
    add("ebpf", "interface .", bad_ifname(".", "the kernel reserves '.' and '..'"))
    add("ebpf", "interface ..", bad_ifname("..", "the kernel reserves '.' and '..'"))
    # interfaces that exist but cannot run the datapath
    add("ebpf", "interface lo",
        nb_failed(r"interface lo is not an Ethernet device \(link type 772\): the datapath handles Ethernet only"))
    add("ebpf", "interface r1-eth2",
        nb_failed(r"interface r1-eth2 is enslaved to br0: its traffic belongs to br0's forwarding"))
    add("ebpf", "interface r1-eth2 mode tc",
        nb_failed(r"interface r1-eth2 is enslaved to br0"))
    add("ebpf", "interface br0",
        [r"% Configuration failed\.",
         r"Error description: interface br0 does not support native XDP; use mode tc"])
    # bad, repeated and conflicting modes
    mode_help = r"xdp \(native XDP with TC ingress behind it, the default\) or tc \(TC ingress only\)"
    for mode in ("foo", "XDP", "Tc", "1", "ä", "xdp,tc", "generic", "skb"):
        add("ebpf", "interface r1-eth0 mode " + mode,
            r'% Unknown mode "{}": {}'.format(q(mode), mode_help))
    add("ebpf", "interface r1-eth0 mode " + LONG,
        r'% Unknown mode "{}": {}'.format(q(LONG_ECHO), mode_help))
    add("ebpf", "interface r1-eth0 mode", incomplete("interface r1-eth0 mode", "xdp", "tc"))
    add("ebpf", "interface r1-eth0 mode tc mode xdp",
        hint("interface r1-eth0 mode tc", "mode", "<cr>"))
    add("ebpf", "interface r1-eth0 mode xdp tc",
        hint("interface r1-eth0 mode xdp", "tc", "<cr>"))
    add("ebpf", "interface r1-eth0 mode tc json",
        hint("interface r1-eth0 mode tc", "json", "<cr>"))
    add("ebpf", "interface r1-eth0 xdp", hint("interface r1-eth0", "xdp", "<cr>", "mode"))
    add("ebpf", "interface r1-eth0 r1-eth1", hint("interface r1-eth0", "r1-eth1", "<cr>", "mode"))
    # odd but valid: repeating what is configured changes nothing
    add("ebpf", "interface r1-eth0", SILENT)
    add("ebpf", "interface r1-eth0 mode xdp", SILENT)
    add("ebpf", "interface r1-eth1 mode tc", SILENT)
    add("ebpf", ["interface r1-eth0 mode xdp", "interface r1-eth0 mode xdp"], SILENT)
    # conflicting: a new mode replaces the old one (and is undone)
    add("ebpf", "interface r1-eth1 mode xdp", SILENT,
        undo=("ebpf", ["interface r1-eth1 mode tc"]))
    add("ebpf", ["interface r1-eth0 mode tc", "interface r1-eth0 mode xdp",
                 "interface r1-eth0 mode tc"], SILENT,
        undo=("ebpf", ["interface r1-eth0"]))
    # at the wrong node
    add("config", "interface r1-eth0 mode tc", WRONG_NODE_EBPF)
    add("enable", "interface r1-eth0 mode tc", WRONG_NODE_EBPF)
    return e


def _no_interface():
    c = "no interface"
    e = []

    def add(node, lines, expect, **kw):
        e.append(Entry(c, node, lines, expect, **kw))

    configured = r"\(configured: r1-eth0, r1-eth1\)"
    add("ebpf", "no interface", incomplete("no interface", "IFNAME"))
    add("ebpf", "no interface eth9",
        r"% Interface eth9 is not configured under ebpf " + configured)
    add("ebpf", "no interface r1-eth2",
        r"% Interface r1-eth2 is not configured under ebpf " + configured)
    add("ebpf", "no interface lo",
        r"% Interface lo is not configured under ebpf " + configured)
    add("ebpf", "no interface ä",
        r"% Interface ä is not configured under ebpf " + configured)
    add("ebpf", "no interface a/b", bad_ifname("a/b", "it contains '/'"))
    add("ebpf", "no interface abcdefghijklmnop",
        bad_ifname("abcdefghijklmnop", "it is longer than 15 bytes"))
    add("ebpf", "no interface 'r1-eth0'", bad_ifname("'r1-eth0'", "it contains a quote"))
    add("ebpf", "no interface r1-eth0 mode foo", r'% Unknown mode "foo": xdp')
    add("ebpf", "no interface r1-eth0 junk", hint("no interface r1-eth0", "junk", "<cr>", "mode"))
    # twice: the second answers that there is nothing left to remove
    add("ebpf", ["no interface r1-eth0", "no interface r1-eth0"],
        r"% Interface r1-eth0 is not configured under ebpf \(configured: r1-eth1\)",
        undo=("ebpf", ["interface r1-eth0"]))
    # with another mode than configured: removes it all the same (doc)
    add("ebpf", "no interface r1-eth1 mode xdp", SILENT,
        undo=("ebpf", ["interface r1-eth1 mode tc"]))
    return e


def _ignore_ipsec():
    c = "ignore-ipsec-policies"
    e = []

    def add(node, lines, expect, **kw):
        e.append(Entry(c, node, lines, expect, **kw))

    add("ebpf", "ignore-ipsec-policies junk", hint("ignore-ipsec-policies", "junk", "<cr>"))
    add("ebpf", "ignore-ipsec-policies on", hint("ignore-ipsec-policies", "on", "<cr>"))
    add("ebpf", "ignore-ipsec-policies true", hint("ignore-ipsec-policies", "true", "<cr>"))
    add("ebpf", "ignore-ipsec-policies json", hint("ignore-ipsec-policies", "json", "<cr>"))
    add("ebpf", "ignore-ipsec-policies " + LONG,
        hint("ignore-ipsec-policies", LONG_ECHO, "<cr>"))
    add("ebpf", "no ignore-ipsec-policies junk", hint("no ignore-ipsec-policies", "junk", "<cr>"))
    add("ebpf", "ignore-ipsec-policy",
        not_in_node("ignore-ipsec-policies", "interface", "exit"))
    add("ebpf", "no ignore-ipsec-policies", SILENT)  # already off
    add("config", "ignore-ipsec-policies", WRONG_NODE_EBPF)
    add("ebpf", ["ignore-ipsec-policies", "ignore-ipsec-policies"], SILENT,
        undo=("ebpf", ["no ignore-ipsec-policies"]))
    return e


def _ebpf_node():
    c = "ebpf"
    e = []

    def add(node, lines, expect, **kw):
        e.append(Entry(c, node, lines, expect, **kw))

    add("config", "ebpf junk", hint("ebpf", "junk", "<cr>"))
    add("config", "ebpf ebpf", hint("ebpf", "ebpf", "<cr>"))
    add("config", "ebpf interface r1-eth0", hint("ebpf", "interface", "<cr>"))
    add("config", "ebpf ä", hint("ebpf", "ä", "<cr>"))
    add("config", "ebpf", SILENT)  # configured already: enters the node
    add("enable", "ebpf", WRONG_NODE_CONFIG)
    add("ebpf", "foo", not_in_node("interface", "ignore-ipsec-policies", "exit"))
    add("ebpf", "ä", not_in_node("interface", "ignore-ipsec-policies"))
    add("ebpf", "json", not_in_node("interface", "ignore-ipsec-policies"))
    return e


def _no_ebpf():
    c = "no ebpf"
    e = []

    def add(node, lines, expect, **kw):
        e.append(Entry(c, node, lines, expect, **kw))

    add("config", "no ebpf junk", hint("no ebpf", "junk", "<cr>"))
    add("config", "no ebpf interface r1-eth0", hint("no ebpf", "interface", "<cr>"))
    add("enable", "no ebpf", WRONG_NODE_CONFIG)
    add("config", ["no ebpf", "no ebpf"],
        r"% ebpf is not configured: there is no block to remove",
        undo=RESTORE_EBPF)
    return e


def _debug():
    c = "debug ebpf"
    e = []

    def add(node, lines, expect, **kw):
        e.append(Entry(c, node, lines, expect, **kw))

    for node in ("enable", "config"):
        add(node, "debug ebpf junk", hint("debug ebpf", "junk", "<cr>"))
        add(node, "debug ebpf json", hint("debug ebpf", "json", "<cr>"))
        add(node, "no debug ebpf junk", hint("no debug ebpf", "junk", "<cr>"))
        add(node, "debug ebpf ä", hint("debug ebpf", "ä", "<cr>"))
        add(node, "no debug ebpf", SILENT)  # off already
    add("enable", "debug ebpf " + LONG, hint("debug ebpf", LONG_ECHO, "<cr>"))
    # in enable mode it is not configuration: the running config stays
    add("enable", ["debug ebpf", "debug ebpf", "no debug ebpf"], SILENT)
    add("config", ["debug ebpf", "debug ebpf"], SILENT,
        undo=("config", ["no debug ebpf"]))
    return e


def _show_dataplane():
    c = "show ebpf dataplane"
    e = []

    def add(lines, expect, **kw):
        e.append(Entry(c, "enable", lines, expect, **kw))

    add("show ebpf dataplane junk", hint("show ebpf dataplane", "junk", "<cr>", "json"))
    add("show ebpf dataplane JSON", hint("show ebpf dataplane", "JSON", "<cr>", "json"))
    add("show ebpf dataplane json junk", hint("show ebpf dataplane json", "junk", "<cr>"))
    add("show ebpf dataplane json json", hint("show ebpf dataplane json", "json", "<cr>"))
    add("show ebpf dataplane detail", hint("show ebpf dataplane", "detail", "<cr>", "json"))
    add("show ebpf dataplane ä", hint("show ebpf dataplane", "ä", "<cr>", "json"))
    add("show ebpf dataplane " + HUGE, TOO_LONG_LINE)
    add("show ebpf json dataplane", hint("show ebpf", "json", "dataplane", "route"))
    add("show ebpf", incomplete("show ebpf", "dataplane", "interface", "neighbor",
                                "nexthop-group", "route", "statistics"))
    add("show ebpf junk", hint("show ebpf", "junk", "dataplane", "statistics"))
    add("show ebpf dataplane json", r'"loaded":\s*true', json=True)
    e.append(Entry(c, "ebpf", "show ebpf dataplane", WRONG_NODE_ENABLE))
    e.append(Entry(c, "config", "show ebpf dataplane json", WRONG_NODE_ENABLE))
    e.append(Entry(c, "ebpf", "do show ebpf dataplane junk",
                   hint("do show ebpf dataplane", "junk", "<cr>", "json")))
    return e


def _show_interface():
    c = "show ebpf interface"
    e = []

    def add(lines, expect, **kw):
        e.append(Entry(c, "enable", lines, expect, **kw))

    add("show ebpf interface eth9", r"% Interface eth9 is not configured under ebpf")
    add("show ebpf interface eth9 json", r"\A\{\s*\}\s*\Z", json=True)
    add("show ebpf interface r1-eth2", r"% Interface r1-eth2 is not configured under ebpf")
    add("show ebpf interface lo", r"% Interface lo is not configured under ebpf")
    add("show ebpf interface ä", r"% Interface ä is not configured under ebpf")
    add("show ebpf interface ä json", r"\A\{\s*\}\s*\Z", json=True)
    add("show ebpf interface abcdefghijklmnop",
        bad_ifname("abcdefghijklmnop", "it is longer than 15 bytes"))
    add("show ebpf interface abcdefghijklmnop json",
        bad_ifname_json("abcdefghijklmnop", "it is longer than 15 bytes"), json=True)
    add("show ebpf interface " + LONG, bad_ifname(LONG_ECHO, "it is longer than 15 bytes"))
    add("show ebpf interface " + LONG + " json",
        bad_ifname_json(LONG_ECHO, "it is longer than 15 bytes"), json=True)
    add("show ebpf interface " + HUGE, TOO_LONG_LINE)
    add("show ebpf interface a/b", bad_ifname("a/b", "it contains '/'"))
    add("show ebpf interface a/b json", bad_ifname_json("a/b", "it contains '/'"), json=True)
    add("show ebpf interface r1-eth0:1", bad_ifname("r1-eth0:1", "it contains ':'"))
    add('show ebpf interface "r1-eth0"', bad_ifname('"r1-eth0"', "it contains a quote"))
    add('show ebpf interface "r1-eth0" json', r'"error":\s*"Invalid interface name', json=True)
    add(b"show ebpf interface a\xffb json", r"it is not valid UTF-8", json=True)
    add(b"show ebpf interface a\xffb", r'% Invalid interface name "a\\xffb": it is not valid UTF-8')
    add("show ebpf interface ..", bad_ifname("..", "the kernel reserves"))
    add("show ebpf interface json json", r"\A\{\s*\}\s*\Z", json=True)  # IFNAME "json"
    add("show ebpf interface r1-eth0 json junk",
        hint("show ebpf interface r1-eth0 json", "junk", "<cr>"))
    add("show ebpf interface r1-eth0 r1-eth1",
        hint("show ebpf interface r1-eth0", "r1-eth1", "<cr>", "json"))
    add("show ebpf interface r1-eth0 detail",
        hint("show ebpf interface r1-eth0", "detail", "<cr>", "json"))
    add("show ebpf interface r1-eth0 json", r'"r1-eth0":\s*\{', json=True)
    return e


def _show_route():
    c = "show ebpf route"
    e = []

    def add(lines, expect, **kw):
        e.append(Entry(c, "enable", lines, expect, **kw))

    def bad(word, why, *suffix):
        line = "show ebpf route " + word
        add(line, r'% "{}" {}'.format(q(word), NOT_PREFIX.format(why)))
        add(line + " json", r'"error":\s*"\\"{}\\" {}'.format(q(word), NOT_PREFIX.format(why)),
            json=True)

    v4len = r"an IPv4 prefix length is 0-32"
    v6len = r"an IPv6 prefix length is 0-128"
    nolen = r"it has no prefix length \(/M\)"
    notpfx = r"it is not an IPv4 or IPv6 prefix"
    bad("10.0.0.0/33", v4len)
    bad("10.0.0.0/-1", v4len)
    bad("10.0.0.0/", v4len)
    bad("10.0.0.1", nolen)
    bad("2001:db8::/129", v6len)
    bad("2001:db8::1", nolen)
    bad("300.1.1.1/8", notpfx)
    bad("10.0.0/8", notpfx)
    bad("2001:db8:::/64", notpfx)
    bad("0x0a000000/8", notpfx)
    bad("junk", notpfx)
    bad("IPV4", notpfx)
    bad("ä", notpfx)
    add("show ebpf route " + LONG,
        r'% "{}" {}'.format(q(LONG_ECHO), NOT_PREFIX.format(notpfx)))
    add("show ebpf route " + HUGE, TOO_LONG_LINE)
    # IPv6 in the IPv4 slot and the like: nothing may follow ipv4/ipv6
    add("show ebpf route ipv4 2001:db8::/32",
        hint("show ebpf route ipv4", "2001:db8::/32", "<cr>", "json"))
    add("show ebpf route ipv6 10.0.0.0/8", hint("show ebpf route ipv6", "10.0.0.0/8", "<cr>", "json"))
    add("show ebpf route ipv4 ipv6", hint("show ebpf route ipv4", "ipv6", "<cr>", "json"))
    add("show ebpf route json ipv4", hint("show ebpf route json", "ipv4", "<cr>"))
    add("show ebpf route 10.0.0.0/8 10.0.0.0/8",
        hint("show ebpf route 10.0.0.0/8", "10.0.0.0/8", "<cr>", "json"))
    add("show ebpf route 10.0.0.0/8 json junk", hint("show ebpf route 10.0.0.0/8 json", "junk", "<cr>"))
    # host bits: the exact entry of the masked prefix
    add("show ebpf route 192.0.2.77/24", r"(?m)^192\.0\.2\.0/24\s+nhg \d+")
    add("show ebpf route 192.0.2.77/24 json", r'"192\.0\.2\.0/24":\s*\{\s*"type":\s*"nhg"', json=True)
    add("show ebpf route 198.51.100.7/24", r"% Route 198\.51\.100\.0/24 not found")
    add("show ebpf route 198.51.100.7/24 json", r"\A\{\s*\}\s*\Z", json=True)
    add("show ebpf route 2001:db8::1/32", r"% Route 2001:db8::/32 not found")
    add("show ebpf route ::/0 json", r"\A\{", json=True)
    add("show ebpf route ipv4 json", r'"192\.0\.2\.0/24"', json=True)
    # what the FIB answers for an address, read as the datapath reads it
    add("show ebpf route lookup 192.0.2.77",
        r"(?m)^  FIB answer:\s+nhg \d+ \(value id \d+\)$\n^  Punt map:\s+none$\n"
        r"^  rt_v4_map:\s+nhg \d+$")
    add("show ebpf route lookup 192.0.2.77 json",
        r'"fib":\s*\{\s*"found":\s*true,\s*"valueId":\s*[1-9]\d*,\s*"answer":\s*"nhg \d+"',
        json=True)
    add("show ebpf route lookup 198.51.100.7", r"(?m)^  FIB answer:\s+none$")
    add("show ebpf route lookup 198.51.100.7 json", r'"toKernel":\s*true', json=True)
    add("show ebpf route lookup 2001:db8::1", r"(?m)^  FIB answer:\s+none$")
    for word in ("10.0.0.0/8", "2001:db8::/32", "junk"):
        add("show ebpf route lookup " + word,
            r'% "{}" is not an address\. Give A\.B\.C\.D or X:X::X:X'.format(q(word)))
    add("show ebpf route lookup 10.0.0.0/8 json",
        r'"error":\s*"\\"10\.0\.0\.0/8\\" is not an address', json=True)
    add("show ebpf route lookup 192.0.2.77 192.0.2.78",
        hint("show ebpf route lookup 192.0.2.77", "192.0.2.78", "<cr>", "json"))
    e.append(Entry(c, "ebpf", "show ebpf route 10.0.0.0/33", WRONG_NODE_ENABLE))
    e.append(Entry(c, "ebpf", "do show ebpf route 10.0.0.0/33",
                   r'% "10\.0\.0\.0/33" ' + NOT_PREFIX.format(v4len)))
    return e


def _show_nexthop_group():
    c = "show ebpf nexthop-group"
    e = []

    def add(lines, expect, **kw):
        e.append(Entry(c, "enable", lines, expect, **kw))

    for word in ("0", "-1", "4294967296", "18446744073709551616",
                 "99999999999999999999999", "0x10", "1e3", "+5", "1.5", " 5x",
                 "abc", "ä", "-0", "٣"):
        word = word.strip()
        add("show ebpf nexthop-group " + word, r"% " + NHG_RANGE + r'"{}"'.format(q(word)))
        add("show ebpf nexthop-group {} json".format(word),
            r'"error":\s*"' + NHG_RANGE + r'\\"{}\\"'.format(q(word)), json=True)
    add("show ebpf nexthop-group " + LONG, r"% " + NHG_RANGE + r'"{}"'.format(q(LONG_ECHO)))
    add("show ebpf nexthop-group " + HUGE, TOO_LONG_LINE)
    add("show ebpf nexthop-group 4294967295", r"% Nexthop group 4294967295 not found")
    add("show ebpf nexthop-group 4294967295 json", r"\A\{\s*\}\s*\Z", json=True)
    add("show ebpf nexthop-group 0000000000000000000000001 json", r"\A\{", json=True)
    add("show ebpf nexthop-group 5 junk", hint("show ebpf nexthop-group 5", "junk", "<cr>", "json"))
    add("show ebpf nexthop-group 1 2", hint("show ebpf nexthop-group 1", "2", "<cr>", "json"))
    add("show ebpf nexthop-group json 5", hint("show ebpf nexthop-group json", "5", "<cr>"))
    # the id is a word: the first json is taken as an id, and refused
    add("show ebpf nexthop-group json json",
        r'"error":\s*"' + NHG_RANGE + r'\\"json\\"', json=True)
    add("show ebpf nexthop-group json", r"\A\{", json=True)
    e.append(Entry(c, "config", "do show ebpf nexthop-group 0 json",
                   r'"error":\s*"' + NHG_RANGE, json=True))
    return e


def _show_neighbor():
    c = "show ebpf neighbor"
    e = []

    def add(lines, expect, **kw):
        e.append(Entry(c, "enable", lines, expect, **kw))

    add("show ebpf neighbor junk", hint("show ebpf neighbor", "junk", "<cr>", "json"))
    add("show ebpf neighbor r1-eth0", hint("show ebpf neighbor", "r1-eth0", "<cr>", "json"))
    add("show ebpf neighbor 10.0.0.2", hint("show ebpf neighbor", "10.0.0.2", "<cr>", "json"))
    add("show ebpf neighbor json junk", hint("show ebpf neighbor json", "junk", "<cr>"))
    add("show ebpf neighbor json json", hint("show ebpf neighbor json", "json", "<cr>"))
    add("show ebpf neighbors", hint("show ebpf", "neighbors", "neighbor", "route"))
    add("show ebpf neighbor json", r"\A\{", json=True)
    return e


def _show_statistics():
    c = "show ebpf statistics"
    e = []

    def add(lines, expect, **kw):
        e.append(Entry(c, "enable", lines, expect, **kw))

    add("show ebpf statistics junk", hint("show ebpf statistics", "junk", "<cr>", "json"))
    add("show ebpf statistics r1-eth0", hint("show ebpf statistics", "r1-eth0", "<cr>", "json"))
    add("show ebpf statistics reset", hint("show ebpf statistics", "reset", "<cr>", "json"))
    add("show ebpf statistics json junk", hint("show ebpf statistics json", "junk", "<cr>"))
    add("show ebpf statistics json json", hint("show ebpf statistics json", "json", "<cr>"))
    add("show ebpf statistics json", r'"reasons":\s*\{', json=True)
    return e


def _clear_statistics():
    c = "clear ebpf statistics"
    e = []

    def add(node, lines, expect, **kw):
        e.append(Entry(c, node, lines, expect, **kw))

    add("enable", "clear ebpf statistics junk", hint("clear ebpf statistics", "junk", "<cr>"))
    add("enable", "clear ebpf statistics json", hint("clear ebpf statistics", "json", "<cr>"))
    add("enable", "clear ebpf statistics r1-eth0", hint("clear ebpf statistics", "r1-eth0", "<cr>"))
    add("enable", "clear ebpf statistics all", hint("clear ebpf statistics", "all", "<cr>"))
    add("enable", "clear ebpf", incomplete("clear ebpf", "statistics"))
    add("enable", "clear ebpf stats", hint("clear ebpf", "stats", "statistics"))
    add("enable", "clear ebpf statistics", SILENT)
    add("config", "clear ebpf statistics", WRONG_NODE_ENABLE)
    return e



# ------------------------------------------------ load balancer and NAT

VIP_RULE = r"A name is 1 to 63 characters: a letter or digit, then letters, digits, '_', '\.' and '-'"
UNICAST = r"Give a unicast IPv4 or IPv6 address \(not unspecified, multicast, loopback, broadcast or link-local\)"
NO_ADDRESS_YET = (r"% VIP fresh has no address yet: give it first \(address <A\.B\.C\.D\|X:X::X:X> "
                  r"<port \(1-65535\)\|all-ports> protocol <tcp\|udp>\)")


def _section(command):
    """A section's entries, and the function that adds one for command."""
    entries = []

    def add(node, lines, expect, **kw):
        entries.append(Entry(command, node, lines, expect, **kw))

    return entries, add


def model(message):
    """A refusal by the YANG model itself (a must statement), with its
    own error-message."""
    return nb_failed(r"YANG error\(s\):\n " + re.escape(message))


def bad_vip_name(echo, why):
    return r'% Invalid VIP name "{}": {}[^\n]*\. {}'.format(q(echo), why, VIP_RULE)


def _load_balancer():
    e, add = _section("load-balancer")

    add("ebpf", "load-balancer junk", hint("load-balancer", "junk", "<cr>"))
    add("ebpf", "load-balancer json", hint("load-balancer", "json", "<cr>"))
    add("ebpf", "no load-balancer junk", hint("no load-balancer", "junk", "<cr>"))
    add("config", "load-balancer", WRONG_NODE_EBPF)
    add("ebpf", "load-balancer", SILENT)  # enters the node
    add("ebpf", "load-balancers", not_in_node("load-balancer", "nat", "interface"))
    add("lb", "foo", not_in_node("vip", "hash-seed", "exit"))
    add("lb", "exit", SILENT)
    return e


def _hash_seed():
    e, add = _section("hash-seed")

    for word in ("-1", "4294967296", "abc", "0x10", "1.5", "ä"):
        add("lb", "hash-seed " + word, hint("hash-seed", word, "(0-4294967295)"))
    add("lb", "hash-seed", incomplete("hash-seed", "(0-4294967295)"))
    add("lb", "hash-seed 1 2", hint("hash-seed 1", "2", "<cr>"))
    add("lb", "hash-seed 7", SILENT)  # as configured
    add("lb", "hash-seed 4294967295", SILENT, undo=("lb", ["hash-seed 7"]))
    add("lb", "no hash-seed", SILENT, undo=("lb", ["hash-seed 7"]))
    add("ebpf", "hash-seed 5", [r"% Unknown command: ",
        r'% This is a command of the load-balancer node: enter "ebpf", then "load-balancer" first'])
    return e


def _vip():
    e, add = _section("vip")

    add("lb", "vip", incomplete("vip", "NAME"))
    add("lb", "vip bad/name", bad_vip_name("bad/name", "it holds a character other than"))
    add("lb", "vip -web", bad_vip_name("-web", "it does not start with a letter or digit"))
    add("lb", "vip a'b", bad_vip_name("a'b", "it holds a character other than"))
    add("lb", "vip ä", bad_vip_name("ä", "it does not start with a letter or digit"))
    add("lb", "vip " + "v" * 64, bad_vip_name("v" * 40 + "...", "it is longer than 63 characters"))
    add("lb", "vip web4 junk", hint("vip web4", "junk", "<cr>"))
    add("lb", "vip web4", SILENT)
    # a new name creates nothing until its address is given
    add("lb", ["vip fresh", "exit"], SILENT)
    add("vipnew", "algorithm hash", NO_ADDRESS_YET)
    add("vipnew", "backend 10.0.0.9 port 80", NO_ADDRESS_YET)
    add("vipnew", "health-check tcp", NO_ADDRESS_YET)
    add("lb", "no vip", incomplete("no vip", "NAME"))
    add("lb", "no vip nosuch", r"% VIP nosuch is not configured \(configured: [a-z0-9, ]*web4")
    add("lb", "no vip bad/name", bad_vip_name("bad/name", "it holds"))
    add("ebpf", "vip web4", [r"% Unknown command: ",
        r'% This is a command of the load-balancer node: enter "ebpf", then "load-balancer" first'])
    # a second VIP on an address, port and protocol already served
    add("lb", ["vip web9", "address 198.18.0.10 port 80 protocol tcp"], nb_failed(
        r"VIPs web4 and web9 both serve 198\.18\.0\.10 port 80 protocol tcp: one address, port and protocol is one VIP"))
    # odd but valid: a new VIP, then its removal
    add("lb", ["vip tmp", "address 198.18.0.12 port 53 protocol udp", "backend 10.0.0.7 port 53"],
        SILENT, undo=("lb", ["no vip tmp"]))
    add("lb", ["vip tmp", "address 198.18.0.12 port 53 protocol udp", "exit", "no vip tmp",
               "no vip tmp"], r"% VIP tmp is not configured")
    return e


def _vip_address():
    e, add = _section("address")

    for word in ("300.1.1.1", "10.0.0", "198.18.0.10/32", "junk", "ä"):
        add("vip", "address {} port 80 protocol tcp".format(word),
            hint("address", word, "A.B.C.D", "X:X::X:X"))
    for word, why in (("224.0.0.1", "it is a multicast address"),
                      ("0.0.0.0", "it is the unspecified address"),
                      ("127.0.0.1", "it is a loopback address"),
                      ("255.255.255.255", "it is the broadcast address"),
                      ("::", "it is the unspecified address"),
                      ("fe80::1", r"it is link-local \(it would need a zone\)"),
                      ("::ffff:1.2.3.4", r"it is an IPv4-mapped address \(give the IPv4 address\)")):
        add("vip", "address {} port 80 protocol tcp".format(word),
            r"% Invalid VIP address {}: {}\. {}".format(re.escape(word), why, UNICAST))
    add("vip", "address 198.18.0.10 port 0 protocol tcp",
        hint("address 198.18.0.10 port", "0", "(1-65535)"))
    add("vip", "address 198.18.0.10 port 65536 protocol tcp",
        hint("address 198.18.0.10 port", "65536", "(1-65535)"))
    add("vip", "address 198.18.0.10 port 80 protocol sctp",
        hint("address 198.18.0.10 port 80 protocol", "sctp", "tcp", "udp"))
    add("vip", "address 198.18.0.10 port 80", incomplete("address 198.18.0.10 port 80", "protocol"))
    add("vip", "address 198.18.0.10", incomplete("address 198.18.0.10", "port", "all-ports"))
    add("vip", "address 198.18.0.10 all-ports 80 protocol tcp",
        hint("address 198.18.0.10 all-ports", "80", "protocol"))
    # the VIP's backends are IPv4
    add("vip", "address 2001:db8::1 port 80 protocol tcp",
        model("A backend must be of the VIP's address family (IPv4 or IPv6)."))
    # backends with a port cannot serve every port
    add("vip", "address 198.18.0.10 all-ports protocol tcp",
        model("The backends of an all-ports VIP take port 0 (the client's destination port)."))
    add("vip", "no address", r"% A VIP cannot be without its address: give another one "
        r"\(address <A\.B\.C\.D\|X:X::X:X> <port \(1-65535\)\|all-ports> protocol <tcp\|udp>\) "
        r"or remove the VIP \(no vip web4 in load-balancer\)")
    add("vip", "no address 198.18.0.10 port 80 protocol tcp", hint("no address", "198.18.0.10", "<cr>"))
    # odd but valid: the address again, another port (undone)
    add("vip", "address 198.18.0.10 port 80 protocol tcp", SILENT)
    add("vip", "address 198.18.0.10 port 8080 protocol tcp", SILENT,
        undo=("vip", ["address 198.18.0.10 port 80 protocol tcp"]))
    return e


def _vip_options():
    e, add = _section("algorithm, persistence, nat-mode, fullnat-source")

    add("vip", "algorithm", incomplete("algorithm", "maglev", "round-robin", "least-connections"))
    add("vip", "algorithm foo", hint("algorithm", "foo", "maglev", "hash", "source-hash"))
    add("vip", "algorithm maglev hash", hint("algorithm maglev", "hash", "<cr>"))
    add("vip", "algorithm rr", hint("algorithm", "rr", "round-robin"))
    add("vip", "algorithm maglev", SILENT)  # the default, as configured
    add("vip", "algorithm least-connections", SILENT, undo=("vip", ["no algorithm"]))
    add("vip", "persistence timeout 0", hint("persistence timeout", "0", "(1-86400)"))
    add("vip", "persistence timeout 86401", hint("persistence timeout", "86401", "(1-86400)"))
    add("vip", "persistence 60", hint("persistence", "60", "<cr>", "timeout"))
    add("vip", "no persistence", SILENT)  # off already
    add("vip", "persistence", SILENT, undo=("vip", ["no persistence"]))
    add("vip", "nat-mode snat", hint("nat-mode", "snat", "dnat", "fullnat", "dsr"))
    add("vip", "nat-mode", incomplete("nat-mode", "dnat", "fullnat", "dsr"))
    # backends on port 8080: dsr rewrites no port
    add("vip", "nat-mode dsr",
        model("In dsr mode a backend's port is 0 or the VIP's port: dsr rewrites no port."))
    add("vip", "fullnat-source 10.0.0.1",
        r'% fullnat-source applies in nat-mode fullnat only: enter "nat-mode fullnat" first')
    add("vip6", "fullnat-source 10.0.0.1",
        nb_failed(r"VIP web6: fullnat-source 10\.0\.0\.1 is not of the VIP's address family"))
    add("vip6", "fullnat-source ff02::1",
        r"% Invalid fullnat source ff02::1: it is a multicast address\. " + UNICAST)
    add("vip6", "fullnat-source junk", hint("fullnat-source", "junk", "A.B.C.D", "X:X::X:X"))
    add("vip", "nat-mode fullnat", SILENT, undo=("vip", ["nat-mode dnat"]))
    return e


def _vip_health_check():
    e, add = _section("health-check")

    path_rule = r"An HTTP path is 1 to 255 characters, starts with '/' and holds printable ASCII without spaces"
    add("vip", "health-check", incomplete("health-check", "tcp", "http", "icmp"))
    add("vip", "health-check udp", hint("health-check", "udp", "tcp", "http", "icmp"))
    add("vip", "health-check http", incomplete("health-check http", "PATH"))
    add("vip", "health-check http healthz",
        r'% Invalid HTTP path "healthz": it does not start with \'/\'\. ' + path_rule)
    add("vip", "health-check http status",
        r'% Invalid HTTP path "status": it does not start with \'/\'')
    add("vip", "health-check http /" + "p" * 300,
        r'% Invalid HTTP path "/p{39}\.\.\.": it is longer than 255 characters')
    add("vip", "health-check http /x status 99", hint("health-check http /x status", "99", "(100-599)"))
    add("vip", "health-check tcp interval 99", hint("health-check tcp interval", "99", "(100-3600000)"))
    add("vip", "health-check tcp rise 0", hint("health-check tcp rise", "0", "(1-100)"))
    add("vip", "health-check tcp fall 101", hint("health-check tcp fall", "101", "(1-100)"))
    add("vip", "health-check tcp port 0", hint("health-check tcp port", "0", "(1-65535)"))
    add("vip", "health-check tcp icmp", hint("health-check tcp", "icmp", "<cr>", "port", "interval"))
    # the all-ports VIP's backend takes port 0: a tcp check needs a port
    add("vipdns", "health-check tcp", nb_failed(
        r"VIP dns: backend 10\.0\.0\.5 takes port 0 \(the client's port\): give the health-check a port to check"))
    add("vip", "health-check tcp interval 500 rise 2 fall 2", SILENT)  # as configured
    add("vip", "health-check icmp", SILENT,
        undo=("vip", ["health-check tcp interval 500 rise 2 fall 2"]))
    add("vip", "no health-check", SILENT,
        undo=("vip", ["health-check tcp interval 500 rise 2 fall 2"]))
    add("vip", "no health-check junk", hint("no health-check", "junk", "<cr>"))
    return e


def _vip_backend():
    e, add = _section("backend")

    add("vip", "backend", incomplete("backend", "A.B.C.D", "X:X::X:X"))
    add("vip", "backend 10.0.0.2", incomplete("backend 10.0.0.2", "port"))
    add("vip", "backend 10.0.0.2 port", incomplete("backend 10.0.0.2 port", "(0-65535)"))
    add("vip", "backend 10.0.0.2 port 65536", hint("backend 10.0.0.2 port", "65536", "(0-65535)"))
    add("vip", "backend 10.0.0.2 port 8080 weight 0", hint("backend 10.0.0.2 port 8080 weight", "0", "(1-65535)"))
    add("vip", "backend 10.0.0.2 port 8080 weight 65536",
        hint("backend 10.0.0.2 port 8080 weight", "65536", "(1-65535)"))
    add("vip", "backend 10.0.0.2 port 8080 down", hint("backend 10.0.0.2 port 8080", "down", "admin-down", "weight"))
    add("vip", "backend 10.0.0.2:8080", hint("backend", "10.0.0.2:8080", "A.B.C.D", "X:X::X:X"))
    add("vip", "backend 224.1.1.1 port 80",
        r"% Invalid backend address 224\.1\.1\.1: it is a multicast address\. " + UNICAST)
    add("vip", "backend 2001:db8::2 port 8080",
        model("A backend must be of the VIP's address family (IPv4 or IPv6)."))
    add("vipdns", "backend 10.0.0.6 port 53",
        model("The backends of an all-ports VIP take port 0 (the client's destination port)."))
    add("vip", "no backend 10.9.9.9 port 80",
        r"% Backend 10\.9\.9\.9 port 80 is not configured in VIP web4")
    add("vip", "no backend 10.0.0.2", incomplete("no backend 10.0.0.2", "port"))
    add("vip", "backend 10.0.0.2 port 8080", SILENT)  # as configured
    add("vip", "backend 10.0.0.2 port 8080 admin-down", SILENT,
        undo=("vip", ["backend 10.0.0.2 port 8080"]))
    add("vip", "backend 10.0.0.2 port 8080 weight 7", SILENT,
        undo=("vip", ["backend 10.0.0.2 port 8080"]))
    add("vip", ["backend 10.0.0.9 port 8080", "no backend 10.0.0.9 port 8080",
                "no backend 10.0.0.9 port 8080"],
        r"% Backend 10\.0\.0\.9 port 8080 is not configured in VIP web4")
    add("vip6", "backend fd00::2 port 8443 weight 3", SILENT)  # as configured
    add("ebpf", "backend 10.0.0.2 port 8080", [r"% Unknown command: ",
        r'% This is a command of the vip node: enter "ebpf", "load-balancer", then "vip NAME" first'])
    return e


def _nat():
    e, add = _section("nat source")

    add("ebpf", "nat junk", hint("nat", "junk", "<cr>"))
    add("ebpf", "nat", SILENT)
    add("nat", "source", incomplete("source", "A.B.C.D/M", "X:X::X:X/M"))
    add("nat", "source 10.0.0.0/33 out-interface r1-eth0 masquerade",
        hint("source", "10.0.0.0/33", "A.B.C.D/M", "X:X::X:X/M"))
    add("nat", "source 10.0.0.0 out-interface r1-eth0 masquerade",
        hint("source", "10.0.0.0", "A.B.C.D/M"))
    add("nat", "source 192.168.0.0/16 out-interface r1-eth0",
        incomplete("source 192.168.0.0/16 out-interface r1-eth0", "masquerade", "pool"))
    add("nat", "source 192.168.0.0/16 out-interface eth9 masquerade",
        nb_failed(r"interface eth9 does not exist"))
    add("nat", "source 192.168.0.0/16 out-interface a/b masquerade",
        bad_ifname("a/b", "it contains '/'"))
    add("nat", "source 192.168.0.0/16 out-interface abcdefghijklmnop masquerade",
        bad_ifname("abcdefghijklmnop", "it is longer than 15 bytes"))
    add("nat", "source 192.168.0.0/16 out-interface r1-eth0 pool 10.1.1.1 10.1.1.20",
        r"% Invalid pool 10\.1\.1\.1 10\.1\.1\.20: it holds more than 8 addresses, the most a rule takes")
    add("nat", "source 192.168.0.0/16 out-interface r1-eth0 pool 10.1.1.9 10.1.1.1",
        r"% Invalid pool 10\.1\.1\.9 10\.1\.1\.1: the first address is above the last")
    add("nat", "source 192.168.0.0/16 out-interface r1-eth0 pool fd00::1 fd00::2",
        r"% A pool must be of the source prefix's address family \(IPv4\)")
    add("nat", "source 192.168.0.0/16 out-interface r1-eth0 pool 224.0.0.1 224.0.0.2",
        r"% Invalid pool address 224\.0\.0\.1: it is a multicast address")
    add("nat", "source 192.168.0.0/16 out-interface r1-eth0 pool 10.1.1.1",
        incomplete("source 192.168.0.0/16 out-interface r1-eth0 pool 10.1.1.1", "A.B.C.D", "X:X::X:X"))
    # one source prefix, one rule
    add("nat", "source 10.0.0.0/8 out-interface r1-eth1 masquerade", nb_failed(
        r"source 10\.0\.0\.0/8 has two rules \(out-interface r1-eth0 and r1-eth1\): a source prefix takes one"))
    add("nat", "no source 192.168.0.0/16 out-interface r1-eth0",
        r"% No rule for source 192\.168\.0\.0/16 out-interface r1-eth0 \(configured: 10\.0\.0\.0/8 out-interface r1-eth0")
    add("nat", "no source 192.168.0.0/16", incomplete("no source 192.168.0.0/16", "out-interface"))
    # odd but valid: host bits masked, the rule as configured, a change
    add("nat", "source 10.1.2.3/8 out-interface r1-eth0 masquerade", SILENT)
    add("nat", "source 10.0.0.0/8 out-interface r1-eth0 pool 10.0.0.100 10.0.0.107", SILENT,
        undo=("nat", ["source 10.0.0.0/8 out-interface r1-eth0 masquerade"]))
    add("nat", ["source 172.16.0.0/12 out-interface r1-eth1 masquerade",
                "no source 172.16.0.0/12 out-interface r1-eth1 masquerade"], SILENT)
    add("ebpf", "source 10.0.0.0/8 out-interface r1-eth0 masquerade", [r"% Unknown command: ",
        r'% This is a command of the nat node: enter "ebpf", then "nat" first'])
    return e



def _policer():
    e, add = _section("policer")
    name_rule = VIP_RULE
    add("ebpf", "policer", incomplete("policer", "NAME"))
    add("ebpf", "policer bad/x",
        r'% Invalid policer name "bad/x": it holds[^\n]*\. ' + name_rule)
    add("ebpf", "policer " + LONG,
        r'% Invalid policer name "{}": [^\n]*\. '.format(q(LONG_ECHO)) + name_rule)
    add("ebpf", "no policer nosuch", q('% No policer "nosuch" (configured: gold, silver)'))
    add("ebpf", "srtcm cir 1000 cbs 1 ebs 0", [r"% Unknown command: ",
        q('% This is a command of the policer node: enter "ebpf", then "policer NAME" first')])
    add("policer", "srtcm cir 7 cbs 1 ebs 0", hint("srtcm cir", "7", "(8-400000000)"))
    add("policer", "srtcm cir 400000001 cbs 1 ebs 0",
        hint("srtcm cir", "400000001", "(8-400000000)"))
    add("policer", "srtcm cir 1000 cbs 0 ebs 0", hint("srtcm cir 1000 cbs", "0", "(1-4294967295)"))
    add("policer", "srtcm cir 1000 cbs 1", incomplete("srtcm cir 1000 cbs 1", "ebs"))
    add("policer", "srtcm cir 1000 cbs 1 ebs 0 blind",
        hint("srtcm cir 1000 cbs 1 ebs 0", "blind", "<cr>", "color-aware"))
    add("policer", "trtcm cir 2000 cbs 1 pir 1000 pbs 1",
        q("% The peak rate (pir 1000) must be at least the committed rate (cir 2000) (RFC 2698)"))
    add("policer", "trtcm cir 2000 cbs 1 pir 3000", incomplete("trtcm cir 2000 cbs 1 pir 3000", "pbs"))
    add("policer", "conform-action set-dscp 64", hint("conform-action set-dscp", "64", "(0-63)"))
    add("policer", "conform-action mark",
        hint("conform-action", "mark", "transmit", "drop", "set-dscp"))
    add("policer", "violate-action set-dscp", incomplete("violate-action set-dscp", "(0-63)"))
    add("policer", "apply vip nosuch",
        nb_failed(q("policer gold: apply vip nosuch: the load-balancer block has no VIP nosuch")))
    add("policer", "apply vip bad/x", bad_vip_name("bad/x", "it holds"))
    add("policer", "apply interface eth9", nb_failed("interface eth9 does not exist"))
    add("policer", "apply interface a/b", bad_ifname("a/b", "it contains"))
    add("policer", "apply match sideways 10.0.0.0/8",
        hint("apply match", "sideways", "source", "destination"))
    add("policer", "apply match source 10.0.0.0/33",
        hint("apply match source", "10.0.0.0/33", "A.B.C.D/M", "X:X::X:X/M"))
    add("policer", "apply match source 10.0.0.0/8 protocol icmp port 80",
        q("% A port needs protocol tcp or udp"))
    add("policer", "apply match source 2001:db8::/32 protocol icmp",
        q("% Protocol icmp is not of the prefix's address family: use icmpv6"))
    add("policer", "apply match source 10.0.0.0/8 protocol 256",
        hint("apply match source 10.0.0.0/8 protocol", "256", "tcp", "udp", "(1-255)"))
    add("policer", "apply match destination fd00::1/64",
        nb_failed(q("policer silver: apply match destination fd00::/64: policer gold applies "
                    "there already (one policer per direction and prefix)")))
    add("policer", "no apply interface r1-eth1",
        q("% This policer is not applied to interface r1-eth1"))
    add("policer", "no apply match source 10.8.0.0/16",
        q("% This policer has no match on source 10.8.0.0/16"))
    add("policer", "no trtcm", q("% This policer has no trtcm meter"))
    add("ebpf", ["policer other", "apply interface r1-eth0"],
        nb_failed(q("policer other: apply interface r1-eth0: policer gold applies there "
                    "already (one policer per interface)")),
        undo=("ebpf", ["no policer other"]))
    add("lb", "no vip web4",
        nb_failed(q("policer gold: apply vip web4: the load-balancer block has no VIP web4")))
    add("policer", "exceed-action drop", SILENT,
        undo=("policer", ["exceed-action set-dscp 10"]))
    add("policer", ["apply match source 10.8.0.0/16 protocol tcp port 443",
                    "no apply match source 10.8.0.0/16"], SILENT)
    add("enable", "show ebpf policer nosuch", q('% No policer "nosuch"'))
    add("enable", "show ebpf policer nosuch json", r"\A\{\s*\}\s*\Z", json=True)
    add("enable", "show ebpf policer gold junk",
        hint("show ebpf policer gold", "junk", "<cr>", "json"))
    add("enable", "show ebpf policer gold json", r'"gold":\s*\{', json=True)
    add("enable", "show ebpf policer", r"Datapath policer ids: 4 of 1023 in use")
    return e


def _chain():
    e, add = _section("chain")
    undo = ("ebpf", ["no chain c1"])
    add("ebpf", "chain", incomplete("chain", "NAME"))
    add("ebpf", "chain bad/x", r'% Invalid chain name "bad/x": it holds[^\n]*\. ' + VIP_RULE)
    add("ebpf", "no chain nosuch", q('% No chain "nosuch" (configured: none)'))
    add("ebpf", ["chain c1", "hook xdp"], nb_failed(r"chain c1: hook xdp: "), undo=undo)
    add("ebpf", ["chain c1", "object /nonexistent.o program p"],
        nb_failed(q("chain c1: cannot open object /nonexistent.o: No such file or directory")),
        undo=undo)
    add("ebpf", ["chain c1", "object relative.o program p"],
        q('% Invalid object "relative.o" program "p": An object is given by its absolute path'),
        undo=undo)
    add("ebpf", ["chain c1", "object /x.o program 1bad"],
        q('% Invalid object "/x.o" program "1bad": A program name is a C identifier'),
        undo=undo)
    add("ebpf", ["chain c1", "object /x.o"], incomplete("object /x.o", "program"), undo=undo)
    add("ebpf", ["chain c1", "position sideways"],
        hint("position", "sideways", "before", "after"), undo=undo)
    add("ebpf", ["chain c1", "position before priority 0"],
        hint("position before priority", "0", "(1-1000)"), undo=undo)
    add("ebpf", ["chain c1", "hook egress"], hint("hook", "egress", "tc-ingress", "xdp"), undo=undo)
    add("ebpf", ["chain c1", "interface a/b"], bad_ifname("a/b", "it contains"), undo=undo)
    add("ebpf", ["chain c1", "interface eth9"], nb_failed("interface eth9 does not exist"),
        undo=undo)
    add("ebpf", ["chain c1", "no interface r1-eth0"],
        q("% This chain is not on interface r1-eth0"), undo=undo)
    add("ebpf", "object /x.o program p", [r"% Unknown command: ",
        q('% This is a command of the chain node: enter "ebpf", then "chain NAME" first')])
    add("enable", "show ebpf chain junk", hint("show ebpf chain", "junk", "<cr>", "json"))
    add("enable", "show ebpf chain json", r'"xdpChaining":\s*"unavailable"', json=True)
    add("enable", "show ebpf chain", r"XDP chaining: unavailable: ")
    return e

def _show_lb():
    e, add_in = _section("show ebpf load-balancer, nat, conntrack")

    def add(lines, expect, **kw):
        add_in("enable", lines, expect, **kw)

    add("show ebpf load-balancer nosuch", r"% VIP nosuch is not configured")
    add("show ebpf load-balancer nosuch json", r"\A\{\s*\}\s*\Z", json=True)
    add("show ebpf load-balancer bad/x", bad_vip_name("bad/x", "it holds"))
    add("show ebpf load-balancer bad/x json", r'"error":\s*"Invalid VIP name', json=True)
    add("show ebpf load-balancer web4 junk", hint("show ebpf load-balancer web4", "junk", "<cr>", "json"))
    add("show ebpf load-balancer web4 json", r'"web4":\s*\{', json=True)
    add("show ebpf load-balancer json", r'"capacity":\s*\{', json=True)
    add("show ebpf nat junk", hint("show ebpf nat", "junk", "<cr>", "json"))
    add("show ebpf nat json", r'"10\.0\.0\.0/8 out-interface r1-eth0":\s*\{', json=True)
    add("show ebpf conntrack vip", incomplete("show ebpf conntrack vip", "NAME"))
    add("show ebpf conntrack vip nosuch", r"% VIP nosuch is not configured")
    add("show ebpf conntrack vip nosuch json", r'"error":\s*"VIP nosuch is not configured"', json=True)
    add("show ebpf conntrack vip bad/x", bad_vip_name("bad/x", "it holds"))
    add("show ebpf conntrack address 300.1.1.1",
        hint("show ebpf conntrack address", "300.1.1.1", "A.B.C.D", "X:X::X:X"))
    add("show ebpf conntrack protocol sctp",
        hint("show ebpf conntrack protocol", "sctp", "tcp", "udp", "icmp"))
    add("show ebpf conntrack protocol tcp address 10.0.0.1",
        hint("show ebpf conntrack protocol tcp", "address", "<cr>", "json"))
    add("show ebpf conntrack json", r'"flows":\s*\[', json=True)
    add("show ebpf conntrack address fd00::2 json", r'"matched":\s*0', json=True)
    add("show ebpf conntrack",
        r"0 flows \(tcp 0, udp 0, icmp 0\); entries: ct4_map \d+ of \d+, ct6_map \d+ of \d+")
    add("clear ebpf conntrack junk", hint("clear ebpf conntrack", "junk", "<cr>", "vip", "address", "protocol"))
    add("clear ebpf conntrack json", hint("clear ebpf conntrack", "json", "<cr>"))
    add("clear ebpf conntrack vip nosuch", r"% VIP nosuch is not configured")
    add("clear ebpf conntrack protocol icmp", SILENT)
    add("clear ebpf conntrack", SILENT)
    add_in("config", "clear ebpf conntrack", WRONG_NODE_ENABLE)
    add_in("vip", "do show ebpf load-balancer web4 json", r'"web4"', json=True)
    return e

CATALOGUE = (
    _interface()
    + _no_interface()
    + _ignore_ipsec()
    + _ebpf_node()
    + _no_ebpf()
    + _debug()
    + _show_dataplane()
    + _show_interface()
    + _show_route()
    + _show_nexthop_group()
    + _show_neighbor()
    + _show_statistics()
    + _clear_statistics()
    + _load_balancer()
    + _hash_seed()
    + _vip()
    + _vip_address()
    + _vip_options()
    + _vip_health_check()
    + _policer()
    + _chain()
    + _vip_backend()
    + _nat()
    + _show_lb()
)

# Every `show ebpf ... json` form: on a freshly started zebra each must
# print valid JSON (test_fresh_json).
SHOW_JSON = (
    "show ebpf dataplane json",
    "show ebpf interface json",
    "show ebpf interface r1-eth0 json",
    "show ebpf route json",
    "show ebpf route ipv4 json",
    "show ebpf route ipv6 json",
    "show ebpf route 192.0.2.0/24 json",
    "show ebpf route 2001:db8::/32 json",
    "show ebpf nexthop-group json",
    "show ebpf nexthop-group 1 json",
    "show ebpf neighbor json",
    "show ebpf statistics json",
    "show ebpf load-balancer json",
    "show ebpf load-balancer web4 json",
    "show ebpf load-balancer nosuch json",
    "show ebpf nat json",
    "show ebpf conntrack json",
    "show ebpf conntrack vip web4 json",
    "show ebpf conntrack protocol udp json",
    "show ebpf conntrack address 198.18.0.10 json",
    "show ebpf policer json",
    "show ebpf policer gold json",
    "show ebpf policer nosuch json",
    "show ebpf chain json",
)

# Output that would mean a refusal did not say what is valid, or that
# libfrr's own edit failed (a name or value that reached libyang unchecked).
# A refusal by the model's own must statements ("YANG error(s):" and one
# of MODEL_MESSAGES) is what the model is for, and is allowed
# (test_ebpf_cli_topo1.check_output).
FORBIDDEN = (
    r"% Failed to edit configuration",
    r"YANG error",
    r"% There is no matched command",
)


def counts():
    """{command: number of entries}, for the log."""
    n = {}
    for entry in CATALOGUE:
        n[entry.command] = n.get(entry.command, 0) + 1
    return n
