// SPDX-License-Identifier: GPL-2.0-only
/*
 * Display power and clocks. Power wells, the data buffer and the PLLs
 * power up, and PLLs lock, the moment they are asked to: i915 polls for
 * each acknowledgement with a timeout of microseconds and WARNs or logs an
 * error when it does not come (display/intel_display_power_well.c
 * hsw_wait_for_power_well_enable, intel_display_power.c
 * gen9_dbuf_slice_set, intel_cdclk.c skl_dpll0_enable, intel_dpll_mgr.c
 * skl_ddi_pll_enable).
 */
#include "power.h"
#include "core.h"
#include "regs.h"

/*
 * HSW_PWR_WELL_CTL2 (the driver's requests): the state bit 2i of every
 * well i follows its request bit 2i + 1. The state bits are read-only.
 */
u32 ivgpu_power_well_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			   u32 off, u32 old, u32 new)
{
	u32 req = new & HSW_PWR_WELL_CTL_REQ_ALL;

	return req | req >> 1;
}

/*
 * DBUF_CTL, LCPLL1_CTL, LCPLL2_CTL, WRPLL_CTL1, WRPLL_CTL2: the read-only
 * state (or lock) bit 30 follows the request (or enable) bit 31.
 */
u32 ivgpu_power_ack_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			  u32 off, u32 old, u32 new)
{
	new &= ~LCPLL_PLL_LOCK;
	if (new & LCPLL_PLL_ENABLE)
		new |= LCPLL_PLL_LOCK;
	return new;
}

/* The enable register of DPLL 0, 1, 2, 3. */
static const u32 ivgpu_dpll_ctl[] = {
	LCPLL1_CTL, LCPLL2_CTL, WRPLL_CTL1, WRPLL_CTL2,
};

/* DPLL_STATUS: a lock bit per DPLL, set while that DPLL is enabled. */
u32 ivgpu_power_dpll_status_read(struct ivgpu_core *c,
				 const struct ivgpu_reg *r, u32 off, u32 val)
{
	u32 status = 0, id;

	for (id = 0; id < ARRAY_SIZE(ivgpu_dpll_ctl); id++)
		if (ivgpu_reg_get(c, ivgpu_dpll_ctl[id]) & LCPLL_PLL_ENABLE)
			status |= DPLL_LOCK(id);
	return status;
}
