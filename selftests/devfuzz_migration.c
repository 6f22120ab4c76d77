// SPDX-License-Identifier: GPL-2.0-only
/*
 * devfuzz: migration. Device states, valid and not, with the arcs the
 * state machine has and refuses; saved streams read, and garbage,
 * truncated or saved streams written to a resuming vGPU; other device
 * features; a whole migration into a vGPU of the same or another type.
 */
#define _GNU_SOURCE
#include "devfuzz.h"

/* ---- migration ---- */

static int mig_set(struct fz_slot *s, uint32_t state, int *fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state m;
	} u = {
		.f.argsz = sizeof(u),
		.f.flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		.m.device_state = state,
		.m.data_fd = -1,
	};
	int r = ioctl(s->v->dev.fd, VFIO_DEVICE_FEATURE, &u);

	*fd = r ? -1 : u.m.data_fd;
	return r ? -errno : 0;
}

static int mig_get(struct fz_slot *s)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state m;
	} u = {
		.f.argsz = sizeof(u),
		.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
	};

	if (ioctl(s->v->dev.fd, VFIO_DEVICE_FEATURE, &u))
		return -errno;
	return u.m.device_state;
}

static bool mig_valid_state(uint32_t state)
{
	return state >= MIG_STOP && state <= MIG_RUNNING_P2P ? true :
	       (state == MIG_PRE_COPY || state == MIG_PRE_COPY_P2P) && F.precopy;
}

static void mig_keep_fd(struct fz_slot *s, int fd)
{
	if (s->mig_fd >= 0)
		close(s->mig_fd);
	s->mig_fd = fd;
}

/* Read what a saving fd has: its stream, kept for loading later. */
static void mig_drain(struct fz_slot *s)
{
	uint8_t *data = NULL;
	size_t len = 0;
	ssize_t n;

	for (;;) {
		uint8_t *more = realloc(data, len + 65536);

		if (!more)
			break;
		data = more;
		n = read(s->mig_fd, data + len, 65536);
		if (n <= 0)
			break;
		len += n;
	}
	if (len >= 8 && !memcmp(data, "IVGPUMIG", 8)) {
		free(s->stream);
		s->stream = data;
		s->stream_len = len;
	} else {
		free(data);
	}
}

void op_mig(void)
{
	struct fz_slot *s = any_slot();
	uint32_t state = chance(90) ? PICK(MIG_RUNNING, MIG_RUNNING, MIG_STOP,
					   MIG_STOP_COPY, MIG_RESUMING,
					   MIG_RUNNING_P2P, MIG_PRE_COPY,
					   MIG_PRE_COPY_P2P) :
				      PICK(MIG_ERROR, 8u, 9u, (uint32_t)rnd());
	int cur = mig_get(s), after, r, fd;

	CHECK(cur >= 0 && cur <= MIG_PRE_COPY_P2P, "state %d", cur);
	if (cur < 0)
		return;
	if (s->mig_fd >= 0 && chance(50)) {
		if (cur == MIG_RESUMING) {
			/* A saved stream (of any vGPU), garbage, or a piece. */
			struct fz_slot *o = any_slot();
			uint8_t junk[512];
			size_t len = o->stream_len;
			const uint8_t *data = o->stream;
			ssize_t w;

			if (!data || chance(30)) {
				for (len = 0; len < sizeof(junk); len++)
					junk[len] = rnd();
				data = junk;
				len = 1 + below(sizeof(junk));
			} else if (chance(30)) {
				len = below(len);
			}
			note("write %zu bytes to the resuming fd", len);
			w = len ? write(s->mig_fd, data, len) : 0;
			CHECK(w == (ssize_t)len || (w == -1 && errno == EFBIG),
			      "resume write: %zd (%s)", w, strerror(errno));
		} else {
			note("read the saving fd");
			mig_drain(s);
		}
		return;
	}
	note("migration state %d -> %u", cur, state);
	r = mig_set(s, state, &fd);
	after = mig_get(s);
	if (cur == MIG_ERROR && state != MIG_ERROR) {
		CHECK(r == -EINVAL && after == MIG_ERROR, "out of ERROR: %d, now %d",
		      r, after);
	} else if (!mig_valid_state(state) && state != (uint32_t)cur) {
		CHECK(r == -EINVAL && after == cur, "to state %u: %d, now %d",
		      state, r, after);
	} else if (!r) {
		CHECK(after == (int)state, "now %d", after);
		if (fd >= 0)
			mig_keep_fd(s, fd);
	} else if (after == cur) {
		/* An arc the state machine does not have (PRE_COPY from STOP). */
		CHECK(r == -EINVAL, "%d -> %u refused: %d", cur, state, r);
	} else {
		/* Loading a stream may be refused: ERROR, until a reset. */
		CHECK(cur == MIG_RESUMING && (r == -EINVAL || r == -EPROTONOSUPPORT) &&
		      after == MIG_ERROR, "%d -> %u refused: %d, now %d", cur,
		      state, r, after);
	}
	if (cur == MIG_RESUMING && after != MIG_RESUMING) {
		ids_clear(s);	/* a load (or a refused one) drops plane states */
		F.loads += after != MIG_ERROR;
		F.refused_loads += after == MIG_ERROR;
	}
	if (after == MIG_ERROR || (after != MIG_RUNNING && chance(20))) {
		note("reset out of migration state %d", after);
		CHECK(vfio_reset(&s->v->dev) == 0, "reset");
		ids_clear(s);
		if (s->mig_fd >= 0)
			close(s->mig_fd);
		s->mig_fd = -1;
		CHECK(mig_get(s) == MIG_RUNNING, "state after reset");
	}
}

void op_feature(void)
{
	struct fz_slot *s = any_slot();
	struct {
		struct vfio_device_feature f;
		uint8_t data[64];
	} u;
	uint32_t argsz = PICK((uint32_t)sizeof(u), (uint32_t)sizeof(u.f),
			      (uint32_t)below(sizeof(u.f)));
	uint32_t flags = PICK(VFIO_DEVICE_FEATURE_GET, VFIO_DEVICE_FEATURE_SET,
			      VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET,
			      VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET,
			      0u) | (uint32_t)PICK(0u, 3u, 5u, 6u, 7u, 8u, 100u,
						   (uint32_t)below(0x10000));
	uint32_t feature = flags & VFIO_DEVICE_FEATURE_MASK;
	int r;

	/* Setting migration states is op_mig's. */
	if (feature == VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE)
		return;
	memset(&u, 0, sizeof(u));
	u.f.argsz = argsz;
	u.f.flags = flags;
	note("VFIO_DEVICE_FEATURE argsz %u flags 0x%x", argsz, flags);
	r = ioctl(s->v->dev.fd, VFIO_DEVICE_FEATURE, &u);
	CHECK(r == 0 || r == -1, "returned %d", r);
	/* Only migration's (and, on newer kernels, its data size) GET. */
	if (r == 0)
		CHECK((feature == VFIO_DEVICE_FEATURE_MIGRATION || feature == 9) &&
		      !(flags & VFIO_DEVICE_FEATURE_SET), "feature 0x%x accepted",
		      flags);
}

/*
 * A migration: the saving side's stream (STOP_COPY) loaded into a vGPU of
 * the same type (any of them, itself included) or refused by another type.
 */
void op_migrate(void)
{
	struct fz_slot *src = any_slot(), *dst = any_slot();
	uint64_t reg, pte;
	size_t done;
	int fd, r;

	if (mig_get(src) != MIG_RUNNING || mig_get(dst) != MIG_RUNNING)
		return;
	note("migrate %s -> %s", src->t->name, dst->t->name);
	CHECK(!mig_set(src, MIG_STOP_COPY, &fd) && fd >= 0, "to STOP_COPY");
	if (fd < 0)
		return;
	mig_keep_fd(src, fd);
	src->stream_len = 0;
	mig_drain(src);
	CHECK(src->stream_len >= 32, "a stream of %zu bytes", src->stream_len);
	reg = bar0_read32(src->v, SCRATCH_REG);
	pte = bar0_read64(src->v, PTE(16));
	CHECK(!mig_set(src, MIG_RUNNING, &fd), "back to RUNNING");
	if (src->stream_len < 32)
		return;

	CHECK(!mig_set(dst, MIG_RESUMING, &fd) && fd >= 0, "to RESUMING");
	if (fd < 0)
		return;
	mig_keep_fd(dst, fd);
	for (done = 0; done < src->stream_len; done += r) {
		r = write(fd, src->stream + done, src->stream_len - done);
		if (r <= 0)
			break;
	}
	CHECK(done == src->stream_len, "stream write: %s", strerror(errno));
	r = mig_set(dst, MIG_RUNNING, &fd);
	ids_clear(dst);
	if (src->t != dst->t) {
		CHECK(r == -EINVAL && mig_get(dst) == MIG_ERROR,
		      "a %s stream into a %s: %d", src->t->name, dst->t->name, r);
		F.refused_loads++;
		CHECK(!vfio_reset(&dst->v->dev), "reset");
		return;
	}
	CHECK(r == 0 && mig_get(dst) == MIG_RUNNING, "load: %d", r);
	if (r)
		return;
	F.loads++;
	CHECK(bar0_read32(dst->v, SCRATCH_REG) == reg &&
	      bar0_read64(dst->v, PTE(16)) == pte, "registers after the load");
	if (src != dst)
		CHECK(vgpu_stat(dst->v, "pages_pinned") == 0, "pins right after a load");
}
