/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ivgpu.h: what the tests know about ivgpu (its types, as documented) and
 * fixtures that create, open and clean up vGPUs inside a test.
 */
#ifndef IVGPU_SELFTESTS_IVGPU_H
#define IVGPU_SELFTESTS_IVGPU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <linux/ivgpu.h>
#include <linux/pci_regs.h>

#include "mdev.h"
#include "tap.h"
#include "vfio.h"

#define MIB			(1024UL * 1024)

/* Module defaults (docs/architecture.md, "Budget"). */
#define IVGPU_DEFAULT_GM_BUDGET_MIB	65536
#define IVGPU_DEFAULT_MAX_VGPUS		256

/* One vGPU type as the documentation lists it. */
struct ivgpu_type {
	const char *dir;		/* mdev type directory */
	const char *name;		/* what the "name" attribute prints */
	unsigned int low_gm_mib;	/* aperture, BAR2 */
	unsigned int high_gm_mib;
	unsigned int fences;
	const char *resolution;
	unsigned int weight;
};

#define IVGPU_NR_TYPES		3
extern const struct ivgpu_type ivgpu_types[IVGPU_NR_TYPES];

#define for_each_type(t) \
	for ((t) = ivgpu_types; (t) < ivgpu_types + IVGPU_NR_TYPES; (t)++)

/* The smallest and the largest type. */
#define TYPE_SMALL		(&ivgpu_types[0])
#define TYPE_LARGE		(&ivgpu_types[IVGPU_NR_TYPES - 1])

static inline unsigned int type_gm_mib(const struct ivgpu_type *t)
{
	return t->low_gm_mib + t->high_gm_mib;
}

/* The parent offering the ivgpu types; the test fails without one. */
const char *ivgpu_parent(void);

/* available_instances of a type; the test fails if it cannot be read. */
long ivgpu_available(const struct ivgpu_type *t);

/*
 * What the parent has left, as the tests account it: available_instances
 * of every type must be min(free_mib / type_gm, slots).
 */
struct ivgpu_budget {
	unsigned long free_mib;	/* graphics memory not taken */
	unsigned long slots;	/* max_vgpus - live instances */
};

#define IVGPU_DEFAULT_BUDGET ((struct ivgpu_budget){				.free_mib = IVGPU_DEFAULT_GM_BUDGET_MIB,				.slots = IVGPU_DEFAULT_MAX_VGPUS,				})

long budget_available(const struct ivgpu_budget *b,
		      const struct ivgpu_type *t);
void budget_take(struct ivgpu_budget *b, const struct ivgpu_type *t);
void budget_give(struct ivgpu_budget *b, const struct ivgpu_type *t);

/* EXPECT that every type's available_instances matches the budget. */
#define EXPECT_AVAILABLE(b)	expect_available(__FILE__, __LINE__, b)
void expect_available(const char *file, int line,
		      const struct ivgpu_budget *b);

/* A vGPU created by a test; removed (and closed) when the test ends. */
struct vgpu {
	const struct ivgpu_type *type;
	char uuid[MDEV_UUID_LEN];
	bool created;
	bool open;
	struct vfio_dev dev;
};

/* Create an instance of t (the test fails if that fails). */
struct vgpu *vgpu_create(const struct ivgpu_type *t);
/* Create an instance of t and open it. */
struct vgpu *vgpu_new(const struct ivgpu_type *t);
void vgpu_open(struct vgpu *v);
void vgpu_close(struct vgpu *v);
void vgpu_remove(struct vgpu *v);

/*
 * A remove on a thread of its own: writing "remove" blocks while a user
 * holds the device. remover_start() hands the instance to the remover;
 * remover_finish() waits up to @secs and gives the remove's result, or
 * -ETIMEDOUT if it still blocks.
 */
struct remover {
	pthread_t thread;
	char uuid[MDEV_UUID_LEN];
	int ret;
	atomic_bool done;
};

void remover_start(struct remover *r, struct vgpu *v);
int remover_finish(struct remover *r, unsigned int secs);

/* A fresh UUID (the test fails if none can be had). */
void uuid_gen(char uuid[MDEV_UUID_LEN]);

/*
 * BAR0 registers of the interrupt hierarchy and the display, as
 * docs/architecture.md ("Interrupts and vblank") names them.
 */
#define MASTER_IRQ		0x44200
#define  MASTER_ENABLE		(1u << 31)
#define  MASTER_PIPE(p)		(1u << (16 + (p)))
#define  MASTER_DE_PCH		(1u << 23)
/* The south display (PCH) block: hotplug of the virtual monitor. */
#define SDEISR			0xc4000
#define SDEIMR			0xc4004
#define SDEIIR			0xc4008
#define SDEIER			0xc400c
#define PIPE_ISR(p)		(0x44400 + 0x10 * (p))
#define IMR			4
#define IIR			8
#define IER			12
#define  VBLANK			(1u << 0)
#define TRANSCONF(p)		(0x70008 + 0x1000 * (p))
#define  TRANSCONF_ENABLE	(1u << 31)
#define  TRANSCONF_STATE	(1u << 30)
#define PIPE_FRMCOUNT(p)	(0x70040 + 0x1000 * (p))

#define PIPE_A	0
#define PIPE_B	1
#define PIPE_C	2

/* A plain register (not in the register table): default storage. */
#define SCRATCH_REG		0x1ff000

/* GGTT entry i in BAR0. */
#define PTE(i)			(IVGPU_GGTT_OFFSET + 8 * (uint64_t)(i))

/* Register and config space access on a vGPU's device fd. */
#define BAR0	VFIO_PCI_BAR0_REGION_INDEX
#define BAR2	VFIO_PCI_BAR2_REGION_INDEX
#define CONFIG	VFIO_PCI_CONFIG_REGION_INDEX

static inline uint8_t cfg_read8(struct vgpu *v, uint64_t off)
{
	return vfio_read8(&v->dev, CONFIG, off);
}

static inline uint16_t cfg_read16(struct vgpu *v, uint64_t off)
{
	return vfio_read16(&v->dev, CONFIG, off);
}

static inline uint32_t cfg_read32(struct vgpu *v, uint64_t off)
{
	return vfio_read32(&v->dev, CONFIG, off);
}

static inline void cfg_write8(struct vgpu *v, uint64_t off, uint8_t val)
{
	vfio_write8(&v->dev, CONFIG, off, val);
}

static inline void cfg_write16(struct vgpu *v, uint64_t off, uint16_t val)
{
	vfio_write16(&v->dev, CONFIG, off, val);
}

static inline void cfg_write32(struct vgpu *v, uint64_t off, uint32_t val)
{
	vfio_write32(&v->dev, CONFIG, off, val);
}

static inline uint8_t bar0_read8(struct vgpu *v, uint64_t off)
{
	return vfio_read8(&v->dev, BAR0, off);
}

static inline uint16_t bar0_read16(struct vgpu *v, uint64_t off)
{
	return vfio_read16(&v->dev, BAR0, off);
}

static inline uint32_t bar0_read32(struct vgpu *v, uint64_t off)
{
	return vfio_read32(&v->dev, BAR0, off);
}

static inline uint64_t bar0_read64(struct vgpu *v, uint64_t off)
{
	return vfio_read64(&v->dev, BAR0, off);
}

static inline void bar0_write8(struct vgpu *v, uint64_t off, uint8_t val)
{
	vfio_write8(&v->dev, BAR0, off, val);
}

static inline void bar0_write16(struct vgpu *v, uint64_t off, uint16_t val)
{
	vfio_write16(&v->dev, BAR0, off, val);
}

static inline void bar0_write32(struct vgpu *v, uint64_t off, uint32_t val)
{
	vfio_write32(&v->dev, BAR0, off, val);
}

static inline void bar0_write64(struct vgpu *v, uint64_t off, uint64_t val)
{
	vfio_write64(&v->dev, BAR0, off, val);
}

/* PV info page fields, by their offset in the page. */
static inline uint32_t pv_read32(struct vgpu *v, uint64_t field)
{
	return bar0_read32(v, IVGPU_PVINFO_OFFSET + field);
}

static inline void pv_write32(struct vgpu *v, uint64_t field, uint32_t val)
{
	bar0_write32(v, IVGPU_PVINFO_OFFSET + field, val);
}

/*
 * A counter from /sys/kernel/debug/ivgpu/<uuid>/stats; the test is skipped
 * if the file is not there (no debugfs) and fails if the counter is not.
 */
long long vgpu_stat(struct vgpu *v, const char *name);

/*
 * The kernel log from now on: kmsg_open() starts at the end of the log,
 * kmsg_find() looks through what was logged since for a line containing
 * all the needles and copies it to line.
 */
int kmsg_open(void);
bool kmsg_find(int fd, const char *const *needles, char *line, size_t len);

#endif /* IVGPU_SELFTESTS_IVGPU_H */
