/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual DisplayPort monitor on port D: its EDID, its link state, the
 * VFIO EDID region through which userspace replaces them, and the AUX
 * channel through which the guest reads them (DPCD and I2C-over-AUX EDID).
 */
#ifndef IVGPU_CORE_MONITOR_H
#define IVGPU_CORE_MONITOR_H

#include "platform.h"

struct ivgpu_core;

/* struct vfio_region_gfx_edid, as the region lays it out. */
#define IVGPU_EDID_REG_OFFSET		0x00	/* RO */
#define IVGPU_EDID_REG_MAX_SIZE		0x04	/* RO */
#define IVGPU_EDID_REG_SIZE		0x08	/* RW */
#define IVGPU_EDID_REG_MAX_XRES		0x0c	/* RO */
#define IVGPU_EDID_REG_MAX_YRES		0x10	/* RO */
#define IVGPU_EDID_REG_LINK_STATE	0x14	/* RW */
#define IVGPU_EDID_REGS_END		0x18

#define IVGPU_LINK_UP			1	/* VFIO_DEVICE_GFX_LINK_STATE_UP */
#define IVGPU_LINK_DOWN			2

/* The monitor of a new user: connected, with the type's generated EDID. */
void ivgpu_monitor_init(struct ivgpu_core *c);

/*
 * 0 if @edid (@size bytes) may be a connected monitor's: a valid EDID whose
 * preferred mode fits the type; -EINVAL otherwise.
 */
int ivgpu_monitor_edid_check(const struct ivgpu_core *c, const u8 *edid,
			     u32 size);

/* Show the link state in SDEISR again (after a register reset). */
void ivgpu_monitor_sync(struct ivgpu_core *c);

/*
 * EDID region access: @off + @bytes inside IVGPU_EDID_REGION_SIZE, @off a
 * multiple of @bytes. Header fields take 4-byte accesses only. A write
 * returns 0 or a negative errno: -EPERM for a read-only field, -EINVAL for
 * a bad size, link state or (on link up) EDID, -EBUSY for the blob or its
 * size while the link is up.
 */
u32 ivgpu_monitor_region_read(struct ivgpu_core *c, u32 off, u32 bytes);
int ivgpu_monitor_region_write(struct ivgpu_core *c, u32 off, u32 val,
			       u32 bytes);

/* DP_AUX_CH_CTL_D write: run the transaction the data registers hold. */
struct ivgpu_reg;
u32 ivgpu_monitor_aux_ctl_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
				u32 off, u32 old, u32 new);

#endif /* IVGPU_CORE_MONITOR_H */
