// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device-state stream: save, validate, load. Every byte of a stream comes
 * from userspace, so the loader checks all of it before it changes
 * anything, and builds the new register file and GGTT aside before it
 * swaps them in.
 */
#include "migrate.h"
#include "cfg.h"
#include "core.h"
#include "interrupt.h"
#include "monitor.h"
#include "display.h"
#include "regs.h"
#include "store.h"
#include "types.h"
#include <linux/ivgpu.h>

enum {
	SEC_CFG = 1,
	SEC_CORE = 2,
	SEC_REGS = 3,
	SEC_GGTT = 4,
	SEC_MONITOR = 5,
	SEC_MAX = 6,
};

#define SEC_HEADER	8u
#define CHUNK_RECORD	(4u + IVGPU_STORE_CHUNK)
#define CORE_BYTES	4u
#define MONITOR_BYTES	(0x800u + 4 + 4 + 0x800u + 4 + 4)

static void put16(u8 *p, u16 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(u8 *p, u64 v)
{
	put32(p, (u32)v);
	put32(p + 4, (u32)(v >> 32));
}

static u16 get16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

static u32 get32(const u8 *p)
{
	return get16(p) | (u32)get16(p + 2) << 16;
}

static u64 get64(const u8 *p)
{
	return get32(p) | (u64)get32(p + 4) << 32;
}

static bool chunk_is_zero(const u64 *chunk)
{
	u32 i;

	for (i = 0; i < IVGPU_STORE_CHUNK / 8; i++)
		if (chunk[i])
			return false;
	return true;
}

static u32 store_records(const struct ivgpu_store *s)
{
	u32 i, n = 0;

	for (i = 0; i < s->nchunks; i++)
		if (s->chunks[i] && !chunk_is_zero(s->chunks[i]))
			n++;
	return n;
}

static u32 type_index(const struct ivgpu_type *t)
{
	return (u32)(t - ivgpu_types);
}

u64 ivgpu_migrate_size(const struct ivgpu_core *c)
{
	return IVGPU_MIG_HEADER + 5 * SEC_HEADER + IVGPU_CFG_BYTES + CORE_BYTES +
	       (u64)store_records(&c->regs) * CHUNK_RECORD +
	       (u64)store_records(&c->ggtt) * CHUNK_RECORD + MONITOR_BYTES;
}

u64 ivgpu_migrate_max_size(const struct ivgpu_core *c)
{
	return IVGPU_MIG_HEADER + 5 * SEC_HEADER + IVGPU_CFG_BYTES + CORE_BYTES +
	       (u64)(c->regs.nchunks + c->ggtt.nchunks) * CHUNK_RECORD +
	       MONITOR_BYTES;
}

static u8 *put_section(u8 *p, u32 id, u32 bytes)
{
	put32(p, id);
	put32(p + 4, bytes);
	return p + SEC_HEADER;
}

static u8 *put_store(u8 *p, u32 id, const struct ivgpu_store *s)
{
	u32 i, w;

	p = put_section(p, id, store_records(s) * CHUNK_RECORD);
	for (i = 0; i < s->nchunks; i++) {
		if (!s->chunks[i] || chunk_is_zero(s->chunks[i]))
			continue;
		put32(p, i);
		p += 4;
		for (w = 0; w < IVGPU_STORE_CHUNK / 8; w++, p += 8)
			put64(p, s->chunks[i][w]);
	}
	return p;
}

u64 ivgpu_migrate_save(const struct ivgpu_core *c, u8 *buf, u64 len,
		       bool final)
{
	const struct ivgpu_monitor *m = &c->monitor;
	u64 size = ivgpu_migrate_size(c);
	u8 *p = buf;

	if (len < size)
		return 0;
	put64(p, IVGPU_MIG_MAGIC);
	put16(p + 8, IVGPU_MIG_MAJOR);
	put16(p + 10, IVGPU_MIG_MINOR);
	put32(p + 12, IVGPU_MIG_HEADER);
	put32(p + 16, type_index(c->type));
	put32(p + 20, final ? IVGPU_MIG_FINAL : 0);
	put64(p + 24, size - IVGPU_MIG_HEADER);
	p += IVGPU_MIG_HEADER;

	p = put_section(p, SEC_CFG, IVGPU_CFG_BYTES);
	memcpy(p, c->cfg.regs, IVGPU_CFG_BYTES);
	p += IVGPU_CFG_BYTES;
	p = put_section(p, SEC_CORE, CORE_BYTES);
	put32(p, c->flips_pending);
	p += CORE_BYTES;
	p = put_store(p, SEC_REGS, &c->regs);
	p = put_store(p, SEC_GGTT, &c->ggtt);
	p = put_section(p, SEC_MONITOR, MONITOR_BYTES);
	memcpy(p, m->edid, sizeof(m->edid));
	p += sizeof(m->edid);
	put32(p, m->edid_size);
	put32(p + 4, m->link_state);
	p += 8;
	memcpy(p, m->dpcd, sizeof(m->dpcd));
	p += sizeof(m->dpcd);
	put32(p, m->ddc_offset);
	put32(p + 4, m->ddc_segment);
	p += 8;
	return (u64)(p - buf);
}

/* One parsed frame: where its sections are. */
struct frame {
	const u8 *sec[SEC_MAX];
	u32 len[SEC_MAX];
	bool final;
};

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -EINVAL;
}

/* Records of a store section: in range, increasing, whole. */
static int check_store(const struct ivgpu_store *s, const u8 *p, u32 len,
		       const char **why)
{
	u32 off, next = 0;

	if (len % CHUNK_RECORD)
		return fail(why, "a register or GGTT section is not whole chunks");
	for (off = 0; off < len; off += CHUNK_RECORD) {
		u32 idx = get32(p + off);

		if (idx >= s->nchunks || idx < next)
			return fail(why, "a chunk index is out of range or out of order");
		next = idx + 1;
	}
	return 0;
}

/*
 * Config space as writes could have left it: every bit a write cannot
 * change is the destination's own (identity, capabilities, BAR sizes,
 * GMCH_CTRL), and the power state is D0 or D3hot.
 */
static int check_cfg(const struct ivgpu_core *c, const u8 *cfg,
		     const char **why)
{
	struct ivgpu_cfg want;
	u32 i, pm;

	ivgpu_cfg_init(&want, c->type);
	for (i = 0; i < IVGPU_CFG_BYTES; i++) {
		u8 fixed = ~(want.wmask[i] | want.w1cmask[i]);

		if ((cfg[i] ^ want.regs[i]) & fixed)
			return fail(why, "config space holds bits no write can set");
	}
	pm = cfg[IVGPU_CFG_PM_CAP + PCI_PM_CTRL] & PCI_PM_CTRL_STATE_MASK;
	if (pm != 0 && pm != 3)
		return fail(why, "config space power state is not D0 or D3hot");
	return 0;
}

/* Register words of a chunk record, from the stream. */
static u32 record_reg(const u8 *rec, u32 off_in_chunk)
{
	u64 word = get64(rec + 4 + (off_in_chunk & ~7u));

	return (u32)(word >> (8 * (off_in_chunk & 4)));
}

/*
 * The host half of the PV page is what the type gives (the vgt_id aside,
 * which the guest keeps from its source): find it in the register records.
 */
static int check_pvinfo(const struct ivgpu_core *c, const u8 *p, u32 len,
			const char **why)
{
	u32 chunk = IVGPU_PVINFO_OFFSET / IVGPU_STORE_CHUNK, off, pv;

	for (off = 0; off < len; off += CHUNK_RECORD) {
		if (get32(p + off) != chunk)
			continue;
		for (pv = 0; pv < IVGPU_PV_GUEST_AREA; pv += 4) {
			if (pv == IVGPU_PV_VGT_ID)
				continue;
			if (record_reg(p + off, (IVGPU_PVINFO_OFFSET + pv) %
				       IVGPU_STORE_CHUNK) !=
			    ivgpu_reg_get(c, IVGPU_PVINFO_OFFSET + pv))
				return fail(why, "PV info page is not this type's");
		}
		return 0;
	}
	return fail(why, "no PV info page");
}

static int check_monitor(const struct ivgpu_core *c, const u8 *p,
			 const char **why)
{
	u32 size = get32(p + 0x800), link = get32(p + 0x804);
	u32 ddc_offset = get32(p + 0x808 + 0x800);
	u32 ddc_segment = get32(p + 0x80c + 0x800);

	if (!size || size > IVGPU_EDID_MAX_SIZE)
		return fail(why, "EDID size out of range");
	if (link != IVGPU_LINK_UP && link != IVGPU_LINK_DOWN)
		return fail(why, "link state is neither up nor down");
	if (ddc_offset > 0xff || ddc_segment > 0xff)
		return fail(why, "DDC offset or segment out of range");
	if (link == IVGPU_LINK_UP && ivgpu_monitor_edid_check(c, p, size))
		return fail(why, "the EDID of a connected monitor is not valid");
	return 0;
}

/* Parse the frame at @p (@left bytes); its size in *@used. */
static int parse_frame(const struct ivgpu_core *c, const u8 *p, u64 left,
		       struct frame *f, u64 *used, const char **why,
		       int *errno_out)
{
	u64 body, off;
	u32 id, len;

	*errno_out = -EINVAL;
	memset(f, 0, sizeof(*f));
	if (left < IVGPU_MIG_HEADER)
		return fail(why, "truncated header");
	if (get64(p) != IVGPU_MIG_MAGIC)
		return fail(why, "bad magic");
	if (get16(p + 8) != IVGPU_MIG_MAJOR) {
		*why = "unsupported stream version";
		*errno_out = -EPROTONOSUPPORT;
		return -EPROTONOSUPPORT;
	}
	if (get32(p + 12) != IVGPU_MIG_HEADER ||
	    get32(p + 20) & ~IVGPU_MIG_FINAL)
		return fail(why, "bad header size or flags");
	f->final = get32(p + 20) & IVGPU_MIG_FINAL;
	if (get32(p + 16) != type_index(c->type))
		return fail(why, "the stream is of another vGPU type");
	body = get64(p + 24);
	if (body > left - IVGPU_MIG_HEADER)
		return fail(why, "truncated frame");
	p += IVGPU_MIG_HEADER;
	for (off = 0; off < body; off += SEC_HEADER + (u64)len) {
		if (body - off < SEC_HEADER)
			return fail(why, "truncated section header");
		id = get32(p + off);
		len = get32(p + off + 4);
		if (len > body - off - SEC_HEADER)
			return fail(why, "truncated section");
		if (!id || id >= SEC_MAX || f->sec[id])
			return fail(why, "unknown or repeated section");
		f->sec[id] = p + off + SEC_HEADER;
		f->len[id] = len;
	}
	for (id = 1; id < SEC_MAX; id++)
		if (!f->sec[id])
			return fail(why, "a section is missing");
	if (f->len[SEC_CFG] != IVGPU_CFG_BYTES ||
	    f->len[SEC_CORE] != CORE_BYTES ||
	    f->len[SEC_MONITOR] != MONITOR_BYTES)
		return fail(why, "a section has the wrong size");
	if (get32(f->sec[SEC_CORE]) >> IVGPU_PIPES)
		return fail(why, "flips pending on pipes that do not exist");
	if (check_cfg(c, f->sec[SEC_CFG], why) ||
	    check_store(&c->regs, f->sec[SEC_REGS], f->len[SEC_REGS], why) ||
	    check_pvinfo(c, f->sec[SEC_REGS], f->len[SEC_REGS], why) ||
	    check_store(&c->ggtt, f->sec[SEC_GGTT], f->len[SEC_GGTT], why) ||
	    check_monitor(c, f->sec[SEC_MONITOR], why))
		return -EINVAL;
	*used = IVGPU_MIG_HEADER + body;
	return 0;
}

/* A new store like @like, filled from a checked section. */
static int build_store(struct ivgpu_store *s, const struct ivgpu_store *like,
		       const u8 *p, u32 len)
{
	u32 off, w;
	int ret = ivgpu_store_init(s, (u64)like->nchunks * IVGPU_STORE_CHUNK);

	for (off = 0; !ret && off < len; off += CHUNK_RECORD) {
		u64 base = (u64)get32(p + off) * (IVGPU_STORE_CHUNK / 8);

		for (w = 0; !ret && w < IVGPU_STORE_CHUNK / 8; w++)
			ret = ivgpu_store_set(s, base + w,
					      get64(p + off + 4 + 8 * w));
	}
	if (ret)
		ivgpu_store_fini(s);
	else
		s->shared = like->shared;	/* what a reset returns to */
	return ret;
}

static u64 count_present(const struct ivgpu_store *ggtt, u64 entries)
{
	u64 i, n = 0;

	for (i = 0; i < entries; i++)
		if (ivgpu_store_get(ggtt, i) & IVGPU_PTE_PRESENT)
			n++;
	return n;
}

int ivgpu_migrate_load(struct ivgpu_core *c, const u8 *buf, u64 len,
		       const char **why)
{
	struct ivgpu_monitor *m = &c->monitor;
	struct ivgpu_store regs, ggtt;
	const char *reason = NULL;
	struct frame f, last;
	u64 off = 0, used;
	int ret, err;

	if (!why)
		why = &reason;
	if (!len) {
		*why = "empty stream";
		return -EINVAL;
	}
	last.final = false;
	while (off < len) {
		if (last.final)
			return fail(why, "data after the final frame");
		ret = parse_frame(c, buf + off, len - off, &f, &used, why, &err);
		if (ret)
			return err;
		last = f;
		off += used;
	}
	if (!last.final)
		return fail(why, "the stream ends before its final frame");

	ret = build_store(&regs, &c->regs, last.sec[SEC_REGS], last.len[SEC_REGS]);
	if (ret)
		goto out_nomem;
	ret = build_store(&ggtt, &c->ggtt, last.sec[SEC_GGTT], last.len[SEC_GGTT]);
	if (ret) {
		ivgpu_store_fini(&regs);
		goto out_nomem;
	}

	/* All checked and built: nothing below can fail. */
	ivgpu_store_fini(&c->regs);
	ivgpu_store_fini(&c->ggtt);
	c->regs = regs;
	c->ggtt = ggtt;
	/* The guest keeps the id it saw, across later resets too. */
	c->vgt_id = ivgpu_reg_get(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_VGT_ID);
	c->ggtt_present = count_present(&c->ggtt, c->ggtt_entries);
	memcpy(c->cfg.regs, last.sec[SEC_CFG], IVGPU_CFG_BYTES);
	c->flips_pending = get32(last.sec[SEC_CORE]);
	c->vblank_changed = true;
	ivgpu_display_frames_restart(c);
	memcpy(m->edid, last.sec[SEC_MONITOR], sizeof(m->edid));
	m->edid_size = get32(last.sec[SEC_MONITOR] + 0x800);
	m->link_state = get32(last.sec[SEC_MONITOR] + 0x804);
	memcpy(m->dpcd, last.sec[SEC_MONITOR] + 0x808, sizeof(m->dpcd));
	m->ddc_offset = get32(last.sec[SEC_MONITOR] + 0x808 + 0x800);
	m->ddc_segment = get32(last.sec[SEC_MONITOR] + 0x80c + 0x800);
	ivgpu_monitor_sync(c);
	ivgpu_intr_update(c);
	return 0;

out_nomem:
	*why = "out of memory";
	return -ENOMEM;
}
