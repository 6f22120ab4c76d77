// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine.c: interleaved blocks, per-block ratios, counters, result lines;
 * and the helpers every benchmark shares (devices, guest memory, planes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

struct bench_opts bench_opts = {
	.blocks = 30,
	.rounds = 5,
	.block_ms = 15,
};

static void __attribute__((constructor)) bench_opts_init(void)
{
	const char *s;

	if ((s = getenv("BENCH_BLOCKS")) && atoi(s) > 0)
		bench_opts.blocks = atoi(s);
	if (bench_opts.blocks > BENCH_MAX_BLOCKS)
		bench_opts.blocks = BENCH_MAX_BLOCKS;
	if ((s = getenv("BENCH_ROUNDS")) && atoi(s) > 0)
		bench_opts.rounds = atoi(s);
	if ((s = getenv("BENCH_BLOCK_MS")) && atof(s) > 0)
		bench_opts.block_ms = atof(s);
	if ((s = getenv("BENCH_SMOKE")) && *s && strcmp(s, "0")) {
		bench_opts.smoke = true;
		bench_opts.blocks = 1;
	}
}

/* ---- result lines ---- */

void bench_log(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (bench_opts.smoke)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tap_log("%s", buf);
}

void bench_emit(const char *kind, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (bench_opts.smoke)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One line: tap_log would split at newlines, there are none. */
	tap_log("@%s\t%s", kind, buf);
}

/* ---- counters ---- */

bool bench_counters_read(const char *uuid, struct bench_counters *c)
{
	char path[256], buf[4096], *line, *save;

	c->n = 0;
	snprintf(path, sizeof(path), "/sys/kernel/debug/ivgpu/%s/stats", uuid);
	if (sysfs_read(path, buf, sizeof(buf)) < 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line && c->n < BENCH_MAX_COUNTERS;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		snprintf(c->name[c->n], sizeof(c->name[0]), "%s", line);
		c->val[c->n] = strtoll(sp + 1, NULL, 10);
		c->n++;
	}
	return true;
}

long long bench_counter(const struct bench_counters *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return c->val[i];
	return 0;
}

/* a += after - before, by name. */
static void counters_accumulate(struct bench_counters *a,
				const struct bench_counters *before,
				const struct bench_counters *after)
{
	int i, j;

	for (i = 0; i < after->n; i++) {
		long long d = after->val[i] - bench_counter(before, after->name[i]);

		for (j = 0; j < a->n; j++)
			if (!strcmp(a->name[j], after->name[i]))
				break;
		if (j == a->n) {
			if (a->n == BENCH_MAX_COUNTERS)
				continue;
			snprintf(a->name[j], sizeof(a->name[0]), "%s",
				 after->name[i]);
			a->val[j] = 0;
			a->n++;
		}
		a->val[j] += d;
	}
}

/*
 * Counters that are levels, or that count time rather than work: a rate
 * per operation of them means nothing.
 */
static bool counter_is_work(const char *name)
{
	static const char *const skip[] = {
		"pages_pinned", "ggtt_present", "vblank_ticks",
		"vblank_running", "irq_events", "irq_msi", "irq_intx",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(skip); i++)
		if (!strcmp(name, skip[i]))
			return false;
	return true;
}

void bench_counters_fmt(const struct bench_counters *delta, unsigned long ops,
			char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < delta->n && ops; i++) {
		double per;

		if (!delta->val[i] || !counter_is_work(delta->name[i]))
			continue;
		per = (double)delta->val[i] / ops;
		n += snprintf(buf + n, len > n ? len - n : 0, "%s%s=%.*f",
			      n ? " " : "", delta->name[i],
			      per == (long long)per ? 0 : 2, per);
	}
	if (!n)
		snprintf(buf, len, "-");
}

/* ---- blocks ---- */

/*
 * Iterations that make one chunk of v take about ms milliseconds (wall
 * time, untimed setup included). The first calls are left out: they pay
 * for what is cold (page faults, caches, lazily allocated state).
 */
static unsigned long calibrate(struct bench_variant *v, double ms)
{
	uint64_t target = (uint64_t)(ms * 1e6), el;
	unsigned long n = 1;
	int i;

	for (i = 0; i < 3; i++)
		v->run(v->ctx, 1);
	for (;;) {
		uint64_t start = bench_now();

		v->run(v->ctx, n);
		el = bench_since(start);
		if (el >= target / 4 || n >= (1ul << 24))
			break;
		n *= 2;
	}
	n = (unsigned long)((double)target * n / (el ? el : 1));
	return n ? n : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q of sorted x[0..n) (linear between neighbours). */
static double quantile(const double *x, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)pos;

	if (lo + 1 >= n)
		return x[n - 1];
	return x[lo] + (pos - lo) * (x[lo + 1] - x[lo]);
}

static double median_of(const double *in, int n)
{
	double x[BENCH_MAX_BLOCKS];

	memcpy(x, in, n * sizeof(x[0]));
	qsort(x, n, sizeof(x[0]), cmp_double);
	return quantile(x, n, 0.5);
}

/*
 * What reading the clock costs (a pair of reads, the median of many):
 * cases that time each operation themselves include one pair per
 * operation. Under TCG the guest's clocksource may be HPET, read through
 * a system call.
 */
static double clock_pair_ns;

static void clock_cost(void)
{
	static bool done;
	double x[BENCH_MAX_BLOCKS];
	int i, k;

	if (done || bench_opts.smoke)
		return;
	done = true;
	for (i = 0; i < BENCH_MAX_BLOCKS; i++) {
		uint64_t start = bench_now();

		for (k = 0; k < 100; k++)
			bench_since(bench_now());
		x[i] = bench_since(start) / 100.0;
	}
	clock_pair_ns = median_of(x, BENCH_MAX_BLOCKS);
	bench_emit("meta", "clock_pair_ns\t%.0f", clock_pair_ns);
}

void bench_run(struct bench_variant *v, int nv, double block_scale)
{
	int rounds = bench_opts.smoke ? 1 : bench_opts.rounds;
	double chunk_ms = bench_opts.block_ms * block_scale / rounds;
	int b, r, k, i;

	clock_cost();

	for (i = 0; i < nv; i++) {
		if (!v[i].units)
			v[i].units = 1;
		v[i].ops = 0;
		v[i].delta.n = 0;
		if (!v[i].run)
			continue;
		if (bench_opts.smoke)
			v[i].iters = 2;
		else if (!v[i].iters)
			v[i].iters = calibrate(&v[i], chunk_ms);
		else
			v[i].run(v[i].ctx, 1);	/* warm up */
		for (b = 0; b < bench_opts.blocks; b++)
			v[i].ns[b] = -1;
	}
	/*
	 * A block: rounds of one chunk of every case, the order rotating
	 * from round to round and block to block. A case's figure for the
	 * block is its fastest chunk: time the host takes from the VM (other
	 * guests, QEMU's own threads) only ever adds to a chunk.
	 */
	for (b = 0; b < bench_opts.blocks; b++) {
		for (r = 0; r < rounds; r++) {
			for (k = 0; k < nv; k++) {
				struct bench_variant *x = &v[(b + r + k) % nv];
				struct bench_counters before, after;
				bool counted = false;
				double per;
				uint64_t ns;

				if (!x->run)
					continue;
				if (x->uuid)
					counted = bench_counters_read(x->uuid, &before);
				ns = x->run(x->ctx, x->iters);
				if (counted && bench_counters_read(x->uuid, &after))
					counters_accumulate(&x->delta, &before, &after);
				per = ((double)ns - clock_pair_ns * x->clock_pairs *
				       x->iters) / ((double)x->iters * x->units);
				if (per < 0)
					per = 0;
				if (x->ns[b] < 0 || per < x->ns[b])
					x->ns[b] = per;
				x->ops += x->iters;
			}
		}
	}
	for (i = 0; i < nv; i++) {
		if (!v[i].run) {
			bench_log("%-10s skipped: %s", v[i].key, v[i].skip);
			continue;
		}
		bench_log("%-10s %10.0f ns/%s  (%lu per chunk)  %s", v[i].key,
			bench_median_ns(&v[i]), v[i].units > 1 ? "unit" : "op",
			v[i].iters, v[i].what);
	}
}

struct bench_variant *bench_find(struct bench_variant *v, int nv,
				 const char *key)
{
	int i;

	for (i = 0; i < nv; i++)
		if (!strcmp(v[i].key, key))
			return &v[i];
	tap_fail(true, __FILE__, __LINE__, "no variant %s", key);
	return NULL;
}

double bench_median_ns(const struct bench_variant *v)
{
	if (!v->run)
		return NAN;
	return median_of(v->ns, bench_opts.blocks);
}

void bench_ratio_ex(const char *id, const struct bench_variant *s,
		    const struct bench_variant *b, double target,
		    const char *target_text, bool cond, const char *note)
{
	double r[BENCH_MAX_BLOCKS], med, lo, hi, q1, q3;
	int n = bench_opts.blocks, i;
	const char *verdict;
	char counters[512];

	if (!s->run || !b->run) {
		const struct bench_variant *x = s->run ? b : s;

		bench_log("%s: %s vs %s: skipped (%s)", id, s->key, b->key,
			x->skip);
		bench_emit("ratio", "%s\t%s\t%s\t\t\t\t\t\t\t\t%s\tskip\t-\t%s",
			   id, s->what, b->what, target_text, x->skip);
		return;
	}
	for (i = 0; i < n; i++)
		r[i] = s->ns[i] / b->ns[i];
	qsort(r, n, sizeof(r[0]), cmp_double);
	med = quantile(r, n, 0.5);
	lo = r[0];
	hi = r[n - 1];
	q1 = quantile(r, n, 0.25);
	q3 = quantile(r, n, 0.75);
	if (target <= 0)
		verdict = "info";
	else
		verdict = med <= target && cond ? "hit" : "miss";
	bench_counters_fmt(&s->delta, s->ops, counters, sizeof(counters));
	bench_log("%s: %.3fx [%.3f-%.3f] %s vs %s (%.0f vs %.0f ns)%s%s%s%s", id,
		med, lo, hi, s->key, b->key, bench_median_ns(s),
		bench_median_ns(b), target > 0 ? "; target " : "",
		target > 0 ? target_text : "", target > 0 ? ": " : "",
		target > 0 ? verdict : "");
	if (strcmp(counters, "-"))
		bench_log("%s: counters per op: %s", id, counters);
	bench_emit("ratio", "%s\t%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.1f\t%.1f\t%s\t%s\t%s\t%s",
		   id, s->what, b->what, med, lo, hi, q1, q3,
		   bench_median_ns(s), bench_median_ns(b), target_text,
		   verdict, counters, note ? note : "");
}

void bench_ratio(const char *id, const struct bench_variant *s,
		 const struct bench_variant *b, double target,
		 const char *target_text)
{
	bench_ratio_ex(id, s, b, target, target_text, true, NULL);
}

void bench_value(const char *id, const char *what, double value,
		 const char *unit, const char *note)
{
	if (isnan(value)) {
		bench_log("%s: %s: skipped (a case it needs did not run)", id, what);
		return;
	}
	bench_log("%s: %s: %.1f %s%s%s", id, what, value, unit,
		note && *note ? " -- " : "", note ? note : "");
	bench_emit("value", "%s\t%s\t%.1f\t%s\t%s", id, what, value, unit,
		   note ? note : "");
}

/* ---- devices ---- */

static void mdevice_cleanup(void *arg)
{
	struct mdevice *m = arg;

	if (m->open)
		vfio_close(&m->dev);
	if (m->created)
		mdev_remove(m->uuid);
	free(m);
}

struct mdevice *mdevice_new(const char *type, const char **why)
{
	char reason[160];
	struct mdevice *m = calloc(1, sizeof(*m));
	int ret;

	ASSERT_TRUE(m);
	m->type = type;
	if (mdev_find_parent(type, m->parent, sizeof(m->parent))) {
		snprintf(reason, sizeof(reason),
			 "no parent offers %s (module not loaded)", type);
		goto fail;
	}
	uuid_gen(m->uuid);
	ret = mdev_create(m->parent, type, m->uuid);
	if (ret) {
		snprintf(reason, sizeof(reason), "creating %s: %s", type,
			 strerror(-ret));
		goto fail;
	}
	m->created = true;
	tap_defer(mdevice_cleanup, m);
	ret = vfio_open_mdev(&m->dev, m->uuid);
	if (ret) {
		snprintf(reason, sizeof(reason), "opening %s: %s", type,
			 strerror(-ret));
		*why = strdup(reason);
		return NULL;
	}
	m->open = true;
	return m;
fail:
	free(m);
	*why = strdup(reason);
	return NULL;
}

struct vgpu *bench_vgpu(const struct ivgpu_type *t, const char *mode)
{
	struct vgpu *v = vgpu_create(t);

	if (mode) {
		char path[256];

		snprintf(path, sizeof(path),
			 "/sys/bus/mdev/devices/%s/ivgpu/gfx_plane", v->uuid);
		ASSERT_OK(sysfs_write(path, mode));
	}
	vgpu_open(v);
	return v;
}

struct mapping {
	void *p;
	size_t len;
};

static void mapping_cleanup(void *arg)
{
	struct mapping *m = arg;

	munmap(m->p, m->len);
	free(m);
}

const uint8_t *bench_map_ro(int fd, off_t off, size_t len)
{
	struct mapping *m = calloc(1, sizeof(*m));

	ASSERT_TRUE(m);
	m->p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	if (m->p == MAP_FAILED) {
		int err = errno;

		free(m);
		tap_fail(true, __FILE__, __LINE__, "mmap of %zu bytes at 0x%llx: %s",
			 len, (unsigned long long)off, strerror(err));
	}
	m->len = len;
	tap_defer(mapping_cleanup, m);
	return m->p;
}

/* ---- guest memory and display ---- */

struct guest_mem guest_mem_new(struct vfio_dev *d, size_t pages)
{
	struct guest_mem g = { .pages = pages };
	size_t i;

	g.mem = vfio_dma_alloc(d, pages * PAGE_SZ, &g.iova);
	ASSERT_TRUE(g.mem);
	for (i = 0; i < pages * PAGE_SZ / 8; i++)
		((uint64_t *)g.mem)[i] = i * 0x9e3779b97f4a7c15ull;
	return g;
}

void ggtt_map(struct vgpu *v, uint64_t entry, const struct guest_mem *g,
	      size_t first, size_t pages)
{
	uint64_t buf[512];
	size_t done = 0;

	while (done < pages) {
		size_t n = pages - done < 512 ? pages - done : 512, k;

		for (k = 0; k < n; k++)
			buf[k] = (g->iova + (first + done + k) * PAGE_SZ) |
				 IVGPU_PTE_PRESENT;
		ASSERT_OK(vfio_region_write(&v->dev, BAR0, PTE(entry + done),
					    buf, n * 8));
		done += n;
	}
}

void plane_show(struct vgpu *v, uint32_t width, uint32_t height, uint64_t gm,
		bool tiled)
{
	uint32_t unit = tiled ? 512 : 64;
	uint32_t stride = (width * 4 + unit - 1) / unit;

	bar0_write32(v, PIPESRC(PIPE_A), (width - 1) << 16 | (height - 1));
	bar0_write32(v, PLANE_STRIDE(PIPE_A), stride);
	bar0_write32(v, PLANE_SIZE(PIPE_A), (height - 1) << 16 | (width - 1));
	bar0_write32(v, PLANE_OFFSET(PIPE_A), 0);
	bar0_write32(v, PLANE_CTL(PIPE_A), PLANE_CTL_ENABLE | PLANE_FMT_XRGB8888 |
					   (tiled ? PLANE_TILING_X : 0));
	bar0_write32(v, PLANE_SURF(PIPE_A), (uint32_t)gm);
	bar0_write32(v, TRANSCONF(PIPE_A), TRANSCONF_ENABLE);
}

void cursor_show(struct vgpu *v, uint64_t gm)
{
	bar0_write32(v, CURBASE(PIPE_A), (uint32_t)gm);
	bar0_write32(v, CURPOS(PIPE_A), 100 | 100u << 16);
	bar0_write32(v, CURCNTR(PIPE_A), CURSOR_64_ARGB);
}

int plane_query(int fd, uint32_t flags, uint32_t plane,
		struct vfio_device_gfx_plane_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->argsz = sizeof(*pi);
	pi->flags = flags;
	pi->drm_plane_type = plane;
	return ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, pi);
}

uint64_t touch_pages(const volatile uint8_t *p, size_t len)
{
	uint64_t sum = 0;
	size_t off;

	for (off = 0; off < len; off += PAGE_SZ)
		sum += p[off];
	return sum;
}

long long meminfo_kib(const char *field)
{
	char buf[8192], *p;
	size_t len = strlen(field);

	if (sysfs_read("/proc/meminfo", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, field, len) && p[len] == ':')
			return strtoll(p + len + 1, NULL, 10);
	return -1;
}
