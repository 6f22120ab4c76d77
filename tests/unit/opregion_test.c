// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual OpRegion, read back the way guest i915 reads it: the header
 * (intel_opregion_setup), the VBT checks (intel_bios_is_valid_vbt), the
 * BDB block walk (find_raw_section), the child devices
 * (parse_general_definitions) and the port each one names
 * (parse_ddi_port). Offsets and values are written out here on purpose,
 * independently of the structs in opregion.h.
 */
#include <stdlib.h>
#include "tap.h"
#include "env.h"
#include "core.h"
#include "opregion.h"
#include "types.h"
#include <linux/ivgpu.h>

#define VBT_OFFSET	0x400
#define ASLE_EXT_OFFSET	0x1c00

static u16 le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static u8 *opregion(void)
{
	u8 *buf = malloc(IVGPU_OPREGION_SIZE);

	ASSERT_TRUE(buf != NULL);
	memset(buf, 0xa5, IVGPU_OPREGION_SIZE);
	ivgpu_opregion_build(buf);
	return buf;
}

/* The BDB: where the VBT header's bdb_offset points. */
static const u8 *bdb_of(const u8 *vbt)
{
	return vbt + le32(vbt + 28);
}

/*
 * find_raw_section(): the data of block @id and its size, walking from the
 * end of the BDB header to bdb_size; NULL if absent or cut off.
 */
static const u8 *find_block(const u8 *bdb, u8 id, u32 *size)
{
	u32 index = le16(bdb + 18), total = le16(bdb + 20);

	while (index + 3 < total) {
		u8 cur = bdb[index];
		u32 len = le16(bdb + index + 1);

		index += 3;
		if (index + len > total)
			return NULL;
		if (cur == id) {
			*size = len;
			return bdb + index;
		}
		index += len;
	}
	return NULL;
}

TEST(header_as_i915_reads_it)
{
	u8 *op = opregion();
	u32 mboxes = le32(op + 0x58);

	EXPECT_MEMEQ(op, "IntelGraphicsMem", 16);
	EXPECT_EQ(le32(op + 0x10), 8);		/* size in KiB */
	/* Version bytes: reserved, revision, minor, major. */
	EXPECT_EQ(op[0x14], 0);
	EXPECT_EQ(op[0x15], 0);
	EXPECT_EQ(op[0x16], 0);
	EXPECT_EQ(op[0x17], 2);
	/* Only the VBT mailbox: no ACPI, SWSCI, ASLE or ASLE extension. */
	EXPECT_EQ(mboxes, 1u << 3);
	/* No headless SKU bit, no driver model. */
	EXPECT_EQ(le32(op + 0x5c), 0);
	EXPECT_EQ(le32(op + 0x60), 0);
	free(op);
}

TEST(mailboxes_i915_skips_are_zero)
{
	u8 *op = opregion();
	u32 i;

	/* ACPI, SWSCI and ASLE (whose RVDA/RVDS would point elsewhere). */
	for (i = 0x100; i < VBT_OFFSET; i++)
		EXPECT_EQ(op[i], 0);
	free(op);
}

/* intel_bios_is_valid_vbt() with the size i915 allows in mailbox 4. */
TEST(vbt_is_valid_for_i915)
{
	u8 *op = opregion();
	const u8 *vbt = op + VBT_OFFSET;
	/* No ASLE extension mailbox: the VBT may reach the region's end. */
	size_t room = IVGPU_OPREGION_SIZE - VBT_OFFSET;
	u32 vbt_size = le16(vbt + 24), bdb_offset = le32(vbt + 28);
	const u8 *bdb = bdb_of(vbt);

	ASSERT_LE(48, room);
	EXPECT_MEMEQ(vbt, "$VBT", 4);
	EXPECT_MEMEQ(vbt, "$VBT SKYLAKE        ", 20);
	EXPECT_EQ(le16(vbt + 22), 48);			/* header_size */
	ASSERT_LE(vbt_size, room);
	ASSERT_LE(bdb_offset + 22, vbt_size);		/* BDB header inside */
	ASSERT_LE(bdb_offset + le16(bdb + 20), vbt_size);	/* BDB inside */
	/* And it stays clear of the ASLE extension mailbox. */
	EXPECT_LE(VBT_OFFSET + vbt_size, ASLE_EXT_OFFSET);
	/* Nothing after the VBT. */
	for (u32 i = VBT_OFFSET + vbt_size; i < IVGPU_OPREGION_SIZE; i++)
		ASSERT_EQ(op[i], 0);
	free(op);
}

TEST(vbt_checksum_makes_the_sum_zero)
{
	u8 *op = opregion();
	const u8 *vbt = op + VBT_OFFSET;
	u32 i, size = le16(vbt + 24);
	u8 sum = 0;

	for (i = 0; i < size; i++)
		sum += vbt[i];
	EXPECT_EQ(sum, 0);
	EXPECT_NE(vbt[26], 0);	/* it is really there */
	free(op);
}

TEST(bdb_header)
{
	u8 *op = opregion();
	const u8 *vbt = op + VBT_OFFSET;
	const u8 *bdb = bdb_of(vbt);

	EXPECT_EQ(le32(vbt + 28), 48);		/* right after the VBT header */
	EXPECT_MEMEQ(bdb, "BIOS_DATA_BLOCK ", 16);
	EXPECT_EQ(le16(bdb + 16), 204);		/* version */
	EXPECT_EQ(le16(bdb + 18), 22);		/* header_size */
	EXPECT_EQ(le16(bdb + 20), le16(vbt + 24) - 48);	/* bdb_size */
	free(op);
}

/* Exactly blocks 1, 2 and 12, in that order, filling the BDB. */
TEST(bdb_block_walk)
{
	static const u8 want_id[] = { 1, 2, 12 };
	static const u16 want_size[] = { 7, 5 + 38, 19 };
	u8 *op = opregion();
	const u8 *bdb = bdb_of(op + VBT_OFFSET);
	u32 index = le16(bdb + 18), total = le16(bdb + 20), n = 0;

	while (index + 3 < total) {
		ASSERT_LT(n, ARRAY_SIZE(want_id));
		EXPECT_EQ(bdb[index], want_id[n]);
		EXPECT_EQ(le16(bdb + index + 1), want_size[n]);
		index += 3 + le16(bdb + index + 1);
		n++;
	}
	EXPECT_EQ(n, 3);
	EXPECT_EQ(index, total);
	free(op);
}

/* parse_general_features(): no VGA, no TV. */
TEST(general_features)
{
	u8 *op = opregion();
	u32 size;
	const u8 *gf = find_block(bdb_of(op + VBT_OFFSET), 1, &size);

	ASSERT_TRUE(gf != NULL);
	ASSERT_GE(size, 7);
	EXPECT_EQ(gf[4] & 1, 0);		/* int_crt_support */
	EXPECT_EQ(gf[4] & 2, 0);		/* int_tv_support */
	EXPECT_EQ(gf[4], 1 << 2);		/* integrated EFP only */
	EXPECT_EQ(gf[1] & 2, 0);		/* enable_ssc */
	EXPECT_EQ(gf[2] & 4, 0);		/* rotate_180 */
	free(op);
}

/* parse_driver_features(): lvds_config (bits 12:11 at 7) is "no LVDS". */
TEST(driver_features)
{
	u8 *op = opregion();
	u32 size, i;
	const u8 *df = find_block(bdb_of(op + VBT_OFFSET), 12, &size);

	ASSERT_TRUE(df != NULL);
	ASSERT_EQ(size, 19);
	EXPECT_EQ((le16(df + 7) >> 11) & 3, 0);
	for (i = 0; i < size; i++)
		EXPECT_EQ(df[i], 0);
	free(op);
}

/*
 * parse_general_definitions(): the child size i915 expects for the BDB
 * version (38 for 196..215 in 6.1 and 6.12), and exactly one child with a
 * device type.
 */
TEST(exactly_one_child_device)
{
	u8 *op = opregion();
	u32 size, i, n = 0;
	const u8 *defs = find_block(bdb_of(op + VBT_OFFSET), 2, &size);
	u8 child_size;

	ASSERT_TRUE(defs != NULL);
	ASSERT_GE(size, 5);
	child_size = defs[4];
	EXPECT_EQ(child_size, 38);
	ASSERT_GE(child_size, 33);		/* LEGACY_CHILD_DEVICE_CONFIG_SIZE */
	EXPECT_EQ((size - 5) % child_size, 0);
	for (i = 0; i < (size - 5) / child_size; i++)
		if (le16(defs + 5 + i * child_size + 2))
			n++;
	EXPECT_EQ(n, 1);
	EXPECT_EQ(defs[0], 0);			/* no VGA DDC pin */
	free(op);
}

/* The child: DisplayPort on port D, AUX channel D, nothing else. */
TEST(child_is_displayport_on_port_d)
{
	u8 *op = opregion();
	u32 size;
	const u8 *defs = find_block(bdb_of(op + VBT_OFFSET), 2, &size);
	const u8 *child = defs + 5;
	u16 type = le16(child + 2);

	EXPECT_EQ(le16(child + 0), 0x0004);	/* handle: EFP 1 */
	EXPECT_EQ(type, 0x68c6);		/* DEVICE_TYPE_DP */
	EXPECT_TRUE(type & (1 << 2));		/* DisplayPort output */
	EXPECT_FALSE(type & (1 << 4));		/* no DVI/HDMI signalling */
	EXPECT_FALSE(type & (1 << 12));		/* not internal: no eDP */
	EXPECT_FALSE(type & (1 << 0));		/* no VGA */
	EXPECT_FALSE(type & (1 << 5));		/* no LVDS */
	EXPECT_FALSE(type & (1 << 10));		/* no DSI */
	EXPECT_EQ(child[16], 9);		/* dvo_port: DVO_PORT_DPD */
	EXPECT_EQ(child[19], 0);		/* ddc_pin: no HDMI DDC */
	EXPECT_EQ(child[18], 0);		/* no SDVO target */
	EXPECT_EQ(child[23], 0);		/* no lane reversal, LSPCON, iboost */
	EXPECT_EQ(child[24], 1 << 1);		/* DP compatible only */
	EXPECT_EQ(child[25], 0x30);		/* aux_channel: DP_AUX_D */
	EXPECT_EQ(child[27], 1 << 5);		/* integrated encoder */
	EXPECT_EQ(child[10], 0);		/* no compression (DSC) */
	EXPECT_EQ(child[33], 0);		/* no Type-C, no Thunderbolt */
	EXPECT_EQ(child[37], 0);		/* no iboost levels */
	free(op);
}

/* The exact bytes, so a change to the VBT shows in review. */
TEST(child_device_bytes)
{
	static const u8 want[38] = {
		0x04, 0x00, 0xc6, 0x68, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x30, 0, 0x20,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	u8 *op = opregion();
	u32 size;
	const u8 *defs = find_block(bdb_of(op + VBT_OFFSET), 2, &size);

	ASSERT_TRUE(defs != NULL);
	EXPECT_MEMEQ(defs + 5, want, sizeof(want));
	free(op);
}

TEST(every_core_holds_the_same_opregion)
{
	u8 *op = opregion();
	unsigned int i;

	for (i = 0; i < IVGPU_NUM_TYPES; i++) {
		struct ivgpu_core *c = calloc(1, sizeof(*c));

		ASSERT_TRUE(c != NULL);
		ASSERT_EQ(ivgpu_core_init(c, &ivgpu_types[i], i + 1), 0);
		EXPECT_MEMEQ(c->opregion, op, IVGPU_OPREGION_SIZE);
		/* A reset leaves it alone; ASLS is writable and resets to 0. */
		ivgpu_cfg_write(&c->cfg, IVGPU_CFG_ASLS, 0x7ffe1000, 4);
		EXPECT_EQ(ivgpu_cfg_read(&c->cfg, IVGPU_CFG_ASLS, 4), 0x7ffe1000);
		ivgpu_core_reset(c);
		EXPECT_EQ(ivgpu_cfg_read(&c->cfg, IVGPU_CFG_ASLS, 4), 0);
		EXPECT_MEMEQ(c->opregion, op, IVGPU_OPREGION_SIZE);
		ivgpu_core_fini(c);
		free(c);
	}
	free(op);
}
