// SPDX-License-Identifier: GPL-2.0-only
/*
 * vGPU type profiles and the instance budget.
 */
#include "types.h"

/*
 * GVT-g's "V5" (Gen9) profiles, named by the largest mode of their monitor.
 * Graphics-memory sizes follow GVT-g's 8/4/2-per-GPU types.
 */
const struct ivgpu_type ivgpu_types[IVGPU_NUM_TYPES] = {
	{
		.name = "V5_1024x768",
		.low_gm_mib = 64, .high_gm_mib = 384, .fences = 4,
		.max_xres = 1024, .max_yres = 768, .weight = 2,
	},
	{
		.name = "V5_1920x1200",
		.low_gm_mib = 128, .high_gm_mib = 512, .fences = 4,
		.max_xres = 1920, .max_yres = 1200, .weight = 4,
	},
	{
		.name = "V5_3840x2160",
		.low_gm_mib = 256, .high_gm_mib = 1024, .fences = 8,
		.max_xres = 3840, .max_yres = 2160, .weight = 8,
	},
};

void ivgpu_budget_init(struct ivgpu_budget *b, u64 total_mib, u32 max_instances)
{
	b->total_mib = total_mib;
	b->used_mib = 0;
	b->max_instances = max_instances;
	b->live = 0;
}

u32 ivgpu_budget_available(const struct ivgpu_budget *b, const struct ivgpu_type *t)
{
	u64 by_gm = (b->total_mib - b->used_mib) / ivgpu_type_gm_mib(t);
	u32 by_count = b->max_instances - b->live;

	return by_gm < by_count ? (u32)by_gm : by_count;
}

int ivgpu_budget_take(struct ivgpu_budget *b, const struct ivgpu_type *t)
{
	if (!ivgpu_budget_available(b, t))
		return -ENOSPC;
	b->used_mib += ivgpu_type_gm_mib(t);
	b->live++;
	return 0;
}

void ivgpu_budget_give(struct ivgpu_budget *b, const struct ivgpu_type *t)
{
	b->used_mib -= ivgpu_type_gm_mib(t);
	b->live--;
}
