/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EDID of the virtual monitor, and validation of EDIDs userspace provides.
 */
#ifndef IVGPU_CORE_EDID_H
#define IVGPU_CORE_EDID_H

#include "platform.h"

#define IVGPU_EDID_BLOCK	128u
#define IVGPU_EDID_MAX		(2 * IVGPU_EDID_BLOCK)	/* what we generate */
#define IVGPU_EDID_BLOCKS_MAX	16u			/* what we accept */

/*
 * Write the EDID of a DisplayPort monitor whose preferred and largest mode
 * is @xres x @yres at 60 Hz (CVT reduced blanking) into @buf. Modes above
 * 1920x1200 are also listed in a CTA-861 extension block. Returns the size
 * (128 or 256 bytes).
 */
u32 ivgpu_edid_generate(u8 buf[IVGPU_EDID_MAX], u32 xres, u32 yres);

/*
 * 0 if @edid (@size bytes) is a well-formed EDID: a whole number of blocks
 * (at most IVGPU_EDID_BLOCKS_MAX),
 * the fixed header, version 1, matching checksums, and as many extension
 * blocks as the base block announces. -EINVAL otherwise.
 */
int ivgpu_edid_validate(const u8 *edid, u32 size);

/*
 * The preferred mode of a valid EDID: the first detailed timing of the base
 * block. -EINVAL if that slot holds a display descriptor instead.
 */
int ivgpu_edid_preferred(const u8 *edid, u32 *xres, u32 *yres);

#endif /* IVGPU_CORE_EDID_H */
