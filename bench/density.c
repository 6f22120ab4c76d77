// SPDX-License-Identifier: GPL-2.0-only
/*
 * B9: density. Live devices, each as a VM with its display on would keep
 * it: created, opened (a container of its own, as each QEMU has), the
 * guest's display programmed and shown (1024x768), the consumer's mapping
 * of it kept. More are added until the device's own limit (ivgpu: the
 * graphics-memory budget), an error, or the guest's memory running low.
 * Memory per instance comes from /proc/meminfo before and after.
 *
 *   ivgpu-V5_1024x768: 3 MiB of guest memory (anonymous, DMA-mapped),
 *     768 GGTT entries pinning it, a linear plane with its vblank
 *     interrupt masked (an idle console), the region plane queried,
 *     mapped and read;
 *   mdpy-xga: the plane region queried, its BAR (the framebuffer, in the
 *     device) mapped and read;
 *   mbochs-small: a 1024x768x32 mode, its video memory (BAR0) mapped and
 *     read, the plane queried, its dma-buf exported and kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

#define DXRES		1024
#define DYRES		768
#define DFRAME		((size_t)DXRES * DYRES * 4)
#define DFRAME_PAGES	(DFRAME / PAGE_SZ)
#define MAX_INST	1024	/* bench/run raises ivgpu's budget to it */
#define MARGIN_KIB	(256 * 1024)	/* stop with less available than this */

struct inst {
	char uuid[MDEV_UUID_LEN];
	bool created;
	struct vgpu v;		/* only dev and uuid are used for peers */
	const uint8_t *map;
	size_t maplen;
	int dmabuf;
};

struct fleet {
	const char *driver;
	const char *type;
	char parent[MDEV_NAME_LEN];
	struct inst *in;
	int n;
	uint64_t *remove_ns;	/* teardown of each, in removal order */
	int removed;
};

static const char *const fields[] = {
	"MemFree", "MemAvailable", "AnonPages", "Shmem", "SUnreclaim",
	"SReclaimable", "VmallocUsed", "PageTables", "KernelStack", "Percpu",
};
#define NFIELDS ARRAY_SIZE(fields)

static void meminfo_snapshot(long long *kib)
{
	unsigned int i;

	sync();
	sysfs_write("/proc/sys/vm/drop_caches", "3");
	for (i = 0; i < NFIELDS; i++)
		kib[i] = meminfo_kib(fields[i]);
}

/* CPU time spent busy, all CPUs, over ms milliseconds: a fraction. */
static double cpu_busy(unsigned int ms)
{
	unsigned long long a[10] = { 0 }, b[10] = { 0 }, busy = 0, total = 0;
	char buf[4096];
	int i;

	if (sysfs_read("/proc/stat", buf, sizeof(buf)) < 0)
		return -1;
	sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &a[0], &a[1],
	       &a[2], &a[3], &a[4], &a[5], &a[6], &a[7]);
	usleep(ms * 1000);
	if (sysfs_read("/proc/stat", buf, sizeof(buf)) < 0)
		return -1;
	sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &b[0], &b[1],
	       &b[2], &b[3], &b[4], &b[5], &b[6], &b[7]);
	/* user nice system idle iowait irq softirq steal */
	for (i = 0; i < 8; i++) {
		total += b[i] - a[i];
		if (i != 3 && i != 4)
			busy += b[i] - a[i];
	}
	return total ? (double)busy / total : -1;
}

static void fleet_cleanup(void *arg)
{
	struct fleet *f = arg;
	int i;

	for (i = f->n - 1; i >= 0; i--) {
		struct inst *x = &f->in[i];
		uint64_t start = bench_now();

		if (x->map)
			munmap((void *)x->map, x->maplen);
		if (x->dmabuf > 0)
			close(x->dmabuf);
		if (x->v.dev.fd >= 0 || x->v.dev.container >= 0)
			vfio_close(&x->v.dev);
		if (x->created)
			mdev_remove(x->uuid);
		if (f->remove_ns)
			f->remove_ns[f->removed++] = bench_since(start);
	}
	f->n = 0;
}

/* Mean teardown (ms) of removals [from, to). */
static double remove_ms(const struct fleet *f, int from, int to)
{
	uint64_t sum = 0;
	int i;

	if (to > f->removed)
		to = f->removed;
	if (from >= to)
		return 0;
	for (i = from; i < to; i++)
		sum += f->remove_ns[i];
	return sum / 1e6 / (to - from);
}

static const uint8_t *map_ro(int fd, off_t off, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

/* Turn the display on and keep what its consumer would keep. */
static void display_on(struct fleet *f, struct inst *x)
{
	struct vfio_device_gfx_plane_info pi;
	struct vfio_dev *d = &x->v.dev;

	if (!strcmp(f->driver, "ivgpu")) {
		struct guest_mem g = guest_mem_new(d, DFRAME_PAGES);

		x->v.type = TYPE_SMALL;
		snprintf(x->v.uuid, sizeof(x->v.uuid), "%s", x->uuid);
		ggtt_map(&x->v, 0, &g, 0, DFRAME_PAGES);
		/* An idle console: vblank interrupts masked, as i915 leaves them. */
		bar0_write32(&x->v, PIPE_ISR(PIPE_A) + IMR, 0xffffffff);
		plane_show(&x->v, DXRES, DYRES, 0, false);
		ASSERT_OK(plane_query(d->fd, VFIO_GFX_PLANE_TYPE_REGION, 0, &pi));
		ASSERT_EQ(pi.width, DXRES);
		x->maplen = d->regions[pi.region_index].size;
		x->map = map_ro(d->fd, d->regions[pi.region_index].offset,
				x->maplen);
	} else if (!strcmp(f->driver, "mdpy")) {
		ASSERT_OK(plane_query(d->fd, VFIO_GFX_PLANE_TYPE_REGION, 0, &pi));
		ASSERT_EQ(pi.width, DXRES);
		x->maplen = d->regions[BAR0].size;
		x->map = map_ro(d->fd, d->regions[BAR0].offset, x->maplen);
	} else {
		static const uint16_t mode[][2] = {
			{ 1, DXRES }, { 2, DYRES }, { 3, 32 }, { 6, DXRES },
			{ 4, 0x41 },
		};
		unsigned int i;
		int ret;

		/*
		 * The guest draws into the video memory (BAR0), the consumer
		 * takes the plane's dma-buf and keeps it. (mbochs' dma-bufs
		 * are read-only files that refuse a shared mapping.)
		 */
		for (i = 0; i < ARRAY_SIZE(mode); i++)
			vfio_write16(d, BAR2, 0x500 + 2 * mode[i][0], mode[i][1]);
		x->maplen = d->regions[BAR0].size;
		x->map = map_ro(d->fd, d->regions[BAR0].offset, x->maplen);
		ret = plane_query(d->fd, VFIO_GFX_PLANE_TYPE_DMABUF, 1, &pi);
		if (ret && errno == ENOMEM)	/* see display.c: asks twice */
			ret = plane_query(d->fd, VFIO_GFX_PLANE_TYPE_DMABUF, 1, &pi);
		ASSERT_OK(ret);
		ASSERT_EQ(pi.width, DXRES);
		x->dmabuf = ioctl(d->fd, VFIO_DEVICE_GET_GFX_DMABUF, &pi.dmabuf_id);
		ASSERT_GE(x->dmabuf, 0);
	}
	/* The consumer shows the frame: every page is read once. */
	touch_pages(x->map, DFRAME);
}

/*
 * Add live instances up to max (or a limit); returns how many, with the
 * reason it stopped in why.
 */
static int fleet_grow(struct fleet *f, int max, char *why, size_t len)
{
	snprintf(why, len, "reached %d", max);
	while (f->n < max) {
		struct inst *x = &f->in[f->n];
		long long avail = meminfo_kib("MemAvailable");
		int ret;

		if (avail >= 0 && avail < MARGIN_KIB) {
			snprintf(why, len, "memory: MemAvailable %lld MiB",
				 avail / 1024);
			break;
		}
		memset(x, 0, sizeof(*x));
		x->v.dev.fd = x->v.dev.container = x->v.dev.group = -1;
		uuid_gen(x->uuid);
		ret = mdev_create(f->parent, f->type, x->uuid);
		if (ret) {
			snprintf(why, len, "create: %s%s", strerror(-ret),
				 ret == -ENOSPC ? " (budget)" : "");
			break;
		}
		x->created = true;
		f->n++;
		ret = vfio_open_mdev(&x->v.dev, x->uuid);
		if (ret) {
			snprintf(why, len, "open: %s", strerror(-ret));
			break;
		}
		display_on(f, x);
	}
	return f->n;
}

/*
 * One result line: id, type, what, count, why it stopped, then per
 * instance in KiB: taken (MemFree), taken minus guest RAM, guest RAM,
 * slab, vmalloc, page tables, MemAvailable drop; ms to add one; ms to
 * close and remove one while most are live, and while few are; % of the
 * VM's CPU time busy while all are live and idle; verdict; note. Missing
 * numbers are empty.
 */
static void emit_density(const struct fleet *f, int n, const char *why,
			 const double *kib, const double *ms, const char *verdict,
			 const char *note)
{
	char nums[11][32];
	int i;

	for (i = 0; i < 11; i++)
		nums[i][0] = '\0';
	for (i = 0; kib && i < 7; i++)
		snprintf(nums[i], sizeof(nums[i]), "%.0f", kib[i]);
	for (i = 0; ms && i < 4; i++)
		snprintf(nums[7 + i], sizeof(nums[i]), "%.1f", ms[i]);
	bench_emit("density",
		   "B9 %s\t%s\tlive instances, display on\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
		   f->driver, f->type, n, why, nums[0], nums[1], nums[2],
		   nums[3], nums[4], nums[5], nums[6], nums[7], nums[8],
		   nums[9], nums[10], verdict, note);
}

static void fleet_run(struct fleet *f, int max, int *reached)
{
	long long before[NFIELDS], after[NFIELDS], d[NFIELDS];
	bool ivgpu = !strcmp(f->driver, "ivgpu");
	char why[128], note[400];
	uint64_t start, grow_ns, free_ns;
	struct bench_counters c;
	double per[NFIELDS], kib[7], ms[4], busy0, busy;
	unsigned int i;
	int n, k;

	*reached = 0;
	if (mdev_find_parent(f->type, f->parent, sizeof(f->parent))) {
		snprintf(note, sizeof(note),
			 "no parent offers %s (module not loaded)", f->type);
		bench_log("B9 %s: skipped: %s", f->driver, note);
		emit_density(f, 0, "", NULL, NULL, "skip", note);
		return;
	}
	f->in = calloc(MAX_INST, sizeof(*f->in));
	f->remove_ns = calloc(MAX_INST, sizeof(*f->remove_ns));
	ASSERT_TRUE(f->in && f->remove_ns);
	tap_defer(fleet_cleanup, f);

	busy0 = bench_opts.smoke ? 0 : cpu_busy(2000);
	meminfo_snapshot(before);
	start = bench_now();
	n = fleet_grow(f, max, why, sizeof(why));
	grow_ns = bench_since(start);
	meminfo_snapshot(after);
	/* What the live instances cost while nothing happens. */
	busy = bench_opts.smoke ? 0 : cpu_busy(2000);
	/* Memory taken, KiB, all instances: MemFree and MemAvailable drop, the rest grow. */
	for (i = 0; i < NFIELDS; i++)
		d[i] = (before[i] - after[i]) * (i < 2 ? 1 : -1);
	*reached = n;
	snprintf(note, sizeof(note), "CPU busy %.1f%% before they were added",
		 100 * busy0);
	if (ivgpu && n && bench_counters_read(f->in[0].uuid, &c))
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "; each: %lld pages pinned, vblank clock running: %lld",
			 bench_counter(&c, "pages_pinned"),
			 bench_counter(&c, "vblank_running"));
	start = bench_now();
	fleet_cleanup(f);
	free_ns = bench_since(start);
	if (!n) {
		emit_density(f, 0, why, NULL, NULL, ivgpu ? "miss" : "info", note);
		return;
	}
	for (i = 0; i < NFIELDS; i++)
		per[i] = (double)d[i] / n;
	/* Guest RAM: the anonymous memory the "VM" gave its display. */
	kib[0] = per[0];
	kib[1] = per[0] - per[2];
	kib[2] = per[2];
	kib[3] = per[4] + per[5];
	kib[4] = per[6];
	kib[5] = per[7];
	kib[6] = per[1];
	bench_log("B9 %s: %d instances (%s) in %.1f s, removed in %.1f s",
		f->driver, n, why, grow_ns / 1e9, free_ns / 1e9);
	k = n < 32 ? (n + 1) / 2 : 16;
	ms[0] = grow_ns / 1e6 / n;
	ms[1] = remove_ms(f, 0, k);
	ms[2] = remove_ms(f, n - k, n);
	ms[3] = 100 * busy;
	bench_log("B9 %s: closing and removing one: %.1f ms with %d to %d live, %.1f ms with %d to 1 live",
		f->driver, ms[1], n, n - k + 1, ms[2], k);
	bench_log("B9 %s: CPU busy with all live and idle: %.1f%% (%.1f%% before)",
		f->driver, 100 * busy, 100 * busy0);
	bench_log("B9 %s: per instance: %.0f KiB taken (MemFree), %.0f KiB guest RAM; besides it: slab %.0f, vmalloc %.0f, page tables %.0f, kernel stacks %.0f, percpu %.0f KiB",
		f->driver, per[0], per[2], per[4] + per[5], per[6], per[7],
		per[8], per[9]);
	/* The target: 1024 live, <= 128 KiB each besides guest RAM, idle. */
	emit_density(f, n, why, kib, ms,
		     ivgpu ? (n >= MAX_INST && kib[1] <= 128 &&
			      ms[3] - 100 * busy0 <= 0.2 ? "hit" : "miss") :
		     "info", note);
}

TEST(B9)
{
	struct fleet iv = { "ivgpu", TYPE_SMALL->dir };
	struct fleet md = { "mdpy", "mdpy-xga" };
	struct fleet mb = { "mbochs", "mbochs-small" };
	struct rlimit rl = { 8192, 8192 };
	int max = bench_opts.smoke ? 2 : MAX_INST, n, peers;

	setrlimit(RLIMIT_NOFILE, &rl);
	fleet_run(&iv, max, &n);
	ASSERT_GT(n, 0);
	/* The peers up to the same count, so that memory compares per instance. */
	peers = n;
	fleet_run(&md, peers, &n);
	fleet_run(&mb, peers, &n);
}
