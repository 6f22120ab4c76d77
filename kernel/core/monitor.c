// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual monitor. Userspace follows QEMU's protocol: link down, write
 * the blob and its size, link up. Link up installs the blob only if it is a
 * valid EDID whose preferred mode fits the type; every change of the link
 * is a hotplug event on port D.
 */
#include "monitor.h"
#include "core.h"
#include "edid.h"
#include "interrupt.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

void ivgpu_monitor_init(struct ivgpu_core *c)
{
	struct ivgpu_monitor *m = &c->monitor;

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

static int ivgpu_monitor_check(struct ivgpu_core *c)
{
	struct ivgpu_monitor *m = &c->monitor;
	u32 x, y;

	if (ivgpu_edid_validate(m->edid, m->edid_size))
		return -EINVAL;
	if (ivgpu_edid_preferred(m->edid, &x, &y))
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
	if (state == IVGPU_LINK_UP && ivgpu_monitor_check(c))
		return -EINVAL;
	if (state == m->link_state)
		return 0;
	m->link_state = state;
	ivgpu_monitor_sync(c);
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

	if (off >= IVGPU_EDID_BLOB_OFFSET) {
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
		m->edid_size = val;
		return 0;
	case IVGPU_EDID_REG_LINK_STATE:
		return ivgpu_monitor_set_link(c, val);
	}
	return -EPERM;
}
