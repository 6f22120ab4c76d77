// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mdev sysfs contract: the parent, the type directories and their
 * attributes, instance accounting, create/remove errors. Expects the module
 * loaded with default parameters.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ivgpu.h"

static void read_sysfs(const char *path, char *buf, size_t len)
{
	int ret = sysfs_read(path, buf, len);

	if (ret < 0)
		tap_fail(true, __FILE__, __LINE__, "reading %s: %s", path,
			 strerror(-ret));
}

static void read_parent_attr(const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s",
		 ivgpu_parent(), attr);
	read_sysfs(path, buf, len);
}

static void read_type_attr(const struct ivgpu_type *t, const char *attr,
			   char *buf, size_t len)
{
	int ret = mdev_type_attr(ivgpu_parent(), t->dir, attr, buf, len);

	if (ret < 0)
		tap_fail(true, __FILE__, __LINE__, "reading %s/%s: %s", t->dir,
			 attr, strerror(-ret));
}

/* The last path component of a symlink's target. */
static void link_basename(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	ASSERT_GT(n, 0);
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, len, "%s", base ? base + 1 : target);
}

TEST(parent_is_a_pci_device_in_its_own_domain)
{
	const char *parent = ivgpu_parent();
	unsigned int domain, bus, slot, fn;
	char buf[PATH_MAX];

	tap_log("parent %s", parent);
	ASSERT_EQ(sscanf(parent, "%4x:%2x:%2x.%1x", &domain, &bus, &slot, &fn),
		  4);
	EXPECT_EQ(strlen(parent), strlen("1000:00:02.0"));
	EXPECT_GE(domain, 0x1000);
	EXPECT_EQ(bus, 0);
	EXPECT_EQ(slot, 2);
	EXPECT_EQ(fn, 0);

	read_parent_attr("vendor", buf, sizeof(buf));
	EXPECT_STREQ(buf, "0x8086\n");
	read_parent_attr("device", buf, sizeof(buf));
	EXPECT_STREQ(buf, "0x19ff\n");
	read_parent_attr("class", buf, sizeof(buf));
	EXPECT_STREQ(buf, "0x038000\n");

	snprintf(buf, sizeof(buf), "/sys/bus/pci/devices/%s/driver", parent);
	link_basename(buf, buf, sizeof(buf));
	EXPECT_STREQ(buf, "ivgpu");

	snprintf(buf, sizeof(buf), "/sys/class/mdev_bus/%s", parent);
	EXPECT_TRUE(sysfs_exists(buf));
}

TEST(parent_is_alone_on_its_bus_with_no_bars_or_capabilities)
{
	const char *parent = ivgpu_parent();
	uint8_t cfg[64];
	char path[PATH_MAX];
	unsigned int bar;
	glob_t g;
	int fd;

	/* Every other devfn of the bus reads as absent. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%.8s*", parent);
	ASSERT_EQ(glob(path, 0, NULL, &g), 0);
	EXPECT_EQ(g.gl_pathc, 1);
	globfree(&g);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", parent);
	fd = open(path, O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pread(fd, cfg, sizeof(cfg), 0), sizeof(cfg));
	close(fd);

	EXPECT_EQ(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST, 0);
	EXPECT_EQ(cfg[PCI_HEADER_TYPE], PCI_HEADER_TYPE_NORMAL);
	for (bar = PCI_BASE_ADDRESS_0; bar <= PCI_BASE_ADDRESS_5; bar += 4) {
		uint32_t val;

		memcpy(&val, cfg + bar, 4);
		EXPECT_EQ(val, 0);
	}
}

TEST(parent_offers_exactly_the_documented_types)
{
	const struct ivgpu_type *t;
	char pattern[PATH_MAX];
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern),
		 "/sys/class/mdev_bus/%s/mdev_supported_types/*",
		 ivgpu_parent());
	ASSERT_EQ(glob(pattern, 0, NULL, &g), 0);
	EXPECT_EQ(g.gl_pathc, IVGPU_NR_TYPES);
	for (i = 0; i < g.gl_pathc; i++)
		tap_log("%s", strrchr(g.gl_pathv[i], '/') + 1);

	for_each_type(t) {
		bool found = false;

		for (i = 0; i < g.gl_pathc; i++)
			found |= !strcmp(strrchr(g.gl_pathv[i], '/') + 1,
					 t->dir);
		if (!found)
			tap_fail(false, __FILE__, __LINE__, "no type %s",
				 t->dir);
	}
	globfree(&g);
}

TEST(type_name_and_device_api)
{
	const struct ivgpu_type *t;
	char buf[256], want[256];

	for_each_type(t) {
		read_type_attr(t, "name", buf, sizeof(buf));
		snprintf(want, sizeof(want), "%s\n", t->name);
		EXPECT_STREQ(buf, want);

		read_type_attr(t, "device_api", buf, sizeof(buf));
		EXPECT_STREQ(buf, "vfio-pci\n");
	}
}

TEST(type_description)
{
	const struct ivgpu_type *t;
	char buf[512], want[512];

	for_each_type(t) {
		read_type_attr(t, "description", buf, sizeof(buf));
		snprintf(want, sizeof(want),
			 "low_gm_size: %uMB\nhigh_gm_size: %uMB\n"
			 "fence: %u\nresolution: %s\nweight: %u\n",
			 t->low_gm_mib, t->high_gm_mib, t->fences,
			 t->resolution, t->weight);
		EXPECT_STREQ(buf, want);
	}

	/* The documented example, spelled out. */
	read_type_attr(TYPE_SMALL, "description", buf, sizeof(buf));
	EXPECT_STREQ(buf, "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\n"
			  "resolution: 1024x768\nweight: 2\n");
}

TEST(available_instances_at_start)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;

	/* 65536 MiB over 448, 640 and 1280 MiB per instance. */
	EXPECT_EQ(ivgpu_available(&ivgpu_types[0]), 146);
	EXPECT_EQ(ivgpu_available(&ivgpu_types[1]), 102);
	EXPECT_EQ(ivgpu_available(&ivgpu_types[2]), 51);
	EXPECT_AVAILABLE(&budget);
}

TEST(create_and_remove_move_available_of_every_type)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	const struct ivgpu_type *t;

	for_each_type(t) {
		struct vgpu *v = vgpu_create(t);

		tap_log("one %s", t->dir);
		budget_take(&budget, t);
		EXPECT_AVAILABLE(&budget);

		vgpu_remove(v);
		budget_give(&budget, t);
		EXPECT_AVAILABLE(&budget);
	}
}

TEST(available_adds_up_over_instances_of_all_types)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	struct vgpu *v[2 * IVGPU_NR_TYPES];
	int i;

	for (i = 0; i < 2 * IVGPU_NR_TYPES; i++) {
		v[i] = vgpu_create(&ivgpu_types[i % IVGPU_NR_TYPES]);
		budget_take(&budget, v[i]->type);
	}
	EXPECT_AVAILABLE(&budget);
	/* 65536 - 2 * (448 + 640 + 1280) = 60800 MiB left. */
	EXPECT_EQ(ivgpu_available(&ivgpu_types[0]), 135);

	for (i = 0; i < 2 * IVGPU_NR_TYPES; i += 2) {
		vgpu_remove(v[i]);
		budget_give(&budget, v[i]->type);
		EXPECT_AVAILABLE(&budget);
	}
}

TEST(instance_appears_in_sysfs_and_goes_away)
{
	struct vgpu *v = vgpu_create(TYPE_SMALL);
	char path[PATH_MAX], name[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/mdev_type",
		 v->uuid);
	link_basename(path, name, sizeof(name));
	EXPECT_STREQ(name, TYPE_SMALL->dir);

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 v->uuid);
	EXPECT_TRUE(sysfs_exists(path));

	snprintf(path, sizeof(path),
		 "/sys/class/mdev_bus/%s/mdev_supported_types/%s/devices/%s",
		 ivgpu_parent(), TYPE_SMALL->dir, v->uuid);
	EXPECT_TRUE(sysfs_exists(path));

	vgpu_remove(v);
	EXPECT_FALSE(sysfs_exists(path));
	EXPECT_FALSE(mdev_exists(v->uuid));
}

TEST(malformed_uuid_gives_einval)
{
	static const char *const bad[] = {
		"not-a-uuid",
		"00000000-0000-0000-0000-00000000000",	/* 35 characters */
		"g0000000-0000-0000-0000-000000000000",
		"00000000_0000_0000_0000_000000000000",
	};
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		tap_log("\"%s\"", bad[i]);
		EXPECT_EQ(mdev_create(ivgpu_parent(), TYPE_SMALL->dir, bad[i]),
			  -EINVAL);
	}
	EXPECT_AVAILABLE(&budget);
}

TEST(duplicate_uuid_gives_eexist)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	struct vgpu *v = vgpu_create(TYPE_SMALL);
	const struct ivgpu_type *t;

	budget_take(&budget, TYPE_SMALL);
	for_each_type(t) {
		tap_log("again as %s", t->dir);
		EXPECT_EQ(mdev_create(ivgpu_parent(), t->dir, v->uuid),
			  -EEXIST);
	}
	EXPECT_AVAILABLE(&budget);
}

TEST(uuid_can_be_reused_after_remove)
{
	struct vgpu *v = vgpu_create(TYPE_SMALL);
	char uuid[MDEV_UUID_LEN];

	memcpy(uuid, v->uuid, sizeof(uuid));
	vgpu_remove(v);
	ASSERT_OK(mdev_create(ivgpu_parent(), TYPE_LARGE->dir, uuid));
	EXPECT_TRUE(mdev_exists(uuid));
	EXPECT_OK(mdev_remove(uuid));
}

TEST(many_instances_come_and_go)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	struct vgpu *v[40];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		v[i] = vgpu_create(TYPE_SMALL);
		budget_take(&budget, TYPE_SMALL);
	}
	EXPECT_AVAILABLE(&budget);
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		vgpu_remove(v[i]);
		budget_give(&budget, TYPE_SMALL);
	}
	EXPECT_AVAILABLE(&budget);
}
