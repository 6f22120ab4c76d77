// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the device-model core, built in userspace with ASan and
 * UBSan: types and budget, config space, the register table and its store,
 * the PV page, the GGTT, reset and allocation failures. Values come from
 * docs/architecture.md and uapi/linux/ivgpu.h. The display, the monitor
 * and the migration stream have their own programs.
 */
#include <stdlib.h>
#include "tap.h"
#include "env.h"
#include "core.h"
#include "display.h"
#include "edid.h"
#include "monitor.h"
#include "fbdec.h"
#include "ggtt.h"
#include "interrupt.h"
#include "mmio.h"
#include "regs.h"
#include "types.h"
#include "unit.h"
#include <linux/ivgpu.h>

static const struct ivgpu_type *small = &ivgpu_types[0];

static u32 cfg32(struct ivgpu_core *c, u32 off)
{
	return ivgpu_cfg_read(&c->cfg, off, 4);
}

TEST(types_table)
{
	ASSERT_EQ(IVGPU_NUM_TYPES, 3);
	EXPECT_STREQ(ivgpu_types[0].name, "V5_1024x768");
	EXPECT_STREQ(ivgpu_types[1].name, "V5_1920x1200");
	EXPECT_STREQ(ivgpu_types[2].name, "V5_3840x2160");
	EXPECT_EQ(ivgpu_type_gm_mib(&ivgpu_types[0]), 448);
	EXPECT_EQ(ivgpu_type_gm_mib(&ivgpu_types[1]), 640);
	EXPECT_EQ(ivgpu_type_gm_mib(&ivgpu_types[2]), 1280);
}

TEST(budget_accounting)
{
	struct ivgpu_budget b;

	ivgpu_budget_init(&b, 65536, 256);
	EXPECT_EQ(ivgpu_budget_available(&b, &ivgpu_types[0]), 146);
	EXPECT_EQ(ivgpu_budget_available(&b, &ivgpu_types[1]), 102);
	EXPECT_EQ(ivgpu_budget_available(&b, &ivgpu_types[2]), 51);
	ASSERT_EQ(ivgpu_budget_take(&b, &ivgpu_types[2]), 0);
	EXPECT_EQ(ivgpu_budget_available(&b, &ivgpu_types[0]), 143);
	EXPECT_EQ(ivgpu_budget_available(&b, &ivgpu_types[2]), 50);
	ivgpu_budget_give(&b, &ivgpu_types[2]);
	EXPECT_EQ(ivgpu_budget_available(&b, &ivgpu_types[0]), 146);
	EXPECT_EQ(b.used_mib, 0);
	EXPECT_EQ(b.live, 0);
}

TEST(budget_exhaustion_and_cap)
{
	struct ivgpu_budget b;

	ivgpu_budget_init(&b, 1000, 256);
	ASSERT_EQ(ivgpu_budget_take(&b, small), 0);
	ASSERT_EQ(ivgpu_budget_take(&b, small), 0);
	EXPECT_EQ(ivgpu_budget_take(&b, small), -ENOSPC);
	EXPECT_EQ(b.live, 2);

	ivgpu_budget_init(&b, 65536, 1);
	ASSERT_EQ(ivgpu_budget_take(&b, small), 0);
	EXPECT_EQ(ivgpu_budget_available(&b, small), 0);
	EXPECT_EQ(ivgpu_budget_take(&b, small), -ENOSPC);
}

TEST(mmio_table_is_sorted)
{
	EXPECT_EQ(ivgpu_mmio_table_check(), 0);
	EXPECT_TRUE(ivgpu_mmio_lookup(IVGPU_PVINFO_OFFSET) != NULL);
	EXPECT_TRUE(ivgpu_mmio_lookup(IVGPU_PVINFO_OFFSET + 0x7fc) != NULL);
	EXPECT_TRUE(ivgpu_mmio_lookup(0x4000) == NULL);
}

TEST(cfg_identity)
{
	struct ivgpu_core *c = new_core(small, 1);

	EXPECT_EQ(cfg32(c, PCI_VENDOR_ID), 0x19128086);
	EXPECT_EQ(cfg32(c, PCI_COMMAND), 0x00100000);
	EXPECT_EQ(cfg32(c, PCI_CLASS_REVISION), 0x03000006);
	EXPECT_EQ(cfg32(c, PCI_CACHE_LINE_SIZE), 0);
	EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_0), 0x4);
	EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_2), 0xc);
	EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_4), 0);
	EXPECT_EQ(cfg32(c, PCI_SUBSYSTEM_VENDOR_ID), 0x22128086);
	EXPECT_EQ(cfg32(c, PCI_ROM_ADDRESS), 0);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, PCI_CAPABILITY_LIST, 1), 0xac);
	EXPECT_EQ(cfg32(c, PCI_INTERRUPT_LINE), 0x100);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, IVGPU_CFG_GMCH_CTRL, 2), 0xc0);
	EXPECT_EQ(cfg32(c, IVGPU_CFG_MSI_CAP), 0x0000d005);
	EXPECT_EQ(cfg32(c, IVGPU_CFG_PM_CAP), 0x00220001);
	EXPECT_EQ(cfg32(c, IVGPU_CFG_PM_CAP + 4), 0x8);
	free_core(c);
}

TEST(cfg_bar_sizing)
{
	static const u32 bar2_mask[] = { 0xfc00000c, 0xf800000c, 0xf000000c };
	unsigned int i;

	for (i = 0; i < IVGPU_NUM_TYPES; i++) {
		struct ivgpu_core *c = new_core(&ivgpu_types[i], 1);
		u32 bar;

		for (bar = PCI_BASE_ADDRESS_0; bar <= PCI_ROM_ADDRESS; bar += 4)
			ivgpu_cfg_write(&c->cfg, bar, 0xffffffff, 4);
		ivgpu_cfg_write(&c->cfg, PCI_ROM_ADDRESS, 0xffffffff, 4);
		EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_0), 0xff000004);
		EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_1), 0xffffffff);
		EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_2), bar2_mask[i]);
		EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_3), 0xffffffff);
		EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_4), 0);
		EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_5), 0);
		EXPECT_EQ(cfg32(c, PCI_ROM_ADDRESS), 0);
		EXPECT_EQ(cfg32(c, PCI_SUBSYSTEM_VENDOR_ID), 0x22128086);

		ivgpu_cfg_write(&c->cfg, PCI_BASE_ADDRESS_0, 0xfe123456, 4);
		EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_0), 0xfe000004);
		free_core(c);
	}
}

TEST(cfg_read_only_and_w1c)
{
	struct ivgpu_core *c = new_core(small, 1);

	ivgpu_cfg_write(&c->cfg, PCI_VENDOR_ID, 0xffffffff, 4);
	EXPECT_EQ(cfg32(c, PCI_VENDOR_ID), 0x19128086);
	ivgpu_cfg_write(&c->cfg, PCI_COMMAND, 0xffffffff, 4);
	EXPECT_EQ(cfg32(c, PCI_COMMAND), 0x00100547);
	ivgpu_cfg_write(&c->cfg, PCI_COMMAND, 0, 2);
	EXPECT_EQ(cfg32(c, PCI_COMMAND), 0x00100000);
	ivgpu_cfg_write(&c->cfg, PCI_INTERRUPT_LINE, 0xffff, 2);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, PCI_INTERRUPT_LINE, 2), 0x1ff);
	ivgpu_cfg_write(&c->cfg, IVGPU_CFG_GMCH_CTRL, 0xffff, 2);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, IVGPU_CFG_GMCH_CTRL, 2), 0xc0);
	/* Status error bits are write-1-to-clear. */
	c->cfg.regs[PCI_STATUS + 1] |= 0x80;
	ivgpu_cfg_write(&c->cfg, PCI_STATUS, 0x8000, 2);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	free_core(c);
}

TEST(cfg_msi_and_pm)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 msi = IVGPU_CFG_MSI_CAP, pm = IVGPU_CFG_PM_CAP;

	ivgpu_cfg_write(&c->cfg, msi + PCI_MSI_FLAGS, 0xffff, 2);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, msi + PCI_MSI_FLAGS, 2), 1);
	ivgpu_cfg_write(&c->cfg, msi + PCI_MSI_ADDRESS_LO, 0xfee01237, 4);
	EXPECT_EQ(cfg32(c, msi + PCI_MSI_ADDRESS_LO), 0xfee01234);
	ivgpu_cfg_write(&c->cfg, msi + PCI_MSI_DATA_32, 0x4041, 2);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, msi + PCI_MSI_DATA_32, 2), 0x4041);

	ivgpu_cfg_write(&c->cfg, pm + PCI_PM_CTRL, 3, 2);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, pm + PCI_PM_CTRL, 2), 0xb);
	ivgpu_cfg_write(&c->cfg, pm + PCI_PM_CTRL, 1, 2);	/* D1: ignored */
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, pm + PCI_PM_CTRL, 2), 0xb);
	ivgpu_cfg_write(&c->cfg, pm + PCI_PM_CTRL, 0, 2);
	EXPECT_EQ(ivgpu_cfg_read(&c->cfg, pm + PCI_PM_CTRL, 2), 0x8);
	free_core(c);
}

TEST(mmio_default_storage)
{
	struct ivgpu_core *c = new_core(small, 1);

	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4000, 4), 0);
	ivgpu_core_bar0_write(c, 0x4000, 0xdeadbeef, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4000, 4), 0xdeadbeef);
	ivgpu_core_bar0_write(c, 0x4001, 0x55, 1);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4000, 4), 0xdead55ef);
	ivgpu_core_bar0_write(c, 0x4002, 0x1234, 2);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4000, 4), 0x123455ef);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4003, 1), 0x12);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4002, 2), 0x1234);

	ivgpu_core_bar0_write(c, 0x4008, 0x0123456789abcdefull, 8);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4008, 4), 0x89abcdef);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x400c, 4), 0x01234567);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4008, 8), 0x0123456789abcdefull);

	/* Between the registers and the GGTT: nothing. */
	ivgpu_core_bar0_write(c, IVGPU_MMIO_SIZE, 0xffffffff, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, IVGPU_MMIO_SIZE, 4), 0);
	EXPECT_EQ(c->stats.mmio_writes, 5);
	free_core(c);
}

TEST(mmio_forcewake_ack)
{
	struct ivgpu_core *c = new_core(small, 1);

	ivgpu_core_bar0_write(c, FORCEWAKE_RENDER_GEN9, 0x00010001, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, FORCEWAKE_RENDER_GEN9, 4), 1);
	EXPECT_EQ(ivgpu_core_bar0_read(c, FORCEWAKE_ACK_RENDER_GEN9, 4), 1);
	/* Masked bits 15:1 keep their value; no mask, no change. */
	ivgpu_core_bar0_write(c, FORCEWAKE_RENDER_GEN9, 0x0000ffff, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, FORCEWAKE_RENDER_GEN9, 4), 1);
	ivgpu_core_bar0_write(c, FORCEWAKE_RENDER_GEN9, 0x00010000, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, FORCEWAKE_ACK_RENDER_GEN9, 4), 0);
	ivgpu_core_bar0_write(c, FORCEWAKE_BLITTER_GEN9, 0x00050005, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, FORCEWAKE_ACK_GT_GEN9, 4), 5);
	/* The ack itself is read-only. */
	ivgpu_core_bar0_write(c, FORCEWAKE_ACK_GT_GEN9, 0, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, FORCEWAKE_ACK_GT_GEN9, 4), 5);
	EXPECT_EQ(c->stats.ro_writes, 1);
	free_core(c);
}

TEST(mmio_fences_limited_to_type)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 last = FENCE_REG_GEN6_BASE + (small->fences - 1) * 8;

	ivgpu_core_bar0_write(c, last, 0x1234567811112222ull, 8);
	EXPECT_EQ(ivgpu_core_bar0_read(c, last, 8), 0x1234567811112222ull);
	ivgpu_core_bar0_write(c, last + 8, 0x5555, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, last + 8, 4), 0);
	free_core(c);
}

TEST(pvinfo_page)
{
	struct ivgpu_core *c = new_core(&ivgpu_types[1], 7);
	u32 pv = IVGPU_PVINFO_OFFSET;

	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_MAGIC, 8),
		  IVGPU_VGT_MAGIC);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_MAGIC, 4), 0x76544776);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_MAGIC + 4, 4), 0x47765447);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_VERSION_MAJOR, 2), 1);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_VERSION_MINOR, 2), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_VGT_ID, 4), 7);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_VGT_CAPS, 4), 0x1c);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_MAPPABLE_BASE, 4), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_MAPPABLE_SIZE, 4), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_NONMAPPABLE_BASE, 4),
		  128 << 20);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_NONMAPPABLE_SIZE, 4),
		  512 << 20);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_FENCE_NUM, 4), 4);

	/* Host half read-only, guest half writable. */
	ivgpu_core_bar0_write(c, pv + IVGPU_PV_VGT_ID, 99, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_VGT_ID, 4), 7);
	ivgpu_core_bar0_write(c, pv + IVGPU_PV_DISPLAY_READY, 1, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_DISPLAY_READY, 4), 1);
	ivgpu_core_bar0_write(c, pv + IVGPU_PV_CURSOR_X_HOT, 17, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, pv + IVGPU_PV_CURSOR_X_HOT, 4), 17);
	free_core(c);
}

TEST(ggtt_entries)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 g = IVGPU_GGTT_OFFSET;
	u32 last = g + (448u << 20) / 4096 * 8 - 8;

	ivgpu_core_bar0_write(c, g, 0x0000000123456001ull, 8);
	EXPECT_EQ(ivgpu_core_bar0_read(c, g, 8), 0x0000000123456001ull);
	/* Two halves, low first, then high. */
	ivgpu_core_bar0_write(c, g + 8, 0x89abc001, 4);
	ivgpu_core_bar0_write(c, g + 12, 0x7, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, g + 8, 8), 0x0000000789abc001ull);
	EXPECT_EQ(ivgpu_core_bar0_read(c, g + 12, 4), 7);
	ivgpu_core_bar0_write(c, last, 0xabc001, 8);
	EXPECT_EQ(ivgpu_core_bar0_read(c, last, 8), 0xabc001);
	/* Past the slice: dropped, counted, reads zero. */
	ivgpu_core_bar0_write(c, last + 8, 0xabc001, 8);
	EXPECT_EQ(ivgpu_core_bar0_read(c, last + 8, 8), 0);
	ivgpu_core_bar0_write(c, IVGPU_BAR0_SIZE - 8, 0xabc001, 8);
	EXPECT_EQ(c->stats.ggtt_dropped, 2);
	EXPECT_EQ(c->stats.ggtt_writes, 4);
	free_core(c);
}

TEST(reset_restores_power_on_state)
{
	struct ivgpu_core *c = new_core(small, 3);

	ivgpu_cfg_write(&c->cfg, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	ivgpu_cfg_write(&c->cfg, PCI_BASE_ADDRESS_0, 0xfd000000, 4);
	ivgpu_core_bar0_write(c, 0x4000, 1, 4);
	ivgpu_core_bar0_write(c, IVGPU_GGTT_OFFSET, 0x1001, 8);
	ivgpu_core_bar0_write(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_DISPLAY_READY,
			      1, 4);
	ivgpu_core_reset(c);
	EXPECT_EQ(cfg32(c, PCI_COMMAND), 0x00100000);
	EXPECT_EQ(cfg32(c, PCI_BASE_ADDRESS_0), 0x4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4000, 4), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, IVGPU_GGTT_OFFSET, 8), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, IVGPU_PVINFO_OFFSET +
				       IVGPU_PV_DISPLAY_READY, 4), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, IVGPU_PVINFO_OFFSET +
				       IVGPU_PV_VGT_ID, 4), 3);
	free_core(c);
}

TEST(store_is_lazy)
{
	struct ivgpu_core *c = new_core(&ivgpu_types[2], 1);
	u32 base = c->regs.nallocated;

	/*
	 * A fresh instance has two chunks of its own: the PV page and SDEISR
	 * (the monitor's live bit). The 13 chunks holding the power-on values
	 * of the register table (ring registers 0x2000, 0x12000, 0x1a000,
	 * 0x22000, fuses 0x9000, the GuC 0xc000, display 0x41000, 0x42000,
	 * 0x46000, 0x64000, 0x6c000, 0xc6000 and the memory controller
	 * 0x145000) are shared by every instance until written.
	 */
	EXPECT_EQ(base, 2);
	EXPECT_EQ(c->ggtt.nallocated, 0);
	ivgpu_core_bar0_read(c, 0x10000, 4);
	ivgpu_core_bar0_write(c, 0x20000, 0, 4);
	EXPECT_EQ(c->regs.nallocated, base);
	ivgpu_core_bar0_write(c, 0x20000, 1, 4);
	EXPECT_EQ(c->regs.nallocated, base + 1);
	free_core(c);
}

/*
 * A closed device holds no register chunk of its own; the next user's reset
 * writes the PV page and the hotplug status again. A reset of a store that
 * nothing changed since its last one leaves every chunk where it is.
 */
TEST(release_keeps_no_chunk_and_reset_restores_pv)
{
	struct ivgpu_core *c = new_core(small, 7);
	u64 **chunk = &c->regs.chunks[GUC_STATUS / IVGPU_STORE_CHUNK];
	const u64 *shared = *chunk;

	w32(c, GUC_STATUS + 8, 0x1234);
	EXPECT_TRUE(*chunk != shared);
	ivgpu_core_release(c);
	EXPECT_EQ(c->regs.nallocated, 0);
	EXPECT_TRUE(*chunk == shared);
	EXPECT_EQ(r32(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_MAGIC), 0);
	ivgpu_core_release(c);		/* nothing to free, nothing moved */
	EXPECT_TRUE(*chunk == shared);

	ivgpu_core_reset(c);
	EXPECT_EQ(c->regs.nallocated, 2);
	EXPECT_EQ(r32(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_MAGIC),
		  (u32)IVGPU_VGT_MAGIC);
	EXPECT_EQ(r32(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_VGT_ID), 7);
	free_core(c);
}

/* Every core shows the power-on registers from one shared copy. */
TEST(power_on_registers_are_shared_until_written)
{
	struct ivgpu_core *a = new_core(small, 1), *b = new_core(small, 2);
	u32 base = a->regs.nallocated, reset = r32(a, GUC_STATUS);

	EXPECT_EQ(reset, GS_MIA_IN_RESET);
	EXPECT_EQ(r32(b, GUC_STATUS), reset);
	EXPECT_TRUE(a->regs.chunks[GUC_STATUS / IVGPU_STORE_CHUNK] ==
		    b->regs.chunks[GUC_STATUS / IVGPU_STORE_CHUNK]);

	/* Writing what is there copies nothing; a change copies the chunk. */
	w32(a, GUC_STATUS + 8, 0);
	EXPECT_EQ(a->regs.nallocated, base);
	w32(a, GUC_STATUS + 8, 0x1234);
	EXPECT_EQ(a->regs.nallocated, base + 1);
	EXPECT_EQ(r32(a, GUC_STATUS + 8), 0x1234);
	EXPECT_EQ(r32(a, GUC_STATUS), reset);		/* copied along */
	EXPECT_EQ(r32(b, GUC_STATUS + 8), 0);		/* b unchanged */

	/* A reset goes back to the shared copy. */
	ivgpu_core_reset(a);
	EXPECT_EQ(a->regs.nallocated, base);
	EXPECT_EQ(r32(a, GUC_STATUS + 8), 0);
	EXPECT_EQ(r32(a, GUC_STATUS), reset);
	free_core(a);
	free_core(b);
}

TEST(allocation_failures_are_contained)
{
	struct ivgpu_core *c = calloc(1, sizeof(*c));
	u64 nomem;
	long n;

	/* Every failing allocation point in init unwinds without a leak. */
	for (n = 0; n < 3; n++) {
		unit_alloc_fail_after = n;
		if (!ivgpu_core_init(c, small, 1))
			ivgpu_core_fini(c);
	}
	unit_alloc_fail_after = 2;	/* both tables, then nothing */
	ASSERT_EQ(ivgpu_core_init(c, small, 1), 0);
	nomem = c->stats.nomem;		/* the PV page did not fit */
	EXPECT_GT(nomem, 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, IVGPU_PVINFO_OFFSET, 4), 0);
	ivgpu_core_bar0_write(c, 0x4000, 1, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4000, 4), 0);
	EXPECT_EQ(c->stats.nomem, nomem + 1);
	unit_alloc_fail_after = -1;
	ivgpu_core_bar0_write(c, 0x4000, 1, 4);
	EXPECT_EQ(ivgpu_core_bar0_read(c, 0x4000, 4), 1);
	ivgpu_core_fini(c);
	free(c);
}

TEST(ggtt_present_count)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 g = IVGPU_GGTT_OFFSET;

	ivgpu_core_bar0_write(c, g, 0x1001, 8);
	ivgpu_core_bar0_write(c, g + 8, 0x2001, 8);
	ivgpu_core_bar0_write(c, g + 8, 0x3001, 8);
	EXPECT_EQ(c->ggtt_present, 2);
	ivgpu_core_bar0_write(c, g, 0x1000, 4);
	EXPECT_EQ(c->ggtt_present, 1);
	EXPECT_EQ(ivgpu_ggtt_entry(c, 1), 0x3001);
	ivgpu_core_reset(c);
	EXPECT_EQ(c->ggtt_present, 0);
	free_core(c);
}
