/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vGPU types: sized profiles in the GVT-g manner, and the parent-wide budget
 * they are carved from.
 */
#ifndef IVGPU_CORE_TYPES_H
#define IVGPU_CORE_TYPES_H

#include "platform.h"

struct ivgpu_type {
	const char *name;	/* sysfs name: the directory is "ivgpu-<name>" */
	u32 low_gm_mib;		/* mappable graphics memory (aperture, BAR2) */
	u32 high_gm_mib;	/* non-mappable graphics memory */
	u32 fences;		/* fence registers */
	u32 max_xres;		/* largest mode the virtual monitor offers */
	u32 max_yres;
	u32 weight;		/* scheduling weight, 1..16 (GVT-g meaning) */
};

#define IVGPU_NUM_TYPES 3

extern const struct ivgpu_type ivgpu_types[IVGPU_NUM_TYPES];

static inline u64 ivgpu_type_gm_mib(const struct ivgpu_type *t)
{
	return (u64)t->low_gm_mib + t->high_gm_mib;
}

/* Graphics-memory slice of an instance, in bytes of GGTT address space. */
static inline u64 ivgpu_type_low_gm(const struct ivgpu_type *t)
{
	return IVGPU_MIB(t->low_gm_mib);
}

static inline u64 ivgpu_type_gm_size(const struct ivgpu_type *t)
{
	return IVGPU_MIB(ivgpu_type_gm_mib(t));
}

/*
 * The parent's pool: graphics memory in MiB and an instance cap. The caller
 * serialises access.
 */
struct ivgpu_budget {
	u64 total_mib;
	u64 used_mib;
	u32 max_instances;
	u32 live;
};

void ivgpu_budget_init(struct ivgpu_budget *b, u64 total_mib, u32 max_instances);
u32 ivgpu_budget_available(const struct ivgpu_budget *b, const struct ivgpu_type *t);
int ivgpu_budget_take(struct ivgpu_budget *b, const struct ivgpu_type *t);
void ivgpu_budget_give(struct ivgpu_budget *b, const struct ivgpu_type *t);

#endif /* IVGPU_CORE_TYPES_H */
