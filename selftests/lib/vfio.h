/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio.h: a small VFIO user library for mdev devices, using the legacy
 * container/group API as QEMU does.
 *
 * Functions that return int give 0 (or a count) on success and -errno on
 * failure. The vfio_readN()/vfio_writeN() and vfio_cfg_*() helpers return
 * values directly; when the access fails they call the error handler (see
 * vfio_set_error_handler()), which by default prints and aborts.
 */
#ifndef IVGPU_SELFTESTS_VFIO_H
#define IVGPU_SELFTESTS_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#define VFIO_MAX_REGIONS	16
#define VFIO_MAX_DMA_MAPS	32

struct vfio_region {
	uint64_t offset;	/* in the device fd */
	uint64_t size;
	uint32_t flags;
};

struct vfio_guest_map {
	void *vaddr;
	uint64_t iova;
	uint64_t size;
};

struct vfio_dev {
	int container;
	int group;
	int fd;			/* the device fd, -1 once closed */
	struct vfio_device_info info;
	struct vfio_region regions[VFIO_MAX_REGIONS];

	/* Guest memory: a bump allocator over the container's IOVA space. */
	uint64_t iova_next;
	uint64_t iova_end;
	struct vfio_guest_map maps[VFIO_MAX_DMA_MAPS];
};

/* ---- opening ---- */

/* Open the mdev with this UUID: container, group, IOMMU, device fd. */
int vfio_open_mdev(struct vfio_dev *d, const char *uuid);
/* Close the device fd only (the group and container stay). */
void vfio_close_device(struct vfio_dev *d);
/* Unmap guest memory, close the device, group and container. */
void vfio_close(struct vfio_dev *d);

/* ---- info ---- */

/*
 * Region info including the capability chain. Returns a malloc()ed
 * buffer (free() it) or NULL with errno set.
 */
struct vfio_region_info *vfio_region_info(struct vfio_dev *d,
					  unsigned int index);
/* The capability with this id in a region info, or NULL. */
struct vfio_info_cap_header *
vfio_region_cap(struct vfio_region_info *info, uint16_t id);
int vfio_irq_info(struct vfio_dev *d, unsigned int index,
		  struct vfio_irq_info *info);

/* ---- region access ---- */

/* Any length, one pread()/pwrite(); a short transfer gives -EIO. */
int vfio_region_read(struct vfio_dev *d, unsigned int index, uint64_t off,
		     void *buf, size_t len);
int vfio_region_write(struct vfio_dev *d, unsigned int index, uint64_t off,
		      const void *buf, size_t len);
/* One access of 1, 2, 4 or 8 bytes; values are little-endian on the fd. */
int vfio_region_read_n(struct vfio_dev *d, unsigned int index, uint64_t off,
		       unsigned int size, uint64_t *val);
int vfio_region_write_n(struct vfio_dev *d, unsigned int index, uint64_t off,
			unsigned int size, uint64_t val);

uint8_t vfio_read8(struct vfio_dev *d, unsigned int index, uint64_t off);
uint16_t vfio_read16(struct vfio_dev *d, unsigned int index, uint64_t off);
uint32_t vfio_read32(struct vfio_dev *d, unsigned int index, uint64_t off);
uint64_t vfio_read64(struct vfio_dev *d, unsigned int index, uint64_t off);
void vfio_write8(struct vfio_dev *d, unsigned int index, uint64_t off,
		 uint8_t val);
void vfio_write16(struct vfio_dev *d, unsigned int index, uint64_t off,
		  uint16_t val);
void vfio_write32(struct vfio_dev *d, unsigned int index, uint64_t off,
		  uint32_t val);
void vfio_write64(struct vfio_dev *d, unsigned int index, uint64_t off,
		  uint64_t val);

/* Config space (the CONFIG region). */
#define vfio_cfg_read8(d, off)	vfio_read8(d, VFIO_PCI_CONFIG_REGION_INDEX, off)
#define vfio_cfg_read16(d, off)	vfio_read16(d, VFIO_PCI_CONFIG_REGION_INDEX, off)
#define vfio_cfg_read32(d, off)	vfio_read32(d, VFIO_PCI_CONFIG_REGION_INDEX, off)
#define vfio_cfg_write8(d, off, v) \
	vfio_write8(d, VFIO_PCI_CONFIG_REGION_INDEX, off, v)
#define vfio_cfg_write16(d, off, v) \
	vfio_write16(d, VFIO_PCI_CONFIG_REGION_INDEX, off, v)
#define vfio_cfg_write32(d, off, v) \
	vfio_write32(d, VFIO_PCI_CONFIG_REGION_INDEX, off, v)

/*
 * mmap() len bytes of a region from off, shared, read-write; NULL with
 * errno set on failure. Undo with munmap().
 */
void *vfio_region_mmap(struct vfio_dev *d, unsigned int index, uint64_t off,
		       size_t len);

/*
 * Called when a value-returning helper fails: what names the access, err
 * is a positive errno. The handler is not expected to return.
 */
void vfio_set_error_handler(void (*fn)(const char *what, int err));

/* ---- guest memory ---- */

/* Allocate size bytes (page multiple) of anonymous memory, map it for DMA. */
void *vfio_dma_alloc(struct vfio_dev *d, size_t size, uint64_t *iova);
/* Unmap and free what vfio_dma_alloc() returned. */
int vfio_dma_free(struct vfio_dev *d, void *vaddr);

/* ---- interrupts ---- */

/* SET_IRQS with a raw header and payload, for error-path tests. */
int vfio_irq_set(struct vfio_dev *d, unsigned int index, uint32_t flags,
		 uint32_t start, uint32_t count, const void *data,
		 size_t data_len);
/* Route count vectors from start to eventfds (-1: none). */
int vfio_irq_set_eventfds(struct vfio_dev *d, unsigned int index,
			  uint32_t start, uint32_t count, const int *fds);
int vfio_irq_set_eventfd(struct vfio_dev *d, unsigned int index, int fd);
/* Unmask vector 0 whenever the eventfd is signalled (-1: stop). */
int vfio_irq_unmask_eventfd(struct vfio_dev *d, unsigned int index, int fd);
int vfio_irq_disable(struct vfio_dev *d, unsigned int index);
int vfio_irq_mask(struct vfio_dev *d, unsigned int index, uint32_t vector);
int vfio_irq_unmask(struct vfio_dev *d, unsigned int index, uint32_t vector);

/* A new non-blocking eventfd, or -errno. */
int vfio_eventfd(void);
/*
 * Wait up to timeout_ms for the eventfd to be signalled; the counter it
 * read (> 0), 0 on timeout, or -errno.
 */
int64_t vfio_eventfd_wait(int fd, int timeout_ms);

/* ---- reset ---- */

int vfio_reset(struct vfio_dev *d);

#endif /* IVGPU_SELFTESTS_VFIO_H */
