// SPDX-License-Identifier: GPL-2.0-only
/*
 * Display ports. Only port D has a sink (the virtual monitor, monitor.c);
 * without a VBT i915 also probes ports A, B and C (display/intel_bios.c
 * default children), and each of them must fail fast: their AUX channel
 * times out at once and GMBUS answers every I2C address with a NAK. The
 * DDI buffers and DisplayPort transports of every port report the state
 * they were put in.
 */
#include "ports.h"
#include "core.h"
#include "interrupt.h"
#include "mmio.h"
#include "regs.h"

/* DDI_BUF_CTL: a disabled buffer is idle (intel_ddi.c intel_wait_ddi_buf_idle). */
u32 ivgpu_ports_ddi_buf_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			      u32 off, u32 old, u32 new)
{
	new &= ~DDI_BUF_IS_IDLE;
	if (!(new & DDI_BUF_CTL_ENABLE))
		new |= DDI_BUF_IS_IDLE;
	return new;
}

/*
 * DP_TP_STATUS (read-only): idle patterns are done as soon as DP_TP_CTL
 * asks for them (intel_ddi.c intel_ddi_set_idle_link_train). Link training
 * itself only talks to the sink, which is always trained.
 */
u32 ivgpu_ports_dp_tp_status_read(struct ivgpu_core *c,
				  const struct ivgpu_reg *r, u32 off, u32 val)
{
	u32 ctl = ivgpu_reg_get(c, off - DP_TP_STATUS(0) + DP_TP_CTL(0));

	if ((ctl & DP_TP_CTL_LINK_TRAIN_MASK) == DP_TP_CTL_LINK_TRAIN_IDLE)
		return val | DP_TP_STATUS_IDLE_DONE;
	return val;
}

/*
 * DP_AUX_CH_CTL of a port without a sink: a write clears the status bits,
 * and a transaction ends at once, done with a timeout, as for a
 * disconnected monitor on port D.
 */
u32 ivgpu_ports_aux_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			  u32 off, u32 old, u32 new)
{
	new &= ~(DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR |
		 DP_AUX_CH_CTL_RECEIVE_ERROR);
	if (!(new & DP_AUX_CH_CTL_SEND_BUSY))
		return new;
	new &= ~(DP_AUX_CH_CTL_SEND_BUSY | DP_AUX_CH_CTL_SIZE_MASK);
	new |= DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR;
	if (new & DP_AUX_CH_CTL_INTERRUPT)
		ivgpu_intr_raise(c, GEN8_DE_PORT_ISR, r->arg);
	return new;
}

/*
 * GMBUS1: a cycle the guest starts (SW_RDY) is not acknowledged by any
 * device, so GMBUS2 reports the NAK (SATOER) until the guest clears it with
 * SW_CLR_INT (intel_gmbus.c gmbus_wait, gmbus_xfer). The bus is never busy.
 */
u32 ivgpu_ports_gmbus1_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			     u32 off, u32 old, u32 new)
{
	if (new & GMBUS_SW_CLR_INT)
		ivgpu_reg_set(c, GMBUS2, 0);
	else if (new & GMBUS_SW_RDY)
		ivgpu_reg_set(c, GMBUS2, GMBUS_SATOER);
	return new & ~GMBUS_SW_RDY;
}
