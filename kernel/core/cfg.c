// SPDX-License-Identifier: GPL-2.0-only
/*
 * Emulated PCI config space: contents, writable bits and write-1-to-clear
 * bits, byte by byte, so that any access size and alignment behaves like a
 * real function's.
 */
#include "cfg.h"
#include "types.h"
#include <linux/ivgpu.h>

#define PM_CTRL		(IVGPU_CFG_PM_CAP + PCI_PM_CTRL)
#define MSI_FLAGS	(IVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS)

static void put(u8 *a, u32 off, u32 val, u32 bytes)
{
	u32 i;

	for (i = 0; i < bytes; i++)
		a[off + i] = (u8)(val >> (8 * i));
}

static void def(struct ivgpu_cfg *cfg, u32 off, u32 bytes, u32 val, u32 wmask)
{
	put(cfg->regs, off, val, bytes);
	put(cfg->wmask, off, wmask, bytes);
}

/* A 64-bit memory BAR: the low flag bits read-only, address bits writable. */
static void def_bar64(struct ivgpu_cfg *cfg, u32 off, u64 size, u32 flags)
{
	flags |= PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64;
	def(cfg, off, 4, flags, (u32)~(size - 1) & PCI_BASE_ADDRESS_MEM_MASK);
	def(cfg, off + 4, 4, 0, (u32)(~(size - 1) >> 32));
}

void ivgpu_cfg_init(struct ivgpu_cfg *cfg, const struct ivgpu_type *type)
{
	memset(cfg, 0, sizeof(*cfg));

	def(cfg, PCI_VENDOR_ID, 2, IVGPU_PCI_VENDOR_ID, 0);
	def(cfg, PCI_DEVICE_ID, 2, IVGPU_PCI_DEVICE_ID, 0);
	def(cfg, PCI_COMMAND, 2, 0,
	    PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
	    PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	def(cfg, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0);
	put(cfg->w1cmask, PCI_STATUS,
	    PCI_STATUS_DETECTED_PARITY | PCI_STATUS_SIG_SYSTEM_ERROR |
	    PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_REC_TARGET_ABORT |
	    PCI_STATUS_SIG_TARGET_ABORT | PCI_STATUS_PARITY, 2);
	def(cfg, PCI_CLASS_REVISION, 4,
	    (IVGPU_PCI_CLASS << 8) | IVGPU_PCI_REVISION, 0);
	def(cfg, PCI_CACHE_LINE_SIZE, 1, 0, 0xff);
	def(cfg, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL, 0);

	def_bar64(cfg, PCI_BASE_ADDRESS_0, IVGPU_BAR0_SIZE, 0);
	def_bar64(cfg, PCI_BASE_ADDRESS_2, ivgpu_type_low_gm(type),
		  PCI_BASE_ADDRESS_MEM_PREFETCH);

	def(cfg, PCI_SUBSYSTEM_VENDOR_ID, 2, IVGPU_PCI_SUBSYS_VENDOR_ID, 0);
	def(cfg, PCI_SUBSYSTEM_ID, 2, IVGPU_PCI_SUBSYS_ID, 0);
	def(cfg, PCI_CAPABILITY_LIST, 1, IVGPU_CFG_MSI_CAP, 0);
	def(cfg, PCI_INTERRUPT_LINE, 1, 0, 0xff);
	def(cfg, PCI_INTERRUPT_PIN, 1, 1, 0);	/* INTA# */

	def(cfg, IVGPU_CFG_GMCH_CTRL, 2, IVGPU_GMCH_CTRL_VALUE, 0);

	/* MSI: 32-bit address, one vector, not maskable. */
	def(cfg, IVGPU_CFG_MSI_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSI, 0);
	def(cfg, IVGPU_CFG_MSI_CAP + PCI_CAP_LIST_NEXT, 1, IVGPU_CFG_PM_CAP, 0);
	def(cfg, MSI_FLAGS, 2, 0, PCI_MSI_FLAGS_ENABLE);
	def(cfg, IVGPU_CFG_MSI_CAP + PCI_MSI_ADDRESS_LO, 4, 0, 0xfffffffc);
	def(cfg, IVGPU_CFG_MSI_CAP + PCI_MSI_DATA_32, 2, 0, 0xffff);

	/* PM: version 2, D0 and D3hot only, no soft reset on D3hot->D0. */
	def(cfg, IVGPU_CFG_PM_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_PM, 0);
	def(cfg, IVGPU_CFG_PM_CAP + PCI_CAP_LIST_NEXT, 1, 0, 0);
	def(cfg, IVGPU_CFG_PM_CAP + PCI_PM_PMC, 2, 2 | PCI_PM_CAP_DSI, 0);
	def(cfg, PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET, PCI_PM_CTRL_STATE_MASK);

	/* ASL storage: firmware writes the OpRegion address here. */
	def(cfg, IVGPU_CFG_ASLS, 4, 0, 0xffffffff);
}

u32 ivgpu_cfg_read(const struct ivgpu_cfg *cfg, u32 off, u32 bytes)
{
	u32 val = 0, i;

	for (i = 0; i < bytes; i++)
		val |= (u32)cfg->regs[off + i] << (8 * i);
	return val;
}

void ivgpu_cfg_write(struct ivgpu_cfg *cfg, u32 off, u32 val, u32 bytes)
{
	u8 old_pm = cfg->regs[PM_CTRL];
	u32 i;

	for (i = 0; i < bytes; i++) {
		u8 b = (u8)(val >> (8 * i));
		u8 *r = &cfg->regs[off + i];

		*r = (*r & ~cfg->wmask[off + i]) | (b & cfg->wmask[off + i]);
		*r &= ~(b & cfg->w1cmask[off + i]);
	}

	/* D1 and D2 are not supported: such a write leaves the state alone. */
	switch (cfg->regs[PM_CTRL] & PCI_PM_CTRL_STATE_MASK) {
	case 1:
	case 2:
		cfg->regs[PM_CTRL] = old_pm;
		break;
	}
}
