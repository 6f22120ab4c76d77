// SPDX-License-Identifier: GPL-2.0-only
/*
 * PV info page contents. Guest i915 reads the magic to detect a vGPU, then
 * balloons out the graphics memory outside the slice advertised here.
 */
#include "pvinfo.h"
#include "core.h"
#include "types.h"
#include <linux/ivgpu.h>

static void pv_set(struct ivgpu_core *c, u32 field, u32 val)
{
	ivgpu_reg_set(c, IVGPU_PVINFO_OFFSET + field, val);
}

void ivgpu_pvinfo_init(struct ivgpu_core *c)
{
	const struct ivgpu_type *t = c->type;

	pv_set(c, IVGPU_PV_MAGIC, IVGPU_VGT_MAGIC & 0xffffffff);
	pv_set(c, IVGPU_PV_MAGIC + 4, (u32)(IVGPU_VGT_MAGIC >> 32));
	pv_set(c, IVGPU_PV_VERSION_MAJOR,
	       IVGPU_VGT_VERSION_MAJOR | IVGPU_VGT_VERSION_MINOR << 16);
	pv_set(c, IVGPU_PV_VGT_ID, c->vgt_id);
	pv_set(c, IVGPU_PV_VGT_CAPS, IVGPU_VGT_CAPS_FULL_PPGTT |
	       IVGPU_VGT_CAPS_HWSP_EMULATION | IVGPU_VGT_CAPS_HUGE_GTT);
	pv_set(c, IVGPU_PV_MAPPABLE_BASE, 0);
	pv_set(c, IVGPU_PV_MAPPABLE_SIZE, 0);
	pv_set(c, IVGPU_PV_NONMAPPABLE_BASE, (u32)ivgpu_type_low_gm(t));
	pv_set(c, IVGPU_PV_NONMAPPABLE_SIZE, (u32)IVGPU_MIB(t->high_gm_mib));
	pv_set(c, IVGPU_PV_FENCE_NUM, t->fences);
	pv_set(c, IVGPU_PV_CURSOR_X_HOT, IVGPU_PV_CURSOR_HOT_NONE);
	pv_set(c, IVGPU_PV_CURSOR_Y_HOT, IVGPU_PV_CURSOR_HOT_NONE);
}
