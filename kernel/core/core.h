/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device model of one vGPU: config space, register file, GGTT. The glue
 * serialises all calls on one instance.
 */
#ifndef IVGPU_CORE_CORE_H
#define IVGPU_CORE_CORE_H

#include "platform.h"
#include "cfg.h"
#include "regs.h"
#include "store.h"

struct ivgpu_type;

/* The virtual monitor (see monitor.h). */
struct ivgpu_monitor {
	u8 edid[0x800];			/* IVGPU_EDID_MAX_SIZE */
	u32 edid_size;
	u32 link_state;			/* IVGPU_LINK_UP or _DOWN */
	u8 dpcd[0x800];			/* DisplayPort configuration data */
	u32 ddc_offset;			/* next EDID byte an I2C read returns */
	u8 ddc_segment;			/* E-DDC segment (256 bytes each) */
};

struct ivgpu_core_stats {
	u64 mmio_reads;
	u64 mmio_writes;
	u64 ro_writes;		/* writes dropped on read-only registers */
	u64 ggtt_writes;
	u64 ggtt_dropped;	/* writes to entries outside the slice */
	u64 nomem;		/* writes dropped for lack of memory */
	u64 events;		/* interrupt events raised */
	u64 fb_errors;		/* plane registers that could not be shown */
	u64 pcode_rejected;	/* PCODE mailbox commands answered with an error */
};

struct ivgpu_core {
	const struct ivgpu_type *type;
	u32 vgt_id;
	struct ivgpu_cfg cfg;
	struct ivgpu_store regs;	/* BAR0 [0, 2 MiB), as 64-bit words */
	struct ivgpu_store ggtt;	/* PTEs of the instance's slice */
	u64 ggtt_entries;		/* entries in the slice */
	u64 ggtt_present;		/* entries with the present bit */
	bool intr_asserted;		/* the interrupt line's level */
	bool intr_changed;		/* it changed; the glue clears this */
	bool vblank_changed;		/* which pipes need vblank events may have */
	bool clock_on;			/* frames advance (ivgpu_display_clock) */
	u32 flips_pending;		/* pipes whose flip-done is due */
	u64 frame_base[IVGPU_PIPES];	/* frame when FRMCOUNT's stored value held */
	u64 vblank_frame[IVGPU_PIPES];	/* frame of the pipe's last vblank event */
	struct ivgpu_monitor monitor;	/* kept across device resets */
	const u8 *opregion;		/* IVGPU_OPREGION_SIZE bytes, shared */
	struct ivgpu_core_stats stats;
};

/*
 * What every core shares, built once before the first core: the power-on
 * register file (the table's reset values) and the OpRegion.
 */
int ivgpu_core_global_init(void);
void ivgpu_core_global_fini(void);

int ivgpu_core_init(struct ivgpu_core *c, const struct ivgpu_type *type,
		    u32 vgt_id);
void ivgpu_core_fini(struct ivgpu_core *c);
/*
 * Back to power-on state: config space, registers, GGTT. The monitor stays
 * as userspace set it; ivgpu_monitor_init() is for a new user.
 */
void ivgpu_core_reset(struct ivgpu_core *c);
/*
 * What a closed device keeps: the reset without the registers that a reset
 * writes (PV info, the monitor's hotplug status), so that it holds no
 * register chunk of its own. The next user's reset writes them.
 */
void ivgpu_core_release(struct ivgpu_core *c);

/*
 * BAR0 access. @off is below IVGPU_BAR0_SIZE, @bytes is 1, 2, 4 or 8 and
 * @off is a multiple of @bytes (the glue splits anything else).
 */
u64 ivgpu_core_bar0_read(struct ivgpu_core *c, u32 off, u32 bytes);
void ivgpu_core_bar0_write(struct ivgpu_core *c, u32 off, u64 val, u32 bytes);

/* Register file, for the subsystems. @off is dword aligned. */
static inline u32 ivgpu_reg_get(const struct ivgpu_core *c, u32 off)
{
	return (u32)(ivgpu_store_get(&c->regs, off / 8) >> (8 * (off & 4)));
}

void ivgpu_reg_set(struct ivgpu_core *c, u32 off, u32 val);

#endif /* IVGPU_CORE_CORE_H */
