/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * devfuzz.h: what the parts of devfuzz share: limits and constants, the
 * model's state (F: the vGPUs of the walk, their buffers, mappings and
 * dma-bufs, the history), its seeded randomness, the checks that report a
 * failed operation with the seed and the last operations, and what each
 * file offers the others.
 *
 * The program is devfuzz.c and devfuzz_*.c, linked in that order (see the
 * Makefile): tests run in the order they are linked, the walk
 * (devfuzz.c) then the threads (devfuzz_threads.c).
 *
 * gfx.h's gfx_probe*() keep their jump buffer in each file that includes
 * it, and gfx_probe_init() installs the handler of the file that calls it:
 * a test probes memory only from the file that called gfx_probe_init()
 * (devfuzz.c for the walk, devfuzz_threads.c for the threads).
 */
#ifndef IVGPU_SELFTESTS_DEVFUZZ_H
#define IVGPU_SELFTESTS_DEVFUZZ_H

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

/* The walk's state, one for the program (defined in devfuzz.c). */
struct fz_state {
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
};

extern struct fz_state F;

/* ---- randomness ---- */

static inline uint64_t rnd(void)		/* splitmix64 */
{
	uint64_t z = (F.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static inline bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* One of the values, as a uint64_t (callers convert it back). */
#define PICK(...) pick((const uint64_t[]){ __VA_ARGS__ },		\
		       ARRAY_SIZE(((const uint64_t[]){ __VA_ARGS__ })))

static inline uint64_t pick(const uint64_t *a, size_t n)
{
	return a[below(n)];
}

#define PICK_STR(...) ({						\
	static const char *const __s[] = { __VA_ARGS__ };		\
	__s[below(ARRAY_SIZE(__s))];					\
})

/* ---- history, failures ---- */

void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define CHECK(cond, fmt, ...) do {					\
	if (!(cond))							\
		fz_fail(__FILE__, __LINE__, "%s: " fmt, #cond,		\
			##__VA_ARGS__);					\
} while (0)

/* A syscall result: r is what it returned, e the errno it left. */
#define CHECK_ERR(r, e, want) do {					\
	long __r = (r);							\
	int __e = (e), __w = (want);					\
	if (__r != -1 || __e != __w)					\
		fz_fail(__FILE__, __LINE__,				\
			"%s returned %ld (%s), expected %s",		\
			#r, __r, __r < 0 ? strerrorname_np(__e) : "ok",	\
			strerrorname_np(__w));				\
} while (0)

#define CHECK_RET(r, e, want) do {					\
	long __rr = (r);						\
	long __ww = (want);						\
	if (__ww < 0)							\
		CHECK_ERR(__rr, (e), (int)-__ww);			\
	else if (__rr != __ww)						\
		fz_fail(__FILE__, __LINE__,				\
			"%s returned %ld (%s), expected %ld",		\
			#r, __rr, __rr < 0 ? strerrorname_np(e) : "ok", __ww); \
} while (0)

/* devfuzz.c: the model, mappings, dma-bufs, open and close */
uint64_t slot_entries(const struct fz_slot *s);
uint64_t slot_gm(const struct fz_slot *s);
uint64_t region_size(const struct fz_slot *s, unsigned int index);
uint64_t mmap_start(const struct fz_slot *s, unsigned int index);
uint64_t mmap_size(const struct fz_slot *s, unsigned int index);
void ids_clear(struct fz_slot *s);
bool ids_has(const struct fz_slot *s, uint32_t id);
void ids_keep(struct fz_slot *s, uint32_t id);
uint32_t edid_read32(struct fz_slot *s, uint64_t off);
void map_drop(struct fz_slot *s, unsigned int i);
void touch(uint8_t *p, size_t len, int prot, unsigned int n,
	   const char *what);
void dmabuf_add(int fd, size_t size);
void slot_open(struct fz_slot *s);
void slot_close(struct fz_slot *s);
void slot_set_planes(struct fz_slot *s);
struct fz_slot *any_slot(void);
double fuzz_seconds(void);
void seed_init(void);

/* devfuzz_guest.c: the guest's operations */
void op_pte(void);
void op_plane(void);
void op_cursor(void);
void op_aux(void);
void op_dma_map(void);
void op_dma_unmap_slot(struct fz_slot *s, unsigned int i);
void op_dma_unmap(void);

/* devfuzz_ioctl.c: device ioctls, reset, reopen, gfx_plane */
uint32_t fourcc_cpp(uint32_t fourcc);
void op_query(void);
void op_get_dmabuf(void);
void op_region_info(void);
void op_irq_info(void);
void op_device_info(void);
void op_set_irqs(void);
void op_bad_ioctl(void);
void op_evfd(void);
void op_reset(void);
void op_close_reopen(void);
void op_gfx_plane(void);

/* devfuzz_migration.c: migration */
void op_mig(void);
void op_feature(void);
void op_migrate(void);

/* devfuzz_regions.c: region access, EDID, framebuffer, mmaps */
unsigned int pick_index(void);
void op_rw(void);
void op_rw_fault(void);
void op_cfg(void);
void op_edid(void);
void op_fb(void);
void op_mmap(void);
void op_touch(void);

#endif /* IVGPU_SELFTESTS_DEVFUZZ_H */
