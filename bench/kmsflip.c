// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmsflip: a small KMS client for benchmarks B12 and B13, run inside a
 * real guest (bench/guest_display.py). Raw DRM ioctls, the kernel's uapi
 * headers only, no libdrm: it runs on whatever DRM driver the guest has
 * (i915 on a vGPU, bochs, virtio_gpu).
 *
 *   kmsflip [-d DEV] [-m WxH] [-c] [-r FPS] info
 *   kmsflip ... flip SECONDS     page flips between two dumb buffers, each
 *                                waiting for its completion event
 *   kmsflip ... draw SECONDS     per frame: write every pixel of the back
 *                                buffer, flip, wait for the event
 *   kmsflip ... dirty SECONDS    per frame: write every pixel of the one
 *                                buffer shown, then DRM_IOCTL_MODE_DIRTYFB
 *
 * It sets the mode (the connector's first mode, or WxH) on the first
 * connected connector with a dumb buffer of its own, prints
 *
 *   ready driver NAME mode WxH counter PADDR
 *
 * runs for SECONDS (or until killed; draw and dirty at most FPS frames a
 * second with -r: frame n starts n / FPS seconds after the first) and prints
 *
 *   <command> ops N seconds S driver NAME mode WxH [dirtyfb ENOSYS]
 *
 * A pixel of frame F in row Y is 0x00YYFFFF: red is the row (mod 256),
 * green and blue the frame number (mod 65536), so whoever sees the screen
 * can tell which frame it got.
 *
 * PADDR is the guest-physical address of a locked page (with -c, as root:
 * /proc/self/pagemap gives it; 0 otherwise) where kmsflip keeps, after
 * each operation, struct kmsflip_counter: the host reads it (QMP
 * pmemsave) to count the operations between two moments of its own
 * choosing, with nothing else running in the guest in between.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>

struct kmsflip_counter {
	uint64_t magic;		/* KMSFLIP_MAGIC once set up */
	uint64_t ops;		/* operations (flips, frames) done */
	uint64_t frame;		/* the number of the last frame shown */
	uint64_t ns;		/* CLOCK_MONOTONIC at the last operation */
	uint64_t draw_ns;	/* time spent writing pixels, all operations */
};

#define KMSFLIP_MAGIC	0x70696c66736d6bull	/* "kmsflip" */

struct buf {
	uint32_t handle, pitch, fb;
	uint64_t size;
	uint8_t *map;
};

static int fd = -1;
static char driver[64];
static uint32_t crtc_id, conn_id;
static struct drm_mode_modeinfo mode;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kmsflip: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int xioctl(unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && (errno == EINTR || errno == EAGAIN));
	return r;
}

static void must(unsigned long req, void *arg, const char *what)
{
	if (xioctl(req, arg))
		die("%s: %s", what, strerror(errno));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *array(uint32_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		die("out of memory");
	return p;
}

/* The first connected connector, its first mode (or wxh), a CRTC for it. */
static void pick_output(unsigned int w, unsigned int h)
{
	struct drm_mode_card_res res = { 0 };
	uint32_t *conns, *crtcs, *encs;
	unsigned int i, j, k;

	must(DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES");
	conns = array(res.count_connectors, 4);
	crtcs = array(res.count_crtcs, 4);
	encs = array(res.count_encoders, 4);
	res.connector_id_ptr = (uintptr_t)conns;
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.encoder_id_ptr = (uintptr_t)encs;
	res.count_fbs = 0;
	must(DRM_IOCTL_MODE_GETRESOURCES, &res, "GETRESOURCES");

	for (i = 0; i < res.count_connectors; i++) {
		struct drm_mode_get_connector c = { .connector_id = conns[i] };
		struct drm_mode_modeinfo *modes;
		uint32_t *cencs;

		must(DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR");
		if (c.connection != 1 || !c.count_modes)
			continue;
		modes = array(c.count_modes, sizeof(*modes));
		cencs = array(c.count_encoders, 4);
		c.modes_ptr = (uintptr_t)modes;
		c.encoders_ptr = (uintptr_t)cencs;
		c.count_props = 0;
		must(DRM_IOCTL_MODE_GETCONNECTOR, &c, "GETCONNECTOR");
		mode = modes[0];
		for (j = 0; w && j < c.count_modes; j++) {
			if (modes[j].hdisplay == w && modes[j].vdisplay == h) {
				mode = modes[j];
				break;
			}
		}
		if (w && (mode.hdisplay != w || mode.vdisplay != h))
			die("connector %u has no mode %ux%u", conns[i], w, h);
		for (j = 0; j < c.count_encoders && !crtc_id; j++) {
			struct drm_mode_get_encoder e = { .encoder_id = cencs[j] };

			must(DRM_IOCTL_MODE_GETENCODER, &e, "GETENCODER");
			for (k = 0; k < res.count_crtcs; k++) {
				if (e.possible_crtcs & (1u << k)) {
					crtc_id = crtcs[k];
					break;
				}
			}
		}
		conn_id = conns[i];
		free(modes);
		free(cencs);
		if (crtc_id)
			break;
	}
	if (!crtc_id)
		die("no connected connector with a CRTC");
	free(conns);
	free(crtcs);
	free(encs);
}

static void buf_new(struct buf *b)
{
	struct drm_mode_create_dumb c = {
		.width = mode.hdisplay, .height = mode.vdisplay, .bpp = 32,
	};
	struct drm_mode_fb_cmd f = {
		.width = mode.hdisplay, .height = mode.vdisplay, .bpp = 32,
		.depth = 24,
	};
	struct drm_mode_map_dumb m = { 0 };

	must(DRM_IOCTL_MODE_CREATE_DUMB, &c, "CREATE_DUMB");
	b->handle = c.handle;
	b->pitch = c.pitch;
	b->size = c.size;
	f.pitch = c.pitch;
	f.handle = c.handle;
	must(DRM_IOCTL_MODE_ADDFB, &f, "ADDFB");
	b->fb = f.fb_id;
	m.handle = c.handle;
	must(DRM_IOCTL_MODE_MAP_DUMB, &m, "MAP_DUMB");
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      m.offset);
	if (b->map == MAP_FAILED)
		die("mmap of a dumb buffer: %s", strerror(errno));
}

/* Every pixel of frame f: row y is 0x00YYFFFF (see the top). */
static void draw(struct buf *b, unsigned int f)
{
	unsigned int x, y;

	for (y = 0; y < mode.vdisplay; y++) {
		uint32_t v = (y & 0xff) << 16 | (f & 0xffff);
		uint64_t v2 = (uint64_t)v << 32 | v;
		uint64_t *p = (uint64_t *)(b->map + (size_t)y * b->pitch);

		for (x = 0; x < mode.hdisplay / 2u; x++)
			p[x] = v2;
		if (mode.hdisplay & 1)
			((uint32_t *)p)[mode.hdisplay - 1] = v;
	}
}

static void set_crtc(struct buf *b)
{
	struct drm_mode_crtc c = {
		.set_connectors_ptr = (uintptr_t)&conn_id,
		.count_connectors = 1,
		.crtc_id = crtc_id,
		.fb_id = b->fb,
		.mode_valid = 1,
		.mode = mode,
	};

	must(DRM_IOCTL_MODE_SETCRTC, &c, "SETCRTC");
}

/* Flip to b and wait for the flip's completion event. */
static void flip(struct buf *b)
{
	struct drm_mode_crtc_page_flip p = {
		.crtc_id = crtc_id,
		.fb_id = b->fb,
		.flags = DRM_MODE_PAGE_FLIP_EVENT,
	};
	char ev[1024];
	ssize_t n;

	while (ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, &p)) {
		/* A flip still pending (EBUSY) or interrupted: again. */
		if (errno != EBUSY && errno != EINTR)
			die("PAGE_FLIP: %s", strerror(errno));
		usleep(100);
	}
	for (;;) {
		n = read(fd, ev, sizeof(ev));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(struct drm_event))
			die("reading the flip event: %s",
			    n < 0 ? strerror(errno) : "short read");
		if (((struct drm_event *)ev)->type == DRM_EVENT_FLIP_COMPLETE)
			return;
	}
}

/* 0, or the errno of DIRTYFB (ENOSYS: the driver has no dirty hook). */
static int dirtyfb(struct buf *b)
{
	struct drm_mode_fb_dirty_cmd d = { .fb_id = b->fb };

	return xioctl(DRM_IOCTL_MODE_DIRTYFB, &d) ? errno : 0;
}

/* A locked page for the counter; its guest-physical address in *paddr. */
static volatile struct kmsflip_counter *counter_new(int want, uint64_t *paddr)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t entry = 0;
	void *p;
	int f;

	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(p, 0, psz);
	*paddr = 0;
	if (!want)
		return p;
	if (mlock(p, psz))
		die("mlock: %s", strerror(errno));
	f = open("/proc/self/pagemap", O_RDONLY);
	if (f < 0 || pread(f, &entry, 8, (uintptr_t)p / psz * 8) != 8)
		die("/proc/self/pagemap: %s", strerror(errno));
	close(f);
	/* Bit 63: present; bits 0-54: the frame (0 without CAP_SYS_ADMIN). */
	if (!(entry >> 63) || !(entry & ((1ull << 55) - 1)))
		die("no physical address for the counter (not root?)");
	*paddr = (entry & ((1ull << 55) - 1)) * psz;
	return p;
}

static void count(volatile struct kmsflip_counter *c, unsigned int frame)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->frame = frame;
	c->ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	c->ops++;
}

static void usage(void)
{
	fprintf(stderr, "usage: kmsflip [-d DEV] [-m WxH] [-c] [-r FPS] "
		"info | flip SECONDS | draw SECONDS | dirty SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/dri/card0", *cmd;
	unsigned int w = 0, h = 0, frame = 1;
	volatile struct kmsflip_counter *c;
	struct drm_version ver = { 0 };
	int opt, cur = 0, dirty_err = 0, want_counter = 0;
	unsigned long ops = 0;
	uint64_t paddr;
	double secs = 0, fps = 0, t0, t;
	struct buf b[2];

	while ((opt = getopt(argc, argv, "d:m:cr:")) != -1) {
		switch (opt) {
		case 'd': dev = optarg; break;
		case 'm':
			if (sscanf(optarg, "%ux%u", &w, &h) != 2)
				usage();
			break;
		case 'c': want_counter = 1; break;
		case 'r': fps = atof(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	if (strcmp(cmd, "info")) {
		if (optind + 1 >= argc)
			usage();
		secs = atof(argv[optind + 1]);
		if (strcmp(cmd, "flip") && strcmp(cmd, "draw") && strcmp(cmd, "dirty"))
			usage();
	}

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", dev, strerror(errno));
	ver.name = driver;
	ver.name_len = sizeof(driver) - 1;
	must(DRM_IOCTL_VERSION, &ver, "VERSION");
	pick_output(w, h);
	buf_new(&b[0]);
	buf_new(&b[1]);
	draw(&b[0], 0);
	draw(&b[1], 1);
	set_crtc(&b[0]);
	if (!strcmp(cmd, "info")) {
		printf("driver %s mode %ux%u pitch %u dirtyfb %s\n", driver,
		       mode.hdisplay, mode.vdisplay, b[0].pitch,
		       strerror(dirtyfb(&b[0])));
		return 0;
	}
	if (!strcmp(cmd, "flip") || !strcmp(cmd, "draw")) {
		/* One flip first: the CRTC is set up and idle. */
		flip(&b[1]);
		cur = 1;
	}
	c = counter_new(want_counter, &paddr);
	c->frame = frame;
	c->magic = KMSFLIP_MAGIC;
	printf("ready driver %s mode %ux%u counter %#llx\n", driver,
	       mode.hdisplay, mode.vdisplay, (unsigned long long)paddr);
	fflush(stdout);

	t0 = now();
	do {
		if (fps > 0 && strcmp(cmd, "flip")) {
			double wait = t0 + ops / fps - now();

			if (wait > 0)
				usleep(wait * 1e6);
		}
		if (!strcmp(cmd, "flip")) {
			cur ^= 1;
			flip(&b[cur]);
		} else if (!strcmp(cmd, "draw")) {
			cur ^= 1;
			t = now();
			draw(&b[cur], ++frame);
			c->draw_ns += (now() - t) * 1e9;
			flip(&b[cur]);
		} else {
			t = now();
			draw(&b[0], ++frame);
			c->draw_ns += (now() - t) * 1e9;
			dirty_err = dirtyfb(&b[0]);
			if (dirty_err && dirty_err != ENOSYS)
				die("DIRTYFB: %s", strerror(dirty_err));
		}
		count(c, frame);
		ops++;
	} while ((t = now()) - t0 < secs);
	printf("%s ops %lu seconds %.4f driver %s mode %ux%u%s\n", cmd, ops,
	       t - t0, driver, mode.hdisplay, mode.vdisplay,
	       dirty_err ? " dirtyfb ENOSYS" : "");
	return 0;
}
