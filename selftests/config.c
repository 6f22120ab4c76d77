// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated PCI config space: identity, BAR sizing, what is writable
 * and what is not, the MSI and PM capabilities, and reset.
 */
#define _GNU_SOURCE
#include <string.h>

#include "ivgpu.h"

#define BAR0_FLAGS	(PCI_BASE_ADDRESS_SPACE_MEMORY | \
			 PCI_BASE_ADDRESS_MEM_TYPE_64)
#define BAR2_FLAGS	(BAR0_FLAGS | PCI_BASE_ADDRESS_MEM_PREFETCH)

#define COMMAND_WRITABLE (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
			  PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | \
			  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)

#define MSI	IVGPU_CFG_MSI_CAP
#define PM	IVGPU_CFG_PM_CAP

/* Size mask a BAR's low dword reads after all-ones is written to it. */
static uint32_t size_mask(uint64_t size, uint32_t flags)
{
	return (uint32_t)~(size - 1) | flags;
}

TEST(identity)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(cfg_read16(v, PCI_VENDOR_ID), IVGPU_PCI_VENDOR_ID);
	EXPECT_EQ(cfg_read16(v, PCI_DEVICE_ID), IVGPU_PCI_DEVICE_ID);
	EXPECT_EQ(cfg_read8(v, PCI_REVISION_ID), IVGPU_PCI_REVISION);
	EXPECT_EQ(cfg_read32(v, PCI_CLASS_REVISION),
		  IVGPU_PCI_CLASS << 8 | IVGPU_PCI_REVISION);
	EXPECT_EQ(cfg_read8(v, PCI_HEADER_TYPE), PCI_HEADER_TYPE_NORMAL);
	EXPECT_EQ(cfg_read16(v, PCI_SUBSYSTEM_VENDOR_ID),
		  IVGPU_PCI_SUBSYS_VENDOR_ID);
	EXPECT_EQ(cfg_read16(v, PCI_SUBSYSTEM_ID), IVGPU_PCI_SUBSYS_ID);
	EXPECT_EQ(cfg_read8(v, PCI_CAPABILITY_LIST), MSI);
	EXPECT_EQ(cfg_read8(v, PCI_INTERRUPT_LINE), 0);
	EXPECT_EQ(cfg_read8(v, PCI_INTERRUPT_PIN), 1);
	EXPECT_EQ(cfg_read16(v, IVGPU_CFG_GMCH_CTRL), IVGPU_GMCH_CTRL_VALUE);
}

TEST(power_on_command_and_status)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(cfg_read16(v, PCI_COMMAND), 0);
	EXPECT_EQ(cfg_read16(v, PCI_STATUS), PCI_STATUS_CAP_LIST);
}

TEST(bar_flags_and_absent_bars)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_0) & 0xf, BAR0_FLAGS);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_2) & 0xf, BAR2_FLAGS);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_4), 0);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_5), 0);
	EXPECT_EQ(cfg_read32(v, PCI_ROM_ADDRESS), 0);
}

/* Write all-ones to a 64-bit BAR and read back its size. */
static void expect_bar64_size(struct vgpu *v, unsigned int bar,
			      uint64_t size, uint32_t flags)
{
	tap_log("BAR at 0x%x: 0x%llx bytes", bar, (unsigned long long)size);
	cfg_write32(v, bar, 0xffffffff);
	cfg_write32(v, bar + 4, 0xffffffff);
	EXPECT_EQ(cfg_read32(v, bar), size_mask(size, flags));
	EXPECT_EQ(cfg_read32(v, bar + 4), 0xffffffff);
	/* One 8-byte read sees both halves. */
	EXPECT_EQ(vfio_read64(&v->dev, CONFIG, bar),
		  0xffffffff00000000ULL | size_mask(size, flags));
}

TEST(bar_sizing_of_every_type)
{
	const struct ivgpu_type *t;

	for_each_type(t) {
		struct vgpu *v = vgpu_new(t);

		expect_bar64_size(v, PCI_BASE_ADDRESS_0, IVGPU_BAR0_SIZE,
				  BAR0_FLAGS);
		expect_bar64_size(v, PCI_BASE_ADDRESS_2, t->low_gm_mib * MIB,
				  BAR2_FLAGS);
		vgpu_remove(v);
	}
	/* The masks spelled out for the smallest type. */
	EXPECT_EQ(size_mask(IVGPU_BAR0_SIZE, BAR0_FLAGS), 0xff000004);
	EXPECT_EQ(size_mask(64 * MIB, BAR2_FLAGS), 0xfc00000c);
}

TEST(absent_bars_and_rom_read_zero_after_sizing)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	cfg_write32(v, PCI_BASE_ADDRESS_4, 0xffffffff);
	cfg_write32(v, PCI_BASE_ADDRESS_5, 0xffffffff);
	cfg_write32(v, PCI_ROM_ADDRESS, 0xfffff800);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_4), 0);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_5), 0);
	EXPECT_EQ(cfg_read32(v, PCI_ROM_ADDRESS), 0);
	cfg_write32(v, PCI_ROM_ADDRESS, 0xffffffff);
	EXPECT_EQ(cfg_read32(v, PCI_ROM_ADDRESS), 0);
}

TEST(bar_addresses_keep_their_flags)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	/* Address bits below the BAR size read as zero. */
	cfg_write32(v, PCI_BASE_ADDRESS_0, 0xfe123456);
	cfg_write32(v, PCI_BASE_ADDRESS_1, 0x00000001);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_0), 0xfe000000 | BAR0_FLAGS);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_1), 0x00000001);

	cfg_write32(v, PCI_BASE_ADDRESS_2, 0xc7654321);
	cfg_write32(v, PCI_BASE_ADDRESS_3, 0x00000002);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_2), 0xc4000000 | BAR2_FLAGS);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_3), 0x00000002);

	/* A byte write to the flags byte changes nothing there. */
	cfg_write8(v, PCI_BASE_ADDRESS_0, 0xff);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_0), 0xfe000000 | BAR0_FLAGS);

	/* Back to an address after sizing, as firmware does. */
	cfg_write32(v, PCI_BASE_ADDRESS_0, 0xffffffff);
	cfg_write32(v, PCI_BASE_ADDRESS_0, 0xe0000000);
	EXPECT_EQ(cfg_read32(v, PCI_BASE_ADDRESS_0), 0xe0000000 | BAR0_FLAGS);
}

struct ro_field {
	const char *name;
	uint8_t off;
	uint8_t size;
};

static const struct ro_field ro_fields[] = {
	{ "vendor/device", PCI_VENDOR_ID, 4 },
	{ "revision/class", PCI_CLASS_REVISION, 4 },
	{ "header type", PCI_HEADER_TYPE, 1 },
	{ "subsystem", PCI_SUBSYSTEM_VENDOR_ID, 4 },
	{ "capabilities pointer", PCI_CAPABILITY_LIST, 1 },
	{ "interrupt pin", PCI_INTERRUPT_PIN, 1 },
	{ "GMCH_CTRL", IVGPU_CFG_GMCH_CTRL, 2 },
	{ "MSI id/next", MSI + PCI_CAP_LIST_ID, 2 },
	{ "PM id/next", PM + PCI_CAP_LIST_ID, 2 },
	{ "PM capabilities", PM + PCI_PM_PMC, 2 },
};

static uint64_t cfg_read(struct vgpu *v, unsigned int off, unsigned int size)
{
	uint64_t val;

	ASSERT_OK(vfio_region_read_n(&v->dev, CONFIG, off, size, &val));
	return val;
}

static void cfg_write(struct vgpu *v, unsigned int off, unsigned int size,
		      uint64_t val)
{
	ASSERT_OK(vfio_region_write_n(&v->dev, CONFIG, off, size, val));
}

TEST(read_only_fields_ignore_writes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	static const uint64_t patterns[] = { 0, ~0ULL, 0x5a5a5a5a };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(ro_fields); i++) {
		const struct ro_field *f = &ro_fields[i];
		uint64_t before = cfg_read(v, f->off, f->size);

		for (j = 0; j < ARRAY_SIZE(patterns); j++) {
			cfg_write(v, f->off, f->size, patterns[j]);
			if (cfg_read(v, f->off, f->size) != before)
				tap_fail(false, __FILE__, __LINE__,
					 "%s changed to 0x%llx after writing 0x%llx",
					 f->name,
					 (unsigned long long)cfg_read(v, f->off, f->size),
					 (unsigned long long)patterns[j]);
		}
	}
}

TEST(command_register_writable_bits)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	cfg_write16(v, PCI_COMMAND, 0xffff);
	EXPECT_EQ(cfg_read16(v, PCI_COMMAND), COMMAND_WRITABLE);
	cfg_write16(v, PCI_COMMAND, PCI_COMMAND_MEMORY);
	EXPECT_EQ(cfg_read16(v, PCI_COMMAND), PCI_COMMAND_MEMORY);
	cfg_write16(v, PCI_COMMAND, 0);
	EXPECT_EQ(cfg_read16(v, PCI_COMMAND), 0);
}

TEST(status_is_not_writable)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	/* A dword write hits command and status at once. */
	cfg_write32(v, PCI_COMMAND, 0xffffffff);
	EXPECT_EQ(cfg_read32(v, PCI_COMMAND),
		  PCI_STATUS_CAP_LIST << 16 | COMMAND_WRITABLE);
	cfg_write16(v, PCI_STATUS, 0xffff);
	EXPECT_EQ(cfg_read16(v, PCI_STATUS), PCI_STATUS_CAP_LIST);
}

TEST(interrupt_line_is_writable)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	cfg_write8(v, PCI_INTERRUPT_LINE, 0xab);
	EXPECT_EQ(cfg_read8(v, PCI_INTERRUPT_LINE), 0xab);
	cfg_write16(v, PCI_INTERRUPT_LINE, 0xffff);
	EXPECT_EQ(cfg_read16(v, PCI_INTERRUPT_LINE), 0x01ff);
}

TEST(capability_list)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(cfg_read8(v, MSI + PCI_CAP_LIST_ID), PCI_CAP_ID_MSI);
	EXPECT_EQ(cfg_read8(v, MSI + PCI_CAP_LIST_NEXT), PM);
	EXPECT_EQ(cfg_read8(v, PM + PCI_CAP_LIST_ID), PCI_CAP_ID_PM);
	EXPECT_EQ(cfg_read8(v, PM + PCI_CAP_LIST_NEXT), 0);
}

TEST(msi_capability)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	/* 32-bit, one vector (MMC 0), disabled. */
	EXPECT_EQ(cfg_read16(v, MSI + PCI_MSI_FLAGS), 0);

	cfg_write16(v, MSI + PCI_MSI_FLAGS, 0xffff);
	EXPECT_EQ(cfg_read16(v, MSI + PCI_MSI_FLAGS), PCI_MSI_FLAGS_ENABLE);

	cfg_write32(v, MSI + PCI_MSI_ADDRESS_LO, 0xfee01000);
	EXPECT_EQ(cfg_read32(v, MSI + PCI_MSI_ADDRESS_LO), 0xfee01000);
	cfg_write16(v, MSI + PCI_MSI_DATA_32, 0x4041);
	EXPECT_EQ(cfg_read16(v, MSI + PCI_MSI_DATA_32), 0x4041);

	cfg_write16(v, MSI + PCI_MSI_FLAGS, 0);
	EXPECT_EQ(cfg_read16(v, MSI + PCI_MSI_FLAGS), 0);
}

TEST(pm_capability)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint16_t pmc = cfg_read16(v, PM + PCI_PM_PMC);

	tap_log("PMC 0x%04x", pmc);
	EXPECT_EQ(pmc & PCI_PM_CAP_VER_MASK, 2);
	EXPECT_EQ(pmc & (PCI_PM_CAP_D1 | PCI_PM_CAP_D2), 0);
	EXPECT_EQ(cfg_read16(v, PM + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK, 0);

	cfg_write16(v, PM + PCI_PM_CTRL, 3);
	EXPECT_EQ(cfg_read16(v, PM + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK, 3);
	cfg_write16(v, PM + PCI_PM_CTRL, 0);
	EXPECT_EQ(cfg_read16(v, PM + PCI_PM_CTRL) & PCI_PM_CTRL_STATE_MASK, 0);
}

TEST(any_length_read_matches_dword_reads)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t whole[IVGPU_CFG_SIZE], dwords[IVGPU_CFG_SIZE], odd[7];
	unsigned int off;

	ASSERT_OK(vfio_region_read(&v->dev, CONFIG, 0, whole, sizeof(whole)));
	for (off = 0; off < IVGPU_CFG_SIZE; off += 4) {
		uint32_t val = cfg_read32(v, off);

		memcpy(dwords + off, &val, 4);
	}
	EXPECT_MEMEQ(whole, dwords, sizeof(whole));

	/* Unaligned, crossing dwords: vendor high byte to class. */
	ASSERT_OK(vfio_region_read(&v->dev, CONFIG, 1, odd, sizeof(odd)));
	EXPECT_MEMEQ(odd, whole + 1, sizeof(odd));
}

TEST(unaligned_write_spans_fields)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	/* Device id high byte (RO), command (RW), status low byte (RO). */
	const uint8_t bytes[4] = { 0xff, 0x46, 0x05, 0xff };

	ASSERT_OK(vfio_region_write(&v->dev, CONFIG, PCI_DEVICE_ID + 1, bytes,
				    sizeof(bytes)));
	EXPECT_EQ(cfg_read16(v, PCI_DEVICE_ID), IVGPU_PCI_DEVICE_ID);
	EXPECT_EQ(cfg_read16(v, PCI_COMMAND), 0x0546);
	EXPECT_EQ(cfg_read16(v, PCI_STATUS), PCI_STATUS_CAP_LIST);
}

TEST(reset_restores_config_space)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t before[IVGPU_CFG_SIZE], after[IVGPU_CFG_SIZE];

	ASSERT_OK(vfio_region_read(&v->dev, CONFIG, 0, before, sizeof(before)));

	cfg_write16(v, PCI_COMMAND, COMMAND_WRITABLE);
	cfg_write32(v, PCI_BASE_ADDRESS_0, 0xffffffff);
	cfg_write32(v, PCI_BASE_ADDRESS_2, 0xe0000000);
	cfg_write32(v, PCI_BASE_ADDRESS_3, 0x1);
	cfg_write8(v, PCI_INTERRUPT_LINE, 0x0b);
	cfg_write16(v, MSI + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
	cfg_write32(v, MSI + PCI_MSI_ADDRESS_LO, 0xfee00000);
	cfg_write16(v, PM + PCI_PM_CTRL, 3);

	ASSERT_OK(vfio_reset(&v->dev));
	ASSERT_OK(vfio_region_read(&v->dev, CONFIG, 0, after, sizeof(after)));
	EXPECT_MEMEQ(after, before, sizeof(after));
	EXPECT_EQ(cfg_read16(v, PCI_COMMAND), 0);
}
