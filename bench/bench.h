/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h: the benchmark engine. A benchmark is a set of variants (the
 * subject and its baselines) that run interleaved in blocks: every block
 * runs each variant once, in an order that rotates from block to block,
 * so that drift in the machine's speed (other guests, caches, timers)
 * hits every variant alike. A ratio is computed per block, between two
 * variants of the same block, and summarised by its median and spread.
 *
 * Every benchmark is a TEST() of the selftests' TAP harness (lib/tap.h):
 * it runs in a process of its own and its vGPUs are removed when it ends.
 * Results are printed as diagnostic lines starting with "# @" (fields
 * separated by tabs) that bench/run collects and bench/report turns into
 * docs/benchmarks.md.
 */
#ifndef IVGPU_BENCH_H
#define IVGPU_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ivgpu.h"

#define BENCH_MAX_BLOCKS	32
#define BENCH_MAX_COUNTERS	40

/* Debugfs counters of one vGPU (name value lines), or of nothing. */
struct bench_counters {
	int n;
	char name[BENCH_MAX_COUNTERS][32];
	long long val[BENCH_MAX_COUNTERS];
};

struct bench_variant {
	const char *key;	/* short name, unique in the benchmark */
	const char *what;	/* what one operation is, for the report */
	/*
	 * Run n operations and return the nanoseconds that count (a variant
	 * that needs untimed setup per operation times itself; others
	 * return bench_since(start)). NULL: the variant is unavailable and
	 * skip says why.
	 */
	uint64_t (*run)(void *ctx, unsigned long n);
	void *ctx;
	const char *skip;
	/* Units of work per operation (e.g. 512 PTEs per batch): ns/unit. */
	unsigned int units;
	/* The vGPU whose counters are attributed to this variant, if any. */
	const char *uuid;
	/* Fixed iterations per chunk (0: calibrate to the chunk time). */
	unsigned long iters;
	/*
	 * A case that times each operation itself reads the clock twice per
	 * operation: 1 here, and the measured cost of a pair of reads is
	 * taken off each operation.
	 */
	unsigned int clock_pairs;

	/* Results. */
	unsigned long ops;			/* operations, all blocks */
	double ns[BENCH_MAX_BLOCKS];		/* ns per unit, each block's best chunk */
	struct bench_counters delta;		/* counter increase, all blocks */
};

struct bench_opts {
	int blocks;		/* blocks (30; 1 in smoke mode) */
	int rounds;		/* chunks of each variant per block (5) */
	double block_ms;	/* time one variant's chunks in a block should take */
	bool smoke;		/* a handful of iterations, no calibration */
};

extern struct bench_opts bench_opts;

static inline uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline uint64_t bench_since(uint64_t start)
{
	return bench_now() - start;
}

/*
 * Run variants v[0..nv) in interleaved blocks; block_ms scales the block
 * time of this benchmark (1.0: the default).
 */
void bench_run(struct bench_variant *v, int nv, double block_scale);

/* The variant with this key (the test fails if there is none). */
struct bench_variant *bench_find(struct bench_variant *v, int nv,
				 const char *key);

/*
 * Report subject/baseline of one benchmark: per-block ratios, median and
 * spread, raw ns of both, counters per operation of the subject. target
 * is the largest ratio that hits (0: no target, informational); target_text
 * says it in words.
 */
void bench_ratio(const char *id, const struct bench_variant *subject,
		 const struct bench_variant *baseline, double target,
		 const char *target_text);
/*
 * The same with a second condition of the target (cond false: a miss
 * whatever the ratio) and a note for the report (NULL: none).
 */
void bench_ratio_ex(const char *id, const struct bench_variant *subject,
		    const struct bench_variant *baseline, double target,
		    const char *target_text, bool cond, const char *note);

/*
 * A derived value (e.g. a pin's cost): id, what, value, unit, note; not
 * reported if value is NAN (made from a case that did not run).
 */
void bench_value(const char *id, const char *what, double value,
		 const char *unit, const char *note);

/*
 * An informational "# " line; smoke runs print none (only results and
 * what a failure says).
 */
void bench_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A free-form result line: "# @<kind>\t<fields...>" (tabs separate); not in smoke runs. */
void bench_emit(const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The median of a variant's per-block ns/unit; NAN if it did not run. */
double bench_median_ns(const struct bench_variant *v);

/* ---- counters ---- */

/* Read /sys/kernel/debug/ivgpu/<uuid>/stats; false if it is not there. */
bool bench_counters_read(const char *uuid, struct bench_counters *c);
long long bench_counter(const struct bench_counters *c, const char *name);
/* "name=x.xx/op ..." for the counters that moved, per operation. */
void bench_counters_fmt(const struct bench_counters *delta, unsigned long ops,
			char *buf, size_t len);

/* ---- sample drivers and vGPUs ---- */

/* A mediated device of any parent, opened through VFIO. */
struct mdevice {
	char parent[MDEV_NAME_LEN];
	const char *type;
	char uuid[MDEV_UUID_LEN];
	bool created;
	struct vfio_dev dev;
	bool open;
};

/*
 * Create an instance of type (any parent) and open it, removed when the
 * test ends. NULL with why set if the type is not offered (its module is
 * not loaded) or creating it failed.
 */
struct mdevice *mdevice_new(const char *type, const char **why);

/* A vGPU of type t with gfx_plane set to mode (NULL: the default), open. */
struct vgpu *bench_vgpu(const struct ivgpu_type *t, const char *mode);

/*
 * mmap len bytes of fd from off, shared, read-only; unmapped when the test
 * ends, before the devices it registered earlier are closed and removed
 * (a mapping keeps a device open, and removing an open device waits).
 */
const uint8_t *bench_map_ro(int fd, off_t off, size_t len);

/* The ENOTTY ioctl the baselines use: no handler, through VFIO's layers. */
#define BENCH_NULL_IOCTL	_IO(VFIO_TYPE, VFIO_BASE + 99)

/* ---- guest memory and display, as a guest driver programs it ---- */

#define PAGE_SZ			4096UL

#define PIPESRC(p)		(0x6001c + 0x1000 * (p))
#define PLANE_CTL(p)		(0x70180 + 0x1000 * (p))
#define  PLANE_CTL_ENABLE	(1u << 31)
#define  PLANE_FMT_XRGB8888	(4u << 24)
#define  PLANE_TILING_X		(1u << 10)
#define PLANE_STRIDE(p)		(0x70188 + 0x1000 * (p))
#define PLANE_SIZE(p)		(0x70190 + 0x1000 * (p))
#define PLANE_SURF(p)		(0x7019c + 0x1000 * (p))
#define PLANE_OFFSET(p)		(0x701a4 + 0x1000 * (p))
#define CURCNTR(p)		(0x70080 + 0x1000 * (p))
#define  CURSOR_64_ARGB		0x27
#define CURBASE(p)		(0x70084 + 0x1000 * (p))
#define CURPOS(p)		(0x70088 + 0x1000 * (p))

/* Guest memory mapped for DMA: pages at iova, CPU view at mem. */
struct guest_mem {
	uint8_t *mem;
	uint64_t iova;
	size_t pages;
};

/* Allocate, fill (every page written) and DMA-map pages of guest memory. */
struct guest_mem guest_mem_new(struct vfio_dev *d, size_t pages);

/*
 * Point GGTT entries [entry, entry + pages) at consecutive pages of g from
 * page first, in one write of pages * 8 bytes (as a guest driver's
 * write-combined GGTT update reaches QEMU in large pieces, it is one
 * pwrite per 512 entries here).
 */
void ggtt_map(struct vgpu *v, uint64_t entry, const struct guest_mem *g,
	      size_t first, size_t pages);

/*
 * Show a linear XRGB8888 plane of width x height on pipe A at graphics
 * address gm (stride width * 4, rounded up to 64 bytes); tiled: X-tiled,
 * stride rounded up to 512.
 */
void plane_show(struct vgpu *v, uint32_t width, uint32_t height, uint64_t gm,
		bool tiled);
/* A 64x64 ARGB cursor at graphics address gm. */
void cursor_show(struct vgpu *v, uint64_t gm);

/* QUERY_GFX_PLANE; ioctl()'s return. */
int plane_query(int fd, uint32_t flags, uint32_t plane,
		struct vfio_device_gfx_plane_info *pi);

/* Read one byte of every page of [p, p + len): what an importer's fault-in costs. */
uint64_t touch_pages(const volatile uint8_t *p, size_t len);

/* Free memory as /proc/meminfo says, in KiB, one field. */
long long meminfo_kib(const char *field);

#endif /* IVGPU_BENCH_H */
