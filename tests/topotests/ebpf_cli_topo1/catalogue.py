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

import re

# What vtysh types before an entry's own lines.
NODES = {
    "enable": [],
    "config": ["configure terminal"],
    "ebpf": ["configure terminal", "ebpf"],
}

# The ebpf block of r1/frr.conf, to restore after entries that remove it.
RESTORE_EBPF = ("config", ["ebpf", "interface r1-eth0", "interface r1-eth1 mode tc"])

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
)

# Output that would mean a refusal did not say what is valid, or that
# libfrr's own edit failed (a name or value that reached libyang unchecked).
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
