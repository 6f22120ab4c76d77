// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shadow GTT and aperture.
 *
 * A PTE write pins the guest page it points at (vfio_pin_pages), unless the
 * entry already holds that page; a changed or cleared entry is unpinned
 * after any aperture mapping of it was zapped. An entry whose page can't be
 * pinned (its IOVA is not mapped in the container) shows the per-vGPU
 * scratch page and counts a pin error; so does an entry whose range
 * userspace unmapped. Such entries are retried when next used from process
 * context, so a range mapped again comes back.
 *
 * A reverse map from guest page frame to the entries that pinned it lets a
 * DMA unmap visit only the entries it unmaps, however many others are
 * pinned.
 *
 * Locking. The vGPU lock orders everything that pins or unpins: one at a
 * time per vGPU. VFIO calls dma_unmap with its own locks held, the ones
 * vfio_pin_pages() waits for (iommu->lock -> device_list_lock), so that
 * callback must not wait for a lock held across a pin: it never takes the
 * vGPU lock. The shadow and the reverse map change under map_lock, which
 * nothing holds across a pin or an unpin: whoever takes a page out of the
 * shadow under map_lock owns its unpin, done once map_lock is dropped.
 * Aperture page faults run under the faulting process's mmap lock, where
 * pinning would nest mmap locks, so they only read the shadow, under
 * map_lock; every change of an entry zaps the aperture page before the old
 * page is unpinned, so no mapping outlives its pin. Users of a page beyond
 * map_lock hold a reference (ivgpu_vgpu_gtt_get).
 *
 * VFIO calls dma_unmap again while a page of the range stays pinned, and
 * gives up with a BUG after ten tries. So the callback waits for a pin or
 * unpin in progress outside map_lock; a pin of a page in the range is
 * revoked and undone by its own thread. The wait is bounded: that thread
 * may be waiting for iommu->lock, held by a third thread (a device joining
 * the container) that waits for the device_list_lock our caller holds.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/ivgpu.h>
#include "compat.h"
#include "debugfs.h"
#include "core/ggtt.h"
#include "gpu.h"
#include "vgpu.h"

#define IVGPU_GTT_UNRESOLVED	xa_mk_value(1)
/* How long a DMA unmap waits for a pin or unpin in progress. */
#define IVGPU_GTT_UNMAP_WAIT	HZ
#define IVGPU_APERTURE_OFFSET	((u64)VFIO_PCI_BAR2_REGION_INDEX << IVGPU_REGION_SHIFT)

/* The entries of a frame that several entries pinned: idx -> a marker. */
struct ivgpu_gtt_rmap_set {
	struct xarray entries;
};

static bool ivgpu_pte_present(u64 pte)
{
	return pte & IVGPU_PTE_PRESENT;
}

static u64 ivgpu_pte_addr(u64 pte)
{
	return pte & IVGPU_PTE_ADDR_MASK;
}

static u64 ivgpu_vgpu_aperture_pages(struct ivgpu_vgpu *vgpu)
{
	return ivgpu_type_low_gm(vgpu->type->profile) >> PAGE_SHIFT;
}

int ivgpu_vgpu_gtt_init(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;

	gtt->scratch = ivgpu_fail_alloc() ? NULL :
		       alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!gtt->scratch)
		return -ENOMEM;
	xa_init(&gtt->shadow);
	xa_init(&gtt->rmap);
	mutex_init(&gtt->map_lock);
	init_waitqueue_head(&gtt->idle_wq);
	return 0;
}

/* Empty the reverse map (empty already once every pin is released). */
static void ivgpu_gtt_rmap_destroy(struct ivgpu_vgpu_gtt *gtt)
{
	struct ivgpu_gtt_rmap_set *set;
	unsigned long frame;
	void *cur;

	xa_for_each(&gtt->rmap, frame, cur) {
		if (xa_is_value(cur))
			continue;
		set = cur;
		xa_destroy(&set->entries);
		kfree(set);
	}
	xa_destroy(&gtt->rmap);
}

void ivgpu_vgpu_gtt_fini(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;

	/* Close released every pin: only value entries can be left. */
	xa_destroy(&gtt->shadow);
	ivgpu_gtt_rmap_destroy(gtt);
	mutex_destroy(&gtt->map_lock);
	put_page(gtt->scratch);	/* a dma-buf may hold it still */
	if (gtt->sink)
		put_page(gtt->sink);
}

/* Drop aperture mappings of entries [idx, idx + n). */
static void ivgpu_vgpu_aperture_zap(struct ivgpu_vgpu *vgpu, u64 idx, u64 n)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	u64 pages = ivgpu_vgpu_aperture_pages(vgpu);

	lockdep_assert_held(&gtt->map_lock);
	if (!gtt->mapping || idx >= pages)
		return;
	n = min(n, pages - idx);
	unmap_mapping_range(gtt->mapping,
			    IVGPU_APERTURE_OFFSET + (idx << PAGE_SHIFT),
			    n << PAGE_SHIFT, 1);
}

/*
 * The reverse map (map_lock): frame -> xa_mk_value(idx) while one entry
 * pinned it, an ivgpu_gtt_rmap_set once several did.
 */
static int ivgpu_gtt_rmap_add(struct ivgpu_vgpu_gtt *gtt, unsigned long frame,
			      u64 idx)
{
	struct ivgpu_gtt_rmap_set *set;
	void *cur = xa_load(&gtt->rmap, frame);
	int ret;

	if (!cur)
		return xa_err(xa_store(&gtt->rmap, frame, xa_mk_value(idx),
				       GFP_KERNEL_ACCOUNT));
	if (!xa_is_value(cur)) {
		set = cur;
		return xa_err(xa_store(&set->entries, idx, xa_mk_value(0),
				       GFP_KERNEL_ACCOUNT));
	}
	set = ivgpu_fail_alloc() ? NULL : kmalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	xa_init(&set->entries);
	ret = xa_err(xa_store(&set->entries, xa_to_value(cur), xa_mk_value(0),
			      GFP_KERNEL_ACCOUNT));
	if (!ret)
		ret = xa_err(xa_store(&set->entries, idx, xa_mk_value(0),
				      GFP_KERNEL_ACCOUNT));
	if (ret) {
		xa_destroy(&set->entries);
		kfree(set);
		return ret;
	}
	/* Replacing a present slot allocates nothing. */
	xa_store(&gtt->rmap, frame, set, GFP_KERNEL_ACCOUNT);
	return 0;
}

static void ivgpu_gtt_rmap_del(struct ivgpu_vgpu_gtt *gtt, unsigned long frame,
			       u64 idx)
{
	struct ivgpu_gtt_rmap_set *set;
	void *cur = xa_load(&gtt->rmap, frame);

	if (!cur)
		return;
	if (xa_is_value(cur)) {
		if (xa_to_value(cur) == idx)
			xa_erase(&gtt->rmap, frame);
		return;
	}
	set = cur;
	xa_erase(&set->entries, idx);
	if (xa_empty(&set->entries)) {
		xa_erase(&gtt->rmap, frame);
		xa_destroy(&set->entries);
		kfree(set);
	}
}

/* One entry that pinned @frame. */
static u64 ivgpu_gtt_rmap_any(void *cur)
{
	struct ivgpu_gtt_rmap_set *set = cur;
	unsigned long idx = 0;

	if (xa_is_value(cur))
		return xa_to_value(cur);
	xa_find(&set->entries, &idx, ULONG_MAX, XA_PRESENT);
	return idx;
}

/*
 * Pins to drop once map_lock is released; counted busy meanwhile. A batch
 * (@batch) also gathers the zaps of the entries it changes, [first, last],
 * into one range zap done before map_lock is dropped.
 */
#define IVGPU_GTT_BATCH 16
struct ivgpu_gtt_unpins {
	u64 room[IVGPU_GTT_BATCH];
	u64 *many;		/* NULL, or a larger queue of @cap */
	unsigned int n, cap;
	bool batch;
	bool changed;
	u64 first, last;
};

static u64 *ivgpu_gtt_queued(struct ivgpu_gtt_unpins *u)
{
	return u->many ? u->many : u->room;
}

static void ivgpu_gtt_busy_end(struct ivgpu_vgpu_gtt *gtt, unsigned int n)
{
	lockdep_assert_held(&gtt->map_lock);
	gtt->busy -= n;
	if (!gtt->busy) {
		gtt->busy_seq++;
		wake_up_all(&gtt->idle_wq);
	}
}

static void ivgpu_gtt_queue_unpin(struct ivgpu_vgpu_gtt *gtt,
				  struct ivgpu_gtt_unpins *u, u64 iova)
{
	lockdep_assert_held(&gtt->map_lock);
	ivgpu_gtt_queued(u)[u->n++] = iova;
	gtt->busy++;
}

/* Release map_lock, then the pins queued on @u under it. */
static void ivgpu_gtt_unlock(struct ivgpu_vgpu *vgpu,
			     struct ivgpu_gtt_unpins *u)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	u64 *iova = ivgpu_gtt_queued(u);
	unsigned int i, run;

	if (u->changed) {
		ivgpu_vgpu_aperture_zap(vgpu, u->first, u->last - u->first + 1);
		ivgpu_vgpu_display_entries_changed(vgpu, u->first,
						   u->last - u->first + 1);
		u->changed = false;
	}
	mutex_unlock(&gtt->map_lock);
	if (!u->n)
		return;
	/* IOVA-contiguous pins go back in one call. */
	for (i = 0; i < u->n; i += run) {
		for (run = 1; i + run < u->n; run++)
			if (iova[i + run] != iova[i] + run * PAGE_SIZE)
				break;
		vfio_unpin_pages(&vgpu->vdev, iova[i], run);
	}
	mutex_lock(&gtt->map_lock);
	ivgpu_gtt_busy_end(gtt, u->n);
	mutex_unlock(&gtt->map_lock);
	u->n = 0;
}

/*
 * Entry @idx shows @entry from now on (map_lock held): a page pinned for it
 * at @iova, IVGPU_GTT_UNRESOLVED or NULL (absent); what mapped the old one
 * is zapped. A page the entry held, pinned at @held, leaves the reverse map
 * and is queued on @u. A new page that can't be kept for want of memory is
 * queued too, leaving the entry unresolved (absent if even that fails).
 */
static void ivgpu_gtt_store(struct ivgpu_vgpu *vgpu, u64 idx, void *entry,
			    u64 iova, u64 held, struct ivgpu_gtt_unpins *u)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	void *cur = xa_load(&gtt->shadow, idx);
	bool page = entry && !xa_is_value(entry);

	lockdep_assert_held(&gtt->map_lock);
	if (cur && !xa_is_value(cur)) {
		ivgpu_gtt_rmap_del(gtt, held >> PAGE_SHIFT, idx);
		gtt->stats.unpins++;
		gtt->stats.pinned--;
		atomic_long_dec(&ivgpu_live.pinned);
		ivgpu_gtt_queue_unpin(gtt, u, held);
	}
	if (page && ivgpu_gtt_rmap_add(gtt, iova >> PAGE_SHIFT, idx)) {
		gtt->stats.pin_errors++;
		ivgpu_gtt_queue_unpin(gtt, u, iova);
		entry = IVGPU_GTT_UNRESOLVED;
		page = false;
	}
	if (!entry || xa_is_err(xa_store(&gtt->shadow, idx, entry,
					 GFP_KERNEL_ACCOUNT))) {
		xa_erase(&gtt->shadow, idx);
		if (page) {
			ivgpu_gtt_rmap_del(gtt, iova >> PAGE_SHIFT, idx);
			ivgpu_gtt_queue_unpin(gtt, u, iova);
		}
		page = false;
	}
	if (page) {
		gtt->stats.pins++;
		gtt->stats.pinned++;
		atomic_long_inc(&ivgpu_live.pinned);
	}
	if (!u->batch) {
		ivgpu_vgpu_aperture_zap(vgpu, idx, 1);
		ivgpu_vgpu_display_entries_changed(vgpu, idx, 1);
		return;
	}
	if (!u->changed || idx < u->first)
		u->first = idx;
	if (!u->changed || idx > u->last)
		u->last = idx;
	u->changed = true;
}

/* A batch with no room for another entry's two unpins goes now. */
static void ivgpu_gtt_batch_room(struct ivgpu_vgpu *vgpu,
				 struct ivgpu_gtt_unpins *u)
{
	if (u->n + 2 <= (u->many ? u->cap : IVGPU_GTT_BATCH))
		return;
	ivgpu_gtt_unlock(vgpu, u);
	mutex_lock(&vgpu->gtt.map_lock);
}

/*
 * Pin the page at @iova (vGPU lock held, map_lock not). Returns with
 * map_lock held: the page, for the caller to store, or NULL.
 */
static struct page *ivgpu_gtt_pin(struct ivgpu_vgpu *vgpu, u64 iova)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	struct page *page;
	int ret;

	mutex_lock(&gtt->map_lock);
	gtt->busy++;
	gtt->pinning = true;
	gtt->pinning_iova = iova;
	gtt->revoked = false;
	mutex_unlock(&gtt->map_lock);

	ret = vfio_pin_pages(&vgpu->vdev, iova, 1, IOMMU_READ | IOMMU_WRITE,
			     &page);

	mutex_lock(&gtt->map_lock);
	gtt->pinning = false;
	if (ret == 1 && gtt->revoked) {
		/* A DMA unmap of the page came meanwhile and waits for this. */
		mutex_unlock(&gtt->map_lock);
		vfio_unpin_pages(&vgpu->vdev, iova, 1);
		mutex_lock(&gtt->map_lock);
		ret = -EAGAIN;
	}
	ivgpu_gtt_busy_end(gtt, 1);
	if (ret == 1)
		return page;
	gtt->stats.pin_errors++;
	dev_dbg_ratelimited(vgpu->vdev.dev,
			    "GGTT entry points at unmapped IOVA 0x%llx (%d)\n",
			    iova, ret);
	return NULL;
}

/* Entry @idx changed from @old (what the shadow reflects) to @new. */
static void ivgpu_vgpu_gtt_update(struct ivgpu_vgpu *vgpu, u64 idx, u64 old,
				  u64 new)
{
	struct ivgpu_gtt_unpins u = {};
	void *cur = xa_load(&vgpu->gtt.shadow, idx);
	void *entry = NULL;

	if (cur && !xa_is_value(cur) && ivgpu_pte_present(new) &&
	    ivgpu_pte_addr(new) == ivgpu_pte_addr(old))
		return;		/* same page: keep the pin */
	if (!cur && !ivgpu_pte_present(new))
		return;
	if (ivgpu_pte_present(new)) {
		entry = ivgpu_gtt_pin(vgpu, ivgpu_pte_addr(new));
		if (!entry)
			entry = IVGPU_GTT_UNRESOLVED;
	} else {
		mutex_lock(&vgpu->gtt.map_lock);
	}
	ivgpu_gtt_store(vgpu, idx, entry, ivgpu_pte_addr(new),
			ivgpu_pte_addr(old), &u);
	ivgpu_gtt_unlock(vgpu, &u);
}

/* Bring the shadow of a part-written entry up to date. */
static void ivgpu_vgpu_gtt_flush(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;

	if (!gtt->pending)
		return;
	gtt->pending = false;
	ivgpu_vgpu_gtt_update(vgpu, gtt->pending_idx, gtt->pending_old,
			      ivgpu_ggtt_entry(&vgpu->core, gtt->pending_idx));
}

void ivgpu_vgpu_gtt_write(struct ivgpu_vgpu *vgpu, u32 off, u64 val, u32 bytes)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	u64 idx = off / 8, old;
	u8 written = ((1u << bytes) - 1) << (off % 8);

	lockdep_assert_held(&vgpu->lock);
	if (idx >= vgpu->core.ggtt_entries) {
		ivgpu_ggtt_write(&vgpu->core, off, val, bytes);
		dev_dbg_ratelimited(vgpu->vdev.dev,
				    "GGTT write outside the slice at entry %llu dropped\n",
				    idx);
		return;
	}
	if (gtt->pending && gtt->pending_idx != idx)
		ivgpu_vgpu_gtt_flush(vgpu);

	old = ivgpu_ggtt_entry(&vgpu->core, idx);
	ivgpu_ggtt_write(&vgpu->core, off, val, bytes);

	if (!gtt->pending) {
		if (bytes == 8) {
			ivgpu_vgpu_gtt_update(vgpu, idx, old,
					      ivgpu_ggtt_entry(&vgpu->core, idx));
			return;
		}
		gtt->pending = true;
		gtt->pending_idx = idx;
		gtt->pending_old = old;
		gtt->pending_bytes = 0;
	}
	gtt->pending_bytes |= written;
	if (gtt->pending_bytes == 0xff)
		ivgpu_vgpu_gtt_flush(vgpu);
}

void ivgpu_vgpu_gtt_resolve(struct ivgpu_vgpu *vgpu, u64 idx)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	struct ivgpu_gtt_unpins u = {};
	struct page *page;
	u64 pte;

	lockdep_assert_held(&vgpu->lock);
	if (gtt->pending && gtt->pending_idx == idx)
		ivgpu_vgpu_gtt_flush(vgpu);
	if (xa_load(&gtt->shadow, idx) != IVGPU_GTT_UNRESOLVED)
		return;
	pte = ivgpu_ggtt_entry(&vgpu->core, idx);
	page = ivgpu_gtt_pin(vgpu, ivgpu_pte_addr(pte));
	/* Only the vGPU lock's holder resolves entries: it still is unresolved. */
	if (page)
		ivgpu_gtt_store(vgpu, idx, page, ivgpu_pte_addr(pte), 0, &u);
	ivgpu_gtt_unlock(vgpu, &u);
}

struct page *ivgpu_vgpu_gtt_get(struct ivgpu_vgpu *vgpu, u64 idx)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	struct page *page;

	ivgpu_vgpu_gtt_resolve(vgpu, idx);
	mutex_lock(&gtt->map_lock);
	page = ivgpu_vgpu_gtt_peek(vgpu, idx);
	if (!page) {
		gtt->stats.scratch_hits++;
		page = gtt->scratch;
	}
	get_page(page);
	mutex_unlock(&gtt->map_lock);
	return page;
}

/* The PTE value the shadow of @idx reflects (a part-written entry's old one). */
static u64 ivgpu_vgpu_gtt_shadowed(struct ivgpu_vgpu *vgpu, u64 idx)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;

	if (gtt->pending && gtt->pending_idx == idx)
		return gtt->pending_old;
	return ivgpu_ggtt_entry(&vgpu->core, idx);
}

/*
 * Userspace unmapped [iova, iova + length): unpin every page in it now (the
 * IOMMU driver insists), and let those entries show scratch until their
 * memory is mapped again. The reverse map names them. Called by VFIO with
 * its locks held: see the locking notes at the top.
 */
void ivgpu_vgpu_gtt_dma_unmap(struct ivgpu_vgpu *vgpu, u64 iova, u64 length)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	unsigned long first = iova >> PAGE_SHIFT, frame;
	unsigned long last = (iova + (length - 1)) >> PAGE_SHIFT;
	struct ivgpu_gtt_unpins u = { .batch = true };
	unsigned int busy, seq;
	void *cur;

	if (!length)
		return;
	mutex_lock(&gtt->map_lock);
	for (;;) {
		/* Before the lookup: making room drops map_lock. */
		ivgpu_gtt_batch_room(vgpu, &u);
		frame = first;
		cur = xa_find(&gtt->rmap, &frame, last, XA_PRESENT);
		if (!cur)
			break;
		/* Taking the page out of the shadow makes its unpin ours. */
		ivgpu_gtt_store(vgpu, ivgpu_gtt_rmap_any(cur),
				IVGPU_GTT_UNRESOLVED, 0, (u64)frame << PAGE_SHIFT,
				&u);
		gtt->stats.invalidated++;
		first = frame;
	}
	ivgpu_gtt_unlock(vgpu, &u);
	mutex_lock(&gtt->map_lock);
	if (gtt->pinning && gtt->pinning_iova >= iova &&
	    gtt->pinning_iova - iova < length)
		gtt->revoked = true;
	busy = gtt->busy;
	seq = gtt->busy_seq;
	mutex_unlock(&gtt->map_lock);
	if (busy && !wait_event_timeout(gtt->idle_wq,
					READ_ONCE(gtt->busy_seq) != seq,
					IVGPU_GTT_UNMAP_WAIT))
		dev_dbg_ratelimited(vgpu->vdev.dev,
				    "DMA unmap: a pin in progress did not end in time\n");
}

int ivgpu_vgpu_gtt_new_user(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	struct page *fresh;

	lockdep_assert_held(&vgpu->lock);
	/* A dma-buf of the last user may still hold (and write) the page. */
	if (page_count(gtt->scratch) == 1)
		return 0;
	fresh = ivgpu_fail_alloc() ? NULL :
		alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!fresh)
		return -ENOMEM;
	mutex_lock(&gtt->map_lock);
	swap(gtt->scratch, fresh);
	mutex_unlock(&gtt->map_lock);
	put_page(fresh);
	return 0;
}

/* Unpin everything and forget every entry (reset, close). */
void ivgpu_vgpu_gtt_reset(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	struct ivgpu_gtt_unpins u = { .batch = true };
	struct page *sink;
	unsigned long idx;
	void *cur;

	lockdep_assert_held(&vgpu->lock);
	/*
	 * Room for every pin (none is added while the vGPU lock is held), up
	 * to what one vfio_unpin_pages() takes, so that one zap of each range
	 * goes before them all; without it, a zap per IVGPU_GTT_BATCH entries.
	 */
	u.cap = min_t(u64, READ_ONCE(gtt->stats.pinned) + 2,
		      VFIO_PIN_PAGES_MAX_ENTRIES);
	if (u.cap > IVGPU_GTT_BATCH && !ivgpu_fail_alloc())
		u.many = kvmalloc_array(u.cap, sizeof(*u.many), GFP_KERNEL);
	mutex_lock(&gtt->map_lock);
	xa_for_each(&gtt->shadow, idx, cur) {
		if (xa_is_value(cur))
			continue;
		/* Making room drops map_lock: the store looks the entry up again. */
		ivgpu_gtt_batch_room(vgpu, &u);
		ivgpu_gtt_store(vgpu, idx, NULL, 0,
				ivgpu_pte_addr(ivgpu_vgpu_gtt_shadowed(vgpu, idx)),
				&u);
	}
	ivgpu_gtt_unlock(vgpu, &u);
	kvfree(u.many);
	mutex_lock(&gtt->map_lock);
	gtt->pending = false;
	xa_destroy(&gtt->shadow);
	ivgpu_vgpu_aperture_zap(vgpu, 0, ivgpu_vgpu_aperture_pages(vgpu));
	mutex_unlock(&gtt->map_lock);
	clear_highpage(gtt->scratch);
	sink = READ_ONCE(gtt->sink);	/* set once, by the first mmap */
	if (sink)
		clear_highpage(sink);
}

void ivgpu_vgpu_gtt_rebuild(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_gtt_unpins u = {};
	u64 idx;

	lockdep_assert_held(&vgpu->lock);
	mutex_lock(&vgpu->gtt.map_lock);
	for (idx = 0; idx < vgpu->core.ggtt_entries; idx++)
		if (ivgpu_pte_present(ivgpu_ggtt_entry(&vgpu->core, idx)))
			ivgpu_gtt_store(vgpu, idx, IVGPU_GTT_UNRESOLVED, 0, 0, &u);
	mutex_unlock(&vgpu->gtt.map_lock);
}

ssize_t ivgpu_vgpu_page_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
			   size_t count, u64 off, bool write,
			   struct page *(*page_of)(struct ivgpu_vgpu *vgpu, u64 n))
{
	size_t done = 0;

	while (done < count) {
		u32 in_page = offset_in_page(off);
		size_t n = min_t(size_t, count - done, PAGE_SIZE - in_page);
		struct page *page;
		unsigned long left;
		void *kaddr;

		mutex_lock(&vgpu->lock);
		page = page_of(vgpu, off >> PAGE_SHIFT);
		mutex_unlock(&vgpu->lock);

		kaddr = kmap_local_page(page);
		if (!write)
			left = copy_to_user(buf + done, kaddr + in_page, n);
		else if (page != vgpu->gtt.scratch)
			left = copy_from_user(kaddr + in_page, buf + done, n);
		else
			left = 0;	/* writes to unbacked memory are dropped */
		kunmap_local(kaddr);
		put_page(page);
		if (left)
			return done ? done : -EFAULT;
		done += n;
		off += n;
	}
	return done;
}

ssize_t ivgpu_vgpu_aperture_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
			       size_t count, u64 off, bool write)
{
	return ivgpu_vgpu_page_rw(vgpu, buf, count, off, write,
				  ivgpu_vgpu_gtt_get);
}

struct page *ivgpu_vgpu_gtt_peek(struct ivgpu_vgpu *vgpu, u64 idx)
{
	void *cur = xa_load(&vgpu->gtt.shadow, idx);

	return cur && !xa_is_value(cur) ? cur : NULL;
}

static vm_fault_t ivgpu_vgpu_aperture_fault(struct vm_fault *vmf)
{
	struct ivgpu_vgpu *vgpu = vmf->vma->vm_private_data;
	struct ivgpu_vgpu_gtt *gtt = &vgpu->gtt;
	u64 idx = ((u64)vmf->pgoff << PAGE_SHIFT) - IVGPU_APERTURE_OFFSET;
	struct page *page;
	vm_fault_t ret;

	idx >>= PAGE_SHIFT;
	mutex_lock(&gtt->map_lock);
	page = ivgpu_vgpu_gtt_peek(vgpu, idx);
	if (!page)
		page = gtt->scratch;
	ret = vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(page));
	mutex_unlock(&gtt->map_lock);
	return ret;
}

static const struct vm_operations_struct ivgpu_vgpu_aperture_vm_ops = {
	.fault = ivgpu_vgpu_aperture_fault,
};

int ivgpu_vgpu_aperture_mmap(struct ivgpu_vgpu *vgpu,
			     struct vm_area_struct *vma)
{
	u64 size = ivgpu_type_low_gm(vgpu->type->profile);
	u64 start = ((u64)vma->vm_pgoff << PAGE_SHIFT) - IVGPU_APERTURE_OFFSET;
	u64 len = vma->vm_end - vma->vm_start;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (start >= size || len > size - start)
		return -EINVAL;

	ivgpu_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ivgpu_vgpu_aperture_vm_ops;
	vma->vm_private_data = vgpu;

	mutex_lock(&vgpu->gtt.map_lock);
	vgpu->gtt.mapping = vma->vm_file->f_mapping;
	mutex_unlock(&vgpu->gtt.map_lock);
	return 0;
}

static vm_fault_t ivgpu_vgpu_ggtt_sink_fault(struct vm_fault *vmf)
{
	struct ivgpu_vgpu *vgpu = vmf->vma->vm_private_data;

	/* The mmap that made this VMA allocated the page. */
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      page_to_pfn(READ_ONCE(vgpu->gtt.sink)));
}

static const struct vm_operations_struct ivgpu_vgpu_ggtt_sink_vm_ops = {
	.fault = ivgpu_vgpu_ggtt_sink_fault,
};

int ivgpu_vgpu_ggtt_sink_mmap(struct ivgpu_vgpu *vgpu,
			      struct vm_area_struct *vma)
{
	u64 first = IVGPU_GGTT_OFFSET + vgpu->core.ggtt_entries * 8;
	u64 start = ((u64)vma->vm_pgoff << PAGE_SHIFT) & IVGPU_REGION_MASK;
	u64 len = vma->vm_end - vma->vm_start;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (start < first || start >= IVGPU_BAR0_SIZE ||
	    len > IVGPU_BAR0_SIZE - start)
		return -EINVAL;

	/* The sink page comes with the first mapping of it: most never map it. */
	mutex_lock(&vgpu->gtt.map_lock);
	if (!vgpu->gtt.sink && !ivgpu_fail_alloc())
		WRITE_ONCE(vgpu->gtt.sink,
			   alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO));
	mutex_unlock(&vgpu->gtt.map_lock);
	if (!vgpu->gtt.sink) {
		dev_err(vgpu->vdev.dev, "no memory for the GGTT sink page\n");
		return -ENOMEM;
	}

	ivgpu_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ivgpu_vgpu_ggtt_sink_vm_ops;
	vma->vm_private_data = vgpu;
	return 0;
}
