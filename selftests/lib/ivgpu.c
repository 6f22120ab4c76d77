// SPDX-License-Identifier: GPL-2.0-only
/*
 * ivgpu.c: the documented vGPU types and test fixtures around them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ivgpu.h"

const struct ivgpu_type ivgpu_types[IVGPU_NR_TYPES] = {
	{ "ivgpu-V5_1024x768",  "V5_1024x768",  64,  384,  4, "1024x768",  2 },
	{ "ivgpu-V5_1920x1200", "V5_1920x1200", 128, 512,  4, "1920x1200", 4 },
	{ "ivgpu-V5_3840x2160", "V5_3840x2160", 256, 1024, 8, "3840x2160", 8 },
};

const char *ivgpu_parent(void)
{
	static char parent[MDEV_NAME_LEN];

	if (!parent[0])
		ASSERT_OK(mdev_find_parent(TYPE_SMALL->dir, parent,
					   sizeof(parent)));
	return parent;
}

long ivgpu_available(const struct ivgpu_type *t)
{
	long avail = mdev_available(ivgpu_parent(), t->dir);

	ASSERT_GE(avail, 0);
	return avail;
}

long budget_available(const struct ivgpu_budget *b,
		      const struct ivgpu_type *t)
{
	unsigned long by_gm = b->free_mib / type_gm_mib(t);

	return by_gm < b->slots ? by_gm : b->slots;
}

void budget_take(struct ivgpu_budget *b, const struct ivgpu_type *t)
{
	b->free_mib -= type_gm_mib(t);
	b->slots--;
}

void budget_give(struct ivgpu_budget *b, const struct ivgpu_type *t)
{
	b->free_mib += type_gm_mib(t);
	b->slots++;
}

void expect_available(const char *file, int line,
		      const struct ivgpu_budget *b)
{
	const struct ivgpu_type *t;

	for_each_type(t) {
		long got = ivgpu_available(t), want = budget_available(b, t);

		if (got != want)
			tap_fail(false, file, line,
				 "%s/available_instances: %ld, expected %ld (%lu MiB free, %lu slots)",
				 t->dir, got, want, b->free_mib, b->slots);
	}
}

void uuid_gen(char uuid[MDEV_UUID_LEN])
{
	ASSERT_OK(mdev_uuid_gen(uuid));
}

/*
 * UUIDs created by the running test, in memory shared with the harness,
 * so that instances a crashed test left behind are removed before the next
 * test counts available_instances.
 */
#define IVGPU_MAX_TRACKED	512

static char (*ivgpu_tracked)[MDEV_UUID_LEN];

static void ivgpu_track(const char *uuid)
{
	int i;

	for (i = 0; i < IVGPU_MAX_TRACKED; i++) {
		if (!ivgpu_tracked[i][0]) {
			snprintf(ivgpu_tracked[i], MDEV_UUID_LEN, "%s", uuid);
			return;
		}
	}
}

static void ivgpu_sweep(void)
{
	int i;

	for (i = 0; i < IVGPU_MAX_TRACKED && ivgpu_tracked[i][0]; i++) {
		if (mdev_exists(ivgpu_tracked[i])) {
			tap_log("removing leftover instance %s",
				ivgpu_tracked[i]);
			mdev_remove(ivgpu_tracked[i]);
		}
		ivgpu_tracked[i][0] = '\0';
	}
}

static void ivgpu_vfio_error(const char *what, int err)
{
	tap_fail(true, __FILE__, __LINE__, "vfio: %s: %s (%s)", what,
		 strerror(err), strerrorname_np(err));
}

static void __attribute__((constructor)) ivgpu_init(void)
{
	ivgpu_tracked = mmap(NULL, IVGPU_MAX_TRACKED * MDEV_UUID_LEN,
			     PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ivgpu_tracked == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	tap_after_each(ivgpu_sweep);
	vfio_set_error_handler(ivgpu_vfio_error);
}

/* ---- vGPU fixtures ---- */

static void vgpu_cleanup(void *arg)
{
	struct vgpu *v = arg;

	if (v->open)
		vgpu_close(v);
	if (v->created)
		EXPECT_OK(mdev_remove(v->uuid));
	free(v);
}

struct vgpu *vgpu_create(const struct ivgpu_type *t)
{
	struct vgpu *v = calloc(1, sizeof(*v));

	ASSERT_TRUE(v);
	v->type = t;
	uuid_gen(v->uuid);
	ivgpu_track(v->uuid);
	ASSERT_OK(mdev_create(ivgpu_parent(), t->dir, v->uuid));
	v->created = true;
	tap_defer(vgpu_cleanup, v);
	return v;
}

void vgpu_open(struct vgpu *v)
{
	ASSERT_OK(vfio_open_mdev(&v->dev, v->uuid));
	v->open = true;
}

struct vgpu *vgpu_new(const struct ivgpu_type *t)
{
	struct vgpu *v = vgpu_create(t);

	vgpu_open(v);
	return v;
}

void vgpu_close(struct vgpu *v)
{
	vfio_close(&v->dev);
	v->open = false;
}

void vgpu_remove(struct vgpu *v)
{
	if (v->open)
		vgpu_close(v);
	v->created = false;
	ASSERT_OK(mdev_remove(v->uuid));
}

long long vgpu_stat(struct vgpu *v, const char *name)
{
	char path[PATH_MAX], buf[4096], *line, *save;
	size_t len = strlen(name);

	snprintf(path, sizeof(path), "/sys/kernel/debug/ivgpu/%s/stats",
		 v->uuid);
	if (sysfs_read(path, buf, sizeof(buf)) < 0)
		SKIP("no %s", path);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, name, len) && line[len] == ' ')
			return strtoll(line + len + 1, NULL, 10);
	tap_fail(true, __FILE__, __LINE__, "no counter %s in %s", name, path);
	return -1;
}

/* ---- kernel log ---- */

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	ASSERT_GE(lseek(fd, 0, SEEK_END), 0);
	return fd;
}

static bool kmsg_match(const char *record, const char *const *needles)
{
	for (; *needles; needles++)
		if (!strstr(record, *needles))
			return false;
	return true;
}

bool kmsg_find(int fd, const char *const *needles, char *line, size_t len)
{
	char record[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, record, sizeof(record) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: skip ahead */
			continue;
		if (n <= 0)
			return false;
		record[n] = '\0';
		if (kmsg_match(record, needles)) {
			/* "prio,seq,time,flags;message\n" */
			const char *msg = strchr(record, ';');

			snprintf(line, len, "%s", msg ? msg + 1 : record);
			line[strcspn(line, "\n")] = '\0';
			return true;
		}
	}
}

static void *remover_main(void *arg)
{
	struct remover *r = arg;

	r->ret = mdev_remove(r->uuid);
	atomic_store(&r->done, true);
	return NULL;
}

void remover_start(struct remover *r, struct vgpu *v)
{
	memcpy(r->uuid, v->uuid, sizeof(r->uuid));
	atomic_store(&r->done, false);
	v->created = false;	/* the remover owns the instance now */
	ASSERT_OK(pthread_create(&r->thread, NULL, remover_main, r));
}

int remover_finish(struct remover *r, unsigned int secs)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += secs;
	if (pthread_timedjoin_np(r->thread, NULL, &deadline))
		return -ETIMEDOUT;
	return r->ret;
}
