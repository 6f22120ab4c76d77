// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: EDID validation and generation, the VFIO EDID region
 * protocol (link down, blob, size, link up) and the DisplayPort AUX channel
 * of port D (DPCD and I2C-over-AUX EDID reads) through BAR0. Format in
 * fuzz.h. Validation is compared with the rules edid.h states, region
 * writes with the return codes monitor.h documents, and AUX replies with
 * the monitor's EDID and DPCD.
 */
#include <stdlib.h>
#include "fuzz.h"
#include "core.h"
#include "edid.h"
#include "monitor.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

/* ---- the rules of edid.h, written out ---- */

static bool ref_valid(const u8 *e, u32 size)
{
	static const u8 header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	u32 blk, i;

	if (!size || size % 128 || size > 16 * 128)
		return false;
	if (memcmp(e, header, 8) || e[18] != 1)
		return false;
	if ((e[126] + 1u) * 128 != size)
		return false;
	for (blk = 0; blk < size / 128; blk++) {
		u32 sum = 0;

		for (i = 0; i < 128; i++)
			sum += e[blk * 128 + i];
		if (sum % 256)
			return false;
	}
	return true;
}

/* The first detailed timing's active size; false if it is a descriptor. */
static bool ref_preferred(const u8 *e, u32 *x, u32 *y)
{
	const u8 *d = e + 54;

	*x = d[2] | (d[4] & 0xf0) << 4;
	*y = d[5] | (d[7] & 0xf0) << 4;
	return d[0] || d[1];
}

/* What link up requires of the monitor's EDID (monitor.c's header). */
static bool ref_monitor_ok(const struct ivgpu_core *c)
{
	const struct ivgpu_monitor *m = &c->monitor;
	u32 x, y;

	return ref_valid(m->edid, m->edid_size) &&
	       ref_preferred(m->edid, &x, &y) &&
	       x <= c->type->max_xres && y <= c->type->max_yres;
}

static void check_monitor(struct ivgpu_core *c)
{
	fuzz_core_check(c);
	if (c->monitor.link_state == IVGPU_LINK_UP)
		FUZZ_CHECK(ref_monitor_ok(c),
			   "link up with an EDID link up would refuse (%u bytes)",
			   c->monitor.edid_size);
}

/* ---- the region ---- */

static u32 region_read(struct ivgpu_core *c, u32 off, u32 bytes)
{
	const struct ivgpu_monitor *m = &c->monitor;
	u32 v = ivgpu_monitor_region_read(c, off, bytes), want = 0, i;

	if (off >= IVGPU_EDID_BLOB_OFFSET) {
		for (i = 0; i < bytes; i++)
			want |= (u32)m->edid[off - IVGPU_EDID_BLOB_OFFSET + i] << (8 * i);
	} else if (bytes == 4) {
		switch (off) {
		case IVGPU_EDID_REG_OFFSET:
			want = IVGPU_EDID_BLOB_OFFSET;
			break;
		case IVGPU_EDID_REG_MAX_SIZE:
			want = IVGPU_EDID_MAX_SIZE;
			break;
		case IVGPU_EDID_REG_SIZE:
			want = m->edid_size;
			break;
		case IVGPU_EDID_REG_MAX_XRES:
			want = c->type->max_xres;
			break;
		case IVGPU_EDID_REG_MAX_YRES:
			want = c->type->max_yres;
			break;
		case IVGPU_EDID_REG_LINK_STATE:
			want = m->link_state;
			break;
		}
	}
	FUZZ_CHECK(v == want, "%u-byte region read at %#x: %#x, expected %#x",
		   bytes, off, v, want);
	return v;
}

/* A region write and the return code and effect monitor.h documents. */
static int region_write(struct ivgpu_core *c, u32 off, u32 val, u32 bytes)
{
	struct ivgpu_monitor *m = &c->monitor;
	bool up = m->link_state == IVGPU_LINK_UP;
	u32 old_state = m->link_state, old_size = m->edid_size;
	u32 iir = ivgpu_reg_get(c, SDEISR + IRQ_IIR);
	u32 masked = ivgpu_reg_get(c, SDEISR + IRQ_IMR) & SDE_PORTD_HOTPLUG_CPT;
	u64 nomem = c->stats.nomem;
	int want, ret;

	if (bytes < 4)
		val &= (1u << (8 * bytes)) - 1;
	if (off >= IVGPU_EDID_BLOB_OFFSET)
		want = up ? -EBUSY : 0;
	else if (off >= IVGPU_EDID_REGS_END || bytes != 4)
		want = -EINVAL;
	else if (off == IVGPU_EDID_REG_SIZE)
		want = !val || val > IVGPU_EDID_MAX_SIZE ? -EINVAL : up ? -EBUSY : 0;
	else if (off == IVGPU_EDID_REG_LINK_STATE)
		want = val == IVGPU_LINK_DOWN ||
		       (val == IVGPU_LINK_UP && ref_monitor_ok(c)) ? 0 : -EINVAL;
	else
		want = -EPERM;

	ret = ivgpu_monitor_region_write(c, off, val, bytes);
	if (off < IVGPU_EDID_BLOB_OFFSET)
		fuzz_trace("region write %#x at %#x: %d\n", val, off, ret);
	FUZZ_CHECK(ret == want,
		   "%u-byte region write of %#x at %#x (link %u): %d, expected %d",
		   bytes, val, off, old_state, ret, want);
	if (off >= IVGPU_EDID_BLOB_OFFSET && !ret)
		FUZZ_CHECK(region_read(c, off, bytes) == val, "blob write lost");
	if (off == IVGPU_EDID_REG_SIZE)
		FUZZ_CHECK(m->edid_size == (ret ? old_size : val),
			   "size %u after writing %u (%d)", m->edid_size, val, ret);
	FUZZ_CHECK(m->link_state == (off == IVGPU_EDID_REG_LINK_STATE && !ret ?
				     val : old_state),
		   "link %u after writing %#x at %#x", m->link_state, val, off);
	if (m->link_state != old_state && !masked && c->stats.nomem == nomem)
		FUZZ_CHECK(ivgpu_reg_get(c, SDEISR + IRQ_IIR) & SDE_PORTD_HOTPLUG_CPT,
			   "no hotplug event for link %u -> %u (IIR was %#x)",
			   old_state, m->link_state, iir);
	return ret;
}

/* Write @size bytes of @blob at the blob's start, 4 bytes at a time. */
static void region_put_blob(struct ivgpu_core *c, const u8 *blob, u32 size)
{
	u32 i;

	for (i = 0; i + 4 <= size; i += 4)
		region_write(c, IVGPU_EDID_BLOB_OFFSET + i,
			     blob[i] | blob[i + 1] << 8 | blob[i + 2] << 16 |
			     (u32)blob[i + 3] << 24, 4);
	for (; i < size; i++)
		region_write(c, IVGPU_EDID_BLOB_OFFSET + i, blob[i], 1);
}

/* ---- the AUX channel ---- */

#define AUX_MSG 20

/* Send @n bytes of @req; the control register after, the reply in @reply. */
static u32 aux_xfer(struct ivgpu_core *c, const u8 *req, u32 n, u8 *reply)
{
	u8 msg[AUX_MSG] = { 0 };
	u32 i, ctl, v;

	memcpy(msg, req, n);
	for (i = 0; i < AUX_MSG / 4; i++)
		ivgpu_core_bar0_write(c, DP_AUX_CH_DATA_D(i),
				      (u32)msg[4 * i] << 24 | msg[4 * i + 1] << 16 |
				      msg[4 * i + 2] << 8 | msg[4 * i + 3], 4);
	ivgpu_core_bar0_write(c, DP_AUX_CH_CTL_D, DP_AUX_CH_CTL_SEND_BUSY |
			      n << DP_AUX_CH_CTL_SIZE_SHIFT, 4);
	ctl = (u32)ivgpu_core_bar0_read(c, DP_AUX_CH_CTL_D, 4);
	fuzz_trace("AUX %02x %02x %02x (%u bytes): control %#x\n",
		   req[0], req[1], req[2], n, ctl);
	for (i = 0; i < AUX_MSG / 4; i++) {
		v = (u32)ivgpu_core_bar0_read(c, DP_AUX_CH_DATA_D(i), 4);
		reply[4 * i] = v >> 24;
		reply[4 * i + 1] = v >> 16;
		reply[4 * i + 2] = v >> 8;
		reply[4 * i + 3] = v;
	}
	if (c->stats.nomem)
		return ctl;
	FUZZ_CHECK((ctl & (DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_SEND_BUSY)) ==
		   DP_AUX_CH_CTL_DONE, "AUX control %#x", ctl);
	if (c->monitor.link_state != IVGPU_LINK_UP)
		FUZZ_CHECK(ctl & DP_AUX_CH_CTL_TIME_OUT_ERROR,
			   "a disconnected sink answered: %#x", ctl);
	else
		FUZZ_CHECK(!(ctl & DP_AUX_CH_CTL_TIME_OUT_ERROR),
			   "a connected sink timed out: %#x", ctl);
	return ctl;
}

static u32 reply_size(u32 ctl)
{
	return (ctl & DP_AUX_CH_CTL_SIZE_MASK) >> DP_AUX_CH_CTL_SIZE_SHIFT;
}

/* Read @len EDID bytes of segment @seg from @off over I2C-over-AUX. */
static void aux_i2c_probe(struct ivgpu_core *c, u8 seg, u8 off, u32 len)
{
	const struct ivgpu_monitor *m = &c->monitor;
	u8 setseg[5] = { 0x40, 0x00, 0x30, 0x00, seg };
	u8 setoff[5] = { 0x40, 0x00, 0x50, 0x00, off };
	u8 read[4] = { 0x50, 0x00, 0x50, (u8)(len - 1) };
	u8 reply[AUX_MSG];
	u32 ctl, i;

	aux_xfer(c, setseg, 5, reply);
	aux_xfer(c, setoff, 5, reply);
	ctl = aux_xfer(c, read, 4, reply);
	if (m->link_state != IVGPU_LINK_UP || c->stats.nomem)
		return;
	FUZZ_CHECK(reply_size(ctl) == 1 + len && reply[0] == 0,
		   "I2C read of %u: control %#x, reply %#x", len, ctl, reply[0]);
	for (i = 0; i < len; i++) {
		u32 at = seg * 256u + ((off + i) & 0xff);
		u8 want = at < m->edid_size ? m->edid[at] : 0xff;

		FUZZ_CHECK(reply[1 + i] == want,
			   "EDID byte %u over AUX: %#x, expected %#x", at,
			   reply[1 + i], want);
	}
}

static void aux_dpcd_probe(struct ivgpu_core *c, u32 addr, u32 len)
{
	const struct ivgpu_monitor *m = &c->monitor;
	u8 read[4] = { (u8)(0x90 | addr >> 16), (u8)(addr >> 8), (u8)addr,
		       (u8)(len - 1) };
	u8 reply[AUX_MSG];
	u32 ctl, i;

	ctl = aux_xfer(c, read, 4, reply);
	if (m->link_state != IVGPU_LINK_UP || c->stats.nomem)
		return;
	FUZZ_CHECK(reply_size(ctl) == 1 + len && reply[0] == 0,
		   "DPCD read of %u: control %#x, reply %#x", len, ctl, reply[0]);
	for (i = 0; i < len; i++) {
		u8 want = addr + i < sizeof(m->dpcd) ? m->dpcd[addr + i] : 0;

		FUZZ_CHECK(reply[1 + i] == want, "DPCD %#x: %#x, expected %#x",
			   addr + i, reply[1 + i], want);
	}
}

/* ---- modes ---- */

static void fuzz_blob(u32 type, const u8 *data, size_t size)
{
	u8 *e = malloc(size ? size : 1);
	u32 n = (u32)size, x, y, rx, ry, i;
	struct ivgpu_core *c;
	int ret;

	FUZZ_CHECK(e != NULL, "malloc");
	memcpy(e, data, size);
	ret = ivgpu_edid_validate(e, n);
	fuzz_trace("validate %u bytes: %d\n", n, ret);
	FUZZ_CHECK(ret == (ref_valid(e, n) ? 0 : -EINVAL) && size == n,
		   "validate returned %d for %u bytes", ret, n);
	if (!ret) {
		bool timing = ref_preferred(e, &rx, &ry);

		ret = ivgpu_edid_preferred(e, &x, &y);
		FUZZ_CHECK(ret == (timing ? 0 : -EINVAL), "preferred: %d", ret);
		FUZZ_CHECK(ret || (x == rx && y == ry), "preferred %ux%u, not %ux%u",
			   x, y, rx, ry);
	}

	/* The same bytes through the region, as QEMU would set them. */
	if (n && n <= IVGPU_EDID_MAX_SIZE) {
		c = fuzz_core_new(type, 1);
		FUZZ_CHECK(c != NULL, "init failed");
		region_write(c, IVGPU_EDID_REG_LINK_STATE, IVGPU_LINK_DOWN, 4);
		region_put_blob(c, e, n);
		region_write(c, IVGPU_EDID_REG_SIZE, n, 4);
		ret = region_write(c, IVGPU_EDID_REG_LINK_STATE, IVGPU_LINK_UP, 4);
		check_monitor(c);
		if (!ret) {
			for (i = 0; i < n; i++)
				FUZZ_CHECK(c->monitor.edid[i] == e[i], "byte %u", i);
			aux_i2c_probe(c, 0, 0, 16);
			aux_i2c_probe(c, (u8)((n - 1) / 256), (u8)(n - 1), 16);
		}
		fuzz_core_free(c);
	}
	free(e);
}

static u32 generate(u8 *buf, u32 x, u32 y)
{
	u32 n = ivgpu_edid_generate(buf, x, y), px, py;

	FUZZ_CHECK(n == (x > 1920 || y > 1200 ? 256u : 128u),
		   "%ux%u: %u bytes", x, y, n);
	FUZZ_CHECK(ref_valid(buf, n) && !ivgpu_edid_validate(buf, n),
		   "generated EDID for %ux%u does not validate", x, y);
	FUZZ_CHECK(!ivgpu_edid_preferred(buf, &px, &py) && px == x && py == y,
		   "generated EDID for %ux%u prefers %ux%u", x, y, px, py);
	return n;
}

static void pick_mode(struct fuzz_in *in, u32 *x, u32 *y)
{
	*x = 640 + in_u16(in) % (3840 - 640 + 1);
	*y = 480 + in_u16(in) % (2160 - 480 + 1);
}

static void fuzz_generate(struct fuzz_in *in)
{
	u8 *buf = malloc(IVGPU_EDID_MAX);
	u32 x, y;

	FUZZ_CHECK(buf != NULL, "malloc");
	pick_mode(in, &x, &y);
	generate(buf, x, y);
	free(buf);
}

static void protocol_op(struct ivgpu_core *c, struct fuzz_in *in)
{
	u8 opcode = in_u8(in);
	u32 op = (opcode & 0xf) % EOP_OPS;
	u32 bytes = 1u << ((opcode >> 4) & 3), variant = opcode >> 6;
	u32 off, val, len, x, y, i;
	struct ivgpu_monitor saved;
	u8 blob[IVGPU_EDID_MAX];

	if (bytes > 4)
		bytes = 4;	/* the region takes at most 4 bytes at a time */
	switch (op) {
	case EOP_REGION_WRITE:
		off = (in_u16(in) % IVGPU_EDID_REGION_SIZE) & ~(bytes - 1);
		region_write(c, off, (u32)in_le(in, bytes), bytes);
		break;
	case EOP_REGION_READ:
		off = (in_u16(in) % IVGPU_EDID_REGION_SIZE) & ~(bytes - 1);
		region_read(c, off, bytes);
		break;
	case EOP_HEADER_WRITE:
		off = in_u8(in) % (IVGPU_EDID_REGS_END / 4 + 1) * 4;
		val = in_u32(in);
		region_write(c, off, variant & 1 ? val % (IVGPU_EDID_MAX_SIZE + 2) : val, 4);
		break;
	case EOP_LINK:
		region_write(c, IVGPU_EDID_REG_LINK_STATE,
			     variant & 1 ? IVGPU_LINK_DOWN : IVGPU_LINK_UP, 4);
		break;
	case EOP_SIZE:
		region_write(c, IVGPU_EDID_REG_SIZE,
			     in_u16(in) % (IVGPU_EDID_MAX_SIZE + 32), 4);
		break;
	case EOP_BLOB:
		off = in_u16(in) % IVGPU_EDID_MAX_SIZE;
		len = in_u8(in) + 1u;
		for (i = 0; i < len && off + i < IVGPU_EDID_MAX_SIZE; i++)
			region_write(c, IVGPU_EDID_BLOB_OFFSET + off + i, in_u8(in), 1);
		break;
	case EOP_GENERATE:
		pick_mode(in, &x, &y);
		len = generate(blob, x, y);
		if (variant & 1)
			blob[in_u8(in) % len] ^= 1u << (in_u8(in) % 8);
		region_put_blob(c, blob, len);
		region_write(c, IVGPU_EDID_REG_SIZE, len, 4);
		break;
	case EOP_AUX_DATA:
		off = (DP_AUX_CH_DATA_D(0) + in_u8(in) % AUX_MSG) & ~(bytes - 1);
		ivgpu_core_bar0_write(c, off, in_le(in, bytes), bytes);
		break;
	case EOP_AUX_CTL:
		val = in_u32(in);
		if (variant & 1)
			val |= DP_AUX_CH_CTL_SEND_BUSY;
		ivgpu_core_bar0_write(c, DP_AUX_CH_CTL_D, val, 4);
		if (val & DP_AUX_CH_CTL_SEND_BUSY) {
			u32 ctl = ivgpu_reg_get(c, DP_AUX_CH_CTL_D);

			FUZZ_CHECK((ctl & (DP_AUX_CH_CTL_DONE |
					   DP_AUX_CH_CTL_SEND_BUSY)) ==
				   DP_AUX_CH_CTL_DONE && reply_size(ctl) <= AUX_MSG,
				   "AUX control %#x after %#x", ctl, val);
		}
		break;
	case EOP_AUX_I2C:
		x = in_u8(in);
		y = in_u8(in);
		aux_i2c_probe(c, (u8)x, (u8)y, in_u8(in) % 16 + 1);
		break;
	case EOP_AUX_DPCD:
		val = in_u32(in) & 0xfffff;
		if (!(variant & 1))
			val %= 0x810;	/* mostly the populated part */
		aux_dpcd_probe(c, val, in_u8(in) % 16 + 1);
		break;
	case EOP_RESET:
		memcpy(&saved, &c->monitor, sizeof(saved));
		ivgpu_core_reset(c);
		FUZZ_CHECK(!memcmp(&saved, &c->monitor, sizeof(saved)),
			   "reset changed the monitor");
		break;
	case EOP_NEW_USER:
		ivgpu_monitor_init(c);
		FUZZ_CHECK(c->monitor.link_state == IVGPU_LINK_UP,
			   "a new user's monitor is disconnected");
		break;
	}
	check_monitor(c);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u8 head = in_u8(&in);
	u32 type = (head >> 4) & 3;
	struct ivgpu_core *c;

	switch ((head & 0xf) % EDID_MODES) {
	case EDID_BLOB:
		fuzz_blob(type, in.p, in.n);
		break;
	case EDID_GENERATE:
		fuzz_generate(&in);
		break;
	case EDID_PROTOCOL:
		c = fuzz_core_new(type, 1);
		FUZZ_CHECK(c != NULL, "init failed");
		check_monitor(c);
		while (in.n)
			protocol_op(c, &in);
		fuzz_core_free(c);
		break;
	}
	return 0;
}
