// SPDX-License-Identifier: GPL-2.0-only
/*
 * BAR0: default register storage, the hole, the GGTT, the PV info page,
 * reset, and isolation between two instances.
 */
#define _GNU_SOURCE
#include <string.h>

#include "ivgpu.h"

/*
 * Plain registers: offsets the register table does not list, so they have
 * default storage (an 8-byte aligned pair, for 8-byte accesses).
 */
#define SCRATCH		SCRATCH_REG
#define SCRATCH2	(SCRATCH + 4)

#define HOLE_START	IVGPU_MMIO_SIZE		/* [2, 8 MiB) */
#define HOLE_END	IVGPU_GGTT_OFFSET

#define PV(field)	(IVGPU_PVINFO_OFFSET + (field))

#define VGT_CAPS	(IVGPU_VGT_CAPS_FULL_PPGTT | \
			 IVGPU_VGT_CAPS_HWSP_EMULATION | \
			 IVGPU_VGT_CAPS_HUGE_GTT)

/* Guest-half PV fields with no side effects, and the page's last dword. */
static const uint32_t pv_guest_fields[] = {
	IVGPU_PV_CURSOR_X_HOT, IVGPU_PV_CURSOR_Y_HOT, IVGPU_PV_PDP,
	IVGPU_PV_PDP + 0x1c, IVGPU_PV_EXECLIST_DESC_LO,
	IVGPU_PV_EXECLIST_DESC_HI, IVGPU_PVINFO_SIZE - 4,
};

#define NR_PV_GUEST_FIELDS ARRAY_SIZE(pv_guest_fields)

TEST(plain_registers_power_on_zero_and_keep_writes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(bar0_read32(v, SCRATCH), 0);
	bar0_write32(v, SCRATCH, 0x12345678);
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0x12345678);
	bar0_write32(v, SCRATCH, 0xffffffff);
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0xffffffff);
	bar0_write32(v, SCRATCH, 0);
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0);
}

TEST(byte_and_word_writes_change_only_their_bytes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	bar0_write32(v, SCRATCH, 0x12345678);
	bar0_write8(v, SCRATCH + 1, 0xab);
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0x1234ab78);
	bar0_write8(v, SCRATCH + 3, 0xcd);
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0xcd34ab78);
	bar0_write16(v, SCRATCH + 2, 0xbeef);
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0xbeefab78);
	bar0_write16(v, SCRATCH, 0x0110);
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0xbeef0110);

	/* Narrow reads see the same bytes. */
	EXPECT_EQ(bar0_read8(v, SCRATCH + 2), 0xef);
	EXPECT_EQ(bar0_read16(v, SCRATCH + 2), 0xbeef);
}

TEST(eight_byte_access_is_two_registers)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	bar0_write64(v, SCRATCH, 0x0123456789abcdefULL);
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0x89abcdef);
	EXPECT_EQ(bar0_read32(v, SCRATCH2), 0x01234567);

	bar0_write32(v, SCRATCH2, 0xfedcba98);
	EXPECT_EQ(bar0_read64(v, SCRATCH), 0xfedcba9889abcdefULL);
}

TEST(hole_reads_zero_and_ignores_writes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	static const uint64_t offs[] = {
		HOLE_START, HOLE_START + 0x1234, 0x400000, HOLE_END - 8,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		tap_log("offset 0x%llx", (unsigned long long)offs[i]);
		bar0_write32(v, offs[i], 0xdeadbeef);
		EXPECT_EQ(bar0_read32(v, offs[i]), 0);
		bar0_write64(v, offs[i], ~0ULL);
		EXPECT_EQ(bar0_read64(v, offs[i]), 0);
	}
}

TEST(ggtt_entries_keep_writes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	/* The last entry that maps the instance's graphics memory. */
	const uint64_t last = type_gm_mib(TYPE_SMALL) * MIB / 4096 - 1;
	const uint64_t pte = 0x12345000ULL | IVGPU_PTE_PRESENT;

	EXPECT_EQ(bar0_read64(v, PTE(0)), 0);
	EXPECT_EQ(bar0_read64(v, PTE(last)), 0);

	bar0_write64(v, PTE(0), pte);
	bar0_write64(v, PTE(last), pte + 0x1000);
	EXPECT_EQ(bar0_read64(v, PTE(0)), pte);
	EXPECT_EQ(bar0_read64(v, PTE(last)), pte + 0x1000);
	EXPECT_EQ(bar0_read64(v, PTE(1)), 0);

	/* A PTE written as two halves reads back whole. */
	bar0_write32(v, PTE(2), 0xabcde001);
	bar0_write32(v, PTE(2) + 4, 0x12);
	EXPECT_EQ(bar0_read64(v, PTE(2)), 0x12abcde001ULL);
	EXPECT_EQ(bar0_read32(v, PTE(2) + 4), 0x12);
}

TEST(ggtt_entries_past_the_slice_read_zero)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	const uint64_t last = type_gm_mib(TYPE_SMALL) * MIB / 4096 - 1;
	const uint64_t end = IVGPU_GGTT_SIZE / 8 - 1;
	const uint64_t pte = 0x777000ULL | IVGPU_PTE_PRESENT;

	bar0_write64(v, PTE(0), pte);
	bar0_write64(v, PTE(last), pte);
	bar0_write64(v, PTE(last + 1), ~0ULL);
	bar0_write64(v, PTE(end), ~0ULL);
	/* Past the slice, entries read as zero. */
	EXPECT_EQ(bar0_read64(v, PTE(last + 1)), 0);
	EXPECT_EQ(bar0_read64(v, PTE(end)), 0);
	EXPECT_EQ(bar0_read64(v, PTE(0)), pte);
	EXPECT_EQ(bar0_read64(v, PTE(last)), pte);
	EXPECT_EQ(bar0_read64(v, PTE(1)), 0);
	EXPECT_EQ(bar0_read64(v, HOLE_END - 8), 0);
	EXPECT_EQ(bar0_read64(v, IVGPU_PVINFO_OFFSET), IVGPU_VGT_MAGIC);
}

TEST(pv_magic_in_eight_and_four_byte_reads)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(bar0_read64(v, PV(IVGPU_PV_MAGIC)), IVGPU_VGT_MAGIC);
	EXPECT_EQ(bar0_read32(v, PV(IVGPU_PV_MAGIC)),
		  (uint32_t)IVGPU_VGT_MAGIC);
	EXPECT_EQ(bar0_read32(v, PV(IVGPU_PV_MAGIC) + 4),
		  (uint32_t)(IVGPU_VGT_MAGIC >> 32));
	EXPECT_EQ(bar0_read32(v, PV(IVGPU_PV_MAGIC)), 0x76544776);
	EXPECT_EQ(bar0_read8(v, PV(IVGPU_PV_MAGIC)), 0x76);
}

TEST(pv_version_and_caps)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(bar0_read16(v, PV(IVGPU_PV_VERSION_MAJOR)),
		  IVGPU_VGT_VERSION_MAJOR);
	EXPECT_EQ(bar0_read16(v, PV(IVGPU_PV_VERSION_MINOR)),
		  IVGPU_VGT_VERSION_MINOR);
	EXPECT_EQ(pv_read32(v, IVGPU_PV_VERSION_MAJOR), 0x00000001);
	EXPECT_EQ(pv_read32(v, IVGPU_PV_VGT_CAPS), VGT_CAPS);
}

TEST(pv_vgt_id_is_distinct_per_instance)
{
	struct vgpu *a = vgpu_new(TYPE_SMALL);
	struct vgpu *b = vgpu_new(TYPE_SMALL);
	uint32_t id_a = pv_read32(a, IVGPU_PV_VGT_ID);
	uint32_t id_b = pv_read32(b, IVGPU_PV_VGT_ID);

	tap_log("vgt_id %u and %u", id_a, id_b);
	EXPECT_GE(id_a, 1);
	EXPECT_GE(id_b, 1);
	EXPECT_NE(id_a, id_b);
}

TEST(pv_resources_of_every_type)
{
	const struct ivgpu_type *t;

	for_each_type(t) {
		struct vgpu *v = vgpu_new(t);

		tap_log("%s", t->dir);
		EXPECT_EQ(pv_read32(v, IVGPU_PV_MAPPABLE_BASE), 0);
		EXPECT_EQ(pv_read32(v, IVGPU_PV_MAPPABLE_SIZE), 0);
		EXPECT_EQ(pv_read32(v, IVGPU_PV_NONMAPPABLE_BASE),
			  t->low_gm_mib * MIB);
		EXPECT_EQ(pv_read32(v, IVGPU_PV_NONMAPPABLE_SIZE),
			  t->high_gm_mib * MIB);
		EXPECT_EQ(pv_read32(v, IVGPU_PV_FENCE_NUM), t->fences);
		vgpu_remove(v);
	}
}

TEST(pv_host_half_is_read_only)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t before[IVGPU_PV_GUEST_AREA], after[IVGPU_PV_GUEST_AREA];
	uint64_t off;

	ASSERT_OK(vfio_region_read(&v->dev, BAR0, PV(0), before,
				   sizeof(before)));
	for (off = 0; off < IVGPU_PV_GUEST_AREA; off += 4)
		bar0_write32(v, PV(off), 0xa5a5a5a5);
	bar0_write64(v, PV(IVGPU_PV_MAGIC), 0);
	bar0_write8(v, PV(IVGPU_PV_FENCE_NUM), 0xff);
	bar0_write16(v, PV(IVGPU_PV_VERSION_MAJOR), 0xffff);

	ASSERT_OK(vfio_region_read(&v->dev, BAR0, PV(0), after, sizeof(after)));
	EXPECT_MEMEQ(after, before, sizeof(after));
	EXPECT_EQ(bar0_read64(v, PV(IVGPU_PV_MAGIC)), IVGPU_VGT_MAGIC);
}

/* The cursor hotspot reads "none" until the guest sets one; the rest 0. */
static uint32_t pv_guest_default(uint32_t field)
{
	if (field == IVGPU_PV_CURSOR_X_HOT || field == IVGPU_PV_CURSOR_Y_HOT)
		return IVGPU_PV_CURSOR_HOT_NONE;
	return 0;
}

TEST(pv_guest_half_keeps_writes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	unsigned int i;

	for (i = 0; i < NR_PV_GUEST_FIELDS; i++)
		EXPECT_EQ(pv_read32(v, pv_guest_fields[i]),
			  pv_guest_default(pv_guest_fields[i]));
	for (i = 0; i < NR_PV_GUEST_FIELDS; i++)
		pv_write32(v, pv_guest_fields[i], 0x11110000 + i);
	for (i = 0; i < NR_PV_GUEST_FIELDS; i++)
		EXPECT_EQ(pv_read32(v, pv_guest_fields[i]), 0x11110000 + i);

	pv_write32(v, IVGPU_PV_DISPLAY_READY, 1);
	EXPECT_EQ(pv_read32(v, IVGPU_PV_DISPLAY_READY), 1);
	bar0_write8(v, PV(IVGPU_PV_CURSOR_X_HOT) + 1, 0xab);
	EXPECT_EQ(pv_read32(v, IVGPU_PV_CURSOR_X_HOT), 0x1111ab00);
}

TEST(any_length_bar0_access)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t whole[16], bytes[16], odd[5];
	const uint8_t pattern[6] = { 1, 2, 3, 4, 5, 6 };
	unsigned int i;

	/* Magic, version and vgt_id in one read. */
	ASSERT_OK(vfio_region_read(&v->dev, BAR0, PV(0), whole, sizeof(whole)));
	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = bar0_read8(v, PV(i));
	EXPECT_MEMEQ(whole, bytes, sizeof(whole));

	ASSERT_OK(vfio_region_read(&v->dev, BAR0, PV(3), odd, sizeof(odd)));
	EXPECT_MEMEQ(odd, whole + 3, sizeof(odd));

	/* A 6-byte write at +1 splits into 1 + 2 + 2 + 1 and keeps byte 0. */
	bar0_write64(v, SCRATCH, 0x8877665544332211ULL);
	ASSERT_OK(vfio_region_write(&v->dev, BAR0, SCRATCH + 1, pattern,
				    sizeof(pattern)));
	EXPECT_EQ(bar0_read64(v, SCRATCH), 0x8806050403020111ULL);
}

TEST(reset_restores_registers_ggtt_and_pv_page)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t before[IVGPU_PVINFO_SIZE], after[IVGPU_PVINFO_SIZE];

	ASSERT_OK(vfio_region_read(&v->dev, BAR0, PV(0), before,
				   sizeof(before)));
	bar0_write32(v, SCRATCH, 0x12345678);
	bar0_write64(v, PTE(7), 0xabc000ULL | IVGPU_PTE_PRESENT);
	pv_write32(v, IVGPU_PV_DISPLAY_READY, 1);
	pv_write32(v, IVGPU_PV_CURSOR_X_HOT, 0x55);

	ASSERT_OK(vfio_reset(&v->dev));
	EXPECT_EQ(bar0_read32(v, SCRATCH), 0);
	EXPECT_EQ(bar0_read64(v, PTE(7)), 0);
	ASSERT_OK(vfio_region_read(&v->dev, BAR0, PV(0), after, sizeof(after)));
	EXPECT_MEMEQ(after, before, sizeof(after));
	EXPECT_EQ(bar0_read64(v, PV(IVGPU_PV_MAGIC)), IVGPU_VGT_MAGIC);
}

TEST(two_instances_are_isolated)
{
	struct vgpu *a = vgpu_new(TYPE_SMALL);
	struct vgpu *b = vgpu_new(TYPE_SMALL);

	bar0_write32(a, SCRATCH, 0xaaaaaaaa);
	bar0_write64(a, PTE(3), 0xa000ULL | IVGPU_PTE_PRESENT);
	pv_write32(a, IVGPU_PV_CURSOR_Y_HOT, 0xaa);
	cfg_write16(a, PCI_COMMAND, PCI_COMMAND_MEMORY);
	cfg_write32(a, PCI_BASE_ADDRESS_0, 0xffffffff);
	cfg_write8(a, PCI_INTERRUPT_LINE, 0xa);

	EXPECT_EQ(bar0_read32(b, SCRATCH), 0);
	EXPECT_EQ(bar0_read64(b, PTE(3)), 0);
	EXPECT_EQ(pv_read32(b, IVGPU_PV_CURSOR_Y_HOT), IVGPU_PV_CURSOR_HOT_NONE);
	EXPECT_EQ(cfg_read16(b, PCI_COMMAND), 0);
	EXPECT_NE(cfg_read32(b, PCI_BASE_ADDRESS_0), 0xff000004);
	EXPECT_EQ(cfg_read8(b, PCI_INTERRUPT_LINE), 0);

	bar0_write32(b, SCRATCH, 0xbbbbbbbb);
	EXPECT_EQ(bar0_read32(a, SCRATCH), 0xaaaaaaaa);

	/* Resetting one leaves the other alone. */
	ASSERT_OK(vfio_reset(&b->dev));
	EXPECT_EQ(bar0_read32(a, SCRATCH), 0xaaaaaaaa);
	EXPECT_EQ(bar0_read64(a, PTE(3)), 0xa000ULL | IVGPU_PTE_PRESENT);
	EXPECT_EQ(cfg_read16(a, PCI_COMMAND), PCI_COMMAND_MEMORY);
}
