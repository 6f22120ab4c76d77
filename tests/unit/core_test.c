// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the device-model core, built in userspace with ASan and
 * UBSan. Values come from docs/architecture.md and uapi/linux/ivgpu.h.
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
#include <linux/ivgpu.h>

static const struct ivgpu_type *small = &ivgpu_types[0];

static struct ivgpu_core *new_core(const struct ivgpu_type *t, u32 id)
{
	struct ivgpu_core *c = calloc(1, sizeof(*c));

	ASSERT_TRUE(c != NULL);
	ASSERT_EQ(ivgpu_core_init(c, t, id), 0);
	return c;
}

static void free_core(struct ivgpu_core *c)
{
	ivgpu_core_fini(c);
	free(c);
}

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

TEST(interrupt_latch_mask_enable)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 pipe_a = GEN8_DE_PIPE_ISR(0);

	/* Masked: nothing latches. */
	w32(c, pipe_a + IRQ_IMR, 0xffffffff);
	ivgpu_intr_raise(c, pipe_a, GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, pipe_a + IRQ_IIR), 0);

	/* Unmasked: latches; reaches the line only with IER and master. */
	w32(c, pipe_a + IRQ_IMR, ~GEN8_PIPE_VBLANK);
	ivgpu_intr_raise(c, pipe_a, GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, pipe_a + IRQ_IIR), GEN8_PIPE_VBLANK);
	EXPECT_FALSE(c->intr_asserted);
	w32(c, pipe_a + IRQ_IER, GEN8_PIPE_VBLANK);
	EXPECT_FALSE(c->intr_asserted);
	EXPECT_EQ(r32(c, GEN8_MASTER_IRQ), GEN8_DE_PIPE_IRQ(0));
	w32(c, GEN8_MASTER_IRQ, 0xffffffff);
	EXPECT_TRUE(c->intr_asserted);
	EXPECT_EQ(r32(c, GEN8_MASTER_IRQ),
		  GEN8_MASTER_IRQ_CONTROL | GEN8_DE_PIPE_IRQ(0));

	/* The handler: master off, clear IIR (write 1 to clear), master on. */
	w32(c, GEN8_MASTER_IRQ, 0);
	EXPECT_FALSE(c->intr_asserted);
	w32(c, pipe_a + IRQ_IIR, GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, pipe_a + IRQ_IIR), 0);
	w32(c, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
	EXPECT_FALSE(c->intr_asserted);
	EXPECT_EQ(r32(c, GEN8_MASTER_IRQ), GEN8_MASTER_IRQ_CONTROL);

	/* ISR is read-only; a PCH event shows as bit 23. */
	w32(c, pipe_a, 0xffffffff);
	EXPECT_EQ(r32(c, pipe_a), 0);
	w32(c, SDEISR + IRQ_IER, SDE_PORTD_HOTPLUG_CPT);
	ivgpu_intr_raise(c, SDEISR, SDE_PORTD_HOTPLUG_CPT);
	EXPECT_TRUE(c->intr_asserted);
	EXPECT_EQ(r32(c, GEN8_MASTER_IRQ),
		  GEN8_MASTER_IRQ_CONTROL | GEN8_DE_PCH_IRQ);
	free_core(c);
}

TEST(display_pipes_and_vblank)
{
	struct ivgpu_core *c = new_core(small, 1);

	c->vblank_changed = false;
	EXPECT_EQ(ivgpu_display_enabled_pipes(c), 0);
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(r32(c, TRANSCONF(1)),
		  TRANSCONF_ENABLE | TRANSCONF_STATE_ENABLE);
	EXPECT_EQ(ivgpu_display_enabled_pipes(c), 2);

	w32(c, GEN8_DE_PIPE_ISR(1) + IRQ_IER, GEN8_PIPE_VBLANK);
	w32(c, GEN8_DE_PIPE_ISR(1) + IRQ_IMR, ~GEN8_PIPE_VBLANK);
	ivgpu_display_vblank(c);
	EXPECT_EQ(r32(c, GEN8_DE_PIPE_ISR(1) + IRQ_IIR), GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IIR), 0);

	c->vblank_changed = false;
	w32(c, TRANSCONF(1), 0);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(r32(c, TRANSCONF(1)), 0);
	free_core(c);
}

/* Frame counters follow the clock while it runs: no tick advances them. */
TEST(frame_counters_follow_the_clock)
{
	struct ivgpu_core *c = new_core(small, 1);

	unit_now_ns = 1000 * IVGPU_FRAME_NS + 5;
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	unit_now_ns += 10 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 0);		/* clock off */

	ivgpu_display_clock(c, true);
	unit_now_ns += 3 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 3);
	ivgpu_display_vblank(c);			/* counts nothing */
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 3);
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(1)), 0);		/* pipe off */
	w32(c, PIPE_FRMCOUNT(0), 77);			/* read-only */
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 3);

	/* A stopped pipe keeps its count; started again, counts on. */
	w32(c, TRANSCONF(0), 0);
	unit_now_ns += 5 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 3);
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	unit_now_ns += 2 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 5);

	/* The clock stops (migration): the count is stored and stays. */
	ivgpu_display_clock(c, false);
	EXPECT_EQ(ivgpu_reg_get(c, PIPE_FRMCOUNT(0)), 5);
	unit_now_ns += 9 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 5);
	ivgpu_display_clock(c, true);
	unit_now_ns += IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 6);
	unit_now_ns = 0;
	free_core(c);
}

/*
 * A pipe stopped after a frame began whose tick had not come yet latches
 * that vblank, once: IIR agrees with the frame counter the guest read.
 */
TEST(a_stopping_pipe_latches_the_vblank_its_frame_counter_shows)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 iir = GEN8_DE_PIPE_ISR(1) + IRQ_IIR;

	unit_now_ns = 500 * IVGPU_FRAME_NS + 7;
	ivgpu_display_clock(c, true);
	w32(c, GEN8_DE_PIPE_ISR(1) + IRQ_IMR,
	    ~(GEN8_PIPE_VBLANK | GEN9_PIPE_PLANE1_FLIP_DONE));
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	w32(c, PLANE_SURF(1), 0x40000);

	/* Stopped within the frame it started in: nothing is due. */
	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, iir), 0);

	/* Two frames later, no tick came: the vblank and the flip-done. */
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	unit_now_ns += 2 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(1)), 2);
	c->vblank_changed = false;
	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, iir), GEN8_PIPE_VBLANK | GEN9_PIPE_PLANE1_FLIP_DONE);
	EXPECT_EQ(c->flips_pending, 0);
	EXPECT_TRUE(c->vblank_changed);

	/* The tick of that frame came first: no second event. */
	w32(c, iir, 0xffffffff);
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	unit_now_ns += IVGPU_FRAME_NS;
	ivgpu_display_vblank(c);
	w32(c, iir, 0xffffffff);
	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, iir), 0);

	/* Nor while the clock is stopped (a migration). */
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	ivgpu_display_clock(c, false);
	unit_now_ns += 4 * IVGPU_FRAME_NS;
	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, iir), 0);
	unit_now_ns = 0;
	free_core(c);
}

/* Vblank events are needed only where a guest can see them. */
TEST(event_pipes_are_unmasked_vblanks_and_pending_flips)
{
	struct ivgpu_core *c = new_core(small, 1);

	w32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IMR, ~0u);
	w32(c, GEN8_DE_PIPE_ISR(2) + IRQ_IMR, ~0u);
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	w32(c, TRANSCONF(2), TRANSCONF_ENABLE);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 0);	/* masked: idle */

	c->vblank_changed = false;
	w32(c, GEN8_DE_PIPE_ISR(2) + IRQ_IMR, ~GEN8_PIPE_VBLANK);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 4);

	/* A flip on pipe A needs its next vblank, then nothing. */
	c->vblank_changed = false;
	w32(c, PLANE_SURF(0), 0x10000);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 5);
	c->vblank_changed = false;
	ivgpu_display_vblank(c);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 4);
	c->vblank_changed = false;
	ivgpu_display_vblank(c);
	EXPECT_FALSE(c->vblank_changed);

	/* A flip on a stopped pipe waits for nothing. */
	w32(c, TRANSCONF(2), 0);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 0);
	w32(c, PLANE_SURF(1), 0x10000);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 0);
	free_core(c);
}

/* The glue re-evaluates the interrupt line only when its level changed. */
TEST(intr_changed_follows_the_line)
{
	struct ivgpu_core *c = new_core(small, 1);

	c->intr_changed = false;
	w32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IER, GEN8_PIPE_VBLANK);
	w32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IMR, ~GEN8_PIPE_VBLANK);
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	w32(c, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
	EXPECT_FALSE(c->intr_changed);
	ivgpu_display_vblank(c);
	EXPECT_TRUE(c->intr_asserted);
	EXPECT_TRUE(c->intr_changed);
	c->intr_changed = false;
	w32(c, PLANE_STRIDE(0), 16);			/* no interrupt register */
	EXPECT_FALSE(c->intr_changed);
	w32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IIR, GEN8_PIPE_VBLANK);
	EXPECT_FALSE(c->intr_asserted);
	EXPECT_TRUE(c->intr_changed);
	free_core(c);
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

/* A fake graphics memory for the decoder: 64 pages from gm_base. */
#define FAKE_PAGES 64
static u8 fake_gm[FAKE_PAGES][4096];

static const u8 *fake_page(void *ctx, u64 n)
{
	ASSERT_LT(n, FAKE_PAGES);
	return fake_gm[n];
}

static void enable_primary(struct ivgpu_core *c, u32 ctl, u32 w, u32 h,
			   u32 stride_reg, u32 surf, u32 x, u32 y)
{
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	w32(c, PLANE_CTL(0), PLANE_CTL_ENABLE | ctl);
	w32(c, PLANE_SIZE(0), (h - 1) << 16 | (w - 1));
	w32(c, PLANE_STRIDE(0), stride_reg);
	w32(c, PLANE_OFFSET(0), y << 16 | x);
	w32(c, PLANE_SURF(0), surf);
}

TEST(fb_linear_xrgb8888)
{
	struct ivgpu_core *c = new_core(small, 1);
	struct ivgpu_fb fb;
	u8 out[20 * 4 * 10];
	u32 x, y;

	for (y = 0; y < 64; y++)
		for (x = 0; x < 4096; x++)
			fake_gm[y][x] = (u8)(x * 7 + y * 13);
	/* 20x10 at (3, 2) of a surface with 128-byte lines. */
	enable_primary(c, PLANE_CTL_FORMAT_XRGB_8888 << 24, 20, 10, 2,
		       0x10000, 3, 2);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.drm_format, IVGPU_FMT_XRGB8888);
	EXPECT_EQ(fb.modifier, IVGPU_MOD_LINEAR);
	EXPECT_EQ(fb.width, 20);
	EXPECT_EQ(fb.height, 10);
	EXPECT_EQ(fb.stride, 128);
	EXPECT_EQ(fb.gm_base, 0x10000);
	EXPECT_EQ(ivgpu_fb_linear_offset(&fb), 2 * 128 + 3 * 4);
	EXPECT_EQ(fb.size, 4096);
	ivgpu_fb_copy(&fb, fake_page, NULL, out, 80);
	for (y = 0; y < 10; y++)
		EXPECT_MEMEQ(out + y * 80, &fake_gm[0][(y + 2) * 128 + 12], 80);
	free_core(c);
}

TEST(fb_formats)
{
	static const struct {
		u32 ctl;
		u32 fourcc;
		u32 cpp;
	} f[] = {
		{ 4 << 24, IVGPU_FMT_XRGB8888, 4 },
		{ 4 << 24 | 3 << 4, IVGPU_FMT_ARGB8888, 4 },
		{ 4 << 24 | PLANE_CTL_ORDER_RGBX, IVGPU_FMT_XBGR8888, 4 },
		{ 4 << 24 | PLANE_CTL_ORDER_RGBX | 2 << 4, IVGPU_FMT_ABGR8888, 4 },
		{ 14 << 24, IVGPU_FMT_RGB565, 2 },
		{ 2 << 24, IVGPU_FMT_XRGB2101010, 4 },
		{ 2 << 24 | PLANE_CTL_ORDER_RGBX, IVGPU_FMT_XBGR2101010, 4 },
	};
	struct ivgpu_core *c = new_core(small, 1);
	struct ivgpu_fb fb;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		enable_primary(c, f[i].ctl, 1024, 768, 64, 0, 0, 0);
		ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
		EXPECT_EQ(fb.drm_format, f[i].fourcc);
		EXPECT_EQ(fb.cpp, f[i].cpp);
		EXPECT_EQ(fb.size, 4096 * 768);
	}
	EXPECT_EQ(c->stats.fb_errors, 0);
	free_core(c);
}

TEST(fb_shows_the_pipe_routed_to_port_d)
{
	struct ivgpu_core *c = new_core(small, 1);
	struct ivgpu_fb fb;
	int pipe;

	/* Pipes A and B run, each with a plane of its own size. */
	for (pipe = 0; pipe < 2; pipe++) {
		w32(c, TRANSCONF(pipe), TRANSCONF_ENABLE);
		w32(c, PLANE_CTL(pipe), PLANE_CTL_ENABLE | 4 << 24);
		w32(c, PLANE_SIZE(pipe), (99 + pipe) << 16 | 199);
		w32(c, PLANE_STRIDE(pipe), 16);
		w32(c, PLANE_SURF(pipe), 0);
	}
	/* No DDI routing: the first enabled pipe. */
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 0);
	EXPECT_EQ(fb.height, 100);
	/* B's transcoder drives port D (i915: TRANS_DDI_SELECT_PORT(PORT_D)). */
	w32(c, TRANS_DDI_FUNC_CTL(1), TRANS_DDI_FUNC_ENABLE | TRANS_DDI_PORT_D);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 1);
	EXPECT_EQ(fb.height, 101);
	/* Routed to port B, or its DDI function off: not the monitor's. */
	w32(c, TRANS_DDI_FUNC_CTL(1), TRANS_DDI_FUNC_ENABLE | 1u << 28);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 0);
	w32(c, TRANS_DDI_FUNC_CTL(1), TRANS_DDI_PORT_D);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 0);
	/* A routed pipe that is off does not count. */
	w32(c, TRANS_DDI_FUNC_CTL(2), TRANS_DDI_FUNC_ENABLE | TRANS_DDI_PORT_D);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 0);
	free_core(c);
}

TEST(fb_x_tiled_is_detiled)
{
	struct ivgpu_core *c = new_core(small, 1);
	static u8 image[24][256 * 4];
	struct ivgpu_fb fb;
	static u8 out[20][200 * 4];
	u32 x, y;

	/* A 256x24 image tiled by hand: 2 tiles across, 3 tile rows. */
	for (y = 0; y < 24; y++)
		for (x = 0; x < 1024; x++) {
			u32 tile = (y / 8) * 2 + x / 512;

			image[y][x] = (u8)(x * 3 + y * 101);
			fake_gm[tile][(y % 8) * 512 + x % 512] = image[y][x];
		}
	/* 200x20 from (10, 3): stride 2 tiles. */
	enable_primary(c, PLANE_CTL_FORMAT_XRGB_8888 << 24 | PLANE_CTL_TILED_X,
		       200, 20, 2, 0, 10, 3);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.modifier, IVGPU_MOD_X_TILED);
	EXPECT_EQ(fb.stride, 1024);
	EXPECT_EQ(fb.size, 3 * 8 * 1024);
	ivgpu_fb_copy(&fb, fake_page, NULL, &out[0][0], 800);
	for (y = 0; y < 20; y++)
		EXPECT_MEMEQ(out[y], &image[y + 3][40], 800);
	free_core(c);
}

TEST(fb_bad_values_disable_the_plane)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 gm = 448u << 20;
	struct ivgpu_fb fb;

	/* No pipe, or plane off: disabled, not an error. */
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -ENOENT);
	enable_primary(c, 4 << 24, 64, 64, 4, 0, 0, 0);
	w32(c, PLANE_CTL(0), 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -ENOENT);
	EXPECT_EQ(c->stats.fb_errors, 0);

	/* Stride too small for the line. */
	enable_primary(c, 4 << 24, 64, 64, 3, 0, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	EXPECT_EQ(fb.drm_format, 0);
	EXPECT_EQ(fb.width, 0);
	/* x offset pushes the line past the stride. */
	enable_primary(c, 4 << 24, 64, 64, 4, 0, 1, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	/* Unknown format, Y tiling. */
	enable_primary(c, 12 << 24, 64, 64, 4, 0, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	enable_primary(c, 4 << 24 | 4 << 10, 64, 64, 4, 0, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	/* Larger than the type's monitor. */
	enable_primary(c, 4 << 24, 1025, 768, 0x7ff, 0, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	/* Surface ending past the slice, and starting past it. */
	enable_primary(c, 4 << 24, 64, 64, 4, gm - 4096, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	enable_primary(c, 4 << 24, 64, 64, 4, 0xfffff000, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	/* The largest offsets and stride stay in 64-bit arithmetic. */
	enable_primary(c, 4 << 24 | PLANE_CTL_TILED_X, 1024, 768, 0x7ff,
		       0, 0x1fff, 0x1fff);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	EXPECT_EQ(c->stats.fb_errors, 8);

	/* Fits exactly at the end of the slice. */
	enable_primary(c, 4 << 24, 64, 64, 4, gm - 64 * 256, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	free_core(c);
}

TEST(fb_cursor)
{
	struct ivgpu_core *c = new_core(small, 1);
	struct ivgpu_fb fb;

	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_CURSOR, &fb), -ENOENT);
	w32(c, CURCNTR(0), MCURSOR_MODE_128_ARGB);
	w32(c, CURBASE(0), 0x200000);
	w32(c, CURPOS(0), (CURSOR_POS_SIGN | 5) << 16 | 300);
	w32(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_X_HOT, 7);
	w32(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_Y_HOT, 9);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_CURSOR, &fb), 0);
	EXPECT_EQ(fb.drm_format, IVGPU_FMT_ARGB8888);
	EXPECT_EQ(fb.width, 128);
	EXPECT_EQ(fb.height, 128);
	EXPECT_EQ(fb.stride, 512);
	EXPECT_EQ(fb.size, 65536);
	EXPECT_EQ(fb.gm_base, 0x200000);
	EXPECT_EQ(fb.x_pos, 300);
	EXPECT_EQ(fb.y_pos, -5);
	EXPECT_EQ(fb.x_hot, 7);
	EXPECT_EQ(fb.y_hot, 9);
	w32(c, CURCNTR(0), 0x21);	/* not an ARGB mode */
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_CURSOR, &fb), -EINVAL);
	free_core(c);
}

TEST(flip_counts_and_signals_at_vblank)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 pipe_b = GEN8_DE_PIPE_ISR(1);

	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	w32(c, pipe_b + IRQ_IMR, 0);
	w32(c, PLANE_SURF(1), 0x40000);
	w32(c, PLANE_SURF(1), 0x80000);
	EXPECT_EQ(r32(c, PIPE_FLIPCOUNT(1)), 2);
	EXPECT_EQ(r32(c, PLANE_SURF(1)), 0x80000);
	EXPECT_EQ(r32(c, pipe_b + IRQ_IIR), 0);
	ivgpu_display_vblank(c);
	EXPECT_EQ(r32(c, pipe_b + IRQ_IIR),
		  GEN8_PIPE_VBLANK | GEN9_PIPE_PLANE1_FLIP_DONE);
	w32(c, pipe_b + IRQ_IIR, 0xffffffff);
	ivgpu_display_vblank(c);
	EXPECT_EQ(r32(c, pipe_b + IRQ_IIR), GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, PIPE_FLIPCOUNT(0)), 0);
	free_core(c);
}

static const u8 *dtd_of(const u8 *edid, u32 at)
{
	return edid + at;
}

TEST(edid_1920x1200_base_block)
{
	u8 e[IVGPU_EDID_MAX];
	const u8 *d;

	ASSERT_EQ(ivgpu_edid_generate(e, 1920, 1200), 128);
	EXPECT_EQ(ivgpu_edid_validate(e, 128), 0);
	EXPECT_EQ(e[126], 0);
	EXPECT_EQ(e[8] << 8 | e[9], 0x26c7);	/* "IVG" */
	/* Preferred mode: CVT-RB 1920x1200@60 is 154.00 MHz, 2080x1235. */
	d = dtd_of(e, 54);
	EXPECT_EQ(d[0] | d[1] << 8, 15400);
	EXPECT_EQ(d[2] | (d[4] >> 4) << 8, 1920);
	EXPECT_EQ(d[3] | (d[4] & 0xf) << 8, 160);
	EXPECT_EQ(d[5] | (d[7] >> 4) << 8, 1200);
	EXPECT_EQ(d[6] | (d[7] & 0xf) << 8, 35);
	EXPECT_EQ(d[8], 48);
	EXPECT_EQ(d[9], 32);
	EXPECT_EQ(d[10], 0x36);			/* vfront 3, vsync 6 */
	EXPECT_MEMEQ(e + 90 + 5, "ivgpu\n       ", 13);
	/* Standard timings up to 1920x1200, 1024x768 established. */
	EXPECT_EQ(e[36] & 0x08, 0x08);
	EXPECT_EQ(e[38 + 14], 1920 / 8 - 31);
	EXPECT_EQ(e[38 + 15], 0x00);
}

TEST(edid_3840x2160_has_an_extension)
{
	u8 e[IVGPU_EDID_MAX];
	const u8 *d;

	ASSERT_EQ(ivgpu_edid_generate(e, 3840, 2160), 256);
	EXPECT_EQ(ivgpu_edid_validate(e, 256), 0);
	EXPECT_EQ(e[126], 1);
	EXPECT_EQ(e[128], 0x02);
	/* CVT-RB 3840x2160@60 is 533.25 MHz, 4000x2222. */
	d = dtd_of(e, 128 + 7);
	EXPECT_EQ(d[0] | d[1] << 8, 53325);
	EXPECT_EQ(d[2] | (d[4] >> 4) << 8, 3840);
	EXPECT_EQ(d[5] | (d[7] >> 4) << 8, 2160);
	EXPECT_EQ(d[6] | (d[7] & 0xf) << 8, 62);
	EXPECT_MEMEQ(d, dtd_of(e, 54), 18);
}

TEST(edid_1024x768_modes)
{
	u8 e[IVGPU_EDID_MAX];
	const u8 *d = dtd_of(e, 54);

	ASSERT_EQ(ivgpu_edid_generate(e, 1024, 768), 128);
	EXPECT_EQ(ivgpu_edid_validate(e, 128), 0);
	EXPECT_EQ(d[2] | (d[4] >> 4) << 8, 1024);
	EXPECT_EQ(d[10] & 0xf, 4);		/* 4:3 vsync width */
	EXPECT_EQ(e[38], 0x01);			/* no standard mode fits */
}

TEST(edid_validation_rejects_bad_blobs)
{
	u8 e[IVGPU_EDID_MAX];

	ivgpu_edid_generate(e, 3840, 2160);
	EXPECT_EQ(ivgpu_edid_validate(e, 0), -EINVAL);
	EXPECT_EQ(ivgpu_edid_validate(e, 100), -EINVAL);
	EXPECT_EQ(ivgpu_edid_validate(e, 128), -EINVAL);	/* 1 ext announced */
	EXPECT_EQ(ivgpu_edid_validate(e, 384), -EINVAL);
	e[200] ^= 1;
	EXPECT_EQ(ivgpu_edid_validate(e, 256), -EINVAL);	/* checksum */
	e[200] ^= 1;
	e[0] = 0x01;
	EXPECT_EQ(ivgpu_edid_validate(e, 256), -EINVAL);	/* header */
	e[0] = 0x00;
	EXPECT_EQ(ivgpu_edid_validate(e, 256), 0);
}

/* ---- the monitor and its EDID region ---- */

static u32 edid_reg(struct ivgpu_core *c, u32 off)
{
	return ivgpu_monitor_region_read(c, off, 4);
}

static void edid_blob_write(struct ivgpu_core *c, const u8 *blob, u32 size)
{
	u32 i;

	for (i = 0; i < size; i++)
		ivgpu_monitor_region_write(c, IVGPU_EDID_BLOB_OFFSET + i, blob[i], 1);
}

TEST(monitor_starts_connected_with_the_type_edid)
{
	struct ivgpu_core *c = new_core(&ivgpu_types[0], 1);
	u8 want[IVGPU_EDID_MAX];
	u32 i, size = ivgpu_edid_generate(want, 1024, 768);

	EXPECT_EQ(edid_reg(c, IVGPU_EDID_REG_OFFSET), IVGPU_EDID_BLOB_OFFSET);
	EXPECT_EQ(edid_reg(c, IVGPU_EDID_REG_MAX_SIZE), IVGPU_EDID_MAX_SIZE);
	EXPECT_EQ(edid_reg(c, IVGPU_EDID_REG_SIZE), size);
	EXPECT_EQ(edid_reg(c, IVGPU_EDID_REG_MAX_XRES), 1024);
	EXPECT_EQ(edid_reg(c, IVGPU_EDID_REG_MAX_YRES), 768);
	EXPECT_EQ(edid_reg(c, IVGPU_EDID_REG_LINK_STATE), IVGPU_LINK_UP);
	for (i = 0; i < size; i++)
		EXPECT_EQ(ivgpu_monitor_region_read(c, IVGPU_EDID_BLOB_OFFSET + i, 1),
			  want[i]);
	EXPECT_EQ(ivgpu_core_bar0_read(c, SDEISR, 4), SDE_PORTD_HOTPLUG_CPT);
	free_core(c);
}

TEST(monitor_link_down_write_up_raises_hotplug)
{
	struct ivgpu_core *c = new_core(&ivgpu_types[1], 1);
	u8 blob[IVGPU_EDID_MAX];
	u32 size = ivgpu_edid_generate(blob, 1280, 800);

	ivgpu_core_bar0_write(c, SDEISR + IRQ_IER, SDE_PORTD_HOTPLUG_CPT, 4);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
					     IVGPU_LINK_DOWN, 4), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, SDEISR, 4), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, SDEISR + IRQ_IIR, 4),
		  SDE_PORTD_HOTPLUG_CPT);
	ivgpu_core_bar0_write(c, SDEISR + IRQ_IIR, SDE_PORTD_HOTPLUG_CPT, 4);

	edid_blob_write(c, blob, size);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_SIZE, size, 4), 0);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
					     IVGPU_LINK_UP, 4), 0);
	EXPECT_EQ(ivgpu_core_bar0_read(c, SDEISR, 4), SDE_PORTD_HOTPLUG_CPT);
	EXPECT_EQ(ivgpu_core_bar0_read(c, SDEISR + IRQ_IIR, 4),
		  SDE_PORTD_HOTPLUG_CPT);
	EXPECT_EQ(ivgpu_monitor_region_read(c, IVGPU_EDID_BLOB_OFFSET + 56, 1),
		  1280 & 0xff);
	/* The monitor survives a device reset. */
	ivgpu_core_reset(c);
	EXPECT_EQ(edid_reg(c, IVGPU_EDID_REG_SIZE), size);
	EXPECT_EQ(ivgpu_core_bar0_read(c, SDEISR, 4), SDE_PORTD_HOTPLUG_CPT);
	free_core(c);
}

TEST(monitor_refuses_bad_writes)
{
	struct ivgpu_core *c = new_core(&ivgpu_types[0], 1);
	u8 blob[IVGPU_EDID_MAX];
	u32 size;

	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_OFFSET, 0, 4), -EPERM);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_MAX_XRES, 1, 4), -EPERM);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_SIZE, 0, 4), -EINVAL);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_SIZE,
					     IVGPU_EDID_MAX_SIZE + 1, 4), -EINVAL);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_SIZE, 128, 2), -EINVAL);
	/* The blob and its size only change while the link is down. */
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_SIZE, 128, 4), -EBUSY);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_BLOB_OFFSET, 0, 4), -EBUSY);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE, 3, 4), -EINVAL);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REGS_END, 0, 4), -EINVAL);

	ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE, IVGPU_LINK_DOWN, 4);
	/* Larger than the type's 1024x768. */
	size = ivgpu_edid_generate(blob, 1920, 1080);
	edid_blob_write(c, blob, size);
	ivgpu_monitor_region_write(c, IVGPU_EDID_REG_SIZE, size, 4);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
					     IVGPU_LINK_UP, 4), -EINVAL);
	/* A bad checksum. */
	size = ivgpu_edid_generate(blob, 800, 600);
	blob[127] ^= 0x55;
	edid_blob_write(c, blob, size);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
					     IVGPU_LINK_UP, 4), -EINVAL);
	EXPECT_EQ(edid_reg(c, IVGPU_EDID_REG_LINK_STATE), IVGPU_LINK_DOWN);
	EXPECT_EQ(ivgpu_core_bar0_read(c, SDEISR, 4), 0);
	/* Fixed, it goes up. */
	blob[127] ^= 0x55;
	edid_blob_write(c, blob, size);
	EXPECT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
					     IVGPU_LINK_UP, 4), 0);
	free_core(c);
}

TEST(edid_preferred_mode)
{
	u8 e[IVGPU_EDID_MAX];
	u32 x = 0, y = 0;

	ivgpu_edid_generate(e, 3840, 2160);
	EXPECT_EQ(ivgpu_edid_preferred(e, &x, &y), 0);
	EXPECT_EQ(x, 3840);
	EXPECT_EQ(y, 2160);
	e[54] = e[55] = 0;
	EXPECT_EQ(ivgpu_edid_preferred(e, &x, &y), -EINVAL);
}

/* ---- the AUX channel, as i915's intel_dp_aux_xfer drives it ---- */

/* Send @req (@n bytes); returns CTL afterwards and fills @reply. */
static u32 aux_xfer(struct ivgpu_core *c, const u8 *req, u32 n, u8 *reply)
{
	u32 i, ctl, words[5] = { 0 };

	for (i = 0; i < n; i++)
		words[i / 4] |= (u32)req[i] << (24 - 8 * (i % 4));
	for (i = 0; i < 5; i++)
		ivgpu_core_bar0_write(c, DP_AUX_CH_DATA_D(i), words[i], 4);
	ivgpu_core_bar0_write(c, DP_AUX_CH_CTL_D, DP_AUX_CH_CTL_SEND_BUSY |
			      DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR |
			      DP_AUX_CH_CTL_INTERRUPT |
			      n << DP_AUX_CH_CTL_SIZE_SHIFT, 4);
	ctl = ivgpu_core_bar0_read(c, DP_AUX_CH_CTL_D, 4);
	for (i = 0; i < 20; i++)
		reply[i] = ivgpu_core_bar0_read(c, DP_AUX_CH_DATA_D(i / 4), 4) >>
			   (24 - 8 * (i % 4));
	return ctl;
}

#define AUX_SIZE(ctl)	(((ctl) & DP_AUX_CH_CTL_SIZE_MASK) >> DP_AUX_CH_CTL_SIZE_SHIFT)

TEST(aux_native_read_of_dpcd)
{
	struct ivgpu_core *c = new_core(&ivgpu_types[0], 1);
	const u8 req[4] = { 0x90, 0x00, 0x00, 3 };	/* read 4 at 0x000 */
	u8 reply[20];
	u32 ctl = aux_xfer(c, req, 4, reply);

	EXPECT_EQ(ctl & (DP_AUX_CH_CTL_SEND_BUSY | DP_AUX_CH_CTL_DONE |
			 DP_AUX_CH_CTL_TIME_OUT_ERROR), DP_AUX_CH_CTL_DONE);
	EXPECT_EQ(AUX_SIZE(ctl), 5);
	EXPECT_EQ(reply[0], 0x00);	/* ACK */
	EXPECT_EQ(reply[1], 0x12);
	EXPECT_EQ(reply[2], 0x14);
	EXPECT_EQ(reply[3], 0x84);
	EXPECT_EQ(reply[4], 0x01);
	EXPECT_EQ(ivgpu_core_bar0_read(c, GEN8_DE_PORT_ISR + IRQ_IIR, 4),
		  GEN9_AUX_CHANNEL_D);
	free_core(c);
}

TEST(aux_i2c_reads_the_edid_userspace_wrote)
{
	struct ivgpu_core *c = new_core(&ivgpu_types[1], 1);
	u8 blob[IVGPU_EDID_MAX], got[256], reply[20];
	u32 size = ivgpu_edid_generate(blob, 1280, 800), at, i;
	const u8 set_offset[5] = { 0x40, 0x00, 0x50, 0, 0x00 };	/* MOT write */
	const u8 read16[4] = { 0x50, 0x00, 0x50, 15 };		/* MOT read 16 */

	ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE, IVGPU_LINK_DOWN, 4);
	edid_blob_write(c, blob, size);
	ivgpu_monitor_region_write(c, IVGPU_EDID_REG_SIZE, size, 4);
	/* A disconnected sink does not answer. */
	EXPECT_EQ(aux_xfer(c, read16, 4, reply) & DP_AUX_CH_CTL_TIME_OUT_ERROR,
		  DP_AUX_CH_CTL_TIME_OUT_ERROR);
	ASSERT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
					     IVGPU_LINK_UP, 4), 0);

	EXPECT_EQ(AUX_SIZE(aux_xfer(c, set_offset, 5, reply)), 1);
	EXPECT_EQ(reply[0], 0x00);
	for (at = 0; at < size; at += 16) {
		u32 ctl = aux_xfer(c, read16, 4, reply);

		ASSERT_EQ(AUX_SIZE(ctl), 17);
		for (i = 0; i < 16; i++)
			got[at + i] = reply[1 + i];
	}
	EXPECT_MEMEQ(got, blob, size);
	/* Nothing answers at another I2C address. */
	{
		const u8 other[4] = { 0x50, 0x00, 0x37, 0 };

		aux_xfer(c, other, 4, reply);
		EXPECT_EQ(reply[0], 0x40);	/* I2C NACK */
	}
	free_core(c);
}

/* ---- the migration stream ---- */

#include "migrate.h"

/* A core with something in every part of its state. */
static struct ivgpu_core *busy_core(const struct ivgpu_type *t, u32 id)
{
	struct ivgpu_core *c = new_core(t, id);
	u8 blob[IVGPU_EDID_MAX];
	u32 i, size = ivgpu_edid_generate(blob, 800, 600);

	ivgpu_cfg_write(&c->cfg, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	ivgpu_cfg_write(&c->cfg, PCI_BASE_ADDRESS_0, 0xe0000000, 4);
	for (i = 0; i < 600; i++)
		ivgpu_core_bar0_write(c, IVGPU_GGTT_OFFSET + 8 * (100 + i),
				      (0x40000000ull + 4096 * i) | IVGPU_PTE_PRESENT, 8);
	ivgpu_core_bar0_write(c, TRANSCONF(0), TRANSCONF_ENABLE, 4);
	ivgpu_core_bar0_write(c, PLANE_SURF(0), 100 * 4096, 4);
	ivgpu_core_bar0_write(c, 0x1ff000, 0x12345678, 4);
	ivgpu_core_bar0_write(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_X_HOT, 7, 4);
	ivgpu_core_bar0_write(c, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL, 4);
	ivgpu_core_bar0_write(c, GEN8_DE_PIPE_ISR(0) + IRQ_IER, GEN8_PIPE_VBLANK, 4);
	ivgpu_display_vblank(c);
	ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE, IVGPU_LINK_DOWN, 4);
	edid_blob_write(c, blob, size);
	ivgpu_monitor_region_write(c, IVGPU_EDID_REG_SIZE, size, 4);
	ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE, IVGPU_LINK_UP, 4);
	return c;
}

/* One frame of @c's state: a pre-copy one, or the final one. */
static u8 *save_frame(const struct ivgpu_core *c, u64 *len, bool final)
{
	u8 *buf;

	*len = ivgpu_migrate_size(c);
	buf = malloc(*len);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(ivgpu_migrate_save(c, buf, *len, final), *len);
	ASSERT_TRUE(*len <= ivgpu_migrate_max_size(c));
	return buf;
}

/* A whole stream of one frame (stop-copy without pre-copy). */
static u8 *save(const struct ivgpu_core *c, u64 *len)
{
	return save_frame(c, len, true);
}

static void expect_same_state(struct ivgpu_core *a, struct ivgpu_core *b)
{
	u64 i;

	EXPECT_MEMEQ(a->cfg.regs, b->cfg.regs, IVGPU_CFG_BYTES);
	for (i = 0; i < IVGPU_MMIO_SIZE / 8; i++)
		if (ivgpu_store_get(&a->regs, i) != ivgpu_store_get(&b->regs, i))
			ASSERT_EQ(ivgpu_store_get(&b->regs, i), ivgpu_store_get(&a->regs, i));
	for (i = 0; i < a->ggtt_entries; i++)
		if (ivgpu_store_get(&a->ggtt, i) != ivgpu_store_get(&b->ggtt, i))
			ASSERT_EQ(ivgpu_store_get(&b->ggtt, i), ivgpu_store_get(&a->ggtt, i));
	EXPECT_EQ(b->ggtt_present, a->ggtt_present);
	EXPECT_EQ(b->flips_pending, a->flips_pending);
	EXPECT_EQ(b->intr_asserted, a->intr_asserted);
	EXPECT_MEMEQ(&b->monitor, &a->monitor, sizeof(a->monitor));
}

TEST(migration_round_trip)
{
	struct ivgpu_core *a = busy_core(&ivgpu_types[1], 1);
	struct ivgpu_core *b = new_core(&ivgpu_types[1], 2);
	struct ivgpu_fb fa, fb;
	u64 len;
	u8 *buf = save(a, &len);

	ASSERT_EQ(ivgpu_migrate_load(b, buf, len, NULL), 0);
	expect_same_state(a, b);
	EXPECT_EQ(b->ggtt_present, 600);
	EXPECT_EQ(b->intr_asserted, true);
	/* The guest keeps its vgt_id. */
	EXPECT_EQ(ivgpu_core_bar0_read(b, IVGPU_PVINFO_OFFSET + IVGPU_PV_VGT_ID, 4), 1);
	EXPECT_EQ(ivgpu_fb_decode(a, IVGPU_PLANE_PRIMARY, &fa),
		  ivgpu_fb_decode(b, IVGPU_PLANE_PRIMARY, &fb));
	EXPECT_MEMEQ(&fa, &fb, sizeof(fa));
	free(buf);
	free_core(a);
	free_core(b);
}

TEST(migration_last_frame_wins)
{
	struct ivgpu_core *a = busy_core(&ivgpu_types[0], 1);
	struct ivgpu_core *b = new_core(&ivgpu_types[0], 2);
	u64 len1, len2;
	u8 *f1 = save_frame(a, &len1, false), *f2, *both;

	ivgpu_core_bar0_write(a, 0x1ff000, 0xabcdef, 4);
	ivgpu_core_bar0_write(a, IVGPU_GGTT_OFFSET + 8 * 3, 0x5000 | 1, 8);
	f2 = save(a, &len2);
	both = malloc(len1 + len2);
	memcpy(both, f1, len1);
	memcpy(both + len1, f2, len2);
	ASSERT_EQ(ivgpu_migrate_load(b, both, len1 + len2, NULL), 0);
	expect_same_state(a, b);
	EXPECT_EQ(ivgpu_core_bar0_read(b, 0x1ff000, 4), 0xabcdef);
	free(f1);
	free(f2);
	free(both);
	free_core(a);
	free_core(b);
}

/* A load that must fail and leave @b exactly as it was. */
static void expect_refused(struct ivgpu_core *b, const u8 *buf, u64 len,
			   int err, const char *what)
{
	struct ivgpu_core *ref = new_core(b->type, 2);
	const char *why = NULL;

	if (ivgpu_migrate_load(b, buf, len, &why) != err)
		tap_fail(false, __FILE__, __LINE__, "%s: not refused with %d", what, err);
	if (!why)
		tap_fail(false, __FILE__, __LINE__, "%s: no reason given", what);
	expect_same_state(ref, b);
	free_core(ref);
}

TEST(migration_refuses_bad_streams)
{
	struct ivgpu_core *a = busy_core(&ivgpu_types[0], 1);
	struct ivgpu_core *b = new_core(&ivgpu_types[0], 2);
	struct ivgpu_core *other = new_core(&ivgpu_types[1], 3);
	u64 len, olen, n;
	u8 *buf = save(a, &len), *obuf = save(other, &olen), *big;

	/* Every truncation. */
	for (n = 0; n < len; n += n < 64 ? 1 : 509)
		expect_refused(b, buf, n, -EINVAL, "truncated");
	expect_refused(b, buf, len - 1, -EINVAL, "one byte short");
	/* Trailing garbage. */
	big = calloc(1, len + 40);
	memcpy(big, buf, len);
	expect_refused(b, big, len + 40, -EINVAL, "trailing bytes");
	/* Another type's stream. */
	expect_refused(b, obuf, olen, -EINVAL, "other type");

	buf[0] ^= 1;
	expect_refused(b, buf, len, -EINVAL, "magic");
	buf[0] ^= 1;
	buf[8] = IVGPU_MIG_MAJOR + 1;
	expect_refused(b, buf, len, -EPROTONOSUPPORT, "newer major");
	buf[8] = IVGPU_MIG_MAJOR;
	buf[20] = IVGPU_MIG_FINAL | 2;
	expect_refused(b, buf, len, -EINVAL, "flags");
	buf[20] = 0;
	expect_refused(b, buf, len, -EINVAL, "no final frame");
	buf[20] = IVGPU_MIG_FINAL;
	/* The first section (config space): vendor id. */
	buf[IVGPU_MIG_HEADER + 8] ^= 0xff;
	expect_refused(b, buf, len, -EINVAL, "config identity");
	buf[IVGPU_MIG_HEADER + 8] ^= 0xff;
	/* The core section: flips on a fourth pipe. */
	buf[IVGPU_MIG_HEADER + 8 + IVGPU_CFG_BYTES + 8] = 0x08;
	expect_refused(b, buf, len, -EINVAL, "flips pending");
	buf[IVGPU_MIG_HEADER + 8 + IVGPU_CFG_BYTES + 8] = 0;
	/* The monitor, last: link state 3. */
	buf[len - 8 - 0x800 - 4] = 3;
	expect_refused(b, buf, len, -EINVAL, "link state");
	buf[len - 8 - 0x800 - 4] = IVGPU_LINK_UP;

	ASSERT_EQ(ivgpu_migrate_load(b, buf, len, NULL), 0);
	expect_same_state(a, b);
	free(buf);
	free(obuf);
	free(big);
	free_core(a);
	free_core(b);
	free_core(other);
}

static u32 get_le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static u64 get_le64(const u8 *p)
{
	return get_le32(p) | (u64)get_le32(p + 4) << 32;
}

/* Offsets in a stream where a frame, a section or a chunk record starts. */
static u64 record_boundaries(const u8 *buf, u64 len, u64 *cut, u64 max)
{
	u64 n = 0, off = 0;

	while (off < len) {
		u64 end = off + IVGPU_MIG_HEADER + get_le64(buf + off + 24);
		u64 sec = off + IVGPU_MIG_HEADER;

		ASSERT_TRUE(n < max);
		cut[n++] = off;
		while (sec < end) {
			u32 id = get_le32(buf + sec), bytes = get_le32(buf + sec + 4);
			u64 rec;

			ASSERT_TRUE(n < max);
			cut[n++] = sec;
			/* Register and GGTT sections: (index, chunk) records. */
			for (rec = 8; (id == 3 || id == 4) && rec < 8 + bytes;
			     rec += 4 + IVGPU_STORE_CHUNK) {
				ASSERT_TRUE(n < max);
				cut[n++] = sec + rec;
			}
			sec += 8 + bytes;
		}
		off = end;
	}
	return n;
}

TEST(migration_stream_is_complete_only_with_its_final_frame)
{
	struct ivgpu_core *a = busy_core(&ivgpu_types[0], 1);
	struct ivgpu_core *b = new_core(&ivgpu_types[0], 2);
	u64 len1, len2, n, i, cut[2048];
	u8 *pre = save_frame(a, &len1, false), *fin, *both;

	ivgpu_core_bar0_write(a, 0x1ff000, 0x5eed, 4);
	fin = save_frame(a, &len2, true);
	both = malloc(len1 + len2 + len2);
	ASSERT_TRUE(both != NULL);
	memcpy(both, pre, len1);
	memcpy(both + len1, fin, len2);
	/* Cut at every frame, section and record boundary: all incomplete. */
	n = record_boundaries(both, len1 + len2, cut, 2048);
	EXPECT_TRUE(n > 2 * 6);
	for (i = 0; i < n; i++)
		expect_refused(b, both, cut[i], -EINVAL, "cut at a record boundary");
	/* Exactly the pre-copy frame: whole, but not the end of the stream. */
	EXPECT_EQ(cut[0], 0);
	expect_refused(b, both, len1, -EINVAL, "the pre-copy frame alone");
	/* Something after the final frame, even a whole frame. */
	memcpy(both + len1 + len2, fin, len2);
	expect_refused(b, both, len1 + 2 * len2, -EINVAL, "a frame after the final one");
	expect_refused(b, both + len1, 2 * len2, -EINVAL, "two final frames");
	/* Pre-copy then final: the final state. */
	ASSERT_EQ(ivgpu_migrate_load(b, both, len1 + len2, NULL), 0);
	expect_same_state(a, b);
	EXPECT_EQ(ivgpu_core_bar0_read(b, 0x1ff000, 4), 0x5eed);
	free(pre);
	free(fin);
	free(both);
	free_core(a);
	free_core(b);
}

TEST(migration_refuses_a_forged_pv_page_and_chunk_index)
{
	struct ivgpu_core *a = busy_core(&ivgpu_types[2], 1);
	struct ivgpu_core *b = new_core(&ivgpu_types[2], 2);
	u64 len, off;
	u8 *buf = save(a, &len);
	u32 sec = IVGPU_MIG_HEADER + 8 + IVGPU_CFG_BYTES + 8 + 4;

	/* The register section: first record's chunk index, then the PV page. */
	ASSERT_EQ(buf[sec], 3);			/* SEC_REGS */
	off = sec + 8;
	buf[off + 3] = 0x7f;			/* chunk index far out of range */
	expect_refused(b, buf, len, -EINVAL, "chunk index");
	buf[off + 3] = 0;
	for (off = sec + 8; ; off += 4 + 4096) {
		if (buf[off] == IVGPU_PVINFO_OFFSET / 4096 && !buf[off + 1])
			break;
	}
	buf[off + 4 + IVGPU_PV_MAPPABLE_SIZE] ^= 0x10;
	expect_refused(b, buf, len, -EINVAL, "PV page");
	free(buf);
	free_core(a);
	free_core(b);
}

TEST(migration_without_memory_changes_nothing)
{
	struct ivgpu_core *a = busy_core(&ivgpu_types[0], 1);
	struct ivgpu_core *b = new_core(&ivgpu_types[0], 2);
	struct ivgpu_core *ref = new_core(&ivgpu_types[0], 2);
	u64 len;
	u8 *buf = save(a, &len);
	long n;

	for (n = 0; n < 8; n++) {
		unit_alloc_fail_after = n;
		EXPECT_EQ(ivgpu_migrate_load(b, buf, len, NULL), -ENOMEM);
		unit_alloc_fail_after = -1;
		expect_same_state(ref, b);
	}
	free(buf);
	free_core(a);
	free_core(b);
	free_core(ref);
}
