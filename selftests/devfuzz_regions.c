// SPDX-License-Identifier: GPL-2.0-only
/*
 * devfuzz: region reads and writes at any index, offset and size, with
 * buffers the process can't touch too, their answers predicted from the
 * region (the EDID registers, the framebuffer's metadata); the EDID and
 * framebuffer regions as QEMU uses them and with bad values; config
 * space; mmaps of every region at any offset, length and protection, and
 * touches of device and dma-buf mappings.
 */
#define _GNU_SOURCE
#include "devfuzz.h"

/* ---- region reads and writes ---- */

unsigned int pick_index(void)
{
	if (chance(85))
		return below(NR_REGIONS);
	return PICK(13u, 14u, 15u, 16u, 255u, 0xffffu, (unsigned int)below(1u << 23));
}

/* An offset in, at the end of, or past a region of this size (< 2^40). */
static uint64_t pick_offset(uint64_t size)
{
	uint64_t off;

	switch (below(8)) {
	case 0:
	case 1:
	case 2:
		off = size ? below(size) : 0;
		break;
	case 3:
		off = size > 16 ? size - 1 - below(16) : 0;
		break;
	case 4:
		off = size;
		break;
	case 5:
		off = size + below(1 << 20);
		break;
	case 6:
		off = (1ULL << 40) - 1 - below(64);
		break;
	default:
		off = below(1ULL << 40);
		break;
	}
	return off & ((1ULL << 40) - 1);
}

static size_t pick_len(void)
{
	switch (below(6)) {
	case 0:
		return PICK(1, 2, 4, 8);
	case 1:
	case 2:
		return 1 + below(64);
	case 3:
		return 1 + below(8192);
	case 4:
		return PICK(PAGE, 2 * PAGE, 65536);
	default:
		return 1 + below(3);
	}
}

/* The largest naturally aligned access at off that fits left and max. */
static unsigned int access_size(uint64_t off, size_t left, unsigned int max)
{
	unsigned int n = max;

	while (n > 1 && (off % n || left < n))
		n /= 2;
	return n;
}

#define UNKNOWN	LONG_MIN	/* the model can't tell (link up of a new EDID) */

/* What writing data to the EDID region does: bytes written or -errno. */
static long edid_write_expect(struct fz_slot *s, uint64_t off,
			      const uint8_t *data, size_t n)
{
	bool up = edid_read32(s, EDID_LINK) == LINK_UP;
	size_t done = 0;

	while (done < n) {
		unsigned int k = access_size(off, n - done, 4), i;
		uint32_t val = 0;
		long r = 0;

		for (i = 0; i < k; i++)
			val |= (uint32_t)data[done + i] << (8 * i);
		if (off >= IVGPU_EDID_BLOB_OFFSET)
			r = up ? -EBUSY : 0;
		else if (off >= EDID_REGS_END || k != 4)
			r = -EINVAL;
		else if (off == EDID_SIZE)
			r = !val || val > IVGPU_EDID_MAX_SIZE ? -EINVAL :
			    up ? -EBUSY : 0;
		else if (off == EDID_LINK && val == LINK_DOWN)
			up = false;
		else if (off == EDID_LINK && val == LINK_UP)
			r = up ? 0 : UNKNOWN;	/* valid blob: can't tell */
		else if (off == EDID_LINK)
			r = -EINVAL;
		else
			r = -EPERM;
		if (r == UNKNOWN)
			return UNKNOWN;
		if (r < 0)
			return done ? (long)done : r;
		done += k;
		off += k;
	}
	return n;
}

/* What a read or write of n bytes at off of a region gives. */
static long rw_expect(struct fz_slot *s, unsigned int index, uint64_t off,
		      size_t len, bool write, const uint8_t *data)
{
	uint64_t size = region_size(s, index), frame, n;

	if (!size || off >= size)
		return -EINVAL;
	n = len < size - off ? len : size - off;
	switch (index) {
	case PLANE0:
	case PLANE1:
	case OPREGION:
		return write ? -EINVAL : (long)n;
	case FB:
		frame = size - IVGPU_FB_META_SIZE;
		if (off < frame)
			return write ? -EPERM : (long)(n < frame - off ? n : frame - off);
		if (!write)
			return n;
		if (off - frame != offsetof(struct vfio_framebuffer, state) ||
		    n != 4)
			return -EPERM;
		return data[0] == VFIO_FB_STATE_REQUEST_UPDATE && !data[1] &&
		       !data[2] && !data[3] ? 4 : -EINVAL;
	case EDID:
		return write ? edid_write_expect(s, off, data, n) : (long)n;
	}
	return n;		/* BAR0, BAR2, config space */
}

void op_rw(void)
{
	static uint8_t buf[65536];
	struct fz_slot *s = any_slot();
	unsigned int index = pick_index();
	uint64_t off = pick_offset(region_size(s, index));
	size_t len = pick_len(), i;
	bool write = chance(40);
	off_t pos = (off_t)(((uint64_t)index << 40) | off);
	long want, r;
	int e;

	if (write) {
		for (i = 0; i < len; i++)
			buf[i] = rnd();
		/* Mostly well-formed writes of the EDID link and FB state. */
		if (index == EDID && chance(30)) {
			off = EDID_LINK;
			len = 4;
			memset(buf, 0, 4);
			buf[0] = PICK(LINK_UP, LINK_DOWN, 0, 3);
		} else if (index == FB && chance(50)) {
			off = region_size(s, FB) - IVGPU_FB_META_SIZE +
			      offsetof(struct vfio_framebuffer, state);
			len = 4;
			memset(buf, 0, 4);
			buf[0] = PICK(1, 1, 1, 2, 0);
		}
		pos = (off_t)(((uint64_t)index << 40) | off);
	}
	note("%s %zu bytes of region %u at 0x%" PRIx64, write ? "pwrite" : "pread",
	     len, index, off);
	want = rw_expect(s, index, off, len, write, buf);
	errno = 0;
	r = write ? pwrite(s->v->dev.fd, buf, len, pos) :
		    pread(s->v->dev.fd, buf, len, pos);
	e = errno;
	if (want == UNKNOWN)
		CHECK(r > 0 || (r == -1 && e == EINVAL),
		      "EDID link up: %ld (%s)", r, strerrorname_np(e));
	else
		CHECK_RET(r, e, want);
}

/* The same with a buffer the process can't access. */
void op_rw_fault(void)
{
	struct fz_slot *s = any_slot();
	unsigned int index = PICK(BAR0, BAR2, CONFIG, EDID, FB, PLANE0,
				  PLANE1, OPREGION, 1u, 20u);
	uint64_t size = region_size(s, index), frame;
	uint64_t off = pick_offset(size) & ~7ULL;
	size_t len = PICK(1, 2, 4, 8);
	bool write = chance(50), meta_state;
	off_t pos = (off_t)(((uint64_t)index << 40) | off);
	long r;
	int e;

	note("%s %zu bytes of region %u at 0x%" PRIx64 " with a PROT_NONE buffer",
	     write ? "pwrite" : "pread", len, index, off);
	errno = 0;
	r = write ? pwrite(s->v->dev.fd, F.noaccess, len, pos) :
		    pread(s->v->dev.fd, F.noaccess, len, pos);
	e = errno;
	if (!size || off >= size) {
		CHECK_ERR(r, e, EINVAL);
		return;
	}
	switch (index) {
	case BAR2:
		/* Writes to unbacked pages are dropped before any copy. */
		if (write)
			CHECK((r == -1 && e == EFAULT) || r > 0, "%ld %s", r,
			      strerrorname_np(e));
		else
			CHECK_ERR(r, e, EFAULT);
		break;
	case PLANE0:
	case PLANE1:
	case OPREGION:
		CHECK_ERR(r, e, write ? EINVAL : EFAULT);
		break;
	case FB:
		frame = size - IVGPU_FB_META_SIZE;
		meta_state = off - frame == offsetof(struct vfio_framebuffer, state) &&
			     len == 4;
		if (off < frame)
			CHECK_ERR(r, e, write ? EPERM : EFAULT);
		else
			CHECK_ERR(r, e, !write || meta_state ? EFAULT : EPERM);
		break;
	default:	/* register regions copy before anything else */
		CHECK_ERR(r, e, EFAULT);
		break;
	}
}

void op_cfg(void)
{
	struct fz_slot *s = any_slot();
	unsigned int size = PICK(1u, 2u, 4u);
	uint64_t off = below(IVGPU_CFG_SIZE / size) * size;

	note("config write %u bytes at 0x%" PRIx64, size, off);
	CHECK(vfio_region_write_n(&s->v->dev, CONFIG, off, size, rnd()) == 0,
	      "config write");
	CHECK(cfg_read16(s->v, PCI_VENDOR_ID) == IVGPU_PCI_VENDOR_ID &&
	      cfg_read16(s->v, PCI_DEVICE_ID) == IVGPU_PCI_DEVICE_ID,
	      "identity changed");
}

/* ---- the EDID and framebuffer regions ---- */

void op_edid(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_dev *d = &s->v->dev;
	bool up = edid_read32(s, EDID_LINK) == LINK_UP;
	uint8_t blob[IVGPU_EDID_MAX_SIZE];
	uint32_t size, off;
	int r;

	switch (below(6)) {
	case 0:		/* link down */
		note("EDID link down");
		CHECK(vfio_region_write_n(d, EDID, EDID_LINK, 4, LINK_DOWN) == 0,
		      "link down");
		break;
	case 1:		/* the blob: the generated one or a broken one */
		memcpy(blob, s->edid, sizeof(blob));
		if (chance(50)) {
			off = below(s->edid_size);
			blob[off] ^= 1 + below(255);
		}
		note("EDID blob (%s)", up ? "link up" : "link down");
		r = vfio_region_write(d, EDID, IVGPU_EDID_BLOB_OFFSET, blob,
				      s->edid_size);
		CHECK(r == (up ? -EBUSY : 0), "blob write: %d", r);
		break;
	case 2:		/* its size */
		size = PICK(s->edid_size, s->edid_size, 128u, 256u, 0u,
			    IVGPU_EDID_MAX_SIZE + 1, (uint32_t)rnd());
		note("EDID size %u (%s)", size, up ? "link up" : "link down");
		r = vfio_region_write_n(d, EDID, EDID_SIZE, 4, size);
		CHECK(r == (!size || size > IVGPU_EDID_MAX_SIZE ? -EINVAL :
			    up ? -EBUSY : 0), "size write: %d", r);
		break;
	case 3:		/* link up: valid iff it is the generated EDID */
		r = vfio_region_read(d, EDID, IVGPU_EDID_BLOB_OFFSET, blob,
				     sizeof(blob));
		size = edid_read32(s, EDID_SIZE);
		note("EDID link up (size %u)", size);
		r = vfio_region_write_n(d, EDID, EDID_LINK, 4, LINK_UP);
		F.link_ups += !r;
		if (size == s->edid_size && !memcmp(blob, s->edid, size))
			CHECK(r == 0, "link up with the generated EDID: %d", r);
		else if (blob[0] != 0 || blob[1] != 0xff)
			CHECK(r == -EINVAL, "link up with a broken header: %d", r);
		else
			CHECK(r == 0 || r == -EINVAL, "link up: %d", r);
		break;
	case 4:		/* read-only and unknown fields, bad values */
		off = PICK(0u, 4u, 0xcu, 0x10u, 0x18u, 0x100u, 0x7fcu);
		note("EDID write at 0x%x", off);
		r = vfio_region_write_n(d, EDID, off, 4, rnd());
		CHECK(r == (off < EDID_REGS_END ? -EPERM : -EINVAL), "at 0x%x: %d",
		      off, r);
		r = vfio_region_write_n(d, EDID, EDID_LINK, 4,
					PICK(0u, 3u, (uint32_t)rnd() | 4));
		CHECK(r == -EINVAL, "link state value: %d", r);
		r = vfio_region_write_n(d, EDID, EDID_LINK, 2, LINK_UP);
		CHECK(r == -EINVAL, "2-byte link state write: %d", r);
		break;
	default:	/* read anything */
		off = below(IVGPU_EDID_REGION_SIZE / 4) * 4;
		note("EDID read at 0x%x", off);
		r = vfio_region_read(d, EDID, off, blob, 4);
		CHECK(r == 0, "read: %d", r);
		break;
	}
}

void op_fb(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_dev *d = &s->v->dev;
	uint64_t meta = region_size(s, FB) - IVGPU_FB_META_SIZE;
	struct vfio_framebuffer fb;
	uint32_t maxx, maxy;
	uint8_t px[256];
	int r;

	note("framebuffer update");
	r = vfio_region_write_n(d, FB, meta + offsetof(struct vfio_framebuffer, state),
				4, VFIO_FB_STATE_REQUEST_UPDATE);
	CHECK(r == 0, "update: %d", r);
	CHECK(!vfio_region_read(d, FB, meta, &fb, sizeof(fb)), "metadata read");
	CHECK(fb.argsz == sizeof(fb) && fb.state == VFIO_FB_STATE_UPDATE_COMPLETE,
	      "argsz %u state %u", fb.argsz, fb.state);
	gfx_max_res(s->t, &maxx, &maxy);
	if (fb.format)
		CHECK(fb.width && fb.width <= maxx && fb.height &&
		      fb.height <= maxy && fb.offset == 0 &&
		      fb.stride == fb.width * fourcc_cpp(fb.format),
		      "%ux%u stride %u", fb.width, fb.height, fb.stride);
	else
		CHECK(!fb.width && !fb.height && !fb.stride, "no plane but %ux%u",
		      fb.width, fb.height);
	r = vfio_region_read(d, FB, below(meta - sizeof(px)), px, sizeof(px));
	CHECK(r == 0, "pixels: %d", r);
	r = vfio_region_write_n(d, FB, meta + offsetof(struct vfio_framebuffer, state),
				4, PICK(0u, 2u, 3u, (uint32_t)rnd() | 4));
	CHECK(r == -EINVAL, "state value: %d", r);
	r = vfio_region_write_n(d, FB, meta + PICK(0u, 4u, 8u, 20u, 28u, 100u), 4, 1);
	CHECK(r == -EPERM, "metadata field: %d", r);
}

/* ---- mmaps ---- */

void op_mmap(void)
{
	struct fz_slot *s = any_slot();
	unsigned int index = chance(80) ? PICK((unsigned int)BAR2, FB, PLANE0,
					       PLANE1, BAR0, below(NR_REGIONS)) :
			     pick_index();
	uint64_t base = mmap_start(s, index), m = mmap_size(s, index);
	uint64_t off, len, alen;
	int prot = chance(80) ? PICK(PROT_READ, PROT_READ | PROT_WRITE) :
			       PICK(PROT_NONE, PROT_WRITE);
	int flags = chance(90) ? MAP_SHARED : MAP_PRIVATE;
	bool ok;
	void *p;
	int e;

	switch (below(6)) {
	case 0:
	case 1:
		off = m ? below(m / PAGE) * PAGE : 0;
		break;
	case 2:
		off = m ? m - PAGE * (1 + below(4)) : 0;
		break;
	case 3:
		off = m + PAGE * below(4);
		break;
	case 4:
		off = below(1ULL << 40);	/* mostly unaligned */
		break;
	default:
		off = (1ULL << 40) - PAGE;
		break;
	}
	if (chance(80))
		off += base;	/* relative to the area, mostly */
	off &= (1ULL << 40) - 1;
	len = chance(80) ? PAGE * (1 + below(16)) :
	      PICK((uint64_t)0, m, m + PAGE, (uint64_t)1 + below(3 * PAGE),
		   m - off);
	if (off > m && len == m - off)
		len = PAGE;
	alen = (len + PAGE - 1) & ~(PAGE - 1);
	ok = m && flags == MAP_SHARED && !(off % PAGE) && len && off >= base &&
	     off - base < m && alen <= m - (off - base) &&
	     (index == BAR2 || index == BAR0 || !(prot & PROT_WRITE));
	note("mmap region %u at 0x%" PRIx64 " len 0x%" PRIx64 " prot %d %s", index,
	     off, len, prot, flags == MAP_SHARED ? "shared" : "private");
	errno = 0;
	p = mmap(NULL, len, prot, flags, s->v->dev.fd,
		 (off_t)(((uint64_t)index << 40) | off));
	e = errno;
	if (!ok) {
		CHECK(p == MAP_FAILED && (e == EINVAL || (len > (1ULL << 30) &&
							 e == ENOMEM)),
		      "mmap should fail with EINVAL: %s", p == MAP_FAILED ?
		      strerrorname_np(e) : "mapped");
		if (p != MAP_FAILED)
			munmap(p, len);
		return;
	}
	CHECK(p != MAP_FAILED, "mmap refused: %s", strerrorname_np(e));
	if (p == MAP_FAILED)
		return;
	F.mmaps++;
	touch(p, len, prot, 4, "device mmap");
	if (index != BAR2 && index != BAR0 && (prot & PROT_READ) && chance(20))
		CHECK_ERR(mprotect(p, PAGE, PROT_READ | PROT_WRITE), errno, EACCES);
	if (chance(10))
		CHECK(mremap(p, alen, alen + PAGE, 0) == MAP_FAILED,
		      "a device mapping grew");
	if (s->nr_maps == MAX_MAPS)
		map_drop(s, below(MAX_MAPS));
	s->maps[s->nr_maps++] = (struct fz_map){ p, len, index, prot };
}

void op_touch(void)
{
	struct fz_slot *s = any_slot();

	if (s->nr_maps && chance(60)) {
		struct fz_map *m = &s->maps[below(s->nr_maps)];

		note("touch region %u mapping of %zu bytes", m->index, m->len);
		touch(m->p, m->len, m->prot, 8, "device mmap");
	} else if (F.nr_dmabufs) {
		struct fz_dmabuf *b = &F.dmabufs[below(F.nr_dmabufs)];

		if (!b->p)
			return;
		note("touch dma-buf mapping of %zu bytes", b->len);
		touch(b->p, b->len, b->prot, 8, "dma-buf");
	}
}
