// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OpRegion region (docs/display.md): found by type and subtype as
 * QEMU's x-igd-opregion=on finds it, read whole as QEMU reads it into
 * fw_cfg, its header and VBT as guest i915 parses them; read-only, and
 * ASLS in config space writable for the firmware.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "ivgpu.h"

#define OPREGION_TYPE	(VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x8086)
#define VBT		0x400

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * vfio_get_dev_region_info() in QEMU: the first device-specific region
 * whose type capability matches; its index, or -1.
 */
static int find_region(struct vgpu *v, uint32_t type, uint32_t subtype)
{
	unsigned int i;

	for (i = VFIO_PCI_NUM_REGIONS; i < v->dev.info.num_regions; i++) {
		struct vfio_region_info *info = vfio_region_info(&v->dev, i);
		struct vfio_region_info_cap_type *cap;
		bool match;

		ASSERT_TRUE(info);
		cap = (void *)vfio_region_cap(info, VFIO_REGION_INFO_CAP_TYPE);
		match = cap && cap->type == type && cap->subtype == subtype;
		free(info);
		if (match)
			return (int)i;
	}
	return -1;
}

/* The whole region, in one pread() as QEMU does. */
static uint8_t *read_opregion(struct vgpu *v)
{
	uint8_t *buf = malloc(IVGPU_OPREGION_SIZE);
	off_t base = (off_t)IVGPU_REGION_OPREGION << 40;

	ASSERT_TRUE(buf);
	tap_defer(free, buf);
	ASSERT_EQ(pread(v->dev.fd, buf, IVGPU_OPREGION_SIZE, base),
		  IVGPU_OPREGION_SIZE);
	return buf;
}

TEST(region_is_found_by_type_and_subtype)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_region_info *info;
	struct vfio_region_info_cap_type *cap;

	EXPECT_EQ(v->dev.info.num_regions, 14);
	EXPECT_EQ(find_region(v, OPREGION_TYPE,
			      VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION),
		  IVGPU_REGION_OPREGION);
	EXPECT_EQ(IVGPU_REGION_OPREGION, 13);

	info = vfio_region_info(&v->dev, IVGPU_REGION_OPREGION);
	ASSERT_TRUE(info);
	tap_defer(free, info);
	EXPECT_EQ(info->size, 8192);
	EXPECT_EQ(info->offset, 13ULL << 40);
	EXPECT_EQ(info->flags, VFIO_REGION_INFO_FLAG_READ |
			       VFIO_REGION_INFO_FLAG_CAPS);
	cap = (void *)vfio_region_cap(info, VFIO_REGION_INFO_CAP_TYPE);
	ASSERT_TRUE(cap);
	EXPECT_EQ(cap->header.version, 1);
	EXPECT_EQ(cap->type, 0x80008086);
	EXPECT_EQ(cap->subtype, 1);
	/* No sparse-mmap capability: it can't be mapped. */
	EXPECT_FALSE(vfio_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP));
}

TEST(header_and_vbt_as_i915_reads_them)
{
	const struct ivgpu_type *t;

	for_each_type(t) {
		struct vgpu *v = vgpu_new(t);
		uint8_t *op = read_opregion(v);
		const uint8_t *vbt = op + VBT;
		const uint8_t *bdb = vbt + le32(vbt + 28);
		uint32_t vbt_size = le16(vbt + 24), i;
		uint8_t sum = 0;

		tap_log("%s", t->name);
		EXPECT_MEMEQ(op, "IntelGraphicsMem", 16);
		EXPECT_EQ(le32(op + 0x10), 8);			/* KiB */
		EXPECT_EQ(le32(op + 0x14), 0x02000000);		/* 2.0 */
		EXPECT_EQ(le32(op + 0x58), 1 << 3);		/* MBOX_VBT only */

		EXPECT_MEMEQ(vbt, "$VBT SKYLAKE        ", 20);
		EXPECT_LE(vbt_size, IVGPU_OPREGION_SIZE - VBT);
		for (i = 0; i < vbt_size; i++)
			sum += vbt[i];
		EXPECT_EQ(sum, 0);
		EXPECT_MEMEQ(bdb, "BIOS_DATA_BLOCK ", 16);
		EXPECT_EQ(le16(bdb + 16), 204);
		EXPECT_LE(le32(vbt + 28) + le16(bdb + 20), vbt_size);
	}
}

/* Blocks 1, 2 and 12; block 2 holds one child: DisplayPort, port D, AUX D. */
TEST(vbt_child_device_bytes)
{
	static const uint8_t child[38] = {
		0x04, 0x00,		/* handle: EFP 1 */
		0xc6, 0x68,		/* device type: DisplayPort */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x09,			/* DVO port: DP D */
		0, 0, 0, 0, 0, 0, 0,
		0x02,			/* DP compatible */
		0x30,			/* AUX channel D */
		0,
		0x20,			/* integrated encoder */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t *op = read_opregion(v);
	const uint8_t *vbt = op + VBT;
	const uint8_t *bdb = vbt + le32(vbt + 28);
	uint32_t index = le16(bdb + 18), total = le16(bdb + 20);
	static const uint8_t ids[] = { 1, 2, 12 };
	unsigned int n = 0;

	while (index + 3 < total) {
		uint8_t id = bdb[index];
		uint16_t size = le16(bdb + index + 1);

		ASSERT_LT(n, ARRAY_SIZE(ids));
		EXPECT_EQ(id, ids[n]);
		ASSERT_LE(index + 3 + size, total);
		if (id == 2) {
			EXPECT_EQ(size, 5 + sizeof(child));
			EXPECT_EQ(bdb[index + 3 + 4], sizeof(child));
			EXPECT_MEMEQ(bdb + index + 3 + 5, child, sizeof(child));
		}
		index += 3 + size;
		n++;
	}
	EXPECT_EQ(n, ARRAY_SIZE(ids));
}

TEST(reads_of_any_size_and_offset)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t *op = read_opregion(v);
	off_t base = (off_t)IVGPU_REGION_OPREGION << 40;
	uint8_t buf[64];

	/* Unaligned, odd-sized pieces match the whole. */
	ASSERT_EQ(pread(v->dev.fd, buf, 7, base + VBT + 3), 7);
	EXPECT_MEMEQ(buf, op + VBT + 3, 7);
	ASSERT_EQ(pread(v->dev.fd, buf, 1, base + 0x17), 1);
	EXPECT_EQ(buf[0], 2);
	/* Across the end: cut there; at the end: EINVAL. */
	EXPECT_EQ(pread(v->dev.fd, buf, sizeof(buf), base + 8192 - 5), 5);
	EXPECT_ERRNO(pread(v->dev.fd, buf, 4, base + 8192), EINVAL);
	/* Reset and reopen give the same bytes. */
	ASSERT_OK(vfio_reset(&v->dev));
	vgpu_close(v);
	vgpu_open(v);
	EXPECT_MEMEQ(read_opregion(v), op, IVGPU_OPREGION_SIZE);
}

TEST(writes_fail_with_einval)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t *before = read_opregion(v);
	off_t base = (off_t)IVGPU_REGION_OPREGION << 40;
	uint8_t junk[16];

	memset(junk, 0xee, sizeof(junk));
	EXPECT_ERRNO(pwrite(v->dev.fd, junk, 4, base), EINVAL);
	EXPECT_ERRNO(pwrite(v->dev.fd, junk, 1, base + VBT + 26), EINVAL);
	EXPECT_ERRNO(pwrite(v->dev.fd, junk, 16, base + 8192 - 8), EINVAL);
	EXPECT_ERRNO(pwrite(v->dev.fd, junk, 4, base + 8192), EINVAL);
	EXPECT_MEMEQ(read_opregion(v), before, IVGPU_OPREGION_SIZE);
}

TEST(mmap_is_refused)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_TRUE(vfio_region_mmap(&v->dev, IVGPU_REGION_OPREGION, 0,
				     4096) == NULL);
	EXPECT_EQ(errno, EINVAL);
}

/* Firmware writes the OpRegion's guest address to ASLS (0xfc). */
TEST(asls_is_writable_and_reset_clears_it)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(cfg_read32(v, IVGPU_CFG_ASLS), 0);
	cfg_write32(v, IVGPU_CFG_ASLS, 0x7ffdc000);
	EXPECT_EQ(cfg_read32(v, IVGPU_CFG_ASLS), 0x7ffdc000);
	cfg_write16(v, IVGPU_CFG_ASLS + 2, 0x1234);
	EXPECT_EQ(cfg_read32(v, IVGPU_CFG_ASLS), 0x1234c000);
	/* Stolen memory stays hidden: GMCH_CTRL GMS is 0. */
	EXPECT_EQ(cfg_read16(v, IVGPU_CFG_GMCH_CTRL) & 0xff00, 0);
	ASSERT_OK(vfio_reset(&v->dev));
	EXPECT_EQ(cfg_read32(v, IVGPU_CFG_ASLS), 0);
}
