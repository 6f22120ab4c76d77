// SPDX-License-Identifier: GPL-2.0-only
/*
 * devfuzz: the device ioctls, well-formed and malformed, each answer
 * checked against what the documentation states: QUERY_GFX_PLANE (with
 * the plane states a vGPU keeps), GET_GFX_DMABUF, GET_REGION_INFO and its
 * capabilities, GET_IRQ_INFO, GET_INFO, SET_IRQS, bad pointers and unknown
 * ioctls; a new eventfd; reset, close and reopen, the gfx_plane attribute.
 */
#define _GNU_SOURCE
#include "devfuzz.h"

/* ---- QUERY_GFX_PLANE and GET_GFX_DMABUF ---- */

uint32_t fourcc_cpp(uint32_t fourcc)
{
	return fourcc == ('R' | 'G' << 8 | '1' << 16 | '6' << 24) ? 2 : 4;
}

static bool disabled(const struct vfio_device_gfx_plane_info *pi)
{
	return !pi->drm_format && !pi->width && !pi->height && !pi->stride &&
	       !pi->size && !pi->region_index;
}

static void check_region_answer(struct fz_slot *s,
				const struct vfio_device_gfx_plane_info *pi)
{
	uint32_t maxx, maxy;
	uint64_t span;

	if (!pi->region_index) {
		CHECK(disabled(pi), "index 0 but format 0x%x %ux%u", pi->drm_format,
		      pi->width, pi->height);
		return;
	}
	gfx_max_res(s->t, &maxx, &maxy);
	CHECK(pi->region_index == PLANE0 || pi->region_index == PLANE1,
	      "region_index %u", pi->region_index);
	CHECK(pi->width && pi->width <= maxx && pi->height && pi->height <= maxy,
	      "%ux%u", pi->width, pi->height);
	CHECK(pi->drm_format_mod == 0, "modifier 0x%llx",
	      (unsigned long long)pi->drm_format_mod);
	span = (uint64_t)pi->stride * (pi->height - 1) +
	       (uint64_t)pi->width * fourcc_cpp(pi->drm_format);
	CHECK(pi->size % PAGE == 0 && pi->size >= span &&
	      pi->size <= gfx_frame_size(s->t),
	      "size %u for stride %u %ux%u (frame %" PRIu64 ")", pi->size,
	      pi->stride, pi->width, pi->height, gfx_frame_size(s->t));
}

static void check_dmabuf_answer(struct fz_slot *s, uint32_t type,
				const struct vfio_device_gfx_plane_info *pi)
{
	uint32_t maxx, maxy;

	if (!pi->dmabuf_id) {
		CHECK(disabled(pi), "id 0 but format 0x%x %ux%u", pi->drm_format,
		      pi->width, pi->height);
		return;
	}
	gfx_max_res(s->t, &maxx, &maxy);
	CHECK(pi->size && pi->size % PAGE == 0 && pi->size <= slot_gm(s),
	      "size %u", pi->size);
	if (type == GFX_CURSOR) {
		CHECK((pi->width == 64 || pi->width == 128 || pi->width == 256) &&
		      pi->height == pi->width && pi->stride == pi->width * 4,
		      "cursor %ux%u stride %u", pi->width, pi->height, pi->stride);
	} else {
		CHECK(pi->width && pi->width <= maxx && pi->height &&
		      pi->height <= maxy && pi->stride >= pi->width *
		      fourcc_cpp(pi->drm_format), "%ux%u stride %u", pi->width,
		      pi->height, pi->stride);
		CHECK(pi->x_hot == IVGPU_PV_CURSOR_HOT_NONE &&
		      pi->y_hot == IVGPU_PV_CURSOR_HOT_NONE, "primary hotspot");
	}
	ids_keep(s, pi->dmabuf_id);
}

/* What VFIO_DEVICE_QUERY_GFX_PLANE answers: 0 or an errno. */
static int query_expect(struct fz_slot *s, uint32_t argsz, uint32_t flags,
			uint32_t type)
{
	uint32_t t = flags & ~Q_PROBE, plane = type ? type : GFX_PRIMARY;

	if (argsz < Q_MINSZ || (t != Q_REGION && t != Q_DMABUF))
		return EINVAL;
	if (flags & Q_PROBE)
		return s->planes & t ? 0 : EINVAL;
	if ((plane != GFX_PRIMARY && plane != GFX_CURSOR) ||
	    (t == Q_REGION && plane != GFX_PRIMARY) || !(s->planes & t))
		return EINVAL;
	return 0;
}

void op_query(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_device_gfx_plane_info pi;
	uint32_t flags, type, argsz;
	int r, e, want, fd;

	flags = chance(85) ? PICK(Q_REGION, Q_DMABUF, Q_PROBE | Q_REGION,
				  Q_PROBE | Q_DMABUF, Q_REGION, Q_DMABUF) :
			     PICK(0u, Q_PROBE, Q_REGION | Q_DMABUF,
				  Q_PROBE | Q_REGION | Q_DMABUF, 1u << 3,
				  (uint32_t)rnd());
	type = chance(85) ? PICK(0u, GFX_PRIMARY, GFX_CURSOR) :
			    PICK(3u, (uint32_t)rnd());
	argsz = chance(85) ? sizeof(pi) : PICK((uint32_t)Q_MINSZ,
					       (uint32_t)Q_MINSZ - 1, 0u, 16u);
	memset(&pi, 0xa5, sizeof(pi));
	pi.argsz = argsz;
	pi.flags = flags;
	pi.drm_plane_type = type;
	note("QUERY_GFX_PLANE argsz %u flags 0x%x type %u", argsz, flags, type);
	want = query_expect(s, argsz, flags, type);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi);
	e = errno;
	if (want) {
		CHECK_ERR(r, e, want);
		return;
	}
	CHECK(r == 0, "returned %d (%s)", r, strerrorname_np(e));
	if (r || (flags & Q_PROBE))
		return;
	if ((flags & ~Q_PROBE) == Q_REGION) {
		check_region_answer(s, &pi);
		F.region_planes += !!pi.region_index;
		return;
	}
	F.dmabuf_planes += !!pi.dmabuf_id;
	check_dmabuf_answer(s, type ? type : GFX_PRIMARY, &pi);
	if (!pi.dmabuf_id || chance(40))
		return;
	fd = gfx_get_dmabuf(s->v, pi.dmabuf_id);
	CHECK(fd >= 0, "GET_GFX_DMABUF of id %u just answered: %s", pi.dmabuf_id,
	      strerror(errno));
	if (fd >= 0)
		dmabuf_add(fd, pi.size);
}

void op_get_dmabuf(void)
{
	struct fz_slot *s = any_slot();
	uint32_t id;
	int fd, e;
	bool kept;

	switch (below(5)) {
	case 0:
	case 1:
		id = s->nr_ids ? s->ids[below(s->nr_ids)] : 0;
		break;
	case 2:
		id = F.nr_seen ? F.seen[below(F.nr_seen < SEEN ? F.nr_seen : SEEN)] : 1;
		break;
	case 3:
		id = F.max_id + 1 + below(10);
		break;
	default:
		id = PICK(0u, (uint32_t)rnd(), 0xffffffffu);
		break;
	}
	kept = ids_has(s, id);
	note("GET_GFX_DMABUF id %u (%s)", id, kept ? "kept" : "not kept");
	errno = 0;
	fd = gfx_get_dmabuf(s->v, id);
	e = errno;
	if (!kept) {
		CHECK_ERR(fd, e, ENOENT);
		if (fd >= 0)
			close(fd);
		return;
	}
	CHECK(fd >= 0, "id %u: %s", id, strerrorname_np(e));
	if (fd >= 0)
		dmabuf_add(fd, lseek(fd, 0, SEEK_END));
}

/* ---- GET_REGION_INFO, GET_IRQ_INFO, GET_INFO, SET_IRQS ---- */

void op_region_info(void)
{
	struct fz_slot *s = any_slot();
	union {
		struct vfio_region_info info;
		uint8_t raw[512];
	} u;
	const uint32_t minsz = offsetofend(struct vfio_region_info, offset);
	unsigned int index = pick_index();
	uint32_t argsz = PICK(512u, 512u, minsz, minsz, (uint32_t)below(minsz),
			      minsz + 1 + (uint32_t)below(64)), off, hops;
	int r, e;

	memset(&u, 0xa5, sizeof(u));
	u.info.argsz = argsz;
	u.info.index = index;
	note("GET_REGION_INFO index %u argsz %u", index, argsz);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &u);
	e = errno;
	if (argsz < minsz || index >= NR_REGIONS) {
		CHECK_ERR(r, e, EINVAL);
		return;
	}
	CHECK(r == 0, "%s", strerrorname_np(e));
	if (r)
		return;
	CHECK(gfx_all(u.raw + argsz, 0xa5, sizeof(u) - argsz),
	      "bytes past argsz %u written", argsz);
	CHECK(u.info.offset == (uint64_t)index << 40 &&
	      u.info.size == region_size(s, index) &&
	      u.info.flags == s->v->dev.regions[index].flags,
	      "index %u: offset 0x%llx size 0x%llx flags 0x%x", index,
	      (unsigned long long)u.info.offset, (unsigned long long)u.info.size,
	      u.info.flags);
	if (!(u.info.flags & VFIO_REGION_INFO_FLAG_CAPS))
		return;
	if (u.info.argsz > argsz) {
		CHECK(u.info.cap_offset == 0, "cap_offset %u with argsz %u < %u",
		      u.info.cap_offset, argsz, u.info.argsz);
		return;
	}
	for (off = u.info.cap_offset, hops = 0; off; hops++) {
		struct vfio_info_cap_header *h = (void *)(u.raw + off);

		CHECK(off >= sizeof(u.info) && off + sizeof(*h) <= argsz && hops < 8,
		      "capability at %u of %u", off, argsz);
		if (off < sizeof(u.info) || off + sizeof(*h) > argsz || hops >= 8)
			return;
		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			struct vfio_region_info_cap_sparse_mmap *sp = (void *)h;

			CHECK(sp->nr_areas == 1 &&
			      sp->areas[0].offset == mmap_start(s, index) &&
			      sp->areas[0].size == mmap_size(s, index),
			      "sparse areas of region %u", index);
		}
		CHECK(!h->next || h->next > off, "capability loop");
		if (h->next && h->next <= off)
			return;
		off = h->next;
	}
}

void op_irq_info(void)
{
	static const uint32_t counts[NR_IRQS] = { 1, 1, 0, 1, 1 };
	struct fz_slot *s = any_slot();
	union {
		struct vfio_irq_info info;
		uint8_t raw[64];
	} u;
	uint32_t index = chance(80) ? below(NR_IRQS) :
			 PICK(5u, 6u, 255u, (uint32_t)rnd());
	uint32_t argsz = PICK(16u, 16u, 16u + (uint32_t)below(8), (uint32_t)below(16));
	int r, e;

	memset(&u, 0xa5, sizeof(u));
	u.info.argsz = argsz;
	u.info.index = index;
	note("GET_IRQ_INFO index %u argsz %u", index, argsz);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &u);
	e = errno;
	if (argsz < 16 || index >= NR_IRQS) {
		CHECK_ERR(r, e, EINVAL);
		return;
	}
	CHECK(r == 0 && u.info.count == counts[index], "index %u: %d count %u",
	      index, r, u.info.count);
	CHECK(gfx_all(u.raw + 16, 0xa5, sizeof(u) - 16), "bytes past the struct");
}

void op_device_info(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_device_info info;
	uint32_t argsz = PICK((uint32_t)sizeof(info), 16u, (uint32_t)below(16));
	int r, e;

	memset(&info, 0, sizeof(info));
	info.argsz = argsz;
	note("GET_INFO argsz %u", argsz);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_GET_INFO, &info);
	e = errno;
	if (argsz < 16) {
		CHECK_ERR(r, e, EINVAL);
		return;
	}
	CHECK(r == 0 && info.num_regions == NR_REGIONS && info.num_irqs == NR_IRQS &&
	      (info.flags & (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET)) ==
	      (VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET),
	      "%d: flags 0x%x %u regions %u irqs", r, info.flags,
	      info.num_regions, info.num_irqs);
}

/* What SET_IRQS does with this header and data: 0 or an errno. */
#define OK_OR_EINVAL	(-1)	/* depends on state the model doesn't keep */
/* What installing @fd as an eventfd answers: @ok if it is one. */
static int eventfd_errno(int fd, int ok)
{
	struct stat st;

	if (fd < -1)
		return EINVAL;
	if (fd == -1)
		return 0;
	if (fstat(fd, &st))
		return EBADF;
	return fd == F.devnull ? EINVAL : ok;
}

static int set_irqs_expect(uint32_t argsz, uint32_t flags, uint32_t index,
			   uint32_t start, uint32_t count, const int32_t *fds)
{
	static const uint32_t max[NR_IRQS] = { 1, 1, 0, 1, 1 };
	uint32_t dt = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK, size;

	if (argsz < 20 || index >= NR_IRQS || count >= UINT32_MAX - start ||
	    (flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK)))
		return EINVAL;
	if (start >= max[index] || start + count > max[index])
		return EINVAL;
	switch (dt) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = 1;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = 4;
		break;
	default:
		return EINVAL;
	}
	if (size && argsz - 20 < (uint64_t)count * size)
		return EINVAL;
	if (!count && (dt != VFIO_IRQ_SET_DATA_NONE ||
		       action != VFIO_IRQ_SET_ACTION_TRIGGER))
		return EINVAL;
	if (action != VFIO_IRQ_SET_ACTION_MASK &&
	    action != VFIO_IRQ_SET_ACTION_UNMASK &&
	    action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return EINVAL;
	if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
		if (index != VFIO_PCI_INTX_IRQ_INDEX)
			return ENOTTY;
		if (dt != VFIO_IRQ_SET_DATA_EVENTFD)
			return 0;
		if (action == VFIO_IRQ_SET_ACTION_MASK)
			return EINVAL;		/* no mask eventfd */
		/* The unmask eventfd also needs the INTx trigger installed. */
		return eventfd_errno(fds[0], OK_OR_EINVAL);
	}
	if (dt != VFIO_IRQ_SET_DATA_EVENTFD)
		return 0;
	return eventfd_errno(fds[0], 0);
}

void op_set_irqs(void)
{
	struct fz_slot *s = any_slot();
	struct {
		struct vfio_irq_set hdr;
		int32_t fds[4];
	} u;
	uint32_t flags, index, start, count, argsz, datalen;
	unsigned int i;
	int r, e, want;

	index = chance(85) ? below(NR_IRQS) : PICK(5u, 6u, 100u, (uint32_t)rnd());
	flags = chance(90) ? PICK(VFIO_IRQ_SET_ACTION_TRIGGER,
				  VFIO_IRQ_SET_ACTION_TRIGGER,
				  VFIO_IRQ_SET_ACTION_TRIGGER,
				  VFIO_IRQ_SET_ACTION_MASK,
				  VFIO_IRQ_SET_ACTION_UNMASK) :
			     PICK(0u, VFIO_IRQ_SET_ACTION_MASK |
				  VFIO_IRQ_SET_ACTION_TRIGGER, 1u << 6);
	flags |= chance(90) ? PICK(VFIO_IRQ_SET_DATA_EVENTFD,
				   VFIO_IRQ_SET_DATA_EVENTFD,
				   VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL) :
			      PICK(0u, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL, 7u);
	if (chance(3))
		flags |= 1u << (6 + below(26));
	start = chance(90) ? 0 : PICK(1u, (uint32_t)below(4), 0xffffffffu);
	count = chance(80) ? PICK(1u, 1u, 0u) : PICK(2u, (uint32_t)below(4), 0xffffffffu);
	for (i = 0; i < 4; i++)
		u.fds[i] = chance(70) ? PICK(s->evfd, s->evfd, -1) :
			   PICK(-2, F.devnull, 9999, INT32_MIN);
	if ((flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_BOOL)
		for (i = 0; i < 4; i++)
			u.fds[i] = PICK(0, 1, 1, (int32_t)rnd());
	datalen = (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_EVENTFD ?
		  4 : (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_BOOL ?
		  1 : 0;
	datalen *= count < 4 ? count : 4;
	argsz = chance(90) ? 20 + datalen : PICK((uint32_t)below(20), 19 + datalen);
	u.hdr = (struct vfio_irq_set){ .argsz = argsz, .flags = flags,
				       .index = index, .start = start,
				       .count = count };
	note("SET_IRQS argsz %u flags 0x%x index %u start %u count %u fd %d",
	     argsz, flags, index, start, count, u.fds[0]);
	want = set_irqs_expect(argsz, flags, index, start, count, u.fds);
	errno = 0;
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_SET_IRQS, &u);
	e = errno;
	if (want == ENOTTY)	/* masking what can't be masked: either */
		CHECK(r == -1 && (e == ENOTTY || e == EINVAL), "%d %s", r,
		      strerrorname_np(e));
	else if (want == OK_OR_EINVAL)
		CHECK(r == 0 || (r == -1 && e == EINVAL), "%d %s", r,
		      strerrorname_np(e));
	else if (want)
		CHECK_ERR(r, e, want);
	else
		CHECK(r == 0, "refused: %s", strerrorname_np(e));
}

/* ---- bad pointers, unknown ioctls, eventfds ---- */

/* Device ioctls with pointers the kernel can't use, and unknown ones. */
void op_bad_ioctl(void)
{
	static const unsigned long cmds[] = {
		VFIO_DEVICE_GET_INFO, VFIO_DEVICE_GET_REGION_INFO,
		VFIO_DEVICE_GET_IRQ_INFO, VFIO_DEVICE_SET_IRQS,
		VFIO_DEVICE_QUERY_GFX_PLANE, VFIO_DEVICE_GET_GFX_DMABUF,
	};
	struct fz_slot *s = any_slot();
	unsigned long cmd;
	void *arg;
	int r, e;

	if (chance(70)) {
		cmd = cmds[below(ARRAY_SIZE(cmds))];
		arg = chance(50) ? NULL : (void *)F.noaccess;
		note("ioctl 0x%lx with pointer %p", cmd, arg);
		errno = 0;
		r = ioctl(s->v->dev.fd, cmd, arg);
		e = errno;
		CHECK_ERR(r, e, EFAULT);
		return;
	}
	/* Numbers no one handles: of the VFIO type past its last, and others. */
	cmd = chance(50) ? _IO(VFIO_TYPE, VFIO_BASE + 40 + below(100)) :
			   _IO('x', below(256));
	note("unknown ioctl 0x%lx", cmd);
	errno = 0;
	r = ioctl(s->v->dev.fd, cmd, F.noaccess);
	e = errno;
	CHECK_ERR(r, e, ENOTTY);
}

void op_evfd(void)
{
	struct fz_slot *s = any_slot();

	/* Close an eventfd the device may hold; use a new one from now on. */
	note("new eventfd");
	close(s->evfd);
	s->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	CHECK(s->evfd >= 0, "eventfd");
}

/* ---- reset, close and reopen, gfx_plane ---- */

void op_reset(void)
{
	struct fz_slot *s = any_slot();
	struct vfio_device_gfx_plane_info pi;
	long long pinned;

	note("reset");
	CHECK(vfio_reset(&s->v->dev) == 0, "VFIO_DEVICE_RESET");
	ids_clear(s);
	pinned = vgpu_stat(s->v, "pages_pinned");
	CHECK(pinned == 0, "pages_pinned %lld after reset", pinned);
	if (s->planes & Q_REGION) {
		CHECK(gfx_query(s->v, Q_REGION, 0, &pi) == 0 && disabled(&pi),
		      "plane after reset");
	}
	if (s->mig_fd >= 0) {
		close(s->mig_fd);
		s->mig_fd = -1;
	}
}

void op_close_reopen(void)
{
	struct fz_slot *s = any_slot();
	const char *bad = PICK_STR("\n", "regio", "REGION", "both\nx", "dma buf", "x");
	char path[256], got[64];

	note("close and open again");
	slot_close(s);
	/* While closed: gfx_plane may change, and only to a known word. */
	CHECK(gfx_plane_set(s->v->uuid, bad) == -EINVAL, "gfx_plane '%s'", bad);
	if (chance(50))
		slot_set_planes(s);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/ivgpu/gfx_plane",
		 s->v->uuid);
	CHECK(sysfs_read(path, got, sizeof(got)) > 0, "gfx_plane read");
	slot_open(s);
}

void op_gfx_plane(void)
{
	struct fz_slot *s = any_slot();
	const char *word = PICK_STR("region", "dmabuf", "both", "region\n",
				    "garbage", "\n", "regionx", "Both");
	bool valid = !strcmp(word, "region") || !strcmp(word, "dmabuf") ||
		     !strcmp(word, "both") || !strcmp(word, "region\n");

	note("gfx_plane := '%s' while open", word);
	CHECK(gfx_plane_set(s->v->uuid, word) == (valid ? -EBUSY : -EINVAL),
	      "'%s'", word);
}
