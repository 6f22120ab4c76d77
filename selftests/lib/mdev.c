// SPDX-License-Identifier: GPL-2.0-only
/*
 * mdev.c: sysfs helpers for mediated devices.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mdev.h"

#define MDEV_BUS_CLASS		"/sys/class/mdev_bus"
#define MDEV_DEVICES		"/sys/bus/mdev/devices"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = neg_errno();
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	return n;
}

int sysfs_write(const char *path, const char *str)
{
	size_t len = strlen(str);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	n = write(fd, str, len);
	if (n < 0) {
		n = neg_errno();
		close(fd);
		return n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

bool sysfs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int mdev_find_parent(const char *type, char *parent, size_t len)
{
	char pattern[PATH_MAX];
	const char *start, *end;
	glob_t g;
	int ret = -ENOENT;

	snprintf(pattern, sizeof(pattern),
		 MDEV_BUS_CLASS "/*/mdev_supported_types/%s", type);
	if (glob(pattern, 0, NULL, &g))
		return ret;
	/* .../mdev_bus/<parent>/mdev_supported_types/<type> */
	start = g.gl_pathv[0] + strlen(MDEV_BUS_CLASS "/");
	end = strchr(start, '/');
	if (end && (size_t)(end - start) < len) {
		memcpy(parent, start, end - start);
		parent[end - start] = '\0';
		ret = 0;
	}
	globfree(&g);
	return ret;
}

void mdev_type_path(char *path, size_t len, const char *parent,
		    const char *type, const char *file)
{
	snprintf(path, len, MDEV_BUS_CLASS "/%s/mdev_supported_types/%s/%s",
		 parent, type, file);
}

int mdev_type_attr(const char *parent, const char *type, const char *attr,
		   char *buf, size_t len)
{
	char path[PATH_MAX];

	mdev_type_path(path, sizeof(path), parent, type, attr);
	return sysfs_read(path, buf, len);
}

long mdev_available(const char *parent, const char *type)
{
	char buf[32], *end;
	long val;
	int ret;

	ret = mdev_type_attr(parent, type, "available_instances", buf,
			     sizeof(buf));
	if (ret < 0)
		return ret;
	errno = 0;
	val = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return val;
}

int mdev_create(const char *parent, const char *type, const char *uuid)
{
	char path[PATH_MAX];

	mdev_type_path(path, sizeof(path), parent, type, "create");
	return sysfs_write(path, uuid);
}

int mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s/remove", uuid);
	return sysfs_write(path, "1");
}

bool mdev_exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_DEVICES "/%s", uuid);
	return sysfs_exists(path);
}

int mdev_uuid_gen(char uuid[MDEV_UUID_LEN])
{
	int ret = sysfs_read("/proc/sys/kernel/random/uuid", uuid,
			     MDEV_UUID_LEN);

	if (ret < 0)
		return ret;
	if (ret != MDEV_UUID_LEN - 1)
		return -EIO;
	return 0;
}
