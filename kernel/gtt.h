/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shadow GTT: for each present entry of a vGPU's GGTT slice, the guest
 * page it points at, pinned through VFIO; and the aperture (BAR2), the CPU's
 * view of graphics memory through those pages.
 */
#ifndef IVGPU_GTT_H
#define IVGPU_GTT_H

#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/xarray.h>

struct ivgpu_vgpu;

struct ivgpu_vgpu_gtt_stats {
	u64 pinned;		/* entries holding a pinned page now */
	u64 pins;		/* successful pins, ever */
	u64 unpins;
	u64 pin_errors;		/* present entries whose page could not be pinned */
	u64 scratch_hits;	/* accesses served by the scratch page */
	u64 invalidated;	/* entries unpinned by a DMA unmap */
};

struct ivgpu_vgpu_gtt {
	/*
	 * Slice index -> pinned struct page, or IVGPU_GTT_UNRESOLVED for a
	 * present entry without one (pin failed, or unmapped): such an entry
	 * is pinned again on its next use. Absent: not present. Changed under
	 * map_lock (gtt.c: a DMA unmap does not take the vGPU lock).
	 */
	struct xarray shadow;
	/* Guest page frame -> the entries that pinned it (gtt.c). map_lock. */
	struct xarray rmap;
	struct mutex map_lock;		/* the shadow, mmap faults (aperture, display), zaps */
	struct address_space *mapping;	/* of the device file's mmaps; map_lock */
	struct page *scratch;		/* what unbacked entries show */
	struct page *sink;		/* maps the GGTT past the slice; at first mmap */
	/* Pins and unpins in progress outside map_lock; map_lock. */
	unsigned int busy;
	unsigned int busy_seq;		/* times busy fell to 0 */
	bool pinning;			/* pinning_iova's page is being pinned */
	bool revoked;			/* a DMA unmap took it: undo the pin */
	u64 pinning_iova;
	wait_queue_head_t idle_wq;	/* woken when busy falls to 0 */
	/*
	 * A PTE written in parts: the shadow follows once all 8 bytes came
	 * (or anything else needs the entry). Protected by the vGPU lock.
	 */
	bool pending;
	u8 pending_bytes;		/* bytes of the entry written so far */
	u64 pending_idx;
	u64 pending_old;		/* the value the shadow reflects */
	/* map_lock */
	struct ivgpu_vgpu_gtt_stats stats;
};

int ivgpu_vgpu_gtt_init(struct ivgpu_vgpu *vgpu);
void ivgpu_vgpu_gtt_fini(struct ivgpu_vgpu *vgpu);

/* All the following are called with the vGPU lock held. */
void ivgpu_vgpu_gtt_write(struct ivgpu_vgpu *vgpu, u32 off, u64 val, u32 bytes);
void ivgpu_vgpu_gtt_reset(struct ivgpu_vgpu *vgpu);
/*
 * Before a new user opens the device: a scratch page the last user can
 * still reach (through a dma-buf it kept) is replaced by a new one.
 */
int ivgpu_vgpu_gtt_new_user(struct ivgpu_vgpu *vgpu);
/*
 * After the GGTT was replaced wholesale (migration): every present entry is
 * pinned again when next used. The shadow must be empty (after a reset).
 */
void ivgpu_vgpu_gtt_rebuild(struct ivgpu_vgpu *vgpu);

/* Pin entry @idx's page if it is present and has none yet. */
void ivgpu_vgpu_gtt_resolve(struct ivgpu_vgpu *vgpu, u64 idx);

/*
 * The page behind entry @idx, pinning it if needed; the scratch page if
 * there is none. Never NULL; referenced: the caller puts it.
 */
struct page *ivgpu_vgpu_gtt_get(struct ivgpu_vgpu *vgpu, u64 idx);

/* The pinned page of @idx, or NULL; under map_lock. */
struct page *ivgpu_vgpu_gtt_peek(struct ivgpu_vgpu *vgpu, u64 idx);

/*
 * VFIO's dma_unmap callback: without the vGPU lock, which a pin holds while
 * it waits for VFIO's locks (gtt.c).
 */
void ivgpu_vgpu_gtt_dma_unmap(struct ivgpu_vgpu *vgpu, u64 iova, u64 length);

/*
 * Move bytes between userspace and the pages @page_of (called under the
 * vGPU lock, never NULL, referenced) returns for page numbers from @off on.
 * Writes to the scratch page are dropped.
 */
ssize_t ivgpu_vgpu_page_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
			   size_t count, u64 off, bool write,
			   struct page *(*page_of)(struct ivgpu_vgpu *vgpu, u64 n));

/* Aperture access through the device fd and mmap. */
ssize_t ivgpu_vgpu_aperture_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
			       size_t count, u64 off, bool write);
int ivgpu_vgpu_aperture_mmap(struct ivgpu_vgpu *vgpu,
			     struct vm_area_struct *vma);
/*
 * mmap of the GGTT entries past the slice (BAR0's mmap-able area): every
 * page maps the vGPU's sink page, so a guest clearing the whole GGTT does
 * not trap for entries that are dropped anyway.
 */
int ivgpu_vgpu_ggtt_sink_mmap(struct ivgpu_vgpu *vgpu,
			      struct vm_area_struct *vma);

#endif /* IVGPU_GTT_H */
