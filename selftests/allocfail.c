// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation failures, one at a time. The kernel's fail-nth fault injection
 * (/proc/thread-self/fail-nth, with CONFIG_FAULT_INJECTION, FAILSLAB and
 * FAIL_PAGE_ALLOC) fails the first, then the second, ... allocation an
 * operation makes, until the operation gets through without a failure:
 * a create, an open, a GGTT write that pins, a DMA unmap of pinned pages,
 * a plane query and dma-buf export, a migration save and a resume. Every
 * failed attempt must return a clean errno and leave nothing behind: the
 * module's live counters (debugfs ivgpu/live) read as before the attempt,
 * and the device works afterwards. Skipped where the kernel has no fault
 * injection (Debian's kernels); make test-debug runs it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gfx.h"
#include "ivgpu.h"
#include "mig.h"

#define PAGE		GFX_PAGE
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define LIVE		"/sys/kernel/debug/ivgpu/live"
#define MAX_SITES	4000		/* more would be a loop, not a site list */

static const char *const fail_attrs[] = { "failslab", "fail_page_alloc" };
static int nth_fd = -1;

/* ---- fail-nth ---- */

static void attr_write(const char *attr, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", attr, file);
	if (sysfs_exists(path))
		EXPECT_OK(sysfs_write(path, val));
}

/* Sleeping allocations fail too (the defaults spare them), quietly. */
static void attrs_set(bool on)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fail_attrs); i++) {
		attr_write(fail_attrs[i], "ignore-gfp-wait", on ? "N" : "Y");
		attr_write(fail_attrs[i], "ignore-gfp-highmem", on ? "N" : "Y");
		attr_write(fail_attrs[i], "verbose", on ? "0" : "2");
	}
}

static void fail_nth_off(void *arg)
{
	(void)arg;
	if (nth_fd >= 0) {
		pwrite(nth_fd, "0", 1, 0);
		close(nth_fd);
		nth_fd = -1;
	}
	attrs_set(false);
}

static void fail_nth_setup(void)
{
	if (!sysfs_exists("/sys/kernel/debug/failslab") ||
	    !sysfs_exists("/sys/kernel/debug/fail_page_alloc") ||
	    access(FAIL_NTH, W_OK))
		SKIP("the kernel has no fail-nth fault injection (CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC): make test-debug has");
	if (!sysfs_exists(LIVE))
		SKIP("no " LIVE " (debugfs not mounted)");
	tap_defer(fail_nth_off, NULL);
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(nth_fd, 0);
	attrs_set(true);
}

/* The @n-th fault check of this thread from now on fails. */
static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	ASSERT_EQ(pwrite(nth_fd, buf, len, 0), len);
}

/* Stop failing; true if the failure was injected. */
static bool disarm(void)
{
	char buf[16] = "";
	bool injected;

	ASSERT_TRUE(pread(nth_fd, buf, sizeof(buf) - 1, 0) > 0);
	injected = atoi(buf) == 0;
	ASSERT_EQ(pwrite(nth_fd, "0", 1, 0), 1);
	return injected;
}

/* ---- what lives ---- */

struct live {
	char text[256];
};

static void live_read(struct live *l)
{
	memset(l, 0, sizeof(*l));
	ASSERT_TRUE(sysfs_read(LIVE, l->text, sizeof(l->text)) > 0);
}

/* Whether @a and @b hold the same counts, the line of @ignore aside. */
static bool live_same(const struct live *a, const struct live *b,
		      const char *ignore)
{
	const char *p = a->text, *q = b->text;

	while (*p || *q) {
		size_t lp = strcspn(p, "\n"), lq = strcspn(q, "\n");
		bool skip = ignore && !strncmp(p, ignore, strlen(ignore)) &&
			    p[strlen(ignore)] == ' ';

		if (!skip && (lp != lq || memcmp(p, q, lp)))
			return false;
		p += lp + !!p[lp];
		q += lq + !!q[lq];
	}
	return true;
}

/*
 * One operation made to fail at each of its allocations in turn: @prep
 * (unarmed) sets up, @op (armed) returns 0 or -errno; @undo takes back
 * what a success made, @clean checks and repairs the device after a
 * failure. Either way the live counts must then be as before @op, but
 * for the line named @ignore. @allocates: whether @op allocates at all
 * (a DMA unmap must not: it cannot fail).
 */
struct op {
	const char *name;
	void (*prep)(void *ctx);
	int (*op)(void *ctx);
	void (*undo)(void *ctx);
	void (*clean)(void *ctx);
	const char *ignore;
	bool allocates;
};

static void every_failure(const struct op *o, void *ctx)
{
	unsigned int n, failed = 0, absorbed = 0;
	struct live before, after;

	for (n = 1; n <= MAX_SITES; n++) {
		bool injected;
		int ret;

		if (o->prep)
			o->prep(ctx);
		live_read(&before);
		arm(n);
		ret = o->op(ctx);
		injected = disarm();
		if (!ret && o->undo)
			o->undo(ctx);
		if (ret && o->clean)
			o->clean(ctx);
		live_read(&after);
		if (!live_same(&before, &after, o->ignore)) {
			tap_fail(false, __FILE__, __LINE__,
				 "%s: attempt %u (%s) left something behind",
				 o->name, n, ret ? strerror(-ret) : "success");
			tap_log("before:\n%safter:\n%s", before.text, after.text);
			return;
		}
		if (!injected) {
			/* Through without reaching the n-th check: done. */
			ASSERT_OK(ret);
			tap_log("%s: %u allocation failures, %u refused cleanly, %u absorbed",
				o->name, n - 1, failed, absorbed);
			EXPECT_EQ(n > 1, o->allocates);
			return;
		}
		if (!ret) {
			absorbed++;	/* the failure was handled or retried */
			continue;
		}
		failed++;
		if (ret != -ENOMEM && ret != -EFAULT)
			tap_fail(false, __FILE__, __LINE__,
				 "%s: failure %u returned %d (%s), not ENOMEM",
				 o->name, n, ret, strerror(-ret));
	}
	tap_fail(false, __FILE__, __LINE__, "%s: still failing after %u sites",
		 o->name, MAX_SITES);
}

/* ---- create ---- */

struct create_ctx {
	char path[512];
	char uuid[MDEV_UUID_LEN];
	int fd;
};

static void prep_create(void *p)
{
	struct create_ctx *c = p;

	c->fd = open(c->path, O_WRONLY | O_CLOEXEC);
	ASSERT_GE(c->fd, 0);
	uuid_gen(c->uuid);
}

static int op_create(void *p)
{
	struct create_ctx *c = p;
	int ret = 0;

	if (write(c->fd, c->uuid, strlen(c->uuid)) < 0)
		ret = -errno;
	close(c->fd);
	return ret;
}

static void undo_create(void *p)
{
	struct create_ctx *c = p;

	EXPECT_OK(mdev_remove(c->uuid));
}

static void clean_create(void *p)
{
	struct create_ctx *c = p;

	EXPECT_FALSE(mdev_exists(c->uuid));
}

TEST(create_fails_cleanly_at_every_allocation)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	struct create_ctx c;
	struct op o = { "create", prep_create, op_create, undo_create,
			clean_create, NULL, true };

	fail_nth_setup();
	mdev_type_path(c.path, sizeof(c.path), ivgpu_parent(), TYPE_SMALL->dir,
		       "create");
	every_failure(&o, &c);
	EXPECT_AVAILABLE(&budget);
}

/* ---- open ---- */

struct open_ctx {
	struct vgpu *v;
	struct vfio_dev d;
};

static int op_open(void *p)
{
	struct open_ctx *c = p;

	return vfio_open_mdev(&c->d, c->v->uuid);
}

static void undo_open(void *p)
{
	struct open_ctx *c = p;

	vfio_close(&c->d);
}

TEST(open_fails_cleanly_at_every_allocation)
{
	struct open_ctx c = { .v = vgpu_create(TYPE_SMALL) };
	struct op o = { "open", NULL, op_open, undo_open, NULL, NULL, true };

	fail_nth_setup();
	every_failure(&o, &c);
	/* And it opens, works and closes. */
	vgpu_open(c.v);
	bar0_write32(c.v, SCRATCH_REG, 0x600d);
	EXPECT_EQ(bar0_read32(c.v, SCRATCH_REG), 0x600d);
}

/* ---- what QEMU does with an open device ---- */

struct dev_ctx {
	struct vgpu *v;
	uint8_t *mem;		/* guest memory, 16 pages */
	uint64_t iova;
	uint32_t surf;		/* alternates: every query makes a new state */
	int dmabuf;
};

static void dev_ctx_init(struct dev_ctx *c, const char *plane)
{
	unsigned int i;

	c->v = vgpu_create(TYPE_SMALL);
	ASSERT_OK(gfx_plane_set(c->v->uuid, plane));
	vgpu_open(c->v);
	c->mem = vfio_dma_alloc(&c->v->dev, 16 * PAGE, &c->iova);
	ASSERT_TRUE(c->mem);
	for (i = 0; i < 16; i++)
		bar0_write64(c->v, PTE(i), (c->iova + i * PAGE) | IVGPU_PTE_PRESENT);
	gfx_plane_linear(c->v, PIPE_A, 0, 32, 32, 128 / 64);
	c->dmabuf = -1;
}

/* A GGTT write that pins a page: a failed pin shows scratch, no error. */
static int op_pin(void *p)
{
	struct dev_ctx *c = p;

	bar0_write64(c->v, PTE(100), (c->iova + 15 * PAGE) | IVGPU_PTE_PRESENT);
	return 0;
}

static void undo_pin(void *p)
{
	struct dev_ctx *c = p;

	bar0_write64(c->v, PTE(100), 0);
}

TEST(ggtt_pins_fail_cleanly_at_every_allocation)
{
	struct dev_ctx c;
	struct op o = { "GGTT write that pins", NULL, op_pin, undo_pin, NULL,
			NULL, true };
	long long pinned;

	dev_ctx_init(&c, "region");
	fail_nth_setup();
	pinned = vgpu_stat(c.v, "pages_pinned");
	/*
	 * Every attempt reports success (the guest's write is taken); the
	 * live counters still say whether a failed pin left a pin behind.
	 */
	every_failure(&o, &c);
	EXPECT_EQ(vgpu_stat(c.v, "pages_pinned"), pinned);
}

/* Unmap a page that GGTT entries pin (VFIO calls the module back). */
static int op_unmap(void *p)
{
	struct dev_ctx *c = p;
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = c->iova,
		.size = 16 * PAGE,
	};

	return ioctl(c->v->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

/* Map it again and let the entries pin it, unarmed. */
static void remap(void *p)
{
	struct dev_ctx *c = p;
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)c->mem,
		.iova = c->iova,
		.size = 16 * PAGE,
	};
	unsigned int i;

	op_unmap(c);
	ASSERT_OK(ioctl(c->v->dev.container, VFIO_IOMMU_MAP_DMA, &map));
	for (i = 0; i < 16; i++)
		bar0_write64(c->v, PTE(i), (c->iova + i * PAGE) | IVGPU_PTE_PRESENT);
	EXPECT_EQ(vgpu_stat(c->v, "pages_pinned"), 16);
}

TEST(dma_unmap_of_pinned_pages_allocates_nothing)
{
	struct dev_ctx c;
	struct op o = { "DMA unmap of pinned pages", NULL, op_unmap, remap,
			remap, NULL, false };

	dev_ctx_init(&c, "region");
	fail_nth_setup();
	every_failure(&o, &c);
}

/* QEMU's refresh with a dma-buf display: query, export, map, read. */
static int op_dmabuf(void *p)
{
	struct dev_ctx *c = p;
	struct vfio_device_gfx_plane_info pi;
	uint8_t *map;
	int fd;

	c->surf = c->surf ? 0 : 8 * PAGE;
	bar0_write32(c->v, GFX_PLANE_SURF(PIPE_A), c->surf);
	if (gfx_query(c->v, VFIO_GFX_PLANE_TYPE_DMABUF, GFX_PRIMARY, &pi))
		return -errno;
	if (!pi.dmabuf_id)
		return -ENODATA;
	fd = gfx_get_dmabuf(c->v, pi.dmabuf_id);
	if (fd < 0)
		return -errno;
	c->dmabuf = fd;
	map = mmap(NULL, pi.size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	munmap(map, pi.size);
	return 0;
}

static void undo_dmabuf(void *p)
{
	struct dev_ctx *c = p;

	if (c->dmabuf >= 0)
		close(c->dmabuf);
	c->dmabuf = -1;
}

TEST(plane_export_fails_cleanly_at_every_allocation)
{
	struct dev_ctx c;
	/* Each query keeps a new plane state: their count moves. */
	struct op o = { "plane query and dma-buf export", NULL, op_dmabuf,
			undo_dmabuf, undo_dmabuf, "plane_states", true };

	dev_ctx_init(&c, "dmabuf");
	fail_nth_setup();
	every_failure(&o, &c);
}

/* ---- migration ---- */

/* STOP_COPY and the whole stream, then back to RUNNING. */
static int op_save(void *p)
{
	struct dev_ctx *c = p;
	struct stream s = { 0 };
	int fd, ret;

	ret = mig_set_state(c->v, VFIO_DEVICE_STATE_STOP_COPY, &fd);
	if (!ret) {
		ret = stream_read_err(&s, fd);
		close(fd);
	}
	free(s.data);
	if (!ret)
		ret = mig_set_state(c->v, VFIO_DEVICE_STATE_RUNNING, NULL);
	return ret;
}

/* A refused step leaves ERROR (or a state on the way): reset. */
static void clean_mig(void *p)
{
	struct dev_ctx *c = p;

	if (mig_get_state(c->v) != VFIO_DEVICE_STATE_RUNNING)
		ASSERT_OK(vfio_reset(&c->v->dev));
	EXPECT_EQ(mig_get_state(c->v), VFIO_DEVICE_STATE_RUNNING);
}

TEST(migration_save_fails_cleanly_at_every_allocation)
{
	struct dev_ctx c;
	struct op o = { "migration save", NULL, op_save, NULL, clean_mig, NULL,
			true };

	/* No pins: the reset after a refused step would drop them. */
	c.v = vgpu_new(TYPE_SMALL);
	fail_nth_setup();
	every_failure(&o, &c);
}

struct resume_ctx {
	struct dev_ctx dev;
	struct stream s;
};

static int op_resume(void *p)
{
	struct resume_ctx *r = p;
	struct vgpu *v = r->dev.v;
	int fd, ret;

	ret = mig_set_state(v, VFIO_DEVICE_STATE_STOP, NULL);
	if (ret)
		return ret;
	ret = mig_set_state(v, VFIO_DEVICE_STATE_RESUMING, &fd);
	if (ret)
		return ret;
	ret = stream_write(fd, r->s.data, r->s.len);
	close(fd);
	if (!ret)
		ret = mig_set_state(v, VFIO_DEVICE_STATE_STOP, NULL);
	if (!ret)
		ret = mig_set_state(v, VFIO_DEVICE_STATE_RUNNING, NULL);
	return ret;
}

static void undo_resume(void *p)
{
	struct resume_ctx *r = p;

	EXPECT_EQ(bar0_read32(r->dev.v, SCRATCH_REG), 0x5a5a);
	bar0_write32(r->dev.v, SCRATCH_REG, 0);
}

static void clean_resume(void *p)
{
	struct resume_ctx *r = p;

	clean_mig(&r->dev);
	/* Nothing was loaded. */
	EXPECT_EQ(bar0_read32(r->dev.v, SCRATCH_REG), 0);
}

TEST(migration_resume_fails_cleanly_at_every_allocation)
{
	struct resume_ctx r = { 0 };
	struct op o = { "migration resume", NULL, op_resume, undo_resume,
			clean_resume, NULL, true };
	struct vgpu *src;
	int fd;

	src = vgpu_new(TYPE_SMALL);
	bar0_write32(src, SCRATCH_REG, 0x5a5a);
	ASSERT_OK(mig_set_state(src, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	stream_read(&r.s, fd);
	close(fd);
	r.dev.v = vgpu_new(TYPE_SMALL);
	fail_nth_setup();
	every_failure(&o, &r);
	free(r.s.data);
}
