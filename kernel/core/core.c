// SPDX-License-Identifier: GPL-2.0-only
/*
 * One vGPU's device model: lifetime, reset and the BAR0 map.
 */
#include "core.h"
#include "ggtt.h"
#include "mmio.h"
#include "monitor.h"
#include "opregion.h"
#include "pvinfo.h"
#include "types.h"
#include <linux/ivgpu.h>

static struct ivgpu_store ivgpu_power_on_regs;
static u8 ivgpu_opregion_image[IVGPU_OPREGION_SIZE];

int ivgpu_core_global_init(void)
{
	int ret = ivgpu_store_init(&ivgpu_power_on_regs, IVGPU_MMIO_SIZE);

	ivgpu_mmio_index();

	if (!ret)
		ret = ivgpu_mmio_power_on(&ivgpu_power_on_regs);
	if (ret) {
		ivgpu_store_fini(&ivgpu_power_on_regs);
		return ret;
	}
	ivgpu_opregion_build(ivgpu_opregion_image);
	return 0;
}

void ivgpu_core_global_fini(void)
{
	ivgpu_store_fini(&ivgpu_power_on_regs);
}

int ivgpu_core_init(struct ivgpu_core *c, const struct ivgpu_type *type,
		    u32 vgt_id)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->type = type;
	c->vgt_id = vgt_id;
	c->ggtt_entries = ivgpu_type_gm_size(type) / 4096;

	if (!ivgpu_power_on_regs.chunks)
		return -EINVAL;		/* no ivgpu_core_global_init() */
	ret = ivgpu_store_init(&c->regs, IVGPU_MMIO_SIZE);
	if (ret)
		return ret;
	ivgpu_store_share(&c->regs, &ivgpu_power_on_regs);
	ret = ivgpu_store_init(&c->ggtt, c->ggtt_entries * 8);
	if (ret)
		goto out_fini_regs;

	c->opregion = ivgpu_opregion_image;
	ivgpu_monitor_init(c);
	ivgpu_core_reset(c);
	return 0;

out_fini_regs:
	ivgpu_store_fini(&c->regs);
	return ret;
}

void ivgpu_core_fini(struct ivgpu_core *c)
{
	ivgpu_store_fini(&c->ggtt);
	ivgpu_store_fini(&c->regs);
}

void ivgpu_core_release(struct ivgpu_core *c)
{
	ivgpu_cfg_init(&c->cfg, c->type);
	ivgpu_store_clear(&c->regs);	/* to the power-on register file */
	ivgpu_store_clear(&c->ggtt);
	c->ggtt_present = 0;
	c->intr_asserted = false;
	c->intr_changed = true;
	c->vblank_changed = true;
	c->flips_pending = 0;
}

void ivgpu_core_reset(struct ivgpu_core *c)
{
	ivgpu_core_release(c);
	ivgpu_pvinfo_init(c);
	ivgpu_monitor_sync(c);
}

u64 ivgpu_core_bar0_read(struct ivgpu_core *c, u32 off, u32 bytes)
{
	u32 shift = 8 * (off & 3);
	u64 val;

	if (off >= IVGPU_GGTT_OFFSET)
		return ivgpu_ggtt_read(c, off - IVGPU_GGTT_OFFSET, bytes);
	if (off >= IVGPU_MMIO_SIZE)
		return 0;
	if (bytes == 8)
		return ivgpu_mmio_read32(c, off) |
		       (u64)ivgpu_mmio_read32(c, off + 4) << 32;
	val = ivgpu_mmio_read32(c, off & ~3u) >> shift;
	return bytes == 4 ? val : val & ((1u << (8 * bytes)) - 1);
}

void ivgpu_core_bar0_write(struct ivgpu_core *c, u32 off, u64 val, u32 bytes)
{
	u32 shift = 8 * (off & 3);

	if (off >= IVGPU_GGTT_OFFSET) {
		ivgpu_ggtt_write(c, off - IVGPU_GGTT_OFFSET, val, bytes);
		return;
	}
	if (off >= IVGPU_MMIO_SIZE)
		return;
	if (bytes == 8) {
		ivgpu_mmio_write32(c, off, (u32)val, ~0u);
		ivgpu_mmio_write32(c, off + 4, (u32)(val >> 32), ~0u);
		return;
	}
	ivgpu_mmio_write32(c, off & ~3u, (u32)val << shift,
			   (bytes == 4 ? ~0u : (1u << (8 * bytes)) - 1) << shift);
}
