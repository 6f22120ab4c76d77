// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the framebuffer decoder alone. The input goes straight
 * into the pipe, plane and cursor registers (ivgpu_reg_set, no MMIO
 * handlers), then both planes are decoded and copied (fuzz_fb_check).
 * Format in fuzz.h.
 */
#include <stdlib.h>
#include "fuzz.h"
#include "core.h"
#include "fbdec.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u8 head = in_u8(&in), pipes = in_u8(&in);
	bool shaped = head & FBDEC_SHAPED;
	const struct ivgpu_type *t;
	struct ivgpu_core *c;
	u32 pipe, gm;

	c = fuzz_core_new(head & 3, 1);
	FUZZ_CHECK(c != NULL, "init failed");
	t = c->type;
	gm = (u32)ivgpu_type_gm_size(t);

	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		u32 ctl = in_u32(&in), psize = in_u32(&in);
		u32 stride = in_u32(&in), offset = in_u32(&in);
		u32 surf = in_u32(&in), curcntr = in_u32(&in);
		u32 curbase = in_u32(&in), curpos = in_u32(&in);

		if (shaped) {
			/* Enabled, linear or X-tiled, fitting the type, in the slice. */
			ctl = (ctl | PLANE_CTL_ENABLE) & ~(4u << 10);
			psize = ((psize >> 16) % t->max_yres) << 16 |
				(psize & 0xffff) % t->max_xres;
			offset &= 0x003f003f;
			surf %= gm;
			curbase %= gm;
		}
		if (pipes & (1u << pipe))
			ivgpu_reg_set(c, TRANSCONF(pipe),
				      TRANSCONF_ENABLE | TRANSCONF_STATE_ENABLE);
		ivgpu_reg_set(c, PLANE_CTL(pipe), ctl);
		ivgpu_reg_set(c, PLANE_SIZE(pipe), psize);
		ivgpu_reg_set(c, PLANE_STRIDE(pipe), stride);
		ivgpu_reg_set(c, PLANE_OFFSET(pipe), offset);
		ivgpu_reg_set(c, PLANE_SURF(pipe), surf);
		ivgpu_reg_set(c, CURCNTR(pipe), curcntr);
		ivgpu_reg_set(c, CURBASE(pipe), curbase);
		ivgpu_reg_set(c, CURPOS(pipe), curpos);
	}
	ivgpu_reg_set(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_X_HOT, in_u32(&in));
	ivgpu_reg_set(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_Y_HOT, in_u32(&in));

	fuzz_fb_check(c, IVGPU_PLANE_PRIMARY);
	fuzz_fb_check(c, IVGPU_PLANE_CURSOR);
	fuzz_core_check(c);
	fuzz_core_free(c);
	return 0;
}
