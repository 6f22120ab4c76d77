/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mdev.h: sysfs helpers for mediated devices: find a parent, read type
 * attributes, create and remove instances.
 *
 * Functions that return int give 0 (or a count) on success and -errno on
 * failure.
 */
#ifndef IVGPU_SELFTESTS_MDEV_H
#define IVGPU_SELFTESTS_MDEV_H

#include <stdbool.h>
#include <stddef.h>

#define MDEV_UUID_LEN		37	/* 36 characters and a NUL */
#define MDEV_NAME_LEN		64

/* Read a sysfs file into buf (NUL-terminated); the length read. */
int sysfs_read(const char *path, char *buf, size_t len);
/* Write str to a sysfs file in one write(). */
int sysfs_write(const char *path, const char *str);
bool sysfs_exists(const char *path);

/*
 * The name of the (first) parent that offers this type, e.g.
 * "1000:00:02.0" for type "ivgpu-V5_1024x768".
 */
int mdev_find_parent(const char *type, char *parent, size_t len);

/* Read a type attribute ("name", "available_instances", ...). */
int mdev_type_attr(const char *parent, const char *type, const char *attr,
		   char *buf, size_t len);
/* available_instances as a number, or -errno. */
long mdev_available(const char *parent, const char *type);

/* The path of @file of @type under @parent (e.g. "create"). */
void mdev_type_path(char *path, size_t len, const char *parent,
		    const char *type, const char *file);
/* Write the UUID to the type's create file. */
int mdev_create(const char *parent, const char *type, const char *uuid);
/* Write 1 to /sys/bus/mdev/devices/<uuid>/remove. */
int mdev_remove(const char *uuid);
bool mdev_exists(const char *uuid);

/* A fresh random UUID from /proc/sys/kernel/random/uuid. */
int mdev_uuid_gen(char uuid[MDEV_UUID_LEN]);

#endif /* IVGPU_SELFTESTS_MDEV_H */
