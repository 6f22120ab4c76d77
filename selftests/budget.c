// SPDX-License-Identifier: GPL-2.0-only
/*
 * The instance budget with a small pool: graphics memory and max_vgpus
 * both limit available_instances, and an exhausted budget fails create
 * with ENOSPC and says why in the kernel log.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ivgpu.h"

#define GM_BUDGET_MIB	2000
#define MAX_VGPUS	3

TAP_MODULE_PARAMS("gm_budget_mib=2000 max_vgpus=3")

#define SMALL_BUDGET ((struct ivgpu_budget){	\
	.free_mib = GM_BUDGET_MIB,		\
	.slots = MAX_VGPUS,			\
})

static const struct ivgpu_type *const type_medium = &ivgpu_types[1];

static int create(const struct ivgpu_type *t)
{
	char uuid[MDEV_UUID_LEN];

	uuid_gen(uuid);
	return mdev_create(ivgpu_parent(), t->dir, uuid);
}

static void expect_param(const char *name, const char *want)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/module/ivgpu/parameters/%s", name);
	if (sysfs_read(path, buf, sizeof(buf)) < 0)
		SKIP("%s is not readable", path);
	EXPECT_STREQ(buf, want);
}

TEST(module_parameters_took_effect)
{
	expect_param("gm_budget_mib", "2000\n");
	expect_param("max_vgpus", "3\n");
}

TEST(available_instances_at_start)
{
	struct ivgpu_budget budget = SMALL_BUDGET;

	/* min(2000 / 448, 3), min(2000 / 640, 3), min(2000 / 1280, 3) */
	EXPECT_EQ(ivgpu_available(&ivgpu_types[0]), 3);
	EXPECT_EQ(ivgpu_available(&ivgpu_types[1]), 3);
	EXPECT_EQ(ivgpu_available(&ivgpu_types[2]), 1);
	EXPECT_AVAILABLE(&budget);
}

TEST(exhausted_memory_gives_enospc_and_a_log_line)
{
	struct ivgpu_budget budget = SMALL_BUDGET;
	const char *const needles[] = { TYPE_LARGE->name, "720", NULL };
	char line[1024];
	int kmsg;

	vgpu_create(TYPE_LARGE);
	budget_take(&budget, TYPE_LARGE);
	/* 720 MiB left: one of the two smaller types, none of the largest. */
	EXPECT_EQ(ivgpu_available(TYPE_LARGE), 0);
	EXPECT_AVAILABLE(&budget);

	kmsg = kmsg_open();
	EXPECT_EQ(create(TYPE_LARGE), -ENOSPC);
	EXPECT_AVAILABLE(&budget);

	if (kmsg_find(kmsg, needles, line, sizeof(line)))
		tap_log("kernel: %s", line);
	else
		tap_fail(false, __FILE__, __LINE__,
			 "no kernel log line naming %s and 720 (MiB left)",
			 TYPE_LARGE->name);
	close(kmsg);
}

TEST(memory_is_shared_across_types)
{
	struct ivgpu_budget budget = SMALL_BUDGET;

	vgpu_create(type_medium);
	budget_take(&budget, type_medium);
	EXPECT_AVAILABLE(&budget);

	vgpu_create(TYPE_LARGE);
	budget_take(&budget, TYPE_LARGE);
	/* 80 MiB left: nothing fits. */
	EXPECT_AVAILABLE(&budget);
	EXPECT_EQ(ivgpu_available(TYPE_SMALL), 0);
	EXPECT_EQ(create(TYPE_SMALL), -ENOSPC);
	EXPECT_AVAILABLE(&budget);
}

TEST(max_vgpus_limits_instances)
{
	struct ivgpu_budget budget = SMALL_BUDGET;
	const struct ivgpu_type *t;
	int i;

	for (i = 0; i < MAX_VGPUS; i++) {
		vgpu_create(TYPE_SMALL);
		budget_take(&budget, TYPE_SMALL);
		EXPECT_AVAILABLE(&budget);
	}
	/* 656 MiB would still fit a small one, but no slot is left. */
	for_each_type(t)
		EXPECT_EQ(ivgpu_available(t), 0);
	EXPECT_EQ(create(TYPE_SMALL), -ENOSPC);
	EXPECT_AVAILABLE(&budget);
}

TEST(remove_gives_the_budget_back)
{
	struct ivgpu_budget budget = SMALL_BUDGET;
	struct vgpu *v[MAX_VGPUS];
	int i;

	for (i = 0; i < MAX_VGPUS; i++) {
		v[i] = vgpu_create(TYPE_SMALL);
		budget_take(&budget, TYPE_SMALL);
	}
	vgpu_remove(v[0]);
	budget_give(&budget, TYPE_SMALL);
	EXPECT_AVAILABLE(&budget);
	EXPECT_EQ(ivgpu_available(TYPE_SMALL), 1);

	/* The freed slot and memory can be taken again. */
	vgpu_create(TYPE_SMALL);
	budget_take(&budget, TYPE_SMALL);
	EXPECT_AVAILABLE(&budget);
}

#define NR_RACERS	8

struct racer {
	pthread_t thread;
	char uuid[MDEV_UUID_LEN];
	int ret;
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	r->ret = mdev_create(ivgpu_parent(), TYPE_SMALL->dir, r->uuid);
	return NULL;
}

static void remove_uuid(void *arg)
{
	mdev_remove(arg);
}

TEST(racing_creates_never_overshoot)
{
	struct ivgpu_budget budget = SMALL_BUDGET;
	struct racer r[NR_RACERS];
	int i, created = 0, refused = 0;

	ivgpu_parent();		/* look it up before the threads race */
	for (i = 0; i < NR_RACERS; i++) {
		uuid_gen(r[i].uuid);
		ASSERT_OK(pthread_create(&r[i].thread, NULL, racer_main, &r[i]));
	}
	for (i = 0; i < NR_RACERS; i++) {
		pthread_join(r[i].thread, NULL);
		if (!r[i].ret) {
			tap_defer(remove_uuid, r[i].uuid);
			budget_take(&budget, TYPE_SMALL);
			created++;
		}
		refused += r[i].ret == -ENOSPC;
	}
	EXPECT_EQ(created, MAX_VGPUS);
	EXPECT_EQ(refused, NR_RACERS - MAX_VGPUS);
	EXPECT_AVAILABLE(&budget);
}
