#!/bin/sh
# /init of the test VM (see run.sh): set up what a booted Debian 12 system
# has that a test relies on, run /test/run, report its exit status on the
# console and power off.
#
# The guest script finds: busybox applets, the files run.sh was given, the
# modules it asked for already loaded, /proc, /sys, /dev, tmpfs on /run and
# /tmp (/var/run -> /run), bpffs on /sys/fs/bpf root-owned mode 0700 as
# systemd mounts it on Debian, root in /etc/passwd, the run.sh --env
# variables exported, and the current directory /test.
# Debian's busybox prefers its applets to programs on PATH (in its shell,
# nsenter, timeout...): run a real program that shares an applet's name
# (ip, tc, ping) by its full path.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
# systemd mounts bpffs like this on Debian (mount-setup.c: mode=0700); a
# daemon that drops root meets exactly this.
mount -t bpf -o mode=0700 bpf /sys/fs/bpf
mkdir -p /root /var/log /var/tmp
hostname qemu-test
ip link set lo up 2>/dev/null || true

[ -e /etc/passwd ] || echo 'root:x:0:0:root:/root:/bin/sh' >/etc/passwd
[ -e /etc/group ] || echo 'root:x:0:' >/etc/group
[ -e /etc/shadow ] || echo 'root:*:19000:0:99999:7:::' >/etc/shadow
chmod 0640 /etc/shadow

fail_boot=0
if [ -f /test/modules ]; then
	while read -r ko; do
		insmod "$ko" || {
			echo "FAIL: insmod $ko"
			fail_boot=1
		}
	done </test/modules
fi

echo "QEMU-TEST-BEGIN kernel $(uname -r)"
if [ $fail_boot -eq 0 ]; then
	set -a
	. /test/env
	set +a
	cd /test || exit 1
	/bin/sh /test/run
	rc=$?
else
	rc=1
fi
echo "QEMU-TEST-RESULT: rc=$rc"
sync
poweroff -f
