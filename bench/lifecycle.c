// SPDX-License-Identifier: GPL-2.0-only
/*
 * B8: one device's life as management software and QEMU go through it:
 * create (sysfs), open (container, group, IOMMU, device fd, region info,
 * as QEMU's vfio-pci does), close, remove; against mtty and mdpy.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct life_ctx {
	const char *type;
	char parent[MDEV_NAME_LEN];
	char uuid[MDEV_UUID_LEN];	/* the instance alive now, if any */
	bool alive;
	uint64_t ns[4];			/* create, open, close, remove */
	unsigned long ops;
};

static void life_cleanup(void *arg)
{
	struct life_ctx *c = arg;

	if (c->alive)
		mdev_remove(c->uuid);
}

static uint64_t run_life(void *ctx, unsigned long n)
{
	struct life_ctx *c = ctx;
	uint64_t ns = 0, t[5];
	struct vfio_dev d;
	unsigned long i;
	int k;

	for (i = 0; i < n; i++) {
		uuid_gen(c->uuid);
		t[0] = bench_now();
		ASSERT_OK(mdev_create(c->parent, c->type, c->uuid));
		c->alive = true;
		t[1] = bench_now();
		ASSERT_OK(vfio_open_mdev(&d, c->uuid));
		t[2] = bench_now();
		vfio_close(&d);
		t[3] = bench_now();
		ASSERT_OK(mdev_remove(c->uuid));
		t[4] = bench_now();
		c->alive = false;
		for (k = 0; k < 4; k++)
			c->ns[k] += t[k + 1] - t[k];
		ns += t[4] - t[0];
	}
	c->ops += n;
	return ns;
}

static void life_setup(struct bench_variant *var, struct life_ctx *c,
		       const char *type)
{
	static char why[3][128];
	static int nwhy;

	c->type = type;
	if (mdev_find_parent(type, c->parent, sizeof(c->parent))) {
		snprintf(why[nwhy % 3], sizeof(why[0]),
			 "no parent offers %s (module not loaded)", type);
		var->skip = why[nwhy++ % 3];
		return;
	}
	tap_defer(life_cleanup, c);
	var->run = run_life;
	var->ctx = c;
}

static void life_phases(const char *driver, const struct life_ctx *c)
{
	char id[32], note[200];
	double per = c->ops ? 1e3 * c->ops : 1;

	if (!c->ops)
		return;
	snprintf(id, sizeof(id), "B8 %s", driver);
	snprintf(note, sizeof(note),
		 "create %.0f, open %.0f, close %.0f, remove %.0f (us)",
		 c->ns[0] / per, c->ns[1] / per, c->ns[2] / per, c->ns[3] / per);
	bench_value(id, "create + open + close + remove, mean of every run",
		    (c->ns[0] + c->ns[1] + c->ns[2] + c->ns[3]) / per, "us", note);
}

TEST(B8)
{
	struct life_ctx iv = { 0 }, mt = { 0 }, md = { 0 };
	struct bench_variant var[] = {
		{ "ivgpu", "create + open + close + remove, ivgpu-V5_1024x768" },
		{ "mtty", "create + open + close + remove, mtty-1" },
		{ "mdpy", "create + open + close + remove, mdpy-vga" },
	};
	int nv = ARRAY_SIZE(var);

	life_setup(&var[0], &iv, TYPE_SMALL->dir);
	ASSERT_TRUE(var[0].run);
	life_setup(&var[1], &mt, "mtty-1");
	life_setup(&var[2], &md, "mdpy-vga");
	bench_run(var, nv, 5);

	bench_ratio("B8 vs mtty", &var[0], &var[1], 1.0, "<= mtty");
	bench_ratio("B8 vs mdpy", &var[0], &var[2], 1.0, "<= mdpy");
	life_phases("ivgpu", &iv);
	life_phases("mtty", &mt);
	life_phases("mdpy", &md);
}
