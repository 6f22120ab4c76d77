// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual monitor. Userspace follows QEMU's protocol: link down, write
 * the blob and its size, link up. Link up installs the blob only if it is a
 * valid EDID whose preferred mode fits the type; every change of the link
 * is a hotplug event (a long pulse) on port D.
 */
#include "monitor.h"
#include "core.h"
#include "edid.h"
#include "interrupt.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

/*
 * What the sink reports over DPCD: DisplayPort 1.2, 4 lanes at 5.4 Gb/s,
 * one sink, and a link that is always trained (clock recovery, equalisation
 * and symbol lock on every lane, inter-lane alignment done).
 */
static const struct {
	u16 addr;
	u8 val;
} ivgpu_dpcd_init[] = {
	{ 0x000, 0x12 },	/* DPCD_REV 1.2 */
	{ 0x001, 0x14 },	/* MAX_LINK_RATE 5.4 Gb/s */
	{ 0x002, 0x84 },	/* MAX_LANE_COUNT 4, enhanced framing */
	{ 0x003, 0x01 },	/* MAX_DOWNSPREAD 0.5% */
	{ 0x004, 0x01 },	/* NORP */
	{ 0x200, 0x01 },	/* SINK_COUNT */
	{ 0x202, 0x77 },	/* LANE0_1_STATUS */
	{ 0x203, 0x77 },	/* LANE2_3_STATUS */
	{ 0x204, 0x01 },	/* LANE_ALIGN_STATUS_UPDATED */
	{ 0x205, 0x01 },	/* SINK_STATUS: receive port 0 in sync */
};

void ivgpu_monitor_init(struct ivgpu_core *c)
{
	struct ivgpu_monitor *m = &c->monitor;
	unsigned int i;

	memset(m->dpcd, 0, sizeof(m->dpcd));
	for (i = 0; i < ARRAY_SIZE(ivgpu_dpcd_init); i++)
		m->dpcd[ivgpu_dpcd_init[i].addr] = ivgpu_dpcd_init[i].val;
	m->ddc_offset = 0;
	m->ddc_segment = 0;
	memset(m->edid, 0, sizeof(m->edid));
	m->edid_size = ivgpu_edid_generate(m->edid, c->type->max_xres,
					   c->type->max_yres);
	m->link_state = IVGPU_LINK_UP;
	ivgpu_monitor_sync(c);
}

void ivgpu_monitor_sync(struct ivgpu_core *c)
{
	u32 isr = ivgpu_reg_get(c, SDEISR) & ~SDE_PORTD_HOTPLUG_CPT;

	if (c->monitor.link_state == IVGPU_LINK_UP)
		isr |= SDE_PORTD_HOTPLUG_CPT;
	ivgpu_reg_set(c, SDEISR, isr);
}

int ivgpu_monitor_edid_check(const struct ivgpu_core *c, const u8 *edid,
			     u32 size)
{
	u32 x, y;

	if (ivgpu_edid_validate(edid, size))
		return -EINVAL;
	if (ivgpu_edid_preferred(edid, &x, &y))
		return -EINVAL;
	if (x > c->type->max_xres || y > c->type->max_yres)
		return -EINVAL;
	return 0;
}

static int ivgpu_monitor_set_link(struct ivgpu_core *c, u32 state)
{
	struct ivgpu_monitor *m = &c->monitor;

	if (state != IVGPU_LINK_UP && state != IVGPU_LINK_DOWN)
		return -EINVAL;
	if (state == IVGPU_LINK_UP &&
	    ivgpu_monitor_edid_check(c, m->edid, m->edid_size))
		return -EINVAL;
	if (state == m->link_state)
		return 0;
	m->link_state = state;
	ivgpu_monitor_sync(c);
	/* A long pulse: the guest probes the monitor again. */
	ivgpu_reg_set(c, PCH_PORT_HOTPLUG, ivgpu_reg_get(c, PCH_PORT_HOTPLUG) |
		      PORTD_HOTPLUG_LONG_DETECT);
	ivgpu_intr_raise(c, SDEISR, SDE_PORTD_HOTPLUG_CPT);
	return 0;
}

u32 ivgpu_monitor_region_read(struct ivgpu_core *c, u32 off, u32 bytes)
{
	struct ivgpu_monitor *m = &c->monitor;
	u32 val = 0, i;

	if (off >= IVGPU_EDID_BLOB_OFFSET) {
		for (i = 0; i < bytes; i++)
			val |= (u32)m->edid[off - IVGPU_EDID_BLOB_OFFSET + i]
			       << (8 * i);
		return val;
	}
	if (bytes != 4)
		return 0;
	switch (off) {
	case IVGPU_EDID_REG_OFFSET:
		return IVGPU_EDID_BLOB_OFFSET;
	case IVGPU_EDID_REG_MAX_SIZE:
		return IVGPU_EDID_MAX_SIZE;
	case IVGPU_EDID_REG_SIZE:
		return m->edid_size;
	case IVGPU_EDID_REG_MAX_XRES:
		return c->type->max_xres;
	case IVGPU_EDID_REG_MAX_YRES:
		return c->type->max_yres;
	case IVGPU_EDID_REG_LINK_STATE:
		return m->link_state;
	}
	return 0;
}

int ivgpu_monitor_region_write(struct ivgpu_core *c, u32 off, u32 val,
			       u32 bytes)
{
	struct ivgpu_monitor *m = &c->monitor;
	u32 i;

	/* The guest reads the EDID while the link is up: change it while down. */
	if (off >= IVGPU_EDID_BLOB_OFFSET) {
		if (m->link_state == IVGPU_LINK_UP)
			return -EBUSY;
		for (i = 0; i < bytes; i++)
			m->edid[off - IVGPU_EDID_BLOB_OFFSET + i] = val >> (8 * i);
		return 0;
	}
	if (off >= IVGPU_EDID_REGS_END)
		return -EINVAL;
	if (bytes != 4)
		return -EINVAL;
	switch (off) {
	case IVGPU_EDID_REG_SIZE:
		if (!val || val > IVGPU_EDID_MAX_SIZE)
			return -EINVAL;
		if (m->link_state == IVGPU_LINK_UP)
			return -EBUSY;
		m->edid_size = val;
		return 0;
	case IVGPU_EDID_REG_LINK_STATE:
		return ivgpu_monitor_set_link(c, val);
	}
	return -EPERM;
}

/* AUX request commands (DP 1.2 2.7.7.1) and reply codes. */
#define AUX_I2C_WRITE		0x0
#define AUX_I2C_READ		0x1
#define AUX_I2C_MOT		0x4
#define AUX_NATIVE_WRITE	0x8
#define AUX_NATIVE_READ		0x9
#define AUX_REPLY_ACK		0x00
#define AUX_REPLY_NACK		0x10
#define AUX_REPLY_I2C_NACK	0x40
#define DDC_ADDR		0x50
#define DDC_SEGMENT_ADDR	0x30
#define AUX_MSG_MAX		20	/* five data registers */

/* The EDID byte the DDC address points at; 0xff past its end. */
static u8 ivgpu_monitor_ddc_byte(struct ivgpu_monitor *m)
{
	u32 at = m->ddc_segment * 256u + m->ddc_offset;

	m->ddc_offset = (m->ddc_offset + 1) & 0xff;
	return at < m->edid_size ? m->edid[at] : 0xff;
}

/* Handle request @req (@n bytes); fill @reply, return its size. */
static u32 ivgpu_monitor_aux(struct ivgpu_monitor *m, const u8 *req, u32 n,
			     u8 *reply)
{
	u32 cmd = req[0] >> 4;
	u32 addr = (req[0] & 0xf) << 16 | req[1] << 8 | req[2];
	u32 len = n > 3 ? req[3] + 1u : 0, i;

	if (len > AUX_MSG_MAX - 1)
		len = AUX_MSG_MAX - 1;
	reply[0] = AUX_REPLY_ACK;
	switch (cmd) {
	case AUX_NATIVE_READ:
		for (i = 0; i < len; i++)
			reply[1 + i] = addr + i < sizeof(m->dpcd) ?
				       m->dpcd[addr + i] : 0;
		return 1 + len;
	case AUX_NATIVE_WRITE:
		for (i = 0; i < len && 4 + i < n; i++)
			if (addr + i < sizeof(m->dpcd))
				m->dpcd[addr + i] = req[4 + i];
		return 1;
	case AUX_I2C_WRITE:
	case AUX_I2C_WRITE | AUX_I2C_MOT:
		if (addr == DDC_SEGMENT_ADDR && len && n > 4)
			m->ddc_segment = req[4];
		else if (addr == DDC_ADDR && len && n > 4)
			m->ddc_offset = req[4];
		else if (addr != DDC_ADDR && addr != DDC_SEGMENT_ADDR)
			reply[0] = AUX_REPLY_I2C_NACK;
		if (!(cmd & AUX_I2C_MOT) && !len && addr == DDC_SEGMENT_ADDR)
			m->ddc_segment = 0;
		return 1;
	case AUX_I2C_READ:
	case AUX_I2C_READ | AUX_I2C_MOT:
		if (addr != DDC_ADDR) {
			reply[0] = AUX_REPLY_I2C_NACK;
			return 1;
		}
		for (i = 0; i < len; i++)
			reply[1 + i] = ivgpu_monitor_ddc_byte(m);
		return 1 + len;
	}
	reply[0] = AUX_REPLY_NACK;
	return 1;
}

/*
 * Messages sit in the data registers most significant byte first. A
 * disconnected sink does not answer: the transaction times out.
 */
u32 ivgpu_monitor_aux_ctl_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
				u32 off, u32 old, u32 new)
{
	u8 req[AUX_MSG_MAX], reply[AUX_MSG_MAX];
	u32 n, i, size = 0;

	new &= ~(DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR |
		 DP_AUX_CH_CTL_RECEIVE_ERROR);
	if (!(new & DP_AUX_CH_CTL_SEND_BUSY))
		return new;
	new &= ~DP_AUX_CH_CTL_SEND_BUSY;
	n = (new & DP_AUX_CH_CTL_SIZE_MASK) >> DP_AUX_CH_CTL_SIZE_SHIFT;
	if (n > AUX_MSG_MAX)
		n = AUX_MSG_MAX;
	for (i = 0; i < n; i++)
		req[i] = ivgpu_reg_get(c, DP_AUX_CH_DATA_D(i / 4)) >>
			 (24 - 8 * (i % 4));

	if (n < 3 || c->monitor.link_state != IVGPU_LINK_UP) {
		new |= DP_AUX_CH_CTL_TIME_OUT_ERROR;
	} else {
		memset(reply, 0, sizeof(reply));
		size = ivgpu_monitor_aux(&c->monitor, req, n, reply);
		for (i = 0; i < AUX_MSG_MAX / 4; i++)
			ivgpu_reg_set(c, DP_AUX_CH_DATA_D(i),
				      (u32)reply[4 * i] << 24 |
				      (u32)reply[4 * i + 1] << 16 |
				      (u32)reply[4 * i + 2] << 8 |
				      reply[4 * i + 3]);
	}
	new &= ~DP_AUX_CH_CTL_SIZE_MASK;
	new |= DP_AUX_CH_CTL_DONE | size << DP_AUX_CH_CTL_SIZE_SHIFT;
	if (new & DP_AUX_CH_CTL_INTERRUPT)
		ivgpu_intr_raise(c, GEN8_DE_PORT_ISR, GEN9_AUX_CHANNEL_D);
	return new;
}
