// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module unload: with instances but no users it succeeds and takes the
 * parent and every instance with it; with a device fd open it is refused
 * and nothing breaks. Needs IVGPU_KO, the path of ivgpu.ko, to load the
 * module again afterwards.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ivgpu.h"

#define MODULE_NAME	"ivgpu"

static const char *ko_path(void)
{
	const char *ko = getenv("IVGPU_KO");

	if (!ko || !*ko)
		SKIP("IVGPU_KO is not set");
	return ko;
}

static bool module_loaded(void)
{
	return sysfs_exists("/sys/module/" MODULE_NAME);
}

static int module_load(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * delete_module() as rmmod does it, in a child process: a broken unload
 * may block, and the test must be able to tell. The result, or
 * -ETIMEDOUT (the child is left behind).
 */
static int module_unload(unsigned int secs)
{
	unsigned int i;
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK))
			_exit(errno);
		_exit(0);
	}
	for (i = 0; i < secs * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
		usleep(100 * 1000);
	}
	return -ETIMEDOUT;
}

/* Wait for the parent to show up again after a load. */
static bool parent_appears(char *parent, size_t len)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (!mdev_find_parent(TYPE_SMALL->dir, parent, len))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* Whatever happened, leave the module loaded for the tests after us. */
static void reload(void *arg)
{
	(void)arg;
	if (!module_loaded())
		EXPECT_OK(module_load(getenv("IVGPU_KO")));
}

TEST(unload_with_instances_and_no_users)
{
	const char *ko = ko_path();
	char parent[MDEV_NAME_LEN], path[PATH_MAX];
	struct vgpu *a, *b;

	snprintf(parent, sizeof(parent), "%s", ivgpu_parent());
	a = vgpu_new(TYPE_SMALL);
	b = vgpu_create(TYPE_LARGE);
	vgpu_close(a);

	tap_defer(reload, NULL);
	ASSERT_OK(module_unload(20));
	/* The instances went with the module. */
	a->created = b->created = false;

	EXPECT_FALSE(module_loaded());
	EXPECT_FALSE(mdev_exists(a->uuid));
	EXPECT_FALSE(mdev_exists(b->uuid));
	snprintf(path, sizeof(path), "/sys/class/mdev_bus/%s", parent);
	EXPECT_FALSE(sysfs_exists(path));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", parent);
	EXPECT_FALSE(sysfs_exists(path));

	/* Loading again gives the same parent with the whole budget. */
	ASSERT_OK(module_load(ko));
	ASSERT_TRUE(parent_appears(path, sizeof(path)));
	EXPECT_STREQ(path, parent);
	EXPECT_EQ(ivgpu_available(TYPE_SMALL), 146);
}

TEST(unload_while_a_device_is_open_is_refused)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	struct vgpu *v, *other;
	int ret;

	ko_path();
	v = vgpu_new(TYPE_SMALL);
	budget_take(&budget, TYPE_SMALL);
	tap_defer(reload, NULL);

	ret = module_unload(10);
	if (ret == -ETIMEDOUT) {
		/* Let the blocked unload finish before failing. */
		vgpu_close(v);
		tap_fail(true, __FILE__, __LINE__,
			 "unload blocked while a device fd was open");
	}
	tap_log("delete_module: %s", strerrorname_np(-ret));
	EXPECT_TRUE(ret == -EAGAIN || ret == -EBUSY);
	ASSERT_TRUE(module_loaded());

	/* Everything keeps working. */
	EXPECT_TRUE(mdev_exists(v->uuid));
	EXPECT_EQ(bar0_read64(v, IVGPU_PVINFO_OFFSET), IVGPU_VGT_MAGIC);
	EXPECT_OK(vfio_reset(&v->dev));
	EXPECT_AVAILABLE(&budget);
	other = vgpu_new(TYPE_SMALL);
	EXPECT_EQ(cfg_read16(other, PCI_VENDOR_ID), IVGPU_PCI_VENDOR_ID);
	vgpu_remove(other);

	/* Once the user is gone, unload works. */
	vgpu_close(v);
	EXPECT_OK(module_unload(20));
	v->created = !!module_loaded();
}

TEST(unload_with_no_instances)
{
	struct vgpu *v;

	ko_path();
	v = vgpu_new(TYPE_SMALL);
	tap_defer(reload, NULL);
	vgpu_close(v);
	vgpu_remove(v);
	EXPECT_OK(module_unload(20));
	EXPECT_FALSE(module_loaded());
}
