// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pin directory (dp_pin.h): one per zebra instance, root-only, locked.
 *
 * Runs at module load, as root, before zebra drops its privileges: that
 * is the only moment zebra may create and open objects that user frr
 * must not reach. systemd mounts bpffs root-owned with mode 0700 on
 * Debian; the directory keeps that property whatever the mount's mode.
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>

#include "lib/zebra.h"
#include "lib/libfrr.h"

#include "dp_abi.h"
#include "maps/dp_pin.h"

#define DP_BPFFS "/sys/fs/bpf"

/* Held for the process's life: the lock goes with the last descriptor,
 * which zebra's daemonized child inherits. */
static int dp_pin_lock_fd = -1;

void dp_pin_default_dir(char *buf, size_t len)
{
	char base[256];
	size_t n;

	/* -N PATHSPACE shows in FRR's state directory, /var/run/frr/NAME. */
	snprintf(base, sizeof(base), DAEMON_VTY_DIR, "", "");
	n = strlen(base);
	if (strncmp(frr_vtydir, base, n) == 0 && frr_vtydir[n] == '/' &&
	    frr_vtydir[n + 1])
		snprintf(buf, len, "%s-%s", DP_PIN_ROOT, frr_vtydir + n + 1);
	else
		snprintf(buf, len, "%s", DP_PIN_ROOT);
}

static bool dp_on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* bpffs may be absent: a fresh boot without systemd, or a private mount
 * namespace such as a topotest router's. Mount it as systemd would. */
static int dp_ensure_bpffs(char *err, size_t errlen)
{
	if (dp_on_bpffs(DP_BPFFS))
		return 0;
	mkdir(DP_BPFFS, 0700);
	if (mount("bpf", DP_BPFFS, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700")) {
		snprintf(err, errlen, "cannot mount bpffs on %s: %s", DP_BPFFS,
			 safe_strerror(errno));
		return -errno;
	}
	zlog_info("ebpf: mounted bpffs on %s", DP_BPFFS);
	return 0;
}

/* mkdir -p, each new level root-only. */
static int dp_mkdir_root(const char *dir, char *err, size_t errlen)
{
	char path[256];
	char *p;

	if (strlcpy(path, dir, sizeof(path)) >= sizeof(path)) {
		snprintf(err, errlen, "pin directory name too long: %s", dir);
		return -ENAMETOOLONG;
	}
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path,
			 safe_strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * Root-only, whatever an earlier version of the plugin (pins owned by
 * frr) or an operator left: the directory 0700 and every pin 0600, owned
 * by root.
 */
static int dp_pin_tighten(int dfd, const char *dir, char *err, size_t errlen)
{
	struct dirent *de;
	DIR *d;
	int fd2;

	if (fchown(dfd, 0, 0) || fchmod(dfd, 0700)) {
		snprintf(err, errlen, "cannot make %s root-only: %s", dir,
			 safe_strerror(errno));
		return -errno;
	}
	fd2 = dup(dfd);
	d = fd2 >= 0 ? fdopendir(fd2) : NULL;
	if (!d) {
		if (fd2 >= 0)
			close(fd2);
		snprintf(err, errlen, "cannot list %s: %s", dir,
			 safe_strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (fchownat(dfd, de->d_name, 0, 0, AT_SYMLINK_NOFOLLOW) ||
		    fchmodat(dfd, de->d_name,
			     de->d_type == DT_DIR ? 0700 : 0600, 0))
			zlog_warn("ebpf: cannot make %s/%s root-only: %s", dir,
				  de->d_name, safe_strerror(errno));
	}
	closedir(d);
	return 0;
}

/* Whether process pid has an open descriptor on the file st describes. */
static bool dp_pin_pid_has_fd(const char *pid, const struct stat *st)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat fst;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		found = fstatat(dirfd(d), de->d_name, &fst, 0) == 0 &&
			fst.st_dev == st->st_dev && fst.st_ino == st->st_ino;
	}
	closedir(d);
	return found;
}

/*
 * Which process holds the directory's lock. /proc/locks names the process
 * that took it, which for a zebra started with -d is the parent that has
 * since exited (the module loads before zebra daemonizes): the holder is
 * the process that still has the locked directory open.
 */
static long dp_pin_lock_holder(int dfd)
{
	struct dirent *de;
	struct stat st;
	long holder = 0;
	char *end;
	DIR *d;

	if (fstat(dfd, &st) || !(d = opendir("/proc")))
		return 0;
	while (!holder && (de = readdir(d))) {
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		if (dp_pin_pid_has_fd(de->d_name, &st))
			holder = pid;
	}
	closedir(d);
	return holder;
}

int dp_pin_dir_claim(const char *dir, char *err, size_t errlen)
{
	int dfd, ret;
	long holder;
	char who[32];

	if (dir[0] != '/') {
		snprintf(err, errlen, "pin directory %s is not an absolute path",
			 dir);
		return -EINVAL;
	}
	ret = dp_ensure_bpffs(err, errlen);
	if (ret)
		return ret;
	ret = dp_mkdir_root(dir, err, errlen);
	if (ret)
		return ret;
	if (!dp_on_bpffs(dir)) {
		snprintf(err, errlen, "%s is not on a bpf filesystem", dir);
		return -EINVAL;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", dir,
			 safe_strerror(errno));
		return -errno;
	}
	if (flock(dfd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		holder = dp_pin_lock_holder(dfd);
		if (holder)
			snprintf(who, sizeof(who), "pid %ld", holder);
		else
			strlcpy(who, "pid unknown", sizeof(who));
		if (ret == -EWOULDBLOCK)
			snprintf(err, errlen,
				 "pin directory %s is in use by another zebra (%s); give each zebra its own with -N PATHSPACE or the module argument pin-dir=PATH",
				 dir, who);
		else
			snprintf(err, errlen, "cannot lock %s: %s", dir,
				 safe_strerror(-ret));
		close(dfd);
		return ret == -EWOULDBLOCK ? -EBUSY : ret;
	}
	ret = dp_pin_tighten(dfd, dir, err, errlen);
	if (ret) {
		close(dfd);
		return ret;
	}
	dp_pin_lock_fd = dfd;
	return 0;
}
