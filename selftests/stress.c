// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU touches one vGPU from several threads at once; so does this test,
 * for IVGPU_STRESS_SECONDS (default 10) with IVGPU_STRESS_SEED (printed; it
 * fixes each thread's choices, not how they interleave): two vCPUs
 * (registers, flips, GGTT entries at mapped and unmapped memory), the
 * display refresh (region and dma-buf planes), the memory listener
 * (MAP_DMA/UNMAP_DMA of a range GGTT entries point at), migration (saves,
 * PRE_COPY where the kernel has it, loads) and management (debugfs, and
 * in one test the remove). Every call's errno must be one expected for the
 * call and the state; a plane that held still (vcpu0 bumps a generation
 * before and after each change) shows the pattern vcpu0 painted; entries
 * into the listener's range show its memory while it is mapped and the
 * scratch page once not; no pin outlives its mapping.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/param.h>
#include <time.h>
#include <unistd.h>

#include "gfx.h"
#include "mig.h"

#define PAGE		GFX_PAGE
#define TYPE		TYPE_SMALL	/* 1024x768 */
#define FB_PAGES	768UL		/* 1024x768 at 4096 bytes a line */
#define FB_BYTES	(FB_PAGES * PAGE)
#define NR_BUFS		3		/* guest frame buffers behind 2 slots */
#define JUNK_PAGES	64		/* guest memory for vcpu1's entries */
#define SCR_PAGES	32		/* the listener's range */
#define SLOT_IDX(s)	((uint64_t)(s) * FB_PAGES)	/* 2 slots from entry 0 */
#define V1_IDX		2048UL		/* vcpu1's entries */
#define V1_N		128
#define L_IDX		4096UL		/* entries into the listener's range */
#define MAX_PINNED	(2 * FB_PAGES + V1_N + SCR_PAGES)
#define STREAM_MAX	(16UL << 20)
#define FMT_XRGB8888	0x34325258	/* DRM_FORMAT_XRGB8888 */
#define MOD_X_TILED	((1ULL << 56) | 1)	/* I915_FORMAT_MOD_X_TILED */
#define E(e)		(1ULL << (e))
#define DEV_GONE	(E(ENODEV) | E(EIO))	/* from a device going away */
#define MAX_NOTES	4

enum { VCPU0, VCPU1, DISPLAY, LISTENER, MIGRATION, MANAGEMENT, NR_THR };

static const char *const thr_names[NR_THR] = {
	"vcpu0", "vcpu1", "display", "listener", "migration", "management",
};

static const char *const mig_names[] = {
	"ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P",
	"PRE_COPY", "PRE_COPY_P2P",
};

static const uint32_t modes[][2] = { { 1024, 768 }, { 800, 600 }, { 640, 480 } };

/* What vcpu0 made pipe A show. */
struct plane_desc {
	bool on, tiled;
	uint32_t w, h, stride, seed, slot;
};

struct thr {
	struct stress *s;
	pthread_t thread;
	uint64_t rng;
	unsigned long ops, checks, expected, errors;
	char notes[MAX_NOTES][320];
	struct plane_desc model;	/* vcpu0: pipe A */
	unsigned int bufmap[2];		/* vcpu0: the buffer behind each slot */
	uint32_t paint;
	uint8_t *buf[2];		/* display: pixels; migration: streams */
	size_t len, saved;
	unsigned long saves, precopies, cancels, loads;
	bool dead;			/* migration: device state unknown */
};

struct stress {
	struct vgpu *v;
	uint64_t seed;
	bool precopy, running, scr_mapped;
	atomic_bool removing, stop;
	atomic_int mig_state;
	atomic_ulong stills;		/* refreshes that saw the plane hold still */
	uint8_t *mem;			/* frame buffers, then vcpu1's pages */
	uint8_t *scr;			/* the listener's range */
	uint64_t iova, scr_iova, hole_iova;
	int req_fd, msi_fd;
	uint8_t *keep;			/* the display's last dma-buf mapping */
	size_t keep_len;
	struct thr thr[NR_THR];

	pthread_mutex_t lock;		/* everything below */
	pthread_cond_t cond;
	unsigned long gen;		/* bumped before and after a plane change */
	bool valid;			/* desc is what the device shows */
	struct plane_desc desc;
	bool pause, reload;		/* vCPUs to stop; device state replaced */
	int vcpus, paused;
};

static double stress_seconds(void)
{
	const char *env = getenv("IVGPU_STRESS_SECONDS");

	return env && atof(env) > 0 ? atof(env) : 10;
}

/* A test runs for that long and then some: give the harness room. */
static void __attribute__((constructor)) stress_timeout(void)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.0f", 2 * stress_seconds() + 120);
	setenv("TAP_TIMEOUT", buf, 0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rnd(struct thr *t)
{
	uint64_t z = (t->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static bool stopping(struct stress *s)
{
	return atomic_load(&s->stop);
}

static void __attribute__((format(printf, 2, 3)))
note(struct thr *t, const char *fmt, ...)
{
	va_list ap;

	if (t->errors++ >= MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(t->notes[t->errors - 1], sizeof(t->notes[0]), fmt, ap);
	va_end(ap);
}

/*
 * A call's outcome, err 0 or its errno: true if it worked. An errno in
 * @live, or in @removing once the remove was asked for, is expected (and
 * counted); any other is recorded with the call and the state.
 */
static bool __attribute__((format(printf, 5, 6)))
ok(struct thr *t, int err, uint64_t live, uint64_t removing, const char *fmt, ...)
{
	bool rm = atomic_load(&t->s->removing);
	const char *name = strerrorname_np(err);
	char call[160];
	va_list ap;

	if (!err)
		return true;
	if (err > 0 && err < 64 && ((live | (rm ? removing : 0)) & E(err))) {
		t->expected++;
		return false;
	}
	va_start(ap, fmt);
	vsnprintf(call, sizeof(call), fmt, ap);
	va_end(ap);
	note(t, "%s: %s (%s) while %s, device %s", call, name ? name : "?",
	     strerror(err), rm ? "removing" : "live",
	     mig_names[atomic_load(&t->s->mig_state) & 7]);
	return false;
}

/* ---- device access ---- */

static bool wr(struct thr *t, uint64_t off, unsigned int size, uint64_t val)
{
	return ok(t, -vfio_region_write_n(&t->s->v->dev, BAR0, off, size, val),
		  0, DEV_GONE, "BAR0 %u-byte write at 0x%" PRIx64, size, off);
}

static bool rd(struct thr *t, uint64_t off, uint64_t *val)
{
	return ok(t, -vfio_region_read_n(&t->s->v->dev, BAR0, off, 4, val),
		  0, DEV_GONE, "BAR0 read at 0x%" PRIx64, off);
}

/* A GGTT entry, in one 8-byte write or in two halves. */
static void pte(struct thr *t, uint64_t idx, uint64_t val, bool halves)
{
	if (!halves)
		wr(t, PTE(idx), 8, val);
	else if (wr(t, PTE(idx), 4, (uint32_t)val))
		wr(t, PTE(idx) + 4, 4, val >> 32);
}

/* Entries [idx, idx + n) at consecutive pages from @iova, in one write. */
static bool ptes(struct thr *t, uint64_t idx, uint64_t iova, unsigned int n)
{
	uint64_t e[FB_PAGES];
	unsigned int i;

	for (i = 0; i < n; i++)
		e[i] = (iova + i * PAGE) | IVGPU_PTE_PRESENT;
	return ok(t, -vfio_region_write(&t->s->v->dev, BAR0, PTE(idx), e, n * 8),
		  0, DEV_GONE, "GGTT write of %u entries from %" PRIu64, n, idx);
}

/* A register a vCPU owns reads back what it wrote. */
static void scratch(struct thr *t, uint64_t reg, uint32_t x)
{
	uint64_t val;

	if (!wr(t, reg, 4, x) || !rd(t, reg, &val))
		return;
	t->checks++;
	if (val != x)
		note(t, "register 0x%" PRIx64 " reads 0x%" PRIx64 " after a write of 0x%x",
		     reg, val, x);
}

/* ---- the pattern ---- */

static uint32_t pat(uint32_t seed, uint32_t x, uint32_t y)
{
	return (seed * 0x9e3779b1u) ^ (y * 0x85ebca77u + x * 0xc2b2ae3du);
}

/* Byte offset of pixel (x, y) in a surface laid out as @d says. */
static uint64_t px_off(const struct plane_desc *d, uint32_t x, uint32_t y)
{
	uint32_t xb = x * 4;

	if (!d->tiled)
		return (uint64_t)y * d->stride + xb;
	return (uint64_t)(y / 8) * d->stride * 8 + xb / 512 * PAGE +
	       y % 8 * 512 + xb % 512;
}

/* ---- vCPUs ---- */

/*
 * Between two instructions: stop while migration asks; false at the end.
 * *@reload: the device state was replaced meanwhile (vcpu0 asks).
 */
static bool pause_point(struct stress *s, bool *reload)
{
	pthread_mutex_lock(&s->lock);
	if (s->pause && !stopping(s)) {
		s->paused++;
		pthread_cond_broadcast(&s->cond);
		while (s->pause && !stopping(s))
			pthread_cond_wait(&s->cond, &s->lock);
		s->paused--;
	}
	if (reload) {
		*reload = s->reload;
		s->reload = false;
	}
	pthread_mutex_unlock(&s->lock);
	return !stopping(s);
}

static void vcpus_pause(struct stress *s, bool pause)
{
	pthread_mutex_lock(&s->lock);
	s->pause = pause;
	pthread_cond_broadcast(&s->cond);
	while (pause && s->paused < s->vcpus && !stopping(s))
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

/* What pipe A shows is about to change (@reload: the whole device). */
static void plane_begin(struct stress *s, bool reload)
{
	pthread_mutex_lock(&s->lock);
	s->gen++;
	s->valid = false;
	s->reload |= reload;
	pthread_mutex_unlock(&s->lock);
}

/*
 * vcpu0 flips pipe A to a freshly painted back slot (sometimes with the
 * spare buffer behind it, in another mode, X-tiled) or turns it off.
 * @all: the device state was replaced, program every entry and register.
 */
static void plane_change(struct thr *t, bool all)
{
	struct stress *s = t->s;
	struct plane_desc d = t->model;
	unsigned int back = d.slot ^ 1, i;
	uint64_t r = rnd(t);
	uint32_t x, y, p;
	uint8_t *fb;
	bool good = true;

	plane_begin(s, false);
	if (!all && r % 8 == 0) {
		d.on = false;
		good = wr(t, GFX_PLANE_CTL(PIPE_A), 4, 0);
		goto out;
	}
	if (all || (r >> 3) % 4 == 0)
		t->bufmap[back] = 3 - t->bufmap[0] - t->bufmap[1];
	for (i = 0; i < 2; i++)
		if (all || i == back)
			good &= ptes(t, SLOT_IDX(i), s->iova + t->bufmap[i] * FB_BYTES,
				     FB_PAGES);
	d.w = modes[(r >> 5) % 3][0];
	d.h = modes[(r >> 5) % 3][1];
	d.tiled = (r >> 8) & 1;
	if (d.tiled)
		d.stride = (d.w * 4 + 511) & ~511u;
	else
		d.stride = d.w * 4 + (d.w < 1024 ? ((r >> 9) & 1) * 64 : 0);
	d.seed = ++t->paint;
	fb = s->mem + t->bufmap[back] * FB_BYTES;
	for (y = 0; y < d.h; y++)
		for (x = 0; x < d.w; x++) {
			p = pat(d.seed, x, y);
			memcpy(fb + px_off(&d, x, y), &p, 4);
		}
	good &= wr(t, GFX_PIPESRC(PIPE_A), 4, (d.w - 1) << 16 | (d.h - 1));
	good &= wr(t, GFX_PLANE_STRIDE(PIPE_A), 4, d.stride / (d.tiled ? 512 : 64));
	good &= wr(t, GFX_PLANE_SIZE(PIPE_A), 4, (d.h - 1) << 16 | (d.w - 1));
	good &= wr(t, GFX_PLANE_OFFSET(PIPE_A), 4, 0);
	good &= wr(t, GFX_PLANE_CTL(PIPE_A), 4, GFX_CTL_ENABLE | GFX_FMT_XRGB8888 |
		   (d.tiled ? 1u << 10 : 0));
	good &= wr(t, GFX_PLANE_SURF(PIPE_A), 4, SLOT_IDX(back) * PAGE);
	good &= wr(t, TRANSCONF(PIPE_A), 4, TRANSCONF_ENABLE);
	d.slot = back;
	d.on = true;
out:
	t->model = d;
	pthread_mutex_lock(&s->lock);
	s->desc = d;
	s->gen++;
	s->valid = good;
	pthread_mutex_unlock(&s->lock);
}

static void vcpu0_op(struct thr *t)
{
	uint64_t r = rnd(t), idx = (r >> 8) % FB_PAGES, val;
	unsigned int slot = t->model.slot;

	switch (r % 3) {
	case 0:
		scratch(t, SCRATCH_REG, r >> 32);
		break;
	case 1:		/* vblank and flip-done interrupts of pipe A */
		wr(t, PIPE_ISR(PIPE_A) + IMR, 4, (r >> 20) & 1 ? ~VBLANK : ~0u);
		wr(t, PIPE_ISR(PIPE_A) + IER, 4, VBLANK | 1u << 3);
		if (rd(t, PIPE_ISR(PIPE_A) + IIR, &val))
			wr(t, PIPE_ISR(PIPE_A) + IIR, 4, val);
		rd(t, PIPE_FRMCOUNT(PIPE_A), &val);
		break;
	default:	/* a shown entry rewritten as it is: nothing changes */
		val = t->s->iova + t->bufmap[slot] * FB_BYTES + idx * PAGE;
		pte(t, SLOT_IDX(slot) + idx, val | IVGPU_PTE_PRESENT, (r >> 20) & 1);
		break;
	}
}

static void vcpu1_op(struct thr *t)
{
	struct stress *s = t->s;
	uint64_t r = rnd(t), idx = V1_IDX + (r >> 8) % V1_N, val, n = r >> 24;
	/* Guest memory, the listener's range, unmapped, garbage, none. */
	const uint64_t to[] = {
		(s->iova + NR_BUFS * FB_BYTES + n % JUNK_PAGES * PAGE) | 1,
		(s->scr_iova + n % SCR_PAGES * PAGE) | 1,
		(s->hole_iova + n % 1024 * PAGE) | 1,
		((r >> 13) & IVGPU_PTE_ADDR_MASK) | 1, 0,
	};
	int pipe = PIPE_B + (r >> 16) % 2;
	uint8_t buf[64];

	switch (r % 5) {
	case 0:
	case 1:
		pte(t, idx, to[(r >> 20) % ARRAY_SIZE(to)], (r >> 40) & 1);
		break;
	case 2:		/* the aperture through those entries */
		ok(t, -vfio_region_read(&s->v->dev, BAR2, idx * PAGE, buf, sizeof(buf)),
		   0, DEV_GONE, "BAR2 read at entry %" PRIu64, idx);
		break;
	case 3:		/* pipes B and C: on, off, flips; interrupts */
		wr(t, TRANSCONF(pipe), 4, (r >> 24) & 1 ? TRANSCONF_ENABLE : 0);
		wr(t, GFX_PLANE_STRIDE(pipe), 4, 4);
		wr(t, GFX_PLANE_SIZE(pipe), 4, 63 << 16 | 63);
		wr(t, GFX_PLANE_CTL(pipe), 4, (r >> 25) & 1 ?
		   GFX_CTL_ENABLE | GFX_FMT_XRGB8888 : 0);
		wr(t, GFX_PLANE_SURF(pipe), 4, (V1_IDX + (r >> 26) % 64) * PAGE);
		wr(t, PIPE_ISR(pipe) + IMR, 4, (r >> 27) & 1 ? ~VBLANK : ~0u);
		wr(t, PIPE_ISR(pipe) + IER, 4, VBLANK);
		wr(t, SDEIMR, 4, (r >> 28) & 1 ? 0 : ~0u);
		wr(t, SDEIER, 4, ~0u);
		wr(t, MASTER_IRQ, 4, (r >> 29) & 1 ? MASTER_ENABLE : 0);
		if (rd(t, PIPE_ISR(pipe) + IIR, &val))
			wr(t, PIPE_ISR(pipe) + IIR, 4, val);
		break;
	default:
		scratch(t, SCRATCH_REG + 4, r >> 32);
		break;
	}
}

static void *vcpu_main(void *arg)
{
	struct thr *t = arg;
	struct stress *s = t->s;
	bool vcpu0 = t == &s->thr[VCPU0], all = false;
	unsigned long stills = 0;
	double next = 0;

	while (pause_point(s, vcpu0 ? &all : NULL)) {
		if (vcpu0) {
			/*
			 * A plane holds for 50-300 ms, and until a refresh
			 * saw it still (for 5 s more at most): under a slow,
			 * busy kernel a refresh can outlast any fixed hold.
			 */
			if (all || (now() >= next &&
				    (atomic_load(&s->stills) != stills ||
				     now() >= next + 5))) {
				plane_change(t, all);
				stills = atomic_load(&s->stills);
				next = now() + (50 + rnd(t) % 250) / 1e3;
			}
			vcpu0_op(t);
		} else {
			vcpu1_op(t);
		}
		t->ops++;
		if (!(rnd(t) % 4))
			usleep(rnd(t) % 2000);
	}
	pthread_mutex_lock(&s->lock);
	s->vcpus--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- display ---- */

/*
 * What a still plane answered, and its pixels (NULL: not read), against
 * what vcpu0 made it show. Region planes are linear: X tiles undone.
 */
static void plane_check(struct thr *t, const char *what,
			const struct vfio_device_gfx_plane_info *pi,
			const uint8_t *px, const struct plane_desc *d, bool region)
{
	struct plane_desc lay = *d;
	uint32_t x, y, got, want;

	if (region && d->tiled) {
		lay.tiled = false;
		lay.stride = d->w * 4;
	}
	if (!d->on) {
		if (pi->width || pi->dmabuf_id)
			note(t, "%s: a disabled plane shows %ux%u, id or index %u",
			     what, pi->width, pi->height, pi->dmabuf_id);
		return;
	}
	if (pi->width != d->w || pi->height != d->h || pi->stride != lay.stride ||
	    pi->drm_format != FMT_XRGB8888 || !pi->dmabuf_id ||
	    pi->drm_format_mod != (lay.tiled ? MOD_X_TILED : 0)) {
		note(t, "%s: %ux%u stride %u format 0x%x modifier 0x%llx id %u, expected %ux%u stride %u%s",
		     what, pi->width, pi->height, pi->stride, pi->drm_format,
		     (unsigned long long)pi->drm_format_mod, pi->dmabuf_id,
		     d->w, d->h, lay.stride, lay.tiled ? " X-tiled" : "");
		return;
	}
	for (y = 0; px && y < d->h; y++)
		for (x = 0; x < d->w; x++) {
			memcpy(&got, px + px_off(&lay, x, y), 4);
			want = pat(d->seed, x, y);
			if (got == want)
				continue;
			note(t, "%s: pixel (%u,%u) of a still %ux%u%s plane is 0x%08x, pattern %u has 0x%08x",
			     what, x, y, d->w, d->h, d->tiled ? " X-tiled" : "",
			     got, d->seed, want);
			return;
		}
}

/* A display refresh as QEMU's main loop does it; checked if it held still. */
static void refresh(struct thr *t)
{
	struct stress *s = t->s;
	struct vgpu *v = s->v;
	struct vfio_device_gfx_plane_info pr, pd;
	bool valid, region = false, dmabuf = false, lost = false;
	struct plane_desc d;
	unsigned long gen;
	uint64_t cnt;
	uint8_t *map;
	int fd;

	pthread_mutex_lock(&s->lock);
	gen = s->gen;
	valid = s->valid;
	d = s->desc;
	pthread_mutex_unlock(&s->lock);

	if (ok(t, gfx_query(v, VFIO_GFX_PLANE_TYPE_REGION, 0, &pr) ? errno : 0,
	       0, DEV_GONE, "QUERY_GFX_PLANE region") && pr.region_index)
		region = ok(t, -vfio_region_read(&v->dev, pr.region_index, 0, t->buf[0],
						 MIN((size_t)pr.stride * pr.height, FB_BYTES)),
			    0, DEV_GONE, "plane region %u read", pr.region_index);
	if (ok(t, gfx_query(v, VFIO_GFX_PLANE_TYPE_DMABUF, GFX_PRIMARY, &pd) ? errno : 0,
	       0, DEV_GONE, "QUERY_GFX_PLANE dma-buf") && pd.dmabuf_id) {
		/* A newer plane state or a load may have dropped it. */
		fd = gfx_get_dmabuf(v, pd.dmabuf_id);
		lost = fd < 0 && errno == ENOENT;
		if (ok(t, fd < 0 ? errno : 0, E(ENOENT), DEV_GONE, "GET_GFX_DMABUF")) {
			map = mmap(NULL, pd.size, PROT_READ, MAP_SHARED, fd, 0);
			close(fd);
			if (ok(t, map == MAP_FAILED ? errno : 0, 0, 0, "dma-buf mmap")) {
				dmabuf = !gfx_probe_copy(t->buf[1], map, MIN(pd.size, FB_BYTES));
				if (!dmabuf)
					note(t, "dma-buf mapping faulted");
				if (s->keep)
					munmap(s->keep, s->keep_len);
				s->keep = map;
				s->keep_len = pd.size;
			}
		}
	}
	/* What KVM's irqfd would take: reading it never blocks. */
	ok(t, read(s->msi_fd, &cnt, sizeof(cnt)) < 0 ? errno : 0, E(EAGAIN), 0,
	   "MSI eventfd read");

	pthread_mutex_lock(&s->lock);
	valid = valid && s->gen == gen;
	pthread_mutex_unlock(&s->lock);
	if (!valid)
		return;
	t->checks++;
	atomic_fetch_add(&s->stills, 1);
	if (lost)
		note(t, "GET_GFX_DMABUF: ENOENT for the state of a still plane");
	plane_check(t, "plane region", &pr, region ? t->buf[0] : NULL, &d, true);
	plane_check(t, "dma-buf", &pd, dmabuf ? t->buf[1] : NULL, &d, false);
}

static void *display_main(void *arg)
{
	struct thr *t = arg;

	while (!stopping(t->s)) {
		refresh(t);
		t->ops++;
		usleep(10000 + rnd(t) % 20000);
	}
	return NULL;
}

/* ---- memory listener ---- */

static void *listener_main(void *arg)
{
	struct thr *t = arg;
	struct stress *s = t->s;
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = s->scr_iova,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};
	unsigned int i, pieces;
	uint8_t buf[64], want;
	uint64_t r;

	while (!stopping(s)) {
		r = rnd(t);
		if (s->scr_mapped) {
			/* One unmap of it all, mapped in one piece or two. */
			unmap.size = SCR_PAGES * PAGE;
			if (!ok(t, ioctl(s->v->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ?
				errno : 0, 0, 0, "UNMAP_DMA of the listener's range"))
				break;
			if (unmap.size != SCR_PAGES * PAGE)
				note(t, "UNMAP_DMA unmapped %llu bytes", unmap.size);
			s->scr_mapped = false;
		} else {
			t->ops++;
			for (i = 0; i < SCR_PAGES; i++)
				memset(s->scr + i * PAGE, 1 + (t->ops + i) % 255, PAGE);
			pieces = 1 + (r & 1);
			for (i = 0; i < pieces; i++) {
				map.size = SCR_PAGES / pieces * PAGE;
				map.vaddr = (uintptr_t)s->scr + i * map.size;
				map.iova = s->scr_iova + i * map.size;
				if (!ok(t, ioctl(s->v->dev.container, VFIO_IOMMU_MAP_DMA, &map) ?
					errno : 0, 0, 0, "MAP_DMA of the listener's range"))
					return NULL;
			}
			s->scr_mapped = true;
		}
		/* Its entries show its memory, or the scratch page: no stale pin. */
		for (i = 0; i < SCR_PAGES; i++) {
			want = s->scr_mapped ? s->scr[i * PAGE] : 0;
			if (!ok(t, -vfio_region_read(&s->v->dev, BAR2, (L_IDX + i) * PAGE,
						     buf, sizeof(buf)),
				0, DEV_GONE, "BAR2 read at entry %lu", L_IDX + i))
				continue;
			t->checks++;
			if (!gfx_all(buf, want, sizeof(buf))) {
				note(t, "entry %lu into the listener's %s range shows 0x%02x, expected 0x%02x",
				     L_IDX + i, s->scr_mapped ? "mapped" : "unmapped",
				     buf[0], want);
				break;
			}
		}
		usleep((r >> 32) % 3000);
	}
	return NULL;
}

/* ---- migration ---- */

/* Walk the device to each of the @n states in turn; the last one's file in *@fd. */
static bool mig_to(struct thr *t, int *fd, int n, ...)
{
	va_list ap;
	int ret, state, data_fd;

	va_start(ap, n);
	while (n--) {
		state = va_arg(ap, int);
		ret = mig_set_state(t->s->v, state, &data_fd);
		if (!ok(t, -ret, 0, DEV_GONE, "MIG_DEVICE_STATE -> %s",
			mig_names[state & 7]))
			break;
		atomic_store(&t->s->mig_state, state);
		if (fd && !n)
			*fd = data_fd;
	}
	va_end(ap);
	t->dead |= n >= 0;
	return n < 0;
}

/* Read the saving file to its current end. */
static bool mig_read(struct thr *t, int fd)
{
	ssize_t n;

	do {
		if (t->len == STREAM_MAX) {
			note(t, "a stream of more than %lu bytes", STREAM_MAX);
			return false;
		}
		n = read(fd, t->buf[0] + t->len, STREAM_MAX - t->len);
		if (!ok(t, n < 0 ? errno : 0, 0, DEV_GONE, "read of the saving file"))
			return false;
		t->len += n;
	} while (n);
	return true;
}

static void mig_save(struct thr *t, bool precopy, bool pause, bool cancel)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	bool good = true;
	int fd = -1;
	uint8_t *tmp;

	t->len = 0;
	if (precopy) {
		good = mig_to(t, &fd, 1, VFIO_DEVICE_STATE_PRE_COPY) &&
		       ok(t, ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info) ? errno : 0,
			  0, DEV_GONE, "PRECOPY_INFO in PRE_COPY") && mig_read(t, fd);
		if (good && (!info.initial_bytes || t->len != info.initial_bytes))
			note(t, "PRE_COPY: initial_bytes %llu, the file held %zu",
			     info.initial_bytes, t->len);
		if (good && cancel) {
			t->cancels++;
			mig_to(t, NULL, 1, VFIO_DEVICE_STATE_RUNNING);
			close(fd);
			return;
		}
	}
	if (pause)
		vcpus_pause(t->s, true);
	if (precopy) {
		good = good && mig_to(t, NULL, 2, VFIO_DEVICE_STATE_PRE_COPY_P2P,
				      VFIO_DEVICE_STATE_STOP_COPY);
	} else {
		good = mig_to(t, &fd, 3, VFIO_DEVICE_STATE_RUNNING_P2P,
			      VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY);
	}
	good = good && mig_read(t, fd) &&
	       mig_to(t, NULL, 3, VFIO_DEVICE_STATE_STOP,
		      VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING);
	if (fd >= 0)
		close(fd);
	if (pause)
		vcpus_pause(t->s, false);
	t->dead |= !good;
	if (!good)
		return;
	t->saves++;
	t->checks++;
	t->precopies += precopy;
	tmp = t->buf[1];		/* keep it for a load */
	t->buf[1] = t->buf[0];
	t->buf[0] = tmp;
	t->saved = t->len;
}

/* A saved stream back into the device, its vCPUs stopped. */
static void mig_load(struct thr *t)
{
	size_t off = 0;
	ssize_t n;
	int fd = -1;
	bool good;

	vcpus_pause(t->s, true);
	plane_begin(t->s, true);
	good = mig_to(t, &fd, 3, VFIO_DEVICE_STATE_RUNNING_P2P,
		      VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING);
	while (good && off < t->saved) {
		n = write(fd, t->buf[1] + off, t->saved - off);
		good = ok(t, n < 0 ? errno : 0, 0, DEV_GONE, "write of the resuming file");
		off += good ? n : 0;
	}
	if (fd >= 0)
		close(fd);
	good = good && mig_to(t, NULL, 3, VFIO_DEVICE_STATE_STOP,
			      VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING);
	t->loads += good;
	t->dead |= !good;
	/*
	 * Once the run is stopping, the vCPUs no longer pause: vcpu0 may have
	 * taken the reload before the state was replaced. Ask again.
	 */
	plane_begin(t->s, true);
	vcpus_pause(t->s, false);
}

static void *migration_main(void *arg)
{
	struct thr *t = arg;
	struct stress *s = t->s;
	double until;
	uint64_t r;

	while (!stopping(s) && !t->dead) {
		until = now() + (100 + rnd(t) % 300) / 1e3;
		while (!stopping(s) && now() < until)
			usleep(10000);
		if (stopping(s))
			break;
		r = rnd(t);
		if (t->saved && r % 4 == 0)
			mig_load(t);
		else
			mig_save(t, s->precopy && (r >> 2) & 1, (r >> 3) & 1,
				 (r >> 4) % 4 == 0);
		t->ops++;
	}
	return NULL;
}

/* ---- management ---- */

static long long stat_of(const char *buf, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
	return -1;
}

static void *management_main(void *arg)
{
	struct thr *t = arg;
	struct stress *s = t->s;
	long long pinned, pins, unpins;
	char path[256], buf[4096];
	int n;

	snprintf(path, sizeof(path), "/sys/kernel/debug/ivgpu/%s/stats", s->v->uuid);
	while (!stopping(s)) {
		n = sysfs_read(path, buf, sizeof(buf));
		if (ok(t, n < 0 ? -n : 0, 0, E(ENOENT) | E(EIO), "debugfs stats read")) {
			pinned = stat_of(buf, "pages_pinned");
			pins = stat_of(buf, "pins");
			unpins = stat_of(buf, "unpins");
			t->checks++;
			if (pinned < 0 || pinned > (long long)MAX_PINNED ||
			    pins - unpins != pinned)
				note(t, "pages_pinned %lld (at most %lu), pins %lld, unpins %lld",
				     pinned, MAX_PINNED, pins, unpins);
		}
		t->ops++;
		usleep(20000 + rnd(t) % 80000);
	}
	return NULL;
}

/* ---- the test's side ---- */

static void *(*const thr_main[NR_THR])(void *) = {
	vcpu_main, vcpu_main, display_main, listener_main, migration_main,
	management_main,
};

/* Stop every thread, then report what they recorded. */
static void stress_stop(struct stress *s)
{
	struct timespec deadline;
	struct thr *t;
	int i, j;

	if (!s->running)
		return;
	s->running = false;
	atomic_store(&s->stop, true);
	vcpus_pause(s, false);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 60;
	for (i = 0; i < NR_THR; i++)
		if (pthread_timedjoin_np(s->thr[i].thread, NULL, &deadline))
			tap_fail(true, __FILE__, __LINE__,
				 "%s did not stop within a minute", thr_names[i]);
	for (i = 0; i < NR_THR; i++) {
		t = &s->thr[i];
		tap_log("%s: %lu operations, %lu checks, %lu expected errors",
			thr_names[i], t->ops, t->checks, t->expected);
		if (!t->checks)		/* each thread did its part */
			tap_fail(false, __FILE__, __LINE__, "%s checked nothing",
				 thr_names[i]);
		for (j = 0; j < MAX_NOTES && j < (int)t->errors; j++)
			tap_fail(false, __FILE__, __LINE__, "%s: %s", thr_names[i],
				 t->notes[j]);
		if (t->errors > MAX_NOTES)
			tap_log("%s: %lu more", thr_names[i], t->errors - MAX_NOTES);
	}
	t = &s->thr[MIGRATION];
	tap_log("migration: %lu saves (%lu through PRE_COPY), %lu PRE_COPY cancelled, %lu loads",
		t->saves, t->precopies, t->cancels, t->loads);
}

static void stress_cleanup(void *arg)
{
	struct stress *s = arg;
	int i;

	stress_stop(s);
	for (i = 0; i < 2; i++) {
		free(s->thr[DISPLAY].buf[i]);
		free(s->thr[MIGRATION].buf[i]);
	}
	if (s->keep)
		munmap(s->keep, s->keep_len);
	if (s->scr)
		munmap(s->scr, SCR_PAGES * PAGE);
	close(s->req_fd);
	close(s->msi_fd);
	free(s);
}

/*
 * A vGPU as QEMU sets one up (both plane kinds, the request and MSI
 * eventfds, guest memory), the listener's range mapped with entries
 * pointing at it, and the threads on it.
 */
static struct stress *stress_start(double secs)
{
	struct stress *s = calloc(1, sizeof(*s));
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.size = SCR_PAGES * PAGE,
	};
	const char *seed = getenv("IVGPU_STRESS_SEED");
	struct vgpu *v;
	int i;

	ASSERT_TRUE(s);
	s->seed = seed ? strtoull(seed, NULL, 0) : 20261207;
	s->req_fd = s->msi_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	atomic_store(&s->mig_state, VFIO_DEVICE_STATE_RUNNING);
	gfx_probe_init();
	s->v = v = vgpu_create(TYPE);
	ASSERT_OK(gfx_plane_set(v->uuid, "both"));
	vgpu_open(v);
	tap_defer(stress_cleanup, s);
	/* PRE_COPY where the kernel has it: 6.2 and later. */
	s->precopy = mig_flags(v) & VFIO_MIGRATION_PRE_COPY;
	EXPECT_EQ(s->precopy, kernel_has_precopy());
	tap_log("seed %" PRIu64 " (IVGPU_STRESS_SEED), %.1f s (IVGPU_STRESS_SECONDS), %s, %s",
		s->seed, secs, TYPE->dir, s->precopy ? "PRE_COPY" : "no PRE_COPY");

	s->req_fd = vfio_eventfd();
	s->msi_fd = vfio_eventfd();
	ASSERT_GE(s->req_fd, 0);
	ASSERT_GE(s->msi_fd, 0);
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_REQ_IRQ_INDEX, s->req_fd));
	cfg_write16(v, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_write32(v, IVGPU_CFG_MSI_CAP + PCI_MSI_ADDRESS_LO, 0xfee00000);
	cfg_write16(v, IVGPU_CFG_MSI_CAP + PCI_MSI_DATA_32, 0x4041);
	cfg_write16(v, IVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_MSI_IRQ_INDEX, s->msi_fd));

	s->mem = vfio_dma_alloc(&v->dev, NR_BUFS * FB_BYTES + JUNK_PAGES * PAGE,
				&s->iova);
	ASSERT_TRUE(s->mem);
	/* The listener's range and a hole, in 1 GiB past guest memory. */
	s->scr_iova = (v->dev.iova_next + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	s->hole_iova = s->scr_iova + (512ULL << 20);
	if (v->dev.iova_end - s->scr_iova < (1ULL << 30))
		SKIP("no 1 GiB of IOVA space past guest memory");
	v->dev.iova_next = s->scr_iova + (1ULL << 30);
	s->scr = mmap(NULL, SCR_PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(s->scr != MAP_FAILED);
	memset(s->scr, 0x5a, SCR_PAGES * PAGE);
	map.vaddr = (uintptr_t)s->scr;
	map.iova = s->scr_iova;
	ASSERT_OK(ioctl(v->dev.container, VFIO_IOMMU_MAP_DMA, &map));
	s->scr_mapped = true;

	for (i = 0; i < NR_THR; i++) {
		s->thr[i].s = s;
		s->thr[i].rng = s->seed * 0x1000193 + i;
	}
	ASSERT_TRUE(ptes(&s->thr[LISTENER], L_IDX, s->scr_iova, SCR_PAGES));
	s->reload = true;		/* vcpu0 programs its plane first */
	s->thr[VCPU0].bufmap[1] = 1;
	s->thr[VCPU0].paint = (uint32_t)s->seed * 1000;
	s->vcpus = 2;
	for (i = 0; i < 2; i++) {
		s->thr[DISPLAY].buf[i] = malloc(FB_BYTES);
		s->thr[MIGRATION].buf[i] = malloc(STREAM_MAX);
		ASSERT_TRUE(s->thr[DISPLAY].buf[i] && s->thr[MIGRATION].buf[i]);
	}
	for (i = 0; i < NR_THR; i++) {
		ASSERT_OK(pthread_create(&s->thr[i].thread, NULL, thr_main[i],
					 &s->thr[i]));
		s->running = true;
	}
	return s;
}

/*
 * Run, then stop the threads as QEMU quits. With every range unmapped,
 * the device still open and its GGTT full, no pin is left.
 */
TEST(concurrent_use_then_close_leaves_no_pin)
{
	double secs = stress_seconds();
	struct stress *s = stress_start(secs);
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = s->scr_iova, .size = SCR_PAGES * PAGE,
	};
	struct thr *disp = &s->thr[DISPLAY];
	long avail = ivgpu_available(TYPE);
	unsigned long checks;
	uint8_t page[PAGE];

	usleep(secs * 1e6);
	stress_stop(s);

	/* The plane holds still now: one more refresh shows the pattern. */
	if (s->reload)
		plane_change(&s->thr[VCPU0], true);
	checks = disp->checks;
	disp->errors = 0;
	refresh(disp);
	EXPECT_EQ(disp->checks, checks + 1);
	EXPECT_EQ(s->thr[VCPU0].errors, 0);
	if (disp->errors)
		tap_fail(false, __FILE__, __LINE__, "last refresh: %s", disp->notes[0]);

	EXPECT_GT(vgpu_stat(s->v, "dma_invalidated"), 0);
	EXPECT_GT(vgpu_stat(s->v, "pin_errors"), 0);
	EXPECT_GT(vgpu_stat(s->v, "pages_pinned"), 0);
	if (s->scr_mapped)
		EXPECT_OK(ioctl(s->v->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_OK(vfio_dma_free(&s->v->dev, s->mem));
	EXPECT_EQ(vgpu_stat(s->v, "pages_pinned"), 0);
	EXPECT_EQ(vgpu_stat(s->v, "pins"), vgpu_stat(s->v, "unpins"));
	/* The frame buffers' entries show the scratch page, and pin nothing. */
	ASSERT_OK(vfio_region_read(&s->v->dev, BAR2, 0, page, sizeof(page)));
	EXPECT_TRUE(gfx_all(page, 0, sizeof(page)));
	EXPECT_EQ(vgpu_stat(s->v, "pages_pinned"), 0);

	vgpu_close(s->v);
	EXPECT_EQ(vgpu_stat(s->v, "pages_pinned"), 0);
	vgpu_remove(s->v);
	EXPECT_FALSE(mdev_exists(s->v->uuid));
	EXPECT_EQ(ivgpu_available(TYPE), avail + 1);
}

/*
 * Run, then management removes the vGPU under the threads. The remove
 * waits for the user and asks through the request eventfd; the threads go
 * on (debugfs is gone). QEMU answers: its threads stop, it closes the
 * device, the remove completes (the group's last device gone, the
 * container's mappings go too). The display's last dma-buf outlives it.
 */
TEST(concurrent_use_then_remove_under_it)
{
	double secs = stress_seconds(), removing = secs / 5 < 1 ? 1 : secs / 5;
	struct stress *s = stress_start(secs);
	long avail = ivgpu_available(TYPE);
	struct remover r;
	uint8_t *copy;

	usleep((secs > removing ? secs - removing : 0) * 1e6);
	atomic_store(&s->removing, true);
	remover_start(&r, s->v);
	EXPECT_GT(vfio_eventfd_wait(s->req_fd, 10000), 0);
	usleep(removing * 1e6);
	EXPECT_FALSE(atomic_load(&r.done));

	stress_stop(s);
	EXPECT_GT(s->thr[MANAGEMENT].expected, 0);
	vfio_close_device(&s->v->dev);
	EXPECT_EQ(remover_finish(&r, 30), 0);
	EXPECT_FALSE(mdev_exists(r.uuid));

	ASSERT_TRUE(s->keep);
	copy = malloc(s->keep_len);
	ASSERT_TRUE(copy);
	EXPECT_EQ(gfx_probe_copy(copy, s->keep, s->keep_len), 0);
	free(copy);
	vgpu_close(s->v);
	EXPECT_EQ(ivgpu_available(TYPE), avail + 1);
}
