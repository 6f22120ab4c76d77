// SPDX-License-Identifier: GPL-2.0-only
/*
 * devfuzz: a seeded random walk over what a VFIO user and a guest can do to
 * vGPUs, well-formed and malformed: region reads and writes at any index,
 * offset and size (and with buffers the process can't touch); GGTT entries
 * at mapped, unmapped and garbage addresses, written whole or in parts;
 * plane and cursor registers, the guest's AUX channel;
 * VFIO_DEVICE_QUERY_GFX_PLANE and
 * VFIO_DEVICE_GET_GFX_DMABUF, GET_INFO, GET_REGION_INFO, GET_IRQ_INFO and
 * SET_IRQS with bad sizes, flags, indexes, counts and fds, bad pointers
 * and unknown ioctls; mmaps of every
 * region at any offset, length and protection, touched under sigsetjmp;
 * DMA map and unmap under live planes, mappings and dma-bufs; the EDID and
 * framebuffer regions; the gfx_plane attribute; migration states and
 * streams (saved, garbage, truncated); resets, close and reopen, remove and
 * create of vGPUs of every type.
 *
 * Each answer is checked against what the documentation states: the errno
 * of every malformed call, region sizes and capabilities, the dma-buf ids a
 * vGPU keeps (the last eight plane states), mappings that never fault,
 * entries that read back as written, no pins after a reset. After the walk
 * every vGPU, once closed, holds no pins and is removable, and dma-bufs
 * still read after their vGPU is gone. The kernel log is checked by ./run.
 *
 * The seed is printed: IVGPU_FUZZ_SEED=N repeats the sequential walk (with
 * IVGPU_FUZZ_OPS=M, which ends it after M operations, operation for
 * operation; the threads' interleaving can't be repeated).
 * IVGPU_FUZZ_SECONDS bounds both tests together (default 20 s: 70% for the
 * walk, 30% for the threads).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gfx.h"
#include "ivgpu.h"

#define PAGE		GFX_PAGE
#define NR_SLOTS	3
#define MAX_BUFS	8
#define MAX_MAPS	8
#define MAX_DMABUFS	12
#define KEEP		8	/* plane states a vGPU keeps (docs/display.md) */
#define SEEN		64
#define HISTORY		32
#define MAX_FAILURES	20
#define MAX_REMOVES	40

#define EDID		IVGPU_REGION_EDID
#define FB		IVGPU_REGION_FRAMEBUFFER
#define PLANE0		IVGPU_REGION_PLANE0
#define PLANE1		IVGPU_REGION_PLANE1
#define OPREGION	IVGPU_REGION_OPREGION
#define NR_REGIONS	IVGPU_NUM_REGIONS
#define NR_IRQS		5

#define Q_PROBE		VFIO_GFX_PLANE_TYPE_PROBE
#define Q_DMABUF	VFIO_GFX_PLANE_TYPE_DMABUF
#define Q_REGION	VFIO_GFX_PLANE_TYPE_REGION
#define Q_MINSZ		offsetofend(struct vfio_device_gfx_plane_info, region_index)

/* The EDID region's registers (struct vfio_region_gfx_edid). */
#define EDID_SIZE	offsetof(struct vfio_region_gfx_edid, edid_size)
#define EDID_LINK	offsetof(struct vfio_region_gfx_edid, link_state)
#define EDID_REGS_END	0x18
#define LINK_UP		VFIO_DEVICE_GFX_LINK_STATE_UP
#define LINK_DOWN	VFIO_DEVICE_GFX_LINK_STATE_DOWN

/* Migration states: uapi values (the PRE_COPY ones are newer than 6.1). */
#define MIG_ERROR	0
#define MIG_STOP	1
#define MIG_RUNNING	2
#define MIG_STOP_COPY	3
#define MIG_RESUMING	4
#define MIG_RUNNING_P2P	5
#define MIG_PRE_COPY	6
#define MIG_PRE_COPY_P2P 7

#ifndef offsetofend
#define offsetofend(T, m)	(offsetof(T, m) + sizeof(((T *)0)->m))
#endif

/* ---- state ---- */

struct fz_buf {
	uint8_t *mem;
	uint64_t iova;
	size_t len;
};

struct fz_map {
	uint8_t *p;
	size_t len;
	unsigned int index;
	int prot;
};

struct fz_dmabuf {
	int fd;
	uint8_t *p;		/* mapping, or NULL */
	size_t len;		/* of the mapping */
	int prot;
};

struct fz_slot {
	struct vgpu *v;
	const struct ivgpu_type *t;
	unsigned int planes;		/* Q_REGION | Q_DMABUF offered */
	uint32_t ids[KEEP];		/* plane states kept, newest first */
	unsigned int nr_ids;
	struct fz_buf bufs[MAX_BUFS];
	unsigned int nr_bufs;
	struct fz_map maps[MAX_MAPS];	/* device mmaps: die before close */
	unsigned int nr_maps;
	int evfd;			/* an eventfd for SET_IRQS */
	uint8_t edid[IVGPU_EDID_MAX_SIZE];	/* the monitor's EDID at open */
	uint32_t edid_size;
	int mig_fd;			/* a migration data fd, or -1 */
	uint8_t *stream;		/* the last stream saved from it */
	size_t stream_len;
};

static struct {
	uint64_t rng;
	uint64_t seed;
	struct fz_slot slot[NR_SLOTS];
	struct fz_dmabuf dmabufs[MAX_DMABUFS];
	unsigned int nr_dmabufs;
	uint32_t seen[SEEN];		/* dma-buf ids answered, any vGPU */
	unsigned int nr_seen;
	uint32_t max_id;
	int devnull;
	uint8_t *noaccess;		/* a PROT_NONE page */
	bool precopy;			/* PRE_COPY offered */
	char hist[HISTORY][200];
	unsigned long ops, failures;
	/* What the walk reached, for the summary. */
	unsigned long region_planes, dmabuf_planes, dmabuf_fds, mmaps;
	unsigned long loads, refused_loads, link_ups, max_pinned;
} F;

/* ---- randomness, history, failures ---- */

static uint64_t rnd(void)		/* splitmix64 */
{
	uint64_t z = (F.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* One of the values, as a uint64_t (callers convert it back). */
#define PICK(...) pick((const uint64_t[]){ __VA_ARGS__ },		\
		       ARRAY_SIZE(((const uint64_t[]){ __VA_ARGS__ })))

static uint64_t pick(const uint64_t *a, size_t n)
{
	return a[below(n)];
}

#define PICK_STR(...) ({						\
	static const char *const __s[] = { __VA_ARGS__ };		\
	__s[below(ARRAY_SIZE(__s))];					\
})

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	char *h = F.hist[F.ops % HISTORY];
	int n;
	va_list ap;

	n = snprintf(h, sizeof(F.hist[0]), "#%lu ", F.ops);
	va_start(ap, fmt);
	vsnprintf(h + n, sizeof(F.hist[0]) - n, fmt, ap);
	va_end(ap);
}

static void fz_fail(int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fz_fail(int line, const char *fmt, ...)
{
	char msg[1024];
	unsigned long i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!F.failures++) {
		tap_log("seed %" PRIu64 " (IVGPU_FUZZ_SEED=%" PRIu64 " repeats it), the last operations:",
			F.seed, F.seed);
		i = F.ops >= HISTORY ? F.ops - HISTORY + 1 : 0;
		for (; i <= F.ops; i++)
			tap_log("  %s", F.hist[i % HISTORY]);
	}
	tap_fail(false, __FILE__, line, "operation %lu: %s", F.ops, msg);
	if (F.failures >= MAX_FAILURES) {
		tap_log("%lu failures: stopping", F.failures);
		tap_end_test();
	}
}

#define CHECK(cond, fmt, ...) do {					\
	if (!(cond))							\
		fz_fail(__LINE__, "%s: " fmt, #cond, ##__VA_ARGS__);	\
} while (0)

/* A syscall result: r is what it returned, e the errno it left. */
#define CHECK_ERR(r, e, want) do {					\
	long __r = (r);							\
	int __e = (e), __w = (want);					\
	if (__r != -1 || __e != __w)					\
		fz_fail(__LINE__, "%s returned %ld (%s), expected %s",	\
			#r, __r, __r < 0 ? strerrorname_np(__e) : "ok",	\
			strerrorname_np(__w));				\
} while (0)

#define CHECK_RET(r, e, want) do {					\
	long __rr = (r);						\
	long __ww = (want);						\
	if (__ww < 0)							\
		CHECK_ERR(__rr, (e), (int)-__ww);			\
	else if (__rr != __ww)						\
		fz_fail(__LINE__, "%s returned %ld (%s), expected %ld",	\
			#r, __rr, __rr < 0 ? strerrorname_np(e) : "ok", __ww); \
} while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the model's view of a vGPU ---- */

static uint64_t slot_entries(const struct fz_slot *s)
{
	return type_gm_mib(s->t) * MIB / PAGE;
}

static uint64_t slot_gm(const struct fz_slot *s)
{
	return type_gm_mib(s->t) * MIB;
}

static uint64_t region_size(const struct fz_slot *s, unsigned int index)
{
	return index < NR_REGIONS ? s->v->dev.regions[index].size : 0;
}

/* Where a region's mmap-able area starts (BAR0: the GGTT past the slice). */
static uint64_t mmap_start(const struct fz_slot *s, unsigned int index)
{
	if (index != BAR0)
		return 0;
	return IVGPU_GGTT_OFFSET +
	       (uint64_t)(s->t->low_gm_mib + s->t->high_gm_mib) * MIB / PAGE * 8;
}

/* How much of a region can be mmapped, from mmap_start(): 0 if none. */
static uint64_t mmap_size(const struct fz_slot *s, unsigned int index)
{
	switch (index) {
	case BAR0:
		return IVGPU_BAR0_SIZE - mmap_start(s, index);
	case BAR2:
		return s->t->low_gm_mib * MIB;
	case FB:
	case PLANE0:
	case PLANE1:
		return gfx_frame_size(s->t);
	}
	return 0;
}

static void ids_clear(struct fz_slot *s)
{
	s->nr_ids = 0;
}

static bool ids_has(const struct fz_slot *s, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < s->nr_ids; i++)
		if (s->ids[i] == id)
			return true;
	return false;
}

/* What the vGPU does with a state it answered: newest first, eight kept. */
static void ids_keep(struct fz_slot *s, uint32_t id)
{
	unsigned int i, at = s->nr_ids;

	for (i = 0; i < s->nr_ids; i++)
		if (s->ids[i] == id)
			at = i;
	if (at == s->nr_ids && s->nr_ids < KEEP)
		s->nr_ids++;
	if (at == s->nr_ids)
		at = s->nr_ids - 1;
	memmove(&s->ids[1], &s->ids[0], at * sizeof(s->ids[0]));
	s->ids[0] = id;
	F.seen[F.nr_seen++ % SEEN] = id;
	if (id > F.max_id)
		F.max_id = id;
}

static uint32_t edid_read32(struct fz_slot *s, uint64_t off)
{
	uint64_t val = 0;

	CHECK(!vfio_region_read_n(&s->v->dev, EDID, off, 4, &val),
	      "EDID read at 0x%" PRIx64, off);
	return val;
}

/* ---- device mappings and dma-bufs ---- */

static void map_drop(struct fz_slot *s, unsigned int i)
{
	munmap(s->maps[i].p, s->maps[i].len);
	s->maps[i] = s->maps[--s->nr_maps];
}

static void maps_drop_all(struct fz_slot *s)
{
	while (s->nr_maps)
		map_drop(s, 0);
}

static void dmabuf_drop(unsigned int i)
{
	struct fz_dmabuf *b = &F.dmabufs[i];

	if (b->p)
		munmap(b->p, b->len);
	close(b->fd);
	F.dmabufs[i] = F.dmabufs[--F.nr_dmabufs];
}

/* Touch up to n pages of a mapping; a signal on a readable one is a bug. */
static void touch(uint8_t *p, size_t len, int prot, unsigned int n,
		  const char *what)
{
	size_t pages = (len + PAGE - 1) / PAGE;
	unsigned int i;
	uint8_t val;
	int sig;

	if (!(prot & PROT_READ) && !(prot & PROT_WRITE)) {
		sig = gfx_probe(p, false, &val);
		CHECK(sig == SIGSEGV, "%s: PROT_NONE mapping read gave signal %d",
		      what, sig);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t off = below(pages) * PAGE + below(PAGE);

		if (off >= len)
			off = len - 1;
		sig = gfx_probe(p + off, prot & PROT_WRITE, &val);
		CHECK(!sig, "%s: %s at offset 0x%zx of %zu bytes: signal %d (%s)",
		      what, prot & PROT_WRITE ? "write" : "read", off, len, sig,
		      strsignal(sig));
		if (sig)
			return;
	}
}

/* The same for the first and the last byte, without using the seed. */
static void touch_ends(const struct fz_dmabuf *b, const char *what)
{
	uint8_t val;
	int sig;

	sig = gfx_probe(b->p, false, &val);
	if (!sig)
		sig = gfx_probe(b->p + b->len - 1, false, &val);
	CHECK(!sig, "%s: signal %d (%s)", what, sig, strsignal(sig));
}

static void dmabuf_add(int fd, size_t size)
{
	struct fz_dmabuf *b;
	size_t off, len;
	int prot = PICK(PROT_READ, PROT_READ | PROT_WRITE);
	void *p;

	if (F.nr_dmabufs == MAX_DMABUFS)
		dmabuf_drop(below(MAX_DMABUFS));
	b = &F.dmabufs[F.nr_dmabufs++];
	*b = (struct fz_dmabuf){ .fd = fd };
	F.dmabuf_fds++;
	CHECK(lseek(fd, 0, SEEK_END) == (off_t)size, "dma-buf size");
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "dma-buf without FD_CLOEXEC");
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "dma-buf not O_RDWR");
	if (!size || chance(20))
		return;
	off = below(size / PAGE) * PAGE;
	len = (1 + below((size - off) / PAGE)) * PAGE;
	p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	CHECK(p != MAP_FAILED, "dma-buf mmap of %zu at %zu of %zu: %s", len,
	      off, size, strerror(errno));
	if (p == MAP_FAILED)
		return;
	b->p = p;
	b->len = len;
	b->prot = prot;
	touch(p, len, prot, 4, "dma-buf");
}

/* ---- opening and closing ---- */

static void slot_read_edid(struct fz_slot *s)
{
	s->edid_size = edid_read32(s, EDID_SIZE);
	CHECK(s->edid_size && s->edid_size <= IVGPU_EDID_MAX_SIZE,
	      "generated EDID of %u bytes", s->edid_size);
	CHECK(!vfio_region_read(&s->v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				s->edid, IVGPU_EDID_MAX_SIZE), "EDID blob read");
	CHECK(edid_read32(s, EDID_LINK) == LINK_UP, "a new open's link is up");
}

static void slot_open(struct fz_slot *s)
{
	vgpu_open(s->v);
	ids_clear(s);
	s->nr_bufs = 0;
	s->nr_maps = 0;
	s->mig_fd = -1;
	slot_read_edid(s);
}

/* Let go of everything that holds the device; its pins must be gone. */
static void slot_close(struct fz_slot *s)
{
	long long pinned;

	maps_drop_all(s);
	if (s->mig_fd >= 0)
		close(s->mig_fd);
	s->mig_fd = -1;
	vgpu_close(s->v);
	s->nr_bufs = 0;
	ids_clear(s);
	pinned = vgpu_stat(s->v, "pages_pinned");
	CHECK(pinned == 0, "pages_pinned %lld after close", pinned);
	CHECK(vgpu_stat(s->v, "vblank_running") == 0, "vblank clock after close");
}

static const char *const plane_modes[] = {
	IVGPU_GFX_PLANE_REGION, IVGPU_GFX_PLANE_DMABUF, IVGPU_GFX_PLANE_BOTH,
};
static const unsigned int plane_bits[] = {
	Q_REGION, Q_DMABUF, Q_REGION | Q_DMABUF,
};

static void slot_set_planes(struct fz_slot *s)
{
	unsigned int m = below(3);

	CHECK(!gfx_plane_set(s->v->uuid, plane_modes[m]), "gfx_plane %s",
	      plane_modes[m]);
	s->planes = plane_bits[m];
}

/*
 * The walk's vGPUs are its own (not test fixtures): its cleanup must let go
 * of every mapping before a remove, which would wait for them forever.
 */
static void slot_new(struct fz_slot *s)
{
	memset(s, 0, sizeof(*s));
	s->t = &ivgpu_types[below(IVGPU_NR_TYPES)];
	s->v = calloc(1, sizeof(*s->v));
	ASSERT_TRUE(s->v);
	s->v->type = s->t;
	uuid_gen(s->v->uuid);
	ASSERT_OK(mdev_create(ivgpu_parent(), s->t->dir, s->v->uuid));
	s->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_GE(s->evfd, 0);
	slot_set_planes(s);
	slot_open(s);
}

/* Close and remove a slot's vGPU: false if it is still there. */
static bool slot_remove(struct fz_slot *s)
{
	bool gone;
	int r;

	if (!s->v)
		return true;
	maps_drop_all(s);
	if (s->mig_fd >= 0)
		close(s->mig_fd);
	s->mig_fd = -1;
	if (s->v->open)
		vgpu_close(s->v);
	r = mdev_remove(s->v->uuid);
	gone = !r && !mdev_exists(s->v->uuid);
	if (!gone)
		tap_log("removing %s: %s", s->v->uuid, strerror(-r));
	free(s->v);
	s->v = NULL;
	free(s->stream);
	s->stream = NULL;
	close(s->evfd);
	return gone;
}

/* Whatever way the walk ends: no mapping left, every vGPU removed. */
static void fz_cleanup(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < NR_SLOTS; i++)
		slot_remove(&F.slot[i]);
	while (F.nr_dmabufs)
		dmabuf_drop(0);
}

/* ---- operations ---- */

static struct fz_slot *any_slot(void)
{
	return &F.slot[below(NR_SLOTS)];
}

static unsigned int pick_index(void)
{
	if (chance(85))
		return below(NR_REGIONS);
	return PICK(13u, 14u, 15u, 16u, 255u, 0xffffu, (unsigned int)below(1u << 23));
}

/* An offset in, at the end of, or past a region of this size (< 2^40). */
static uint64_t pick_offset(uint64_t size)
{
	uint64_t off;

	switch (below(8)) {
	case 0:
	case 1:
	case 2:
		off = size ? below(size) : 0;
		break;
	case 3:
		off = size > 16 ? size - 1 - below(16) : 0;
		break;
	case 4:
		off = size;
		break;
	case 5:
		off = size + below(1 << 20);
		break;
	case 6:
		off = (1ULL << 40) - 1 - below(64);
		break;
	default:
		off = below(1ULL << 40);
		break;
	}
	return off & ((1ULL << 40) - 1);
}

static size_t pick_len(void)
{
	switch (below(6)) {
	case 0:
		return PICK(1, 2, 4, 8);
	case 1:
	case 2:
		return 1 + below(64);
	case 3:
		return 1 + below(8192);
	case 4:
		return PICK(PAGE, 2 * PAGE, 65536);
	default:
		return 1 + below(3);
	}
}

/* The largest naturally aligned access at off that fits left and max. */
static unsigned int access_size(uint64_t off, size_t left, unsigned int max)
{
	unsigned int n = max;

	while (n > 1 && (off % n || left < n))
		n /= 2;
	return n;
}

#define UNKNOWN	LONG_MIN	/* the model can't tell (link up of a new EDID) */

/* What writing data to the EDID region does: bytes written or -errno. */
static long edid_write_expect(struct fz_slot *s, uint64_t off,
			      const uint8_t *data, size_t n)
{
	bool up = edid_read32(s, EDID_LINK) == LINK_UP;
	size_t done = 0;

	while (done < n) {
		unsigned int k = access_size(off, n - done, 4), i;
		uint32_t val = 0;
		long r = 0;

		for (i = 0; i < k; i++)
			val |= (uint32_t)data[done + i] << (8 * i);
		if (off >= IVGPU_EDID_BLOB_OFFSET)
			r = up ? -EBUSY : 0;
		else if (off >= EDID_REGS_END || k != 4)
			r = -EINVAL;
		else if (off == EDID_SIZE)
			r = !val || val > IVGPU_EDID_MAX_SIZE ? -EINVAL :
			    up ? -EBUSY : 0;
		else if (off == EDID_LINK && val == LINK_DOWN)
			up = false;
		else if (off == EDID_LINK && val == LINK_UP)
			r = up ? 0 : UNKNOWN;	/* valid blob: can't tell */
		else if (off == EDID_LINK)
			r = -EINVAL;
		else
			r = -EPERM;
		if (r == UNKNOWN)
			return UNKNOWN;
		if (r < 0)
			return done ? (long)done : r;
		done += k;
		off += k;
	}
	return n;
}

/* What a read or write of n bytes at off of a region gives. */
static long rw_expect(struct fz_slot *s, unsigned int index, uint64_t off,
		      size_t len, bool write, const uint8_t *data)
{
	uint64_t size = region_size(s, index), frame, n;

	if (!size || off >= size)
		return -EINVAL;
	n = len < size - off ? len : size - off;
	switch (index) {
	case PLANE0:
	case PLANE1:
	case OPREGION:
		return write ? -EINVAL : (long)n;
	case FB:
		frame = size - IVGPU_FB_META_SIZE;
		if (off < frame)
			return write ? -EPERM : (long)(n < frame - off ? n : frame - off);
		if (!write)
			return n;
		if (off - frame != offsetof(struct vfio_framebuffer, state) ||
		    n != 4)
			return -EPERM;
		return data[0] == VFIO_FB_STATE_REQUEST_UPDATE && !data[1] &&
		       !data[2] && !data[3] ? 4 : -EINVAL;
	case EDID:
		return write ? edid_write_expect(s, off, data, n) : (long)n;
	}
	return n;		/* BAR0, BAR2, config space */
}

static void op_rw(void)
{
	static uint8_t buf[65536];
	struct fz_slot *s = any_slot();
	unsigned int index = pick_index();
	uint64_t off = pick_offset(region_size(s, index));
	size_t len = pick_len(), i;
	bool write = chance(40);
	off_t pos = (off_t)(((uint64_t)index << 40) | off);
	long want, r;
	int e;

	if (write) {
		for (i = 0; i < len; i++)
			buf[i] = rnd();
		/* Mostly well-formed writes of the EDID link and FB state. */
		if (index == EDID && chance(30)) {
			off = EDID_LINK;
			len = 4;
			memset(buf, 0, 4);
			buf[0] = PICK(LINK_UP, LINK_DOWN, 0, 3);
		} else if (index == FB && chance(50)) {
			off = region_size(s, FB) - IVGPU_FB_META_SIZE +
			      offsetof(struct vfio_framebuffer, state);
			len = 4;
			memset(buf, 0, 4);
			buf[0] = PICK(1, 1, 1, 2, 0);
		}
		pos = (off_t)(((uint64_t)index << 40) | off);
	}
	note("%s %zu bytes of region %u at 0x%" PRIx64, write ? "pwrite" : "pread",
	     len, index, off);
	want = rw_expect(s, index, off, len, write, buf);
	errno = 0;
	r = write ? pwrite(s->v->dev.fd, buf, len, pos) :
		    pread(s->v->dev.fd, buf, len, pos);
	e = errno;
	if (want == UNKNOWN)
		CHECK(r > 0 || (r == -1 && e == EINVAL),
		      "EDID link up: %ld (%s)", r, strerrorname_np(e));
	else
		CHECK_RET(r, e, want);
}

/* The same with a buffer the process can't access. */
static void op_rw_fault(void)
{
	struct fz_slot *s = any_slot();
	unsigned int index = PICK(BAR0, BAR2, CONFIG, EDID, FB, PLANE0,
				  PLANE1, OPREGION, 1u, 20u);
	uint64_t size = region_size(s, index), frame;
	uint64_t off = pick_offset(size) & ~7ULL;
	size_t len = PICK(1, 2, 4, 8);
	bool write = chance(50), meta_state;
	off_t pos = (off_t)(((uint64_t)index << 40) | off);
	long r;
	int e;

	note("%s %zu bytes of region %u at 0x%" PRIx64 " with a PROT_NONE buffer",
	     write ? "pwrite" : "pread", len, index, off);
	errno = 0;
	r = write ? pwrite(s->v->dev.fd, F.noaccess, len, pos) :
		    pread(s->v->dev.fd, F.noaccess, len, pos);
	e = errno;
	if (!size || off >= size) {
		CHECK_ERR(r, e, EINVAL);
		return;
	}
	switch (index) {
	case BAR2:
		/* Writes to unbacked pages are dropped before any copy. */
		if (write)
			CHECK((r == -1 && e == EFAULT) || r > 0, "%ld %s", r,
			      strerrorname_np(e));
		else
			CHECK_ERR(r, e, EFAULT);
		break;
	case PLANE0:
	case PLANE1:
	case OPREGION:
		CHECK_ERR(r, e, write ? EINVAL : EFAULT);
		break;
	case FB:
		frame = size - IVGPU_FB_META_SIZE;
		meta_state = off - frame == offsetof(struct vfio_framebuffer, state) &&
			     len == 4;
		if (off < frame)
			CHECK_ERR(r, e, write ? EPERM : EFAULT);
		else
			CHECK_ERR(r, e, !write || meta_state ? EFAULT : EPERM);
		break;
	default:	/* register regions copy before anything else */
		CHECK_ERR(r, e, EFAULT);
		break;
	}
}

/* A guest page the slot has mapped, or 0. */
static uint64_t mapped_page(struct fz_slot *s)
{
	struct fz_buf *b;

	if (!s->nr_bufs)
		return 0;
	b = &s->bufs[below(s->nr_bufs)];
	return b->iova + below(b->len / PAGE) * PAGE;
}

static uint64_t pick_pte(struct fz_slot *s)
{
	uint64_t page = mapped_page(s);

	switch (below(10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (page)
			return page | IVGPU_PTE_PRESENT;
		/* fall through */
	case 4:	/* garbage in the bits around the address */
		return (page ? page : s->v->dev.iova_next + below(1 << 20) * PAGE) |
		       IVGPU_PTE_PRESENT | (rnd() & ~IVGPU_PTE_ADDR_MASK);
	case 5:	/* unmapped */
		return ((s->v->dev.iova_next + below(1ULL << 30)) &
			IVGPU_PTE_ADDR_MASK) | IVGPU_PTE_PRESENT;
	case 6:
		return rnd();
	case 7:
		return page;	/* not present */
	default:
		return 0;
	}
}

static uint64_t pick_entry(struct fz_slot *s)
{
	uint64_t n = slot_entries(s);

	switch (below(10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return below(64);
	case 4:
		return below(n);
	case 5:
		return n - 1 - below(4);
	case 6:
		return n + below(4096);
	case 7:
		return below(IVGPU_GGTT_SIZE / 8);
	default:
		return 16 + below(1024);	/* where planes go */
	}
}

static void op_pte(void)
{
	struct fz_slot *s = any_slot();
	uint64_t idx = pick_entry(s), pte = pick_pte(s), got;
	unsigned int how = below(10), i;
	bool whole = true;

	note("PTE %" PRIu64 " of %" PRIu64 " := 0x%" PRIx64 " (%s)", idx,
	     slot_entries(s), pte, how < 7 ? "8 bytes" : how < 9 ? "halves" :
	     "bytes");
	if (how < 7) {
		bar0_write64(s->v, PTE(idx), pte);
	} else if (how < 9) {
		bool hi_first = chance(50);

		bar0_write32(s->v, PTE(idx) + (hi_first ? 4 : 0),
			     hi_first ? pte >> 32 : (uint32_t)pte);
		if (chance(90))
			bar0_write32(s->v, PTE(idx) + (hi_first ? 0 : 4),
				     hi_first ? (uint32_t)pte : pte >> 32);
		else
			whole = false;
	} else {
		unsigned int order[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

		for (i = 7; i > 0; i--) {
			unsigned int j = below(i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < 8; i++) {
			if (i == 7 && chance(20)) {
				whole = false;
				break;
			}
			bar0_write8(s->v, PTE(idx) + order[i], pte >> (8 * order[i]));
		}
	}
	if (!whole)
		return;
	got = bar0_read64(s->v, PTE(idx));
	if (idx < slot_entries(s))
		CHECK(got == pte, "entry %" PRIu64 " reads 0x%" PRIx64 ", written 0x%" PRIx64,
		      idx, got, pte);
	else
		CHECK(got == 0, "entry %" PRIu64 " past the slice reads 0x%" PRIx64,
		      idx, got);
}

static void op_plane(void)
{
	struct fz_slot *s = any_slot();
	int pipe = chance(80) ? 0 : below(3);
	uint32_t maxx, maxy, w, h, fmt, tiling, stride, ctl, surf, cpp;

	gfx_max_res(s->t, &maxx, &maxy);
	fmt = chance(85) ? PICK(4u, 4u, 2u, 14u) : below(16);
	tiling = chance(85) ? PICK(0u, 0u, 1u) : below(8);
	w = PICK(64u, 1 + (uint32_t)below(maxx), maxx, maxx + 1 + (uint32_t)below(8),
		 1 + (uint32_t)below(8192));
	h = PICK(64u, 1 + (uint32_t)below(maxy), maxy, maxy + 1 + (uint32_t)below(8),
		 1 + (uint32_t)below(8192));
	if (chance(40)) {	/* small, so that surfaces fit */
		w = 1 + below(256);
		h = 1 + below(256);
	}
	cpp = fmt == 14 ? 2 : 4;
	stride = tiling == 1 ? (w * cpp + 511) / 512 : (w * cpp + 63) / 64;
	if (chance(20))
		stride = below(2048);
	ctl = GFX_CTL_ENABLE | fmt << 24 | tiling << 10 |
	      (chance(20) ? 1u << 20 : 0) | (chance(20) ? (uint32_t)below(4) << 4 : 0);
	if (chance(10))
		ctl = rnd();
	if (chance(5))
		ctl = 0;
	surf = PICK((uint32_t)(16 * PAGE), (uint32_t)(below(slot_entries(s)) * PAGE),
		    (uint32_t)(slot_gm(s) - (1 + below(4)) * PAGE), (uint32_t)rnd(),
		    (uint32_t)(16 * PAGE));
	note("plane pipe %d ctl 0x%x %ux%u stride %u surf 0x%x", pipe, ctl, w, h,
	     stride, surf);
	bar0_write32(s->v, GFX_PIPESRC(pipe), (w - 1) << 16 | (h - 1));
	bar0_write32(s->v, GFX_PLANE_STRIDE(pipe), stride);
	bar0_write32(s->v, GFX_PLANE_SIZE(pipe), ((h - 1) & 0xffff) << 16 |
						  ((w - 1) & 0xffff));
	bar0_write32(s->v, GFX_PLANE_OFFSET(pipe), chance(70) ? 0 :
		     chance(50) ? (uint32_t)(below(16) << 16 | below(64)) :
		     (uint32_t)rnd());
	bar0_write32(s->v, GFX_PLANE_CTL(pipe), ctl);
	bar0_write32(s->v, GFX_PLANE_SURF(pipe), surf);
	bar0_write32(s->v, TRANSCONF(pipe), chance(85) ? TRANSCONF_ENABLE : 0);
}

static void op_cursor(void)
{
	struct fz_slot *s = any_slot();
	int pipe = chance(80) ? 0 : below(3);
	uint32_t cntr = chance(80) ? PICK(0u, 0x27u, 0x22u, 0x23u) : (uint32_t)rnd();
	uint32_t base = PICK((uint32_t)(32 * PAGE),
			     (uint32_t)(below(slot_entries(s)) * PAGE),
			     (uint32_t)(slot_gm(s) - PAGE), (uint32_t)rnd());

	note("cursor pipe %d cntr 0x%x base 0x%x", pipe, cntr, base);
	bar0_write32(s->v, GFX_CURCNTR(pipe), cntr);
	bar0_write32(s->v, GFX_CURBASE(pipe), base);
	bar0_write32(s->v, GFX_CURPOS(pipe), rnd());
	if (chance(30))
		pv_write32(s->v, IVGPU_PV_CURSOR_X_HOT + 4 * below(2), rnd());
}

static uint32_t fourcc_cpp(uint32_t fourcc)
{
	return fourcc == ('R' | 'G' << 8 | '1' << 16 | '6' << 24) ? 2 : 4;
}

static bool disabled(const struct vfio_device_gfx_plane_info *pi)
{
	return !pi->drm_format && !pi->width && !pi->height && !pi->stride &&
	       !pi->size && !pi->region_index;
}

static void check_region_answer(struct fz_slot *s,
				const struct vfio_device_gfx_plane_info *pi)
{
	uint32_t maxx, maxy;
	uint64_t span;

	if (!pi->region_index) {
		CHECK(disabled(pi), "index 0 but format 0x%x %ux%u", pi->drm_format,
		      pi->width, pi->height);
		return;
	}
	gfx_max_res(s->t, &maxx, &maxy);
	CHECK(pi->region_index == PLANE0 || pi->region_index == PLANE1,
	      "region_index %u", pi->region_index);
	CHECK(pi->width && pi->width <= maxx && pi->height && pi->height <= maxy,
	      "%ux%u", pi->width, pi->height);
	CHECK(pi->drm_format_mod == 0, "modifier 0x%llx",
	      (unsigned long long)pi->drm_format_mod);
	span = (uint64_t)pi->stride * (pi->height - 1) +
	       (uint64_t)pi->width * fourcc_cpp(pi->drm_format);
	CHECK(pi->size % PAGE == 0 && pi->size >= span &&
	      pi->size <= gfx_frame_size(s->t),
	      "size %u for stride %u %ux%u (frame %" PRIu64 ")", pi->size,
	      pi->stride, pi->width, pi->height, gfx_frame_size(s->t));
}

static void check_dmabuf_answer(struct fz_slot *s, uint32_t type,
				const struct vfio_device_gfx_plane_info *pi)
{
	uint32_t maxx, maxy;

	if (!pi->dmabuf_id) {
		CHECK(disabled(pi), "id 0 but format 0x%x %ux%u", pi->drm_format,
		      pi->width, pi->height);
		return;
	}
	gfx_max_res(s->t, &maxx, &maxy);
	CHECK(pi->size && pi->size % PAGE == 0 && pi->size <= slot_gm(s),
	      "size %u", pi->size);
	if (type == GFX_CURSOR) {
		CHECK((pi->width == 64 || pi->width == 128 || pi->width == 256) &&
		      pi->height == pi->width && pi->stride == pi->width * 4,
		      "cursor %ux%u stride %u", pi->width, pi->height, pi->stride);
	} else {
		CHECK(pi->width && pi->width <= maxx && pi->height &&
		      pi->height <= maxy && pi->stride >= pi->width *
		      fourcc_cpp(pi->drm_format), "%ux%u stride %u", pi->width,
		      pi->height, pi->stride);
		CHECK(pi->x_hot == IVGPU_PV_CURSOR_HOT_NONE &&
		      pi->y_hot == IVGPU_PV_CURSOR_HOT_NONE, "primary hotspot");
	}
	ids_keep(s, pi->dmabuf_id);
}

/* What VFIO_DEVICE_QUERY_GFX_PLANE answers: 0 or an errno. */
static int query_expect(struct fz_slot *s, uint32_t argsz, uint32_t flags,
			uint32_t type)
{
	uint32_t t = flags & ~Q_PROBE, plane = type ? type : GFX_PRIMARY;

	if (argsz < Q_MINSZ || (t != Q_REGION && t != Q_DMABUF))
		return EINVAL;
	if (flags & Q_PROBE)
		return s->planes & t ? 0 : EINVAL;
	if ((plane != GFX_PRIMARY && plane != GFX_CURSOR) ||
	    (t == Q_REGION && plane != GFX_PRIMARY) || !(s->planes & t))
		return EINVAL;
	return 0;
}

static void op_query(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_device_gfx_plane_info pi;
	uint32_t flags, type, argsz;
	int r, e, want, fd;

	flags = chance(85) ? PICK(Q_REGION, Q_DMABUF, Q_PROBE | Q_REGION,
				  Q_PROBE | Q_DMABUF, Q_REGION, Q_DMABUF) :
			     PICK(0u, Q_PROBE, Q_REGION | Q_DMABUF,
				  Q_PROBE | Q_REGION | Q_DMABUF, 1u << 3,
				  (uint32_t)rnd());
	type = chance(85) ? PICK(0u, GFX_PRIMARY, GFX_CURSOR) :
			    PICK(3u, (uint32_t)rnd());
	argsz = chance(85) ? sizeof(pi) : PICK((uint32_t)Q_MINSZ,
					       (uint32_t)Q_MINSZ - 1, 0u, 16u);
	memset(&pi, 0xa5, sizeof(pi));
	pi.argsz = argsz;
	pi.flags = flags;
	pi.drm_plane_type = type;
	note("QUERY_GFX_PLANE argsz %u flags 0x%x type %u", argsz, flags, type);
	want = query_expect(s, argsz, flags, type);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi);
	e = errno;
	if (want) {
		CHECK_ERR(r, e, want);
		return;
	}
	CHECK(r == 0, "returned %d (%s)", r, strerrorname_np(e));
	if (r || (flags & Q_PROBE))
		return;
	if ((flags & ~Q_PROBE) == Q_REGION) {
		check_region_answer(s, &pi);
		F.region_planes += !!pi.region_index;
		return;
	}
	F.dmabuf_planes += !!pi.dmabuf_id;
	check_dmabuf_answer(s, type ? type : GFX_PRIMARY, &pi);
	if (!pi.dmabuf_id || chance(40))
		return;
	fd = gfx_get_dmabuf(s->v, pi.dmabuf_id);
	CHECK(fd >= 0, "GET_GFX_DMABUF of id %u just answered: %s", pi.dmabuf_id,
	      strerror(errno));
	if (fd >= 0)
		dmabuf_add(fd, pi.size);
}

static void op_get_dmabuf(void)
{
	struct fz_slot *s = any_slot();
	uint32_t id;
	int fd, e;
	bool kept;

	switch (below(5)) {
	case 0:
	case 1:
		id = s->nr_ids ? s->ids[below(s->nr_ids)] : 0;
		break;
	case 2:
		id = F.nr_seen ? F.seen[below(F.nr_seen < SEEN ? F.nr_seen : SEEN)] : 1;
		break;
	case 3:
		id = F.max_id + 1 + below(10);
		break;
	default:
		id = PICK(0u, (uint32_t)rnd(), 0xffffffffu);
		break;
	}
	kept = ids_has(s, id);
	note("GET_GFX_DMABUF id %u (%s)", id, kept ? "kept" : "not kept");
	errno = 0;
	fd = gfx_get_dmabuf(s->v, id);
	e = errno;
	if (!kept) {
		CHECK_ERR(fd, e, ENOENT);
		if (fd >= 0)
			close(fd);
		return;
	}
	CHECK(fd >= 0, "id %u: %s", id, strerrorname_np(e));
	if (fd >= 0)
		dmabuf_add(fd, lseek(fd, 0, SEEK_END));
}

static void op_region_info(void)
{
	struct fz_slot *s = any_slot();
	union {
		struct vfio_region_info info;
		uint8_t raw[512];
	} u;
	const uint32_t minsz = offsetofend(struct vfio_region_info, offset);
	unsigned int index = pick_index();
	uint32_t argsz = PICK(512u, 512u, minsz, minsz, (uint32_t)below(minsz),
			      minsz + 1 + (uint32_t)below(64)), off, hops;
	int r, e;

	memset(&u, 0xa5, sizeof(u));
	u.info.argsz = argsz;
	u.info.index = index;
	note("GET_REGION_INFO index %u argsz %u", index, argsz);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &u);
	e = errno;
	if (argsz < minsz || index >= NR_REGIONS) {
		CHECK_ERR(r, e, EINVAL);
		return;
	}
	CHECK(r == 0, "%s", strerrorname_np(e));
	if (r)
		return;
	CHECK(gfx_all(u.raw + argsz, 0xa5, sizeof(u) - argsz),
	      "bytes past argsz %u written", argsz);
	CHECK(u.info.offset == (uint64_t)index << 40 &&
	      u.info.size == region_size(s, index) &&
	      u.info.flags == s->v->dev.regions[index].flags,
	      "index %u: offset 0x%llx size 0x%llx flags 0x%x", index,
	      (unsigned long long)u.info.offset, (unsigned long long)u.info.size,
	      u.info.flags);
	if (!(u.info.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return;
	if (u.info.argsz > argsz) {
		CHECK(u.info.cap_offset == 0, "cap_offset %u with argsz %u < %u",
		      u.info.cap_offset, argsz, u.info.argsz);
		return;
	}
	for (off = u.info.cap_offset, hops = 0; off; hops++) {
		struct vfio_info_cap_header *h = (void *)(u.raw + off);

		CHECK(off >= sizeof(u.info) && off + sizeof(*h) <= argsz && hops < 8,
		      "capability at %u of %u", off, argsz);
		if (off < sizeof(u.info) || off + sizeof(*h) > argsz || hops >= 8)
			return;
		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			struct vfio_region_info_cap_sparse_mmap *sp = (void *)h;

			CHECK(sp->nr_areas == 1 &&
			      sp->areas[0].offset == mmap_start(s, index) &&
			      sp->areas[0].size == mmap_size(s, index),
			      "sparse areas of region %u", index);
		}
		CHECK(!h->next || h->next > off, "capability loop");
		if (h->next && h->next <= off)
			return;
		off = h->next;
	}
}

static void op_irq_info(void)
{
	static const uint32_t counts[NR_IRQS] = { 1, 1, 0, 1, 1 };
	struct fz_slot *s = any_slot();
	union {
		struct vfio_irq_info info;
		uint8_t raw[64];
	} u;
	uint32_t index = chance(80) ? below(NR_IRQS) :
			 PICK(5u, 6u, 255u, (uint32_t)rnd());
	uint32_t argsz = PICK(16u, 16u, 16u + (uint32_t)below(8), (uint32_t)below(16));
	int r, e;

	memset(&u, 0xa5, sizeof(u));
	u.info.argsz = argsz;
	u.info.index = index;
	note("GET_IRQ_INFO index %u argsz %u", index, argsz);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &u);
	e = errno;
	if (argsz < 16 || index >= NR_IRQS) {
		CHECK_ERR(r, e, EINVAL);
		return;
	}
	CHECK(r == 0 && u.info.count == counts[index], "index %u: %d count %u",
	      index, r, u.info.count);
	CHECK(gfx_all(u.raw + 16, 0xa5, sizeof(u) - 16), "bytes past the struct");
}

static void op_device_info(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_device_info info;
	uint32_t argsz = PICK((uint32_t)sizeof(info), 16u, (uint32_t)below(16));
	int r, e;

	memset(&info, 0, sizeof(info));
	info.argsz = argsz;
	note("GET_INFO argsz %u", argsz);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_GET_INFO, &info);
	e = errno;
	if (argsz < 16) {
		CHECK_ERR(r, e, EINVAL);
		return;
	}
	CHECK(r == 0 && info.num_regions == NR_REGIONS && info.num_irqs == NR_IRQS &&
	      (info.flags & (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET)) ==
	      (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET),
	      "%d: flags 0x%x %u regions %u irqs", r, info.flags,
	      info.num_regions, info.num_irqs);
}

/* What SET_IRQS does with this header and data: 0 or an errno. */
#define OK_OR_EINVAL	(-1)	/* depends on state the model doesn't keep */
/* What installing @fd as an eventfd answers: @ok if it is one. */
static int eventfd_errno(int fd, int ok)
{
	struct stat st;

	if (fd < -1)
		return EINVAL;
	if (fd == -1)
		return 0;
	if (fstat(fd, &st))
		return EBADF;
	return fd == F.devnull ? EINVAL : ok;
}

static int set_irqs_expect(uint32_t argsz, uint32_t flags, uint32_t index,
			   uint32_t start, uint32_t count, const int32_t *fds)
{
	static const uint32_t max[NR_IRQS] = { 1, 1, 0, 1, 1 };
	uint32_t dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK, size;

	if (argsz < 20 || index >= NR_IRQS || count >= UINT32_MAX - start ||
	    (flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)))
		return EINVAL;
	if (start >= max[index] || start + count > max[index])
		return EINVAL;
	switch (dt) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = 1;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = 4;
		break;
	default:
		return EINVAL;
	}
	if (size && argsz - 20 < (uint64_t)count * size)
		return EINVAL;
	if (!count && (dt != VFIO_IRQ_SET_DATA_NONE ||
		       action != VFIO_IRQ_SET_ACTION_TRIGGER))
		return EINVAL;
	if (action != VFIO_IRQ_SET_ACTION_MASK &&
	    action != VFIO_IRQ_SET_ACTION_UNMASK &&
	    action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return EINVAL;
	if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
		if (index != VFIO_PCI_INTX_IRQ_INDEX)
			return ENOTTY;
		if (dt != VFIO_IRQ_SET_DATA_EVENTFD)
			return 0;
		if (action == VFIO_IRQ_SET_ACTION_MASK)
			return EINVAL;		/* no mask eventfd */
		/* The unmask eventfd also needs the INTx trigger installed. */
		return eventfd_errno(fds[0], OK_OR_EINVAL);
	}
	if (dt != VFIO_IRQ_SET_DATA_EVENTFD)
		return 0;
	return eventfd_errno(fds[0], 0);
}

static void op_set_irqs(void)
{
	struct fz_slot *s = any_slot();
	struct {
		struct vfio_irq_set hdr;
		int32_t fds[4];
	} u;
	uint32_t flags, index, start, count, argsz, datalen;
	unsigned int i;
	int r, e, want;

	index = chance(85) ? below(NR_IRQS) : PICK(5u, 6u, 100u, (uint32_t)rnd());
	flags = chance(90) ? PICK(VFIO_IRQ_SET_ACTION_TRIGGER,
				  VFIO_IRQ_SET_ACTION_TRIGGER,
				  VFIO_IRQ_SET_ACTION_TRIGGER,
				  VFIO_IRQ_SET_ACTION_MASK,
				  VFIO_IRQ_SET_ACTION_UNMASK) :
			     PICK(0u, VFIO_IRQ_SET_ACTION_MASK |
				  VFIO_IRQ_SET_ACTION_TRIGGER, 1u << 6);
	flags |= chance(90) ? PICK(VFIO_IRQ_SET_DATA_EVENTFD,
				   VFIO_IRQ_SET_DATA_EVENTFD,
				   VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL) :
			      PICK(0u, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL, 7u);
	if (chance(3))
		flags |= 1u << (6 + below(26));
	start = chance(90) ? 0 : PICK(1u, (uint32_t)below(4), 0xffffffffu);
	count = chance(80) ? PICK(1u, 1u, 0u) : PICK(2u, (uint32_t)below(4), 0xffffffffu);
	for (i = 0; i < 4; i++)
		u.fds[i] = chance(70) ? PICK(s->evfd, s->evfd, -1) :
			   PICK(-2, F.devnull, 9999, INT32_MIN);
	if ((flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_BOOL)
		for (i = 0; i < 4; i++)
			u.fds[i] = PICK(0, 1, 1, (int32_t)rnd());
	datalen = (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_EVENTFD ?
		  4 : (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_BOOL ?
		  1 : 0;
	datalen *= count < 4 ? count : 4;
	argsz = chance(90) ? 20 + datalen : PICK((uint32_t)below(20), 19 + datalen);
	u.hdr = (struct vfio_irq_set){ .argsz = argsz, .flags = flags,
				       .index = index, .start = start,
				       .count = count };
	note("SET_IRQS argsz %u flags 0x%x index %u start %u count %u fd %d",
	     argsz, flags, index, start, count, u.fds[0]);
	want = set_irqs_expect(argsz, flags, index, start, count, u.fds);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_SET_IRQS, &u);
	e = errno;
	if (want == ENOTTY)	/* masking what can't be masked: either */
		CHECK(r == -1 && (e == ENOTTY || e == EINVAL), "%d %s", r,
		      strerrorname_np(e));
	else if (want == OK_OR_EINVAL)
		CHECK(r == 0 || (r == -1 && e == EINVAL), "%d %s", r,
		      strerrorname_np(e));
	else if (want)
		CHECK_ERR(r, e, want);
	else
		CHECK(r == 0, "refused: %s", strerrorname_np(e));
}

static void op_mmap(void)
{
	struct fz_slot *s = any_slot();
	unsigned int index = chance(80) ? PICK((unsigned int)BAR2, FB, PLANE0,
					       PLANE1, BAR0, below(NR_REGIONS)) :
			     pick_index();
	uint64_t base = mmap_start(s, index), m = mmap_size(s, index);
	uint64_t off, len, alen;
	int prot = chance(80) ? PICK(PROT_READ, PROT_READ | PROT_WRITE) :
			       PICK(PROT_NONE, PROT_WRITE);
	int flags = chance(90) ? MAP_SHARED : MAP_PRIVATE;
	bool ok;
	void *p;
	int e;

	switch (below(6)) {
	case 0:
	case 1:
		off = m ? below(m / PAGE) * PAGE : 0;
		break;
	case 2:
		off = m ? m - PAGE * (1 + below(4)) : 0;
		break;
	case 3:
		off = m + PAGE * below(4);
		break;
	case 4:
		off = below(1ULL << 40);	/* mostly unaligned */
		break;
	default:
		off = (1ULL << 40) - PAGE;
		break;
	}
	if (chance(80))
		off += base;	/* relative to the area, mostly */
	off &= (1ULL << 40) - 1;
	len = chance(80) ? PAGE * (1 + below(16)) :
	      PICK((uint64_t)0, m, m + PAGE, (uint64_t)1 + below(3 * PAGE),
		   m - off);
	if (off > m && len == m - off)
		len = PAGE;
	alen = (len + PAGE - 1) & ~(PAGE - 1);
	ok = m && flags == MAP_SHARED && !(off % PAGE) && len && off >= base &&
	     off - base < m && alen <= m - (off - base) &&
	     (index == BAR2 || index == BAR0 || !(prot & PROT_WRITE));
	note("mmap region %u at 0x%" PRIx64 " len 0x%" PRIx64 " prot %d %s", index,
	     off, len, prot, flags == MAP_SHARED ? "shared" : "private");
	errno = 0;
	p = mmap(NULL, len, prot, flags, s->v->dev.fd,
		 (off_t)(((uint64_t)index << 40) | off));
	e = errno;
	if (!ok) {
		CHECK(p == MAP_FAILED && (e == EINVAL || (len > (1ULL << 30) &&
							 e == ENOMEM)),
		      "mmap should fail with EINVAL: %s", p == MAP_FAILED ?
		      strerrorname_np(e) : "mapped");
		if (p != MAP_FAILED)
			munmap(p, len);
		return;
	}
	CHECK(p != MAP_FAILED, "mmap refused: %s", strerrorname_np(e));
	if (p == MAP_FAILED)
		return;
	F.mmaps++;
	touch(p, len, prot, 4, "device mmap");
	if (index != BAR2 && index != BAR0 && (prot & PROT_READ) && chance(20))
		CHECK_ERR(mprotect(p, PAGE, PROT_READ | PROT_WRITE), errno, EACCES);
	if (chance(10))
		CHECK(mremap(p, alen, alen + PAGE, 0) == MAP_FAILED,
		      "a device mapping grew");
	if (s->nr_maps == MAX_MAPS)
		map_drop(s, below(MAX_MAPS));
	s->maps[s->nr_maps++] = (struct fz_map){ p, len, index, prot };
}

static void op_touch(void)
{
	struct fz_slot *s = any_slot();

	if (s->nr_maps && chance(60)) {
		struct fz_map *m = &s->maps[below(s->nr_maps)];

		note("touch region %u mapping of %zu bytes", m->index, m->len);
		touch(m->p, m->len, m->prot, 8, "device mmap");
	} else if (F.nr_dmabufs) {
		struct fz_dmabuf *b = &F.dmabufs[below(F.nr_dmabufs)];

		if (!b->p)
			return;
		note("touch dma-buf mapping of %zu bytes", b->len);
		touch(b->p, b->len, b->prot, 8, "dma-buf");
	}
}

static void op_dma_map(void)
{
	struct fz_slot *s = any_slot();
	struct fz_buf *b;
	size_t len = PAGE * (1 + below(16));

	if (s->nr_bufs == MAX_BUFS)
		return;
	b = &s->bufs[s->nr_bufs];
	b->mem = vfio_dma_alloc(&s->v->dev, len, &b->iova);
	note("DMA map %zu bytes at 0x%" PRIx64, len, b->iova);
	CHECK(b->mem, "vfio_dma_alloc: %s", strerror(errno));
	if (!b->mem)
		return;
	b->len = len;
	memset(b->mem, (int)below(256), len);
	s->nr_bufs++;
}

static void op_dma_unmap_slot(struct fz_slot *s, unsigned int i)
{
	long long pinned;
	int r;

	pinned = vgpu_stat(s->v, "pages_pinned");
	if ((unsigned long)pinned > F.max_pinned)
		F.max_pinned = pinned;
	note("DMA unmap %zu bytes at 0x%" PRIx64 " (%lld pinned)", s->bufs[i].len,
	     s->bufs[i].iova, pinned);
	r = vfio_dma_free(&s->v->dev, s->bufs[i].mem);
	CHECK(r == 0, "vfio_dma_free: %s", strerror(-r));
	s->bufs[i] = s->bufs[--s->nr_bufs];
	/* Whatever showed that memory still reads. */
	if (F.nr_dmabufs && F.dmabufs[0].p)
		touch(F.dmabufs[0].p, F.dmabufs[0].len, F.dmabufs[0].prot, 2,
		      "dma-buf after unmap");
}

static void op_dma_unmap(void)
{
	struct fz_slot *s = any_slot();

	if (s->nr_bufs)
		op_dma_unmap_slot(s, below(s->nr_bufs));
}

static void op_reset(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_device_gfx_plane_info pi;
	long long pinned;

	note("reset");
	CHECK(vfio_reset(&s->v->dev) == 0, "VFIO_DEVICE_RESET");
	ids_clear(s);
	pinned = vgpu_stat(s->v, "pages_pinned");
	CHECK(pinned == 0, "pages_pinned %lld after reset", pinned);
	if (s->planes & Q_REGION) {
		CHECK(gfx_query(s->v, Q_REGION, 0, &pi) == 0 && disabled(&pi),
		      "plane after reset");
	}
	if (s->mig_fd >= 0) {
		close(s->mig_fd);
		s->mig_fd = -1;
	}
}

static void op_close_reopen(void)
{
	struct fz_slot *s = any_slot();
	const char *bad = PICK_STR("\n", "regio", "REGION", "both\nx", "dma buf", "x");
	char path[256], got[64];

	note("close and open again");
	slot_close(s);
	/* While closed: gfx_plane may change, and only to a known word. */
	CHECK(gfx_plane_set(s->v->uuid, bad) == -EINVAL, "gfx_plane '%s'", bad);
	if (chance(50))
		slot_set_planes(s);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/ivgpu/gfx_plane",
		 s->v->uuid);
	CHECK(sysfs_read(path, got, sizeof(got)) > 0, "gfx_plane read");
	slot_open(s);
}

static void op_gfx_plane(void)
{
	struct fz_slot *s = any_slot();
	const char *word = PICK_STR("region", "dmabuf", "both", "region\n",
				    "garbage", "\n", "regionx", "Both");
	bool valid = !strcmp(word, "region") || !strcmp(word, "dmabuf") ||
		     !strcmp(word, "both") || !strcmp(word, "region\n");

	note("gfx_plane := '%s' while open", word);
	CHECK(gfx_plane_set(s->v->uuid, word) == (valid ? -EBUSY : -EINVAL),
	      "'%s'", word);
}

static void op_edid(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_dev *d = &s->v->dev;
	bool up = edid_read32(s, EDID_LINK) == LINK_UP;
	uint8_t blob[IVGPU_EDID_MAX_SIZE];
	uint32_t size, off;
	int r;

	switch (below(6)) {
	case 0:		/* link down */
		note("EDID link down");
		CHECK(vfio_region_write_n(d, EDID, EDID_LINK, 4, LINK_DOWN) == 0,
		      "link down");
		break;
	case 1:		/* the blob: the generated one or a broken one */
		memcpy(blob, s->edid, sizeof(blob));
		if (chance(50)) {
			off = below(s->edid_size);
			blob[off] ^= 1 + below(255);
		}
		note("EDID blob (%s)", up ? "link up" : "link down");
		r = vfio_region_write(d, EDID, IVGPU_EDID_BLOB_OFFSET, blob,
				      s->edid_size);
		CHECK(r == (up ? -EBUSY : 0), "blob write: %d", r);
		break;
	case 2:		/* its size */
		size = PICK(s->edid_size, s->edid_size, 128u, 256u, 0u,
			    IVGPU_EDID_MAX_SIZE + 1, (uint32_t)rnd());
		note("EDID size %u (%s)", size, up ? "link up" : "link down");
		r = vfio_region_write_n(d, EDID, EDID_SIZE, 4, size);
		CHECK(r == (!size || size > IVGPU_EDID_MAX_SIZE ? -EINVAL :
			    up ? -EBUSY : 0), "size write: %d", r);
		break;
	case 3:		/* link up: valid iff it is the generated EDID */
		r = vfio_region_read(d, EDID, IVGPU_EDID_BLOB_OFFSET, blob,
				     sizeof(blob));
		size = edid_read32(s, EDID_SIZE);
		note("EDID link up (size %u)", size);
		r = vfio_region_write_n(d, EDID, EDID_LINK, 4, LINK_UP);
		F.link_ups += !r;
		if (size == s->edid_size && !memcmp(blob, s->edid, size))
			CHECK(r == 0, "link up with the generated EDID: %d", r);
		else if (blob[0] != 0 || blob[1] != 0xff)
			CHECK(r == -EINVAL, "link up with a broken header: %d", r);
		else
			CHECK(r == 0 || r == -EINVAL, "link up: %d", r);
		break;
	case 4:		/* read-only and unknown fields, bad values */
		off = PICK(0u, 4u, 0xcu, 0x10u, 0x18u, 0x100u, 0x7fcu);
		note("EDID write at 0x%x", off);
		r = vfio_region_write_n(d, EDID, off, 4, rnd());
		CHECK(r == (off < EDID_REGS_END ? -EPERM : -EINVAL), "at 0x%x: %d",
		      off, r);
		r = vfio_region_write_n(d, EDID, EDID_LINK, 4,
					PICK(0u, 3u, (uint32_t)rnd() | 4));
		CHECK(r == -EINVAL, "link state value: %d", r);
		r = vfio_region_write_n(d, EDID, EDID_LINK, 2, LINK_UP);
		CHECK(r == -EINVAL, "2-byte link state write: %d", r);
		break;
	default:	/* read anything */
		off = below(IVGPU_EDID_REGION_SIZE / 4) * 4;
		note("EDID read at 0x%x", off);
		r = vfio_region_read(d, EDID, off, blob, 4);
		CHECK(r == 0, "read: %d", r);
		break;
	}
}

static void op_fb(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_dev *d = &s->v->dev;
	uint64_t meta = region_size(s, FB) - IVGPU_FB_META_SIZE;
	struct vfio_framebuffer fb;
	uint32_t maxx, maxy;
	uint8_t px[256];
	int r;

	note("framebuffer update");
	r = vfio_region_write_n(d, FB, meta + offsetof(struct vfio_framebuffer, state),
				4, VFIO_FB_STATE_REQUEST_UPDATE);
	CHECK(r == 0, "update: %d", r);
	CHECK(!vfio_region_read(d, FB, meta, &fb, sizeof(fb)), "metadata read");
	CHECK(fb.argsz == sizeof(fb) && fb.state == VFIO_FB_STATE_UPDATE_COMPLETE,
	      "argsz %u state %u", fb.argsz, fb.state);
	gfx_max_res(s->t, &maxx, &maxy);
	if (fb.format)
		CHECK(fb.width && fb.width <= maxx && fb.height &&
		      fb.height <= maxy && fb.offset == 0 &&
		      fb.stride == fb.width * fourcc_cpp(fb.format),
		      "%ux%u stride %u", fb.width, fb.height, fb.stride);
	else
		CHECK(!fb.width && !fb.height && !fb.stride, "no plane but %ux%u",
		      fb.width, fb.height);
	r = vfio_region_read(d, FB, below(meta - sizeof(px)), px, sizeof(px));
	CHECK(r == 0, "pixels: %d", r);
	r = vfio_region_write_n(d, FB, meta + offsetof(struct vfio_framebuffer, state),
				4, PICK(0u, 2u, 3u, (uint32_t)rnd() | 4));
	CHECK(r == -EINVAL, "state value: %d", r);
	r = vfio_region_write_n(d, FB, meta + PICK(0u, 4u, 8u, 20u, 28u, 100u), 4, 1);
	CHECK(r == -EPERM, "metadata field: %d", r);
}

static void op_cfg(void)
{
	struct fz_slot *s = any_slot();
	unsigned int size = PICK(1u, 2u, 4u);
	uint64_t off = below(IVGPU_CFG_SIZE / size) * size;

	note("config write %u bytes at 0x%" PRIx64, size, off);
	CHECK(vfio_region_write_n(&s->v->dev, CONFIG, off, size, rnd()) == 0,
	      "config write");
	CHECK(cfg_read16(s->v, PCI_VENDOR_ID) == IVGPU_PCI_VENDOR_ID &&
	      cfg_read16(s->v, PCI_DEVICE_ID) == IVGPU_PCI_DEVICE_ID,
	      "identity changed");
}

/* ---- migration ---- */

static int mig_set(struct fz_slot *s, uint32_t state, int *fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state m;
	} u = {
		.f.argsz = sizeof(u),
		.f.flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		.m.device_state = state,
		.m.data_fd = -1,
	};
	int r = ioctl(s->v->dev.fd, VFIO_DEVICE_FEATURE, &u);

	*fd = r ? -1 : u.m.data_fd;
	return r ? -errno : 0;
}

static int mig_get(struct fz_slot *s)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state m;
	} u = {
		.f.argsz = sizeof(u),
		.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
	};

	if (ioctl(s->v->dev.fd, VFIO_DEVICE_FEATURE, &u))
		return -errno;
	return u.m.device_state;
}

static bool mig_valid_state(uint32_t state)
{
	return state >= MIG_STOP && state <= MIG_RUNNING_P2P ? true :
	       (state == MIG_PRE_COPY || state == MIG_PRE_COPY_P2P) && F.precopy;
}

static void mig_keep_fd(struct fz_slot *s, int fd)
{
	if (s->mig_fd >= 0)
		close(s->mig_fd);
	s->mig_fd = fd;
}

/* Read what a saving fd has: its stream, kept for loading later. */
static void mig_drain(struct fz_slot *s)
{
	uint8_t *data = NULL;
	size_t len = 0;
	ssize_t n;

	for (;;) {
		uint8_t *more = realloc(data, len + 65536);

		if (!more)
			break;
		data = more;
		n = read(s->mig_fd, data + len, 65536);
		if (n <= 0)
			break;
		len += n;
	}
	if (len >= 8 && !memcmp(data, "IVGPUMIG", 8)) {
		free(s->stream);
		s->stream = data;
		s->stream_len = len;
	} else {
		free(data);
	}
}

static void op_mig(void)
{
	struct fz_slot *s = any_slot();
	uint32_t state = chance(90) ? PICK(MIG_RUNNING, MIG_RUNNING, MIG_STOP,
					   MIG_STOP_COPY, MIG_RESUMING,
					   MIG_RUNNING_P2P, MIG_PRE_COPY,
					   MIG_PRE_COPY_P2P) :
				      PICK(MIG_ERROR, 8u, 9u, (uint32_t)rnd());
	int cur = mig_get(s), after, r, fd;

	CHECK(cur >= 0 && cur <= MIG_PRE_COPY_P2P, "state %d", cur);
	if (cur < 0)
		return;
	if (s->mig_fd >= 0 && chance(50)) {
		if (cur == MIG_RESUMING) {
			/* A saved stream (of any vGPU), garbage, or a piece. */
			struct fz_slot *o = any_slot();
			uint8_t junk[512];
			size_t len = o->stream_len;
			const uint8_t *data = o->stream;
			ssize_t w;

			if (!data || chance(30)) {
				for (len = 0; len < sizeof(junk); len++)
					junk[len] = rnd();
				data = junk;
				len = 1 + below(sizeof(junk));
			} else if (chance(30)) {
				len = below(len);
			}
			note("write %zu bytes to the resuming fd", len);
			w = len ? write(s->mig_fd, data, len) : 0;
			CHECK(w == (ssize_t)len || (w == -1 && errno == EFBIG),
			      "resume write: %zd (%s)", w, strerror(errno));
		} else {
			note("read the saving fd");
			mig_drain(s);
		}
		return;
	}
	note("migration state %d -> %u", cur, state);
	r = mig_set(s, state, &fd);
	after = mig_get(s);
	if (cur == MIG_ERROR && state != MIG_ERROR) {
		CHECK(r == -EINVAL && after == MIG_ERROR, "out of ERROR: %d, now %d",
		      r, after);
	} else if (!mig_valid_state(state) && state != (uint32_t)cur) {
		CHECK(r == -EINVAL && after == cur, "to state %u: %d, now %d",
		      state, r, after);
	} else if (!r) {
		CHECK(after == (int)state, "now %d", after);
		if (fd >= 0)
			mig_keep_fd(s, fd);
	} else if (after == cur) {
		/* An arc the state machine does not have (PRE_COPY from STOP). */
		CHECK(r == -EINVAL, "%d -> %u refused: %d", cur, state, r);
	} else {
		/* Loading a stream may be refused: ERROR, until a reset. */
		CHECK(cur == MIG_RESUMING && (r == -EINVAL || r == -EPROTONOSUPPORT) &&
		      after == MIG_ERROR, "%d -> %u refused: %d, now %d", cur,
		      state, r, after);
	}
	if (cur == MIG_RESUMING && after != MIG_RESUMING) {
		ids_clear(s);	/* a load (or a refused one) drops plane states */
		F.loads += after != MIG_ERROR;
		F.refused_loads += after == MIG_ERROR;
	}
	if (after == MIG_ERROR || (after != MIG_RUNNING && chance(20))) {
		note("reset out of migration state %d", after);
		CHECK(vfio_reset(&s->v->dev) == 0, "reset");
		ids_clear(s);
		if (s->mig_fd >= 0)
			close(s->mig_fd);
		s->mig_fd = -1;
		CHECK(mig_get(s) == MIG_RUNNING, "state after reset");
	}
}

static void op_feature(void)
{
	struct fz_slot *s = any_slot();
	struct {
		struct vfio_device_feature f;
		uint8_t data[64];
	} u;
	uint32_t argsz = PICK((uint32_t)sizeof(u), (uint32_t)sizeof(u.f),
			      (uint32_t)below(sizeof(u.f)));
	uint32_t flags = PICK(VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_SET,
			      VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET,
			      VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET,
			      0u) | (uint32_t)PICK(0u, 3u, 5u, 6u, 7u, 8u, 100u,
						   (uint32_t)below(0x10000));
	uint32_t feature = flags & VFIO_DEVICE_FEATURE_MASK;
	int r;

	/* Setting migration states is op_mig's. */
	if (feature == VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE)
		return;
	memset(&u, 0, sizeof(u));
	u.f.argsz = argsz;
	u.f.flags = flags;
	note("VFIO_DEVICE_FEATURE argsz %u flags 0x%x", argsz, flags);
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_FEATURE, &u);
	CHECK(r == 0 || r == -1, "returned %d", r);
	/* Only migration's (and, on newer kernels, its data size) GET. */
	if (r == 0)
		CHECK((feature == VFIO_DEVICE_FEATURE_MIGRATION || feature == 9) &&
		      !(flags & VFIO_DEVICE_FEATURE_SET), "feature 0x%x accepted",
		      flags);
}

static void op_remove(void)
{
	struct fz_slot *s = any_slot();

	note("remove vGPU %s and create another", s->v->uuid);
	slot_close(s);
	CHECK(slot_remove(s), "remove");
	slot_new(s);
}

/* The guest's AUX channel (port D): any message size and content. */
#define AUX_CTL			0x64310
#define AUX_DATA(i)		(0x64314 + 4 * (i))
#define  AUX_SEND_BUSY		(1u << 31)
#define  AUX_DONE		(1u << 30)
#define  AUX_INTERRUPT		(1u << 29)
#define  AUX_TIME_OUT		(1u << 28)
#define  AUX_SIZE(x)		(((x) >> 20) & 0x1f)

static void op_aux(void)
{
	struct fz_slot *s = any_slot();
	uint32_t cmd = PICK(0x9u, 0x8u, 0x1u, 0x0u, 0x5u, 0x4u, (uint32_t)below(16));
	uint32_t addr = chance(50) ? (uint32_t)below(1 << 20) : PICK(0x50u, 0x30u, 0x200u);
	uint32_t size = chance(80) ? 3 + below(18) : below(32), ctl, got, i;
	bool up = edid_read32(s, EDID_LINK) == LINK_UP;

	bar0_write32(s->v, AUX_DATA(0), cmd << 28 | addr << 8 | (uint32_t)below(256));
	for (i = 1; i < 5; i++)
		bar0_write32(s->v, AUX_DATA(i), rnd());
	ctl = AUX_SEND_BUSY | size << 20 | (chance(30) ? AUX_INTERRUPT : 0);
	note("AUX cmd 0x%x addr 0x%x size %u (link %s)", cmd, addr, size,
	     up ? "up" : "down");
	bar0_write32(s->v, AUX_CTL, ctl);
	got = bar0_read32(s->v, AUX_CTL);
	CHECK((got & AUX_DONE) && !(got & AUX_SEND_BUSY) && AUX_SIZE(got) <= 20,
	      "AUX_CTL reads 0x%x", got);
	CHECK(!!(got & AUX_TIME_OUT) == (size < 3 || !up), "AUX_CTL reads 0x%x", got);
}

/* Device ioctls with pointers the kernel can't use, and unknown ones. */
static void op_bad_ioctl(void)
{
	static const unsigned long cmds[] = {
		VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO,
		VFIO_DEVICE_GET_IRQ_INFO, VFIO_DEVICE_SET_IRQS,
		VFIO_DEVICE_QUERY_GFX_PLANE, VFIO_DEVICE_GET_GFX_DMABUF,
	};
	struct fz_slot *s = any_slot();
	unsigned long cmd;
	void *arg;
	int r, e;

	if (chance(70)) {
		cmd = cmds[below(ARRAY_SIZE(cmds))];
		arg = chance(50) ? NULL : (void *)F.noaccess;
		note("ioctl 0x%lx with pointer %p", cmd, arg);
		errno = 0;
		r = ioctl(s->v->dev.fd, cmd, arg);
		e = errno;
		CHECK_ERR(r, e, EFAULT);
		return;
	}
	/* Numbers no one handles: of the VFIO type past its last, and others. */
	cmd = chance(50) ? _IO(VFIO_TYPE, VFIO_BASE + 40 + below(100)) :
			   _IO('x', below(256));
	note("unknown ioctl 0x%lx", cmd);
	errno = 0;
	r = ioctl(s->v->dev.fd, cmd, F.noaccess);
	e = errno;
	CHECK_ERR(r, e, ENOTTY);
}

static void op_evfd(void)
{
	struct fz_slot *s = any_slot();

	/* Close an eventfd the device may hold; use a new one from now on. */
	note("new eventfd");
	close(s->evfd);
	s->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	CHECK(s->evfd >= 0, "eventfd");
}

/*
 * A plane the guest really shows: guest pages in order behind GGTT entries
 * 16 on, a linear XRGB8888 plane over them. The region plane and the
 * dma-buf must show those bytes; after an unmap the dma-buf still does and
 * the plane region shows zeros.
 */
static void op_good_plane(void)
{
	static uint8_t want[16 * PAGE];
	struct fz_slot *s = any_slot();
	struct vfio_device_gfx_plane_info pi;
	static uint8_t got[16 * PAGE];
	uint32_t w = 64 * (1 + below(4)), stride = w * 4, h;
	size_t pages = 4 + below(13), len, i;
	struct fz_buf *b;
	uint8_t *map;
	int fd;

	if (s->nr_bufs == MAX_BUFS)
		op_dma_unmap_slot(s, below(MAX_BUFS));
	b = &s->bufs[s->nr_bufs];
	b->mem = vfio_dma_alloc(&s->v->dev, pages * PAGE, &b->iova);
	CHECK(b->mem, "vfio_dma_alloc: %s", strerror(errno));
	if (!b->mem)
		return;
	b->len = pages * PAGE;
	s->nr_bufs++;
	for (i = 0; i < b->len; i++)
		b->mem[i] = rnd();
	h = b->len / stride;
	len = (size_t)stride * h;
	memcpy(want, b->mem, len);
	note("good plane %ux%u over %zu pages at 0x%" PRIx64, w, h, pages, b->iova);
	for (i = 0; i < pages; i++)
		bar0_write64(s->v, PTE(16 + i), (b->iova + i * PAGE) | IVGPU_PTE_PRESENT);
	gfx_plane_linear(s->v, PIPE_A, 16 * PAGE, w, h, stride / 64);

	if (s->planes & Q_REGION) {
		CHECK(!gfx_query(s->v, Q_REGION, 0, &pi) && pi.region_index &&
		      pi.width == w && pi.height == h && pi.stride == stride,
		      "region plane %ux%u stride %u index %u", pi.width, pi.height,
		      pi.stride, pi.region_index);
		if (pi.region_index) {
			F.region_planes++;
			CHECK(!vfio_region_read(&s->v->dev, pi.region_index, 0, got, len) &&
			      !memcmp(got, want, len), "the region plane's pixels");
		}
	}
	if (!(s->planes & Q_DMABUF))
		return;
	CHECK(!gfx_query(s->v, Q_DMABUF, GFX_PRIMARY, &pi) && pi.dmabuf_id &&
	      pi.size >= len, "dma-buf plane id %u size %u", pi.dmabuf_id, pi.size);
	if (!pi.dmabuf_id)
		return;
	F.dmabuf_planes++;
	ids_keep(s, pi.dmabuf_id);
	fd = gfx_get_dmabuf(s->v, pi.dmabuf_id);
	CHECK(fd >= 0, "GET_GFX_DMABUF: %s", strerror(errno));
	if (fd < 0)
		return;
	map = mmap(NULL, pi.size, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED, "dma-buf mmap: %s", strerror(errno));
	if (map == MAP_FAILED) {
		close(fd);
		return;
	}
	CHECK(!gfx_probe_copy(got, map, len) && !memcmp(got, want, len),
	      "the dma-buf's pixels");
	if (chance(40)) {
		/* Unmapped under the plane and the dma-buf. */
		op_dma_unmap_slot(s, s->nr_bufs - 1);
		CHECK(!gfx_probe_copy(got, map, len) && !memcmp(got, want, len),
		      "the dma-buf's pixels after the unmap");
		if (s->planes & Q_REGION) {
			CHECK(!gfx_query(s->v, Q_REGION, 0, &pi) && pi.region_index &&
			      !vfio_region_read(&s->v->dev, pi.region_index, 0, got, len) &&
			      gfx_all(got, 0, len), "the region plane after the unmap");
		}
	}
	munmap(map, pi.size);
	dmabuf_add(fd, pi.size);
}

/*
 * A migration: the saving side's stream (STOP_COPY) loaded into a vGPU of
 * the same type (any of them, itself included) or refused by another type.
 */
static void op_migrate(void)
{
	struct fz_slot *src = any_slot(), *dst = any_slot();
	uint64_t reg, pte;
	size_t done;
	int fd, r;

	if (mig_get(src) != MIG_RUNNING || mig_get(dst) != MIG_RUNNING)
		return;
	note("migrate %s -> %s", src->t->name, dst->t->name);
	CHECK(!mig_set(src, MIG_STOP_COPY, &fd) && fd >= 0, "to STOP_COPY");
	if (fd < 0)
		return;
	mig_keep_fd(src, fd);
	src->stream_len = 0;
	mig_drain(src);
	CHECK(src->stream_len >= 32, "a stream of %zu bytes", src->stream_len);
	reg = bar0_read32(src->v, SCRATCH_REG);
	pte = bar0_read64(src->v, PTE(16));
	CHECK(!mig_set(src, MIG_RUNNING, &fd), "back to RUNNING");
	if (src->stream_len < 32)
		return;

	CHECK(!mig_set(dst, MIG_RESUMING, &fd) && fd >= 0, "to RESUMING");
	if (fd < 0)
		return;
	mig_keep_fd(dst, fd);
	for (done = 0; done < src->stream_len; done += r) {
		r = write(fd, src->stream + done, src->stream_len - done);
		if (r <= 0)
			break;
	}
	CHECK(done == src->stream_len, "stream write: %s", strerror(errno));
	r = mig_set(dst, MIG_RUNNING, &fd);
	ids_clear(dst);
	if (src->t != dst->t) {
		CHECK(r == -EINVAL && mig_get(dst) == MIG_ERROR,
		      "a %s stream into a %s: %d", src->t->name, dst->t->name, r);
		F.refused_loads++;
		CHECK(!vfio_reset(&dst->v->dev), "reset");
		return;
	}
	CHECK(r == 0 && mig_get(dst) == MIG_RUNNING, "load: %d", r);
	if (r)
		return;
	F.loads++;
	CHECK(bar0_read32(dst->v, SCRATCH_REG) == reg &&
	      bar0_read64(dst->v, PTE(16)) == pte, "registers after the load");
	if (src != dst)
		CHECK(vgpu_stat(dst->v, "pages_pinned") == 0, "pins right after a load");
}

static const struct {
	void (*fn)(void);
	unsigned int weight;
	const char *name;
} ops[] = {
	{ op_rw, 14, "rw" },
	{ op_rw_fault, 2, "rw_fault" },
	{ op_pte, 14, "pte" },
	{ op_plane, 8, "plane" },
	{ op_cursor, 3, "cursor" },
	{ op_query, 10, "query" },
	{ op_get_dmabuf, 4, "get_dmabuf" },
	{ op_region_info, 4, "region_info" },
	{ op_irq_info, 2, "irq_info" },
	{ op_device_info, 1, "device_info" },
	{ op_set_irqs, 6, "set_irqs" },
	{ op_mmap, 6, "mmap" },
	{ op_touch, 6, "touch" },
	{ op_dma_map, 5, "dma_map" },
	{ op_dma_unmap, 3, "dma_unmap" },
	{ op_reset, 1, "reset" },
	{ op_close_reopen, 1, "close_reopen" },
	{ op_gfx_plane, 1, "gfx_plane" },
	{ op_edid, 4, "edid" },
	{ op_fb, 2, "fb" },
	{ op_cfg, 2, "cfg" },
	{ op_mig, 3, "migration" },
	{ op_feature, 1, "feature" },
	{ op_evfd, 1, "eventfd" },
	{ op_good_plane, 4, "good_plane" },
	{ op_bad_ioctl, 2, "bad_ioctl" },
	{ op_aux, 3, "aux" },
	{ op_migrate, 1, "migrate" },
};

/* ---- setup ---- */

static double fuzz_seconds(void)
{
	const char *env = getenv("IVGPU_FUZZ_SECONDS");
	double secs = env ? atof(env) : 20;

	return secs > 0 ? secs : 20;
}

static void seed_init(void)
{
	const char *env = getenv("IVGPU_FUZZ_SEED");
	uint64_t seed;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, &seed, sizeof(seed)) != sizeof(seed))
			seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
		if (fd >= 0)
			close(fd);
		seed &= (1ULL << 53) - 1;	/* easy to copy */
	}
	F.seed = seed;
	F.rng = seed;
}

static void common_init(void)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_migration m;
	} u = {
		.f.argsz = sizeof(u),
		.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION,
	};

	gfx_probe_init();
	F.devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(F.devnull, 0);
	F.noaccess = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ASSERT_TRUE(F.noaccess != MAP_FAILED);
	if (!ioctl(F.slot[0].v->dev.fd, VFIO_DEVICE_FEATURE, &u))
		F.precopy = u.m.flags & (1 << 2);	/* VFIO_MIGRATION_PRE_COPY */
}

TEST(random_operations)
{
	double secs = fuzz_seconds() * 0.7, start = now(), last_check = start;
	const char *max_env = getenv("IVGPU_FUZZ_OPS");
	unsigned long max_ops = max_env ? strtoul(max_env, NULL, 0) : 0;
	unsigned long counts[ARRAY_SIZE(ops)] = { 0 };
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	unsigned int total = 0, removes = 0, i, k;
	char line[1024];
	int n = 0;

	seed_init();
	tap_log("seed %" PRIu64 " (IVGPU_FUZZ_SEED=%" PRIu64 " repeats it), %.1f s",
		F.seed, F.seed, secs);
	tap_defer(fz_cleanup, NULL);
	for (i = 0; i < NR_SLOTS; i++)
		slot_new(&F.slot[i]);
	common_init();
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;

	while (now() - start < secs && (!max_ops || F.ops < max_ops)) {
		unsigned int w = below(total);

		for (k = 0; w >= ops[k].weight; k++)
			w -= ops[k].weight;
		F.ops++;
		/* A vGPU goes away and another comes, now and then. */
		if (!below(400) && removes++ < MAX_REMOVES) {
			op_remove();
			continue;
		}
		counts[k]++;
		ops[k].fn();
		/* Every dma-buf still reads (the seed's sequence stays the same). */
		if (now() - last_check > 1) {
			last_check = now();
			for (i = 0; i < F.nr_dmabufs; i++)
				if (F.dmabufs[i].p)
					touch_ends(&F.dmabufs[i], "dma-buf");
		}
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		n += snprintf(line + n, sizeof(line) - n, " %s %lu", ops[i].name,
			      counts[i]);
	tap_log("%lu operations in %.1f s:%s", F.ops, now() - start, line);
	tap_log("reached: %lu region planes, %lu dma-buf planes, %lu dma-buf fds, %lu mmaps, %lu EDID link ups, %lu stream loads (%lu refused), up to %lu pages pinned",
		F.region_planes, F.dmabuf_planes, F.dmabuf_fds, F.mmaps,
		F.link_ups, F.loads, F.refused_loads, F.max_pinned);

	/* Every vGPU: no pins once closed, removable. */
	F.ops++;
	note("closing and removing every vGPU");
	for (i = 0; i < NR_SLOTS; i++) {
		struct fz_slot *s = &F.slot[i];
		char uuid[MDEV_UUID_LEN];

		memcpy(uuid, s->v->uuid, sizeof(uuid));
		slot_close(s);
		CHECK(slot_remove(s), "vGPU %s not removed", uuid);
	}
	/* Dma-bufs outlive their vGPUs. */
	while (F.nr_dmabufs) {
		if (F.dmabufs[0].p)
			touch(F.dmabufs[0].p, F.dmabufs[0].len, F.dmabufs[0].prot,
			      2, "dma-buf after its vGPU");
		dmabuf_drop(0);
	}
	EXPECT_AVAILABLE(&budget);
}

/* ---- several threads on one vGPU ---- */

#define C_SLOTS		4	/* guest memory buffers at fixed IOVAs */
#define C_PAGES		16
#define C_ENTRIES	64

struct conc {
	struct vgpu *v;
	uint64_t base;			/* IOVA of buffer 0 */
	uint8_t *mem[C_SLOTS];
	atomic_bool mapped[C_SLOTS];
	atomic_bool stop;
	atomic_ulong ops;
	uint32_t plane_bytes;
};

static uint64_t c_rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct worker {
	pthread_t thread;
	struct conc *c;
	uint64_t rng;
	void *(*fn)(void *);
	unsigned long errors;
	char what[160];
};

#define W_FAIL(w, ...) do {						\
	if (!(w)->errors++)						\
		snprintf((w)->what, sizeof((w)->what), __VA_ARGS__);	\
} while (0)

/* The guest: GGTT entries, planes, cursor, the aperture. */
static void *w_guest(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	uint8_t buf[64];

	while (!atomic_load(&c->stop)) {
		uint64_t r = c_rnd(&w->rng), idx = r % C_ENTRIES, val = 0;
		unsigned int slot = (r >> 8) % C_SLOTS;

		if ((r >> 16) % 8)
			val = (c->base + (slot * C_PAGES + (r >> 24) % C_PAGES) * PAGE) |
			      IVGPU_PTE_PRESENT;
		if (vfio_region_write_n(&c->v->dev, BAR0, PTE(idx), 8, val))
			W_FAIL(w, "PTE write");
		if (vfio_region_read(&c->v->dev, BAR2, ((r >> 32) % C_ENTRIES) * PAGE,
				     buf, sizeof(buf)))
			W_FAIL(w, "aperture read");
		if (!((r >> 40) % 64)) {
			uint32_t h = 1 + (r >> 48) % 64;

			vfio_region_write_n(&c->v->dev, BAR0, GFX_PLANE_STRIDE(0), 4, 4);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_PLANE_SIZE(0), 4,
					    (h - 1) << 16 | 63);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_PLANE_CTL(0), 4,
					    GFX_CTL_ENABLE | GFX_FMT_XRGB8888 |
					    ((r >> 56) & 1) << 10);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_PLANE_SURF(0), 4,
					    ((r >> 58) % 4) * PAGE);
			vfio_region_write_n(&c->v->dev, BAR0, TRANSCONF(0), 4,
					    TRANSCONF_ENABLE);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_CURCNTR(0), 4,
					    (r >> 60) & 1 ? 0x27 : 0);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_CURBASE(0), 4,
					    32 * PAGE);
		}
		atomic_fetch_add(&c->ops, 1);
	}
	return NULL;
}

/* The VFIO user's memory: buffers mapped and unmapped under it all. */
static void *w_memory(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;

	while (!atomic_load(&c->stop)) {
		uint64_t r = c_rnd(&w->rng);
		unsigned int slot = r % C_SLOTS;
		uint64_t iova = c->base + slot * C_PAGES * PAGE;

		if (atomic_load(&c->mapped[slot])) {
			struct vfio_iommu_type1_dma_unmap unmap = {
				.argsz = sizeof(unmap), .iova = iova,
				.size = C_PAGES * PAGE,
			};

			if (ioctl(c->v->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ||
			    unmap.size != C_PAGES * PAGE)
				W_FAIL(w, "unmap: %s", strerror(errno));
			atomic_store(&c->mapped[slot], false);
		} else {
			struct vfio_iommu_type1_dma_map map = {
				.argsz = sizeof(map),
				.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
				.vaddr = (uintptr_t)c->mem[slot], .iova = iova,
				.size = C_PAGES * PAGE,
			};

			if (ioctl(c->v->dev.container, VFIO_IOMMU_MAP_DMA, &map))
				W_FAIL(w, "map: %s", strerror(errno));
			atomic_store(&c->mapped[slot], true);
		}
		atomic_fetch_add(&c->ops, 1);
		usleep((r >> 32) % 2000);
	}
	return NULL;
}

/* The display consumer: queries, regions, dma-bufs, the framebuffer. */
static void *w_display(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	struct vfio_device_gfx_plane_info pi;
	uint8_t buf[256], val;
	uint64_t fbmeta = c->v->dev.regions[FB].size - IVGPU_FB_META_SIZE;

	while (!atomic_load(&c->stop)) {
		uint64_t r = c_rnd(&w->rng);
		uint8_t *p;
		int fd;

		if (gfx_query(c->v, Q_REGION, 0, &pi))
			W_FAIL(w, "region query: %s", strerror(errno));
		else if (pi.region_index) {
			if (vfio_region_read(&c->v->dev, pi.region_index,
					     (r % (pi.size / PAGE)) * PAGE, buf,
					     sizeof(buf)))
				W_FAIL(w, "plane region read");
			p = mmap(NULL, pi.size, PROT_READ, MAP_SHARED, c->v->dev.fd,
				 (off_t)pi.region_index << 40);
			if (p == MAP_FAILED) {
				W_FAIL(w, "plane region mmap: %s", strerror(errno));
			} else {
				if (gfx_probe(p + (r >> 8) % pi.size, false, &val))
					W_FAIL(w, "plane region mapping faulted");
				munmap(p, pi.size);
			}
		}
		if (gfx_query(c->v, Q_DMABUF, (r >> 20) & 1 ? GFX_CURSOR : GFX_PRIMARY,
			      &pi)) {
			W_FAIL(w, "dma-buf query: %s", strerror(errno));
		} else if (pi.dmabuf_id) {
			fd = gfx_get_dmabuf(c->v, pi.dmabuf_id);
			/* A reset on another thread may have dropped it. */
			if (fd < 0 && errno != ENOENT) {
				W_FAIL(w, "GET_GFX_DMABUF: %s", strerror(errno));
			} else if (fd >= 0) {
				p = mmap(NULL, pi.size, PROT_READ, MAP_SHARED, fd, 0);
				if (p == MAP_FAILED) {
					W_FAIL(w, "dma-buf mmap: %s", strerror(errno));
				} else {
					if (gfx_probe(p + (r >> 24) % pi.size, false, &val))
						W_FAIL(w, "dma-buf mapping faulted");
					munmap(p, pi.size);
				}
				close(fd);
			}
		}
		if (!((r >> 40) % 8) &&
		    vfio_region_write_n(&c->v->dev, FB, fbmeta +
					offsetof(struct vfio_framebuffer, state), 4,
					VFIO_FB_STATE_REQUEST_UPDATE))
			W_FAIL(w, "framebuffer update");
		atomic_fetch_add(&c->ops, 1);
	}
	return NULL;
}

/* Resets, interrupt routing, an aperture mapping. */
static void *w_control(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	int evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint8_t *ap, val;

	ap = mmap(NULL, C_ENTRIES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		  c->v->dev.fd, (off_t)BAR2 << 40);
	if (ap == MAP_FAILED)
		W_FAIL(w, "aperture mmap: %s", strerror(errno));
	while (!atomic_load(&c->stop)) {
		uint64_t r = c_rnd(&w->rng);

		switch (r % 8) {
		case 0:
			if (vfio_reset(&c->v->dev))
				W_FAIL(w, "reset");
			break;
		case 1:
		case 2:
			if (vfio_irq_set_eventfd(&c->v->dev, (r >> 8) % 2 ?
						 VFIO_PCI_MSI_IRQ_INDEX :
						 VFIO_PCI_INTX_IRQ_INDEX,
						 (r >> 9) % 2 ? evfd : -1))
				W_FAIL(w, "SET_IRQS");
			break;
		default:
			if (ap != MAP_FAILED &&
			    gfx_probe(ap + (r >> 16) % (C_ENTRIES * PAGE), true, &val))
				W_FAIL(w, "aperture mapping faulted");
			break;
		}
		atomic_fetch_add(&c->ops, 1);
		usleep(1000 + (r >> 32) % 20000);
	}
	if (ap != MAP_FAILED)
		munmap(ap, C_ENTRIES * PAGE);
	close(evfd);
	return NULL;
}

TEST(concurrent_operations)
{
	double secs = fuzz_seconds() * 0.3;
	struct conc c = { 0 };
	struct worker w[4] = {
		{ .fn = w_guest }, { .fn = w_memory }, { .fn = w_display },
		{ .fn = w_control },
	};
	unsigned int i;
	long long pinned;

	seed_init();
	gfx_probe_init();
	c.v = vgpu_create(&ivgpu_types[below(IVGPU_NR_TYPES)]);
	ASSERT_OK(gfx_plane_set(c.v->uuid, "both"));
	vgpu_open(c.v);
	c.base = (c.v->dev.iova_next + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	c.v->dev.iova_next = c.base + C_SLOTS * C_PAGES * PAGE;
	for (i = 0; i < C_SLOTS; i++) {
		c.mem[i] = mmap(NULL, C_PAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		ASSERT_TRUE(c.mem[i] != MAP_FAILED);
		memset(c.mem[i], 0x40 + i, C_PAGES * PAGE);
	}
	tap_log("seed %" PRIu64 ", %s, %.1f s", F.seed, c.v->type->dir, secs);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		w[i].c = &c;
		w[i].rng = F.seed + i;
		ASSERT_OK(pthread_create(&w[i].thread, NULL, w[i].fn, &w[i]));
	}
	usleep(secs * 1e6);
	atomic_store(&c.stop, true);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].errors)
			tap_fail(false, __FILE__, __LINE__,
				 "thread %u: %lu errors, the first: %s", i,
				 w[i].errors, w[i].what);
	}
	tap_log("%lu operations", (unsigned long)atomic_load(&c.ops));

	ASSERT_OK(vfio_reset(&c.v->dev));
	pinned = vgpu_stat(c.v, "pages_pinned");
	EXPECT_EQ(pinned, 0);
	for (i = 0; i < C_SLOTS; i++) {
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap),
			.iova = c.base + i * C_PAGES * PAGE,
			.size = C_PAGES * PAGE,
		};

		if (atomic_load(&c.mapped[i]))
			EXPECT_OK(ioctl(c.v->dev.container, VFIO_IOMMU_UNMAP_DMA,
					&unmap));
	}
	vgpu_close(c.v);
	EXPECT_EQ(vgpu_stat(c.v, "pages_pinned"), 0);
	vgpu_remove(c.v);
	EXPECT_FALSE(mdev_exists(c.v->uuid));
}
