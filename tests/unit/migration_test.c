// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the migration stream: a round trip of every part of the
 * state, the last frame winning, completeness, and the streams a
 * destination must refuse. Built in userspace with ASan and UBSan.
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
#include "migrate.h"
#include "mmio.h"
#include "regs.h"
#include "types.h"
#include "unit.h"
#include <linux/ivgpu.h>

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
