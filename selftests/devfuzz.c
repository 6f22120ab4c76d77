// SPDX-License-Identifier: GPL-2.0-only
/*
 * devfuzz: a seeded random walk over what a VFIO user and a guest can do to
 * vGPUs, well-formed and malformed: region reads and writes at any index,
 * offset and size (and with buffers the process can't touch); GGTT entries
 * at mapped, unmapped and garbage addresses, written whole or in parts;
 * plane and cursor registers, the guest's AUX channel;
 * VFIO_DEVICE_QUERY_GFX_PLANE and
 * VFIO_DEVICE_GET_GFX_DMABUF, GET_INFO, GET_REGION_INFO, GET_IRQ_INFO and
 * SET_IRQS with bad sizes, flags, indexes, counts and fds, bad pointers
 * and unknown ioctls; mmaps of every
 * region at any offset, length and protection, touched under sigsetjmp;
 * DMA map and unmap under live planes, mappings and dma-bufs; the EDID and
 * framebuffer regions; the gfx_plane attribute; migration states and
 * streams (saved, garbage, truncated); resets, close and reopen, remove and
 * create of vGPUs of every type.
 *
 * Each answer is checked against what the documentation states: the errno
 * of every malformed call, region sizes and capabilities, the dma-buf ids a
 * vGPU keeps (the last eight plane states), mappings that never fault,
 * entries that read back as written, no pins after a reset. After the walk
 * every vGPU, once closed, holds no pins and is removable, and dma-bufs
 * still read after their vGPU is gone. The kernel log is checked by ./run.
 *
 * The seed is printed: IVGPU_FUZZ_SEED=N repeats the sequential walk (with
 * IVGPU_FUZZ_OPS=M, which ends it after M operations, operation for
 * operation; the threads' interleaving can't be repeated).
 * IVGPU_FUZZ_SECONDS bounds both tests together (default 20 s: 70% for the
 * walk, 30% for the threads).
 *
 * This file: the model's state and its view of a vGPU, mappings and
 * dma-bufs, opening and closing, the good plane, the walk
 * (random_operations); devfuzz_regions.c: region access, the EDID and
 * framebuffer regions, mmaps; devfuzz_guest.c: GGTT entries, plane,
 * cursor and AUX registers, guest memory; devfuzz_ioctl.c: device
 * ioctls, reset, close and reopen, gfx_plane; devfuzz_migration.c:
 * migration; devfuzz_threads.c: the threads (concurrent_operations).
 */
#define _GNU_SOURCE
#include "devfuzz.h"

/* ---- state ---- */

struct fz_state F;

/* ---- history, failures ---- */

void note(const char *fmt, ...)
{
	char *h = F.hist[F.ops % HISTORY];
	int n;
	va_list ap;

	n = snprintf(h, sizeof(F.hist[0]), "#%lu ", F.ops);
	va_start(ap, fmt);
	vsnprintf(h + n, sizeof(F.hist[0]) - n, fmt, ap);
	va_end(ap);
}

void fz_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	unsigned long i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!F.failures++) {
		tap_log("seed %" PRIu64 " (IVGPU_FUZZ_SEED=%" PRIu64 " repeats it), the last operations:",
			F.seed, F.seed);
		i = F.ops >= HISTORY ? F.ops - HISTORY + 1 : 0;
		for (; i <= F.ops; i++)
			tap_log("  %s", F.hist[i % HISTORY]);
	}
	tap_fail(false, file, line, "operation %lu: %s", F.ops, msg);
	if (F.failures >= MAX_FAILURES) {
		tap_log("%lu failures: stopping", F.failures);
		tap_end_test();
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the model's view of a vGPU ---- */

uint64_t slot_entries(const struct fz_slot *s)
{
	return type_gm_mib(s->t) * MIB / PAGE;
}

uint64_t slot_gm(const struct fz_slot *s)
{
	return type_gm_mib(s->t) * MIB;
}

uint64_t region_size(const struct fz_slot *s, unsigned int index)
{
	return index < NR_REGIONS ? s->v->dev.regions[index].size : 0;
}

/* Where a region's mmap-able area starts (BAR0: the GGTT past the slice). */
uint64_t mmap_start(const struct fz_slot *s, unsigned int index)
{
	if (index != BAR0)
		return 0;
	return IVGPU_GGTT_OFFSET +
	       (uint64_t)(s->t->low_gm_mib + s->t->high_gm_mib) * MIB / PAGE * 8;
}

/* How much of a region can be mmapped, from mmap_start(): 0 if none. */
uint64_t mmap_size(const struct fz_slot *s, unsigned int index)
{
	switch (index) {
	case BAR0:
		return IVGPU_BAR0_SIZE - mmap_start(s, index);
	case BAR2:
		return s->t->low_gm_mib * MIB;
	case FB:
	case PLANE0:
	case PLANE1:
		return gfx_frame_size(s->t);
	}
	return 0;
}

void ids_clear(struct fz_slot *s)
{
	s->nr_ids = 0;
}

bool ids_has(const struct fz_slot *s, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < s->nr_ids; i++)
		if (s->ids[i] == id)
			return true;
	return false;
}

/* What the vGPU does with a state it answered: newest first, eight kept. */
void ids_keep(struct fz_slot *s, uint32_t id)
{
	unsigned int i, at = s->nr_ids;

	for (i = 0; i < s->nr_ids; i++)
		if (s->ids[i] == id)
			at = i;
	if (at == s->nr_ids && s->nr_ids < KEEP)
		s->nr_ids++;
	if (at == s->nr_ids)
		at = s->nr_ids - 1;
	memmove(&s->ids[1], &s->ids[0], at * sizeof(s->ids[0]));
	s->ids[0] = id;
	F.seen[F.nr_seen++ % SEEN] = id;
	if (id > F.max_id)
		F.max_id = id;
}

uint32_t edid_read32(struct fz_slot *s, uint64_t off)
{
	uint64_t val = 0;

	CHECK(!vfio_region_read_n(&s->v->dev, EDID, off, 4, &val),
	      "EDID read at 0x%" PRIx64, off);
	return val;
}

/* ---- device mappings and dma-bufs ---- */

void map_drop(struct fz_slot *s, unsigned int i)
{
	munmap(s->maps[i].p, s->maps[i].len);
	s->maps[i] = s->maps[--s->nr_maps];
}

static void maps_drop_all(struct fz_slot *s)
{
	while (s->nr_maps)
		map_drop(s, 0);
}

static void dmabuf_drop(unsigned int i)
{
	struct fz_dmabuf *b = &F.dmabufs[i];

	if (b->p)
		munmap(b->p, b->len);
	close(b->fd);
	F.dmabufs[i] = F.dmabufs[--F.nr_dmabufs];
}

/* Touch up to n pages of a mapping; a signal on a readable one is a bug. */
void touch(uint8_t *p, size_t len, int prot, unsigned int n,
	   const char *what)
{
	size_t pages = (len + PAGE - 1) / PAGE;
	unsigned int i;
	uint8_t val;
	int sig;

	if (!(prot & PROT_READ) && !(prot & PROT_WRITE)) {
		sig = gfx_probe(p, false, &val);
		CHECK(sig == SIGSEGV, "%s: PROT_NONE mapping read gave signal %d",
		      what, sig);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t off = below(pages) * PAGE + below(PAGE);

		if (off >= len)
			off = len - 1;
		sig = gfx_probe(p + off, prot & PROT_WRITE, &val);
		CHECK(!sig, "%s: %s at offset 0x%zx of %zu bytes: signal %d (%s)",
		      what, prot & PROT_WRITE ? "write" : "read", off, len, sig,
		      strsignal(sig));
		if (sig)
			return;
	}
}

/* The same for the first and the last byte, without using the seed. */
static void touch_ends(const struct fz_dmabuf *b, const char *what)
{
	uint8_t val;
	int sig;

	sig = gfx_probe(b->p, false, &val);
	if (!sig)
		sig = gfx_probe(b->p + b->len - 1, false, &val);
	CHECK(!sig, "%s: signal %d (%s)", what, sig, strsignal(sig));
}

void dmabuf_add(int fd, size_t size)
{
	struct fz_dmabuf *b;
	size_t off, len;
	int prot = PICK(PROT_READ, PROT_READ | PROT_WRITE);
	void *p;

	if (F.nr_dmabufs == MAX_DMABUFS)
		dmabuf_drop(below(MAX_DMABUFS));
	b = &F.dmabufs[F.nr_dmabufs++];
	*b = (struct fz_dmabuf){ .fd = fd };
	F.dmabuf_fds++;
	CHECK(lseek(fd, 0, SEEK_END) == (off_t)size, "dma-buf size");
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "dma-buf without FD_CLOEXEC");
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "dma-buf not O_RDWR");
	if (!size || chance(20))
		return;
	off = below(size / PAGE) * PAGE;
	len = (1 + below((size - off) / PAGE)) * PAGE;
	p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	CHECK(p != MAP_FAILED, "dma-buf mmap of %zu at %zu of %zu: %s", len,
	      off, size, strerror(errno));
	if (p == MAP_FAILED)
		return;
	b->p = p;
	b->len = len;
	b->prot = prot;
	touch(p, len, prot, 4, "dma-buf");
}

/* ---- opening and closing ---- */

static void slot_read_edid(struct fz_slot *s)
{
	s->edid_size = edid_read32(s, EDID_SIZE);
	CHECK(s->edid_size && s->edid_size <= IVGPU_EDID_MAX_SIZE,
	      "generated EDID of %u bytes", s->edid_size);
	CHECK(!vfio_region_read(&s->v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				s->edid, IVGPU_EDID_MAX_SIZE), "EDID blob read");
	CHECK(edid_read32(s, EDID_LINK) == LINK_UP, "a new open's link is up");
}

void slot_open(struct fz_slot *s)
{
	vgpu_open(s->v);
	ids_clear(s);
	s->nr_bufs = 0;
	s->nr_maps = 0;
	s->mig_fd = -1;
	slot_read_edid(s);
}

/* Let go of everything that holds the device; its pins must be gone. */
void slot_close(struct fz_slot *s)
{
	long long pinned;

	maps_drop_all(s);
	if (s->mig_fd >= 0)
		close(s->mig_fd);
	s->mig_fd = -1;
	vgpu_close(s->v);
	s->nr_bufs = 0;
	ids_clear(s);
	pinned = vgpu_stat(s->v, "pages_pinned");
	CHECK(pinned == 0, "pages_pinned %lld after close", pinned);
	CHECK(vgpu_stat(s->v, "vblank_running") == 0, "vblank clock after close");
}

static const char *const plane_modes[] = {
	IVGPU_GFX_PLANE_REGION, IVGPU_GFX_PLANE_DMABUF, IVGPU_GFX_PLANE_BOTH,
};
static const unsigned int plane_bits[] = {
	Q_REGION, Q_DMABUF, Q_REGION | Q_DMABUF,
};

void slot_set_planes(struct fz_slot *s)
{
	unsigned int m = below(3);

	CHECK(!gfx_plane_set(s->v->uuid, plane_modes[m]), "gfx_plane %s",
	      plane_modes[m]);
	s->planes = plane_bits[m];
}

/*
 * The walk's vGPUs are its own (not test fixtures): its cleanup must let go
 * of every mapping before a remove, which would wait for them forever.
 */
static void slot_new(struct fz_slot *s)
{
	memset(s, 0, sizeof(*s));
	s->t = &ivgpu_types[below(IVGPU_NR_TYPES)];
	s->v = calloc(1, sizeof(*s->v));
	ASSERT_TRUE(s->v);
	s->v->type = s->t;
	uuid_gen(s->v->uuid);
	ASSERT_OK(mdev_create(ivgpu_parent(), s->t->dir, s->v->uuid));
	s->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_GE(s->evfd, 0);
	slot_set_planes(s);
	slot_open(s);
}

/* Close and remove a slot's vGPU: false if it is still there. */
static bool slot_remove(struct fz_slot *s)
{
	bool gone;
	int r;

	if (!s->v)
		return true;
	maps_drop_all(s);
	if (s->mig_fd >= 0)
		close(s->mig_fd);
	s->mig_fd = -1;
	if (s->v->open)
		vgpu_close(s->v);
	r = mdev_remove(s->v->uuid);
	gone = !r && !mdev_exists(s->v->uuid);
	if (!gone)
		tap_log("removing %s: %s", s->v->uuid, strerror(-r));
	free(s->v);
	s->v = NULL;
	free(s->stream);
	s->stream = NULL;
	close(s->evfd);
	return gone;
}

/* Whatever way the walk ends: no mapping left, every vGPU removed. */
static void fz_cleanup(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < NR_SLOTS; i++)
		slot_remove(&F.slot[i]);
	while (F.nr_dmabufs)
		dmabuf_drop(0);
}

/* ---- operations ---- */

struct fz_slot *any_slot(void)
{
	return &F.slot[below(NR_SLOTS)];
}

static void op_remove(void)
{
	struct fz_slot *s = any_slot();

	note("remove vGPU %s and create another", s->v->uuid);
	slot_close(s);
	CHECK(slot_remove(s), "remove");
	slot_new(s);
}

/*
 * A plane the guest really shows: guest pages in order behind GGTT entries
 * 16 on, a linear XRGB8888 plane over them. The region plane and the
 * dma-buf must show those bytes; after an unmap the dma-buf still does and
 * the plane region shows zeros. (Here, not with the guest's operations: it
 * probes the dma-buf's mapping, see devfuzz.h.)
 */
static void op_good_plane(void)
{
	static uint8_t want[16 * PAGE];
	struct fz_slot *s = any_slot();
	struct vfio_device_gfx_plane_info pi;
	static uint8_t got[16 * PAGE];
	uint32_t w = 64 * (1 + below(4)), stride = w * 4, h;
	size_t pages = 4 + below(13), len, i;
	struct fz_buf *b;
	uint8_t *map;
	int fd;

	if (s->nr_bufs == MAX_BUFS)
		op_dma_unmap_slot(s, below(MAX_BUFS));
	b = &s->bufs[s->nr_bufs];
	b->mem = vfio_dma_alloc(&s->v->dev, pages * PAGE, &b->iova);
	CHECK(b->mem, "vfio_dma_alloc: %s", strerror(errno));
	if (!b->mem)
		return;
	b->len = pages * PAGE;
	s->nr_bufs++;
	for (i = 0; i < b->len; i++)
		b->mem[i] = rnd();
	h = b->len / stride;
	len = (size_t)stride * h;
	memcpy(want, b->mem, len);
	note("good plane %ux%u over %zu pages at 0x%" PRIx64, w, h, pages, b->iova);
	for (i = 0; i < pages; i++)
		bar0_write64(s->v, PTE(16 + i), (b->iova + i * PAGE) | IVGPU_PTE_PRESENT);
	gfx_plane_linear(s->v, PIPE_A, 16 * PAGE, w, h, stride / 64);

	if (s->planes & Q_REGION) {
		CHECK(!gfx_query(s->v, Q_REGION, 0, &pi) && pi.region_index &&
		      pi.width == w && pi.height == h && pi.stride == stride,
		      "region plane %ux%u stride %u index %u", pi.width, pi.height,
		      pi.stride, pi.region_index);
		if (pi.region_index) {
			F.region_planes++;
			CHECK(!vfio_region_read(&s->v->dev, pi.region_index, 0, got, len) &&
			      !memcmp(got, want, len), "the region plane's pixels");
		}
	}
	if (!(s->planes & Q_DMABUF))
		return;
	CHECK(!gfx_query(s->v, Q_DMABUF, GFX_PRIMARY, &pi) && pi.dmabuf_id &&
	      pi.size >= len, "dma-buf plane id %u size %u", pi.dmabuf_id, pi.size);
	if (!pi.dmabuf_id)
		return;
	F.dmabuf_planes++;
	ids_keep(s, pi.dmabuf_id);
	fd = gfx_get_dmabuf(s->v, pi.dmabuf_id);
	CHECK(fd >= 0, "GET_GFX_DMABUF: %s", strerror(errno));
	if (fd < 0)
		return;
	map = mmap(NULL, pi.size, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED, "dma-buf mmap: %s", strerror(errno));
	if (map == MAP_FAILED) {
		close(fd);
		return;
	}
	CHECK(!gfx_probe_copy(got, map, len) && !memcmp(got, want, len),
	      "the dma-buf's pixels");
	if (chance(40)) {
		/* Unmapped under the plane and the dma-buf. */
		op_dma_unmap_slot(s, s->nr_bufs - 1);
		CHECK(!gfx_probe_copy(got, map, len) && !memcmp(got, want, len),
		      "the dma-buf's pixels after the unmap");
		if (s->planes & Q_REGION) {
			CHECK(!gfx_query(s->v, Q_REGION, 0, &pi) && pi.region_index &&
			      !vfio_region_read(&s->v->dev, pi.region_index, 0, got, len) &&
			      gfx_all(got, 0, len), "the region plane after the unmap");
		}
	}
	munmap(map, pi.size);
	dmabuf_add(fd, pi.size);
}

static const struct {
	void (*fn)(void);
	unsigned int weight;
	const char *name;
} ops[] = {
	{ op_rw, 14, "rw" },
	{ op_rw_fault, 2, "rw_fault" },
	{ op_pte, 14, "pte" },
	{ op_plane, 8, "plane" },
	{ op_cursor, 3, "cursor" },
	{ op_query, 10, "query" },
	{ op_get_dmabuf, 4, "get_dmabuf" },
	{ op_region_info, 4, "region_info" },
	{ op_irq_info, 2, "irq_info" },
	{ op_device_info, 1, "device_info" },
	{ op_set_irqs, 6, "set_irqs" },
	{ op_mmap, 6, "mmap" },
	{ op_touch, 6, "touch" },
	{ op_dma_map, 5, "dma_map" },
	{ op_dma_unmap, 3, "dma_unmap" },
	{ op_reset, 1, "reset" },
	{ op_close_reopen, 1, "close_reopen" },
	{ op_gfx_plane, 1, "gfx_plane" },
	{ op_edid, 4, "edid" },
	{ op_fb, 2, "fb" },
	{ op_cfg, 2, "cfg" },
	{ op_mig, 3, "migration" },
	{ op_feature, 1, "feature" },
	{ op_evfd, 1, "eventfd" },
	{ op_good_plane, 4, "good_plane" },
	{ op_bad_ioctl, 2, "bad_ioctl" },
	{ op_aux, 3, "aux" },
	{ op_migrate, 1, "migrate" },
};

/* ---- setup ---- */

double fuzz_seconds(void)
{
	const char *env = getenv("IVGPU_FUZZ_SECONDS");
	double secs = env ? atof(env) : 20;

	return secs > 0 ? secs : 20;
}

void seed_init(void)
{
	const char *env = getenv("IVGPU_FUZZ_SEED");
	uint64_t seed;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, &seed, sizeof(seed)) != sizeof(seed))
			seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
		if (fd >= 0)
			close(fd);
		seed &= (1ULL << 53) - 1;	/* easy to copy */
	}
	F.seed = seed;
	F.rng = seed;
}

static void common_init(void)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_migration m;
	} u = {
		.f.argsz = sizeof(u),
		.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION,
	};

	gfx_probe_init();
	F.devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(F.devnull, 0);
	F.noaccess = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	ASSERT_TRUE(F.noaccess != MAP_FAILED);
	if (!ioctl(F.slot[0].v->dev.fd, VFIO_DEVICE_FEATURE, &u))
		F.precopy = u.m.flags & (1 << 2);	/* VFIO_MIGRATION_PRE_COPY */
}

TEST(random_operations)
{
	double secs = fuzz_seconds() * 0.7, start = now(), last_check = start;
	const char *max_env = getenv("IVGPU_FUZZ_OPS");
	unsigned long max_ops = max_env ? strtoul(max_env, NULL, 0) : 0;
	unsigned long counts[ARRAY_SIZE(ops)] = { 0 };
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	unsigned int total = 0, removes = 0, i, k;
	char line[1024];
	int n = 0;

	seed_init();
	tap_log("seed %" PRIu64 " (IVGPU_FUZZ_SEED=%" PRIu64 " repeats it), %.1f s",
		F.seed, F.seed, secs);
	tap_defer(fz_cleanup, NULL);
	for (i = 0; i < NR_SLOTS; i++)
		slot_new(&F.slot[i]);
	common_init();
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;

	while (now() - start < secs && (!max_ops || F.ops < max_ops)) {
		unsigned int w = below(total);

		for (k = 0; w >= ops[k].weight; k++)
			w -= ops[k].weight;
		F.ops++;
		/* A vGPU goes away and another comes, now and then. */
		if (!below(400) && removes++ < MAX_REMOVES) {
			op_remove();
			continue;
		}
		counts[k]++;
		ops[k].fn();
		/* Every dma-buf still reads (the seed's sequence stays the same). */
		if (now() - last_check > 1) {
			last_check = now();
			for (i = 0; i < F.nr_dmabufs; i++)
				if (F.dmabufs[i].p)
					touch_ends(&F.dmabufs[i], "dma-buf");
		}
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		n += snprintf(line + n, sizeof(line) - n, " %s %lu", ops[i].name,
			      counts[i]);
	tap_log("%lu operations in %.1f s:%s", F.ops, now() - start, line);
	tap_log("reached: %lu region planes, %lu dma-buf planes, %lu dma-buf fds, %lu mmaps, %lu EDID link ups, %lu stream loads (%lu refused), up to %lu pages pinned",
		F.region_planes, F.dmabuf_planes, F.dmabuf_fds, F.mmaps,
		F.link_ups, F.loads, F.refused_loads, F.max_pinned);

	/* Every vGPU: no pins once closed, removable. */
	F.ops++;
	note("closing and removing every vGPU");
	for (i = 0; i < NR_SLOTS; i++) {
		struct fz_slot *s = &F.slot[i];
		char uuid[MDEV_UUID_LEN];

		memcpy(uuid, s->v->uuid, sizeof(uuid));
		slot_close(s);
		CHECK(slot_remove(s), "vGPU %s not removed", uuid);
	}
	/* Dma-bufs outlive their vGPUs. */
	while (F.nr_dmabufs) {
		if (F.dmabufs[0].p)
			touch(F.dmabufs[0].p, F.dmabufs[0].len, F.dmabufs[0].prot,
			      2, "dma-buf after its vGPU");
		dmabuf_drop(0);
	}
	EXPECT_AVAILABLE(&budget);
}
