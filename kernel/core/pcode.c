// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCODE mailbox. The guest writes its request to GEN6_PCODE_DATA (and
 * DATA1), then the command with READY to GEN6_PCODE_MAILBOX, and polls until
 * READY clears; the low byte then holds the error code and DATA the reply
 * (i915 intel_pcode.c __snb_pcode_rw). Here every command completes within
 * the write. Skylake display code sends three commands; the rest are
 * refused as illegal, as firmware refuses what it does not implement.
 */
#include "pcode.h"
#include "core.h"
#include "regs.h"

/*
 * Memory latencies in microseconds, levels 0-3 then 4-7, a byte each: the
 * values of a Skylake desktop (and of GVT-g). Level 0 reads 0, so i915 adds
 * its 2 us read latency to every level (skl_watermark.c adjust_wm_latency).
 */
#define IVGPU_MEM_LATENCY_0_3	0x1e1a1100u
#define IVGPU_MEM_LATENCY_4_7	0x61514b3du

/* Run @cmd on the request in DATA; returns the error code. */
static u32 ivgpu_pcode_run(struct ivgpu_core *c, u32 cmd)
{
	u32 data = ivgpu_reg_get(c, GEN6_PCODE_DATA);

	switch (cmd) {
	case GEN9_PCODE_READ_MEM_LATENCY:
		/* DATA 0 asks for levels 0-3, anything else for 4-7. */
		ivgpu_reg_set(c, GEN6_PCODE_DATA, data ? IVGPU_MEM_LATENCY_4_7 :
			      IVGPU_MEM_LATENCY_0_3);
		return GEN6_PCODE_SUCCESS;
	case SKL_PCODE_CDCLK_CONTROL:
		/* A change request is granted; a voltage level is taken. */
		if (data == SKL_CDCLK_PREPARE_FOR_CHANGE) {
			ivgpu_reg_set(c, GEN6_PCODE_DATA,
				      SKL_CDCLK_READY_FOR_CHANGE);
			return GEN6_PCODE_SUCCESS;
		}
		return data <= 3 ? GEN6_PCODE_SUCCESS : GEN7_PCODE_ILLEGAL_DATA;
	case GEN9_PCODE_SAGV_CONTROL:
		/* SAGV is there and does what it is told. */
		if (data == GEN9_SAGV_DISABLE) {
			ivgpu_reg_set(c, GEN6_PCODE_DATA, GEN9_SAGV_IS_DISABLED);
			return GEN6_PCODE_SUCCESS;
		}
		return data == GEN9_SAGV_ENABLE ? GEN6_PCODE_SUCCESS :
		       GEN7_PCODE_ILLEGAL_DATA;
	}
	return GEN6_PCODE_ILLEGAL_CMD;
}

u32 ivgpu_pcode_mailbox_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			      u32 off, u32 old, u32 new)
{
	u32 err;

	if (!(new & GEN6_PCODE_READY))
		return new;
	err = ivgpu_pcode_run(c, new & GEN6_PCODE_CMD_MASK);
	if (err != GEN6_PCODE_SUCCESS) {
		c->stats.pcode_rejected++;
		ivgpu_core_refused(c, "PCODE command", off, new);
	}
	return (new & ~(GEN6_PCODE_READY | GEN6_PCODE_CMD_MASK)) | err;
}
