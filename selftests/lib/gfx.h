/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gfx.h: the display registers and VFIO display calls that the fuzz, fault
 * and security tests share (display.c has its own, fuller set), and
 * probing memory that may fault: touching a mapping under sigsetjmp so
 * that a SIGBUS or SIGSEGV is a result, not a crash.
 */
#ifndef IVGPU_SELFTESTS_GFX_H
#define IVGPU_SELFTESTS_GFX_H

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ivgpu.h"

#define GFX_PAGE		4096UL

/* Display registers of a pipe (docs/display.md). */
#define GFX_PIPESRC(p)		(0x6001c + 0x1000 * (p))
#define GFX_CURCNTR(p)		(0x70080 + 0x1000 * (p))
#define GFX_CURBASE(p)		(0x70084 + 0x1000 * (p))
#define GFX_CURPOS(p)		(0x70088 + 0x1000 * (p))
#define GFX_PLANE_CTL(p)	(0x70180 + 0x1000 * (p))
#define  GFX_CTL_ENABLE		(1u << 31)
#define  GFX_FMT_XRGB8888	(4u << 24)
#define GFX_PLANE_STRIDE(p)	(0x70188 + 0x1000 * (p))
#define GFX_PLANE_POS(p)	(0x7018c + 0x1000 * (p))
#define GFX_PLANE_SIZE(p)	(0x70190 + 0x1000 * (p))
#define GFX_PLANE_SURF(p)	(0x7019c + 0x1000 * (p))
#define GFX_PLANE_OFFSET(p)	(0x701a4 + 0x1000 * (p))

#define GFX_PRIMARY		1	/* DRM_PLANE_TYPE_PRIMARY */
#define GFX_CURSOR		2	/* DRM_PLANE_TYPE_CURSOR */

/* Largest frame of a type, 4 bytes a pixel: the plane regions' size. */
static inline uint64_t gfx_frame_size(const struct ivgpu_type *t)
{
	unsigned int x = 0, y = 0;

	sscanf(t->resolution, "%ux%u", &x, &y);
	return ((uint64_t)x * y * 4 + GFX_PAGE - 1) & ~(GFX_PAGE - 1);
}

static inline void gfx_max_res(const struct ivgpu_type *t, uint32_t *x,
			       uint32_t *y)
{
	unsigned int a = 0, b = 0;

	sscanf(t->resolution, "%ux%u", &a, &b);
	*x = a;
	*y = b;
}

/* Write the ivgpu/gfx_plane attribute: 0 or -errno. */
static inline int gfx_plane_set(const char *uuid, const char *mode)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/ivgpu/gfx_plane",
		 uuid);
	return sysfs_write(path, mode);
}

/*
 * Pipe on, primary plane XRGB8888 linear: width x height pixels, lines
 * stride_reg * 64 bytes apart, at graphics address gm. PLANE_SURF last.
 */
static inline void gfx_plane_linear(struct vgpu *v, int pipe, uint64_t gm,
				    uint32_t width, uint32_t height,
				    uint32_t stride_reg)
{
	bar0_write32(v, GFX_PIPESRC(pipe), (width - 1) << 16 | (height - 1));
	bar0_write32(v, GFX_PLANE_STRIDE(pipe), stride_reg);
	bar0_write32(v, GFX_PLANE_SIZE(pipe), (height - 1) << 16 | (width - 1));
	bar0_write32(v, GFX_PLANE_OFFSET(pipe), 0);
	bar0_write32(v, GFX_PLANE_CTL(pipe), GFX_CTL_ENABLE | GFX_FMT_XRGB8888);
	bar0_write32(v, GFX_PLANE_SURF(pipe), (uint32_t)gm);
	bar0_write32(v, TRANSCONF(pipe), TRANSCONF_ENABLE);
}

/* VFIO_DEVICE_QUERY_GFX_PLANE: what ioctl() returns. */
static inline int gfx_query(struct vgpu *v, uint32_t flags, uint32_t type,
			    struct vfio_device_gfx_plane_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->argsz = sizeof(*pi);
	pi->flags = flags;
	pi->drm_plane_type = type;
	return ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, pi);
}

/* VFIO_DEVICE_GET_GFX_DMABUF: the fd, or -1 with errno. */
static inline int gfx_get_dmabuf(struct vgpu *v, uint32_t id)
{
	return ioctl(v->dev.fd, VFIO_DEVICE_GET_GFX_DMABUF, &id);
}

/* The dma-buf of the primary plane (which must be offered and shown). */
static inline int gfx_primary_dmabuf(struct vgpu *v, size_t *size)
{
	struct vfio_device_gfx_plane_info pi;
	int fd;

	ASSERT_OK(gfx_query(v, VFIO_GFX_PLANE_TYPE_DMABUF, GFX_PRIMARY, &pi));
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = gfx_get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	if (size)
		*size = pi.size;
	return fd;
}

/* ---- memory that may fault ---- */

static __thread sigjmp_buf gfx_probe_jmp;
static __thread volatile sig_atomic_t gfx_probe_armed;

static inline void gfx_probe_handler(int sig)
{
	if (gfx_probe_armed)
		siglongjmp(gfx_probe_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Catch SIGBUS and SIGSEGV for gfx_probe() (once per process). */
static inline void gfx_probe_init(void)
{
	struct sigaction sa = { .sa_handler = gfx_probe_handler };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/*
 * Read (and, if write, write back inverted then restore) the byte at p:
 * 0, or the signal that the access raised. *val gets what was read.
 */
static inline int gfx_probe(volatile uint8_t *p, bool write, uint8_t *val)
{
	int sig;

	sig = sigsetjmp(gfx_probe_jmp, 1);
	if (sig) {
		gfx_probe_armed = 0;
		return sig;
	}
	gfx_probe_armed = 1;
	*val = *p;
	if (write) {
		*p = (uint8_t)~*val;
		*p = *val;
	}
	gfx_probe_armed = 0;
	return 0;
}

/* Copy len bytes from a mapping that may fault: 0 or the signal. */
static inline int gfx_probe_copy(void *dst, const volatile void *src,
				 size_t len)
{
	int sig;

	sig = sigsetjmp(gfx_probe_jmp, 1);
	if (sig) {
		gfx_probe_armed = 0;
		return sig;
	}
	gfx_probe_armed = 1;
	memcpy(dst, (const void *)src, len);
	gfx_probe_armed = 0;
	return 0;
}

/* Write len bytes of c to a mapping that may fault: 0 or the signal. */
static inline int gfx_probe_fill(volatile void *dst, int c, size_t len)
{
	int sig;

	sig = sigsetjmp(gfx_probe_jmp, 1);
	if (sig) {
		gfx_probe_armed = 0;
		return sig;
	}
	gfx_probe_armed = 1;
	memset((void *)dst, c, len);
	gfx_probe_armed = 0;
	return 0;
}

/* True if len bytes at p are all c. */
static inline bool gfx_all(const uint8_t *p, int c, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)c)
			return false;
	return true;
}

#endif /* IVGPU_SELFTESTS_GFX_H */
