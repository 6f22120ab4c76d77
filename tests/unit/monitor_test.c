// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the monitor: the EDID the core generates and validates,
 * the EDID region userspace writes, hotplug, and the AUX channel as i915
 * drives it. Built in userspace with ASan and UBSan.
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

static const u8 *dtd_of(const u8 *edid, u32 at)
{
	return edid + at;
}

/* The fields of a detailed timing descriptor (EDID 1.4, 3.10.2). */
static u32 dtd_clock(const u8 *d)	{ return d[0] | d[1] << 8; }
static u32 dtd_hactive(const u8 *d)	{ return d[2] | (d[4] >> 4) << 8; }
static u32 dtd_hblank(const u8 *d)	{ return d[3] | (d[4] & 0xf) << 8; }
static u32 dtd_vactive(const u8 *d)	{ return d[5] | (d[7] >> 4) << 8; }
static u32 dtd_vblank(const u8 *d)	{ return d[6] | (d[7] & 0xf) << 8; }

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
	EXPECT_EQ(dtd_clock(d), 15400);
	EXPECT_EQ(dtd_hactive(d), 1920);
	EXPECT_EQ(dtd_hblank(d), 160);
	EXPECT_EQ(dtd_vactive(d), 1200);
	EXPECT_EQ(dtd_vblank(d), 35);
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
	EXPECT_EQ(dtd_clock(d), 53325);
	EXPECT_EQ(dtd_hactive(d), 3840);
	EXPECT_EQ(dtd_vactive(d), 2160);
	EXPECT_EQ(dtd_vblank(d), 62);
	EXPECT_MEMEQ(d, dtd_of(e, 54), 18);
}

TEST(edid_1024x768_modes)
{
	u8 e[IVGPU_EDID_MAX];
	const u8 *d = dtd_of(e, 54);

	ASSERT_EQ(ivgpu_edid_generate(e, 1024, 768), 128);
	EXPECT_EQ(ivgpu_edid_validate(e, 128), 0);
	EXPECT_EQ(dtd_hactive(d), 1024);
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
