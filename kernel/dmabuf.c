// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dma-buf planes.
 *
 * A plane state holds a reference on each page it shows (guest pages the
 * shadow GTT pinned, or the scratch page for unbacked entries), so it stays
 * valid whatever the guest or the VFIO user does next: a flip, a GGTT
 * rewrite or a DMA unmap only make the next query answer another state.
 * The vGPU keeps the newest IVGPU_DMABUF_KEEP states for
 * VFIO_DEVICE_GET_GFX_DMABUF; each exported dma-buf holds one more
 * reference, so a state lives as long as its last dma-buf.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include "compat.h"
#include "debugfs.h"
#include "core/types.h"
#include "dmabuf.h"
#include "gpu.h"
#include "vgpu.h"

MODULE_IMPORT_NS(DMA_BUF);

struct ivgpu_dmabuf {
	struct kref ref;
	struct list_head link;		/* in the vGPU's list; vGPU lock */
	u32 id;
	u32 plane;			/* IVGPU_PLANE_* */
	u32 drm_format;
	u64 modifier;
	u32 width, height, stride;
	unsigned long nr_pages;
	struct page *pages[];		/* referenced */
};

static void ivgpu_dmabuf_free(struct kref *ref)
{
	struct ivgpu_dmabuf *b = container_of(ref, struct ivgpu_dmabuf, ref);
	unsigned long i;

	for (i = 0; i < b->nr_pages; i++)
		put_page(b->pages[i]);
	kvfree(b);
	atomic_long_dec(&ivgpu_live.plane_states);
}

static struct sg_table *ivgpu_dmabuf_map(struct dma_buf_attachment *at,
					 enum dma_data_direction dir)
{
	struct ivgpu_dmabuf *b = at->dmabuf->priv;
	struct sg_table *sgt;
	int ret;

	sgt = ivgpu_fail_alloc() ? NULL : kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(sgt, b->pages, b->nr_pages, 0,
					b->nr_pages << PAGE_SHIFT, GFP_KERNEL);
	if (ret)
		goto out_free_sgt;
	ret = dma_map_sgtable(at->dev, sgt, dir, 0);
	if (ret)
		goto out_free_table;
	return sgt;

out_free_table:
	sg_free_table(sgt);
out_free_sgt:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void ivgpu_dmabuf_unmap(struct dma_buf_attachment *at,
			       struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	dma_unmap_sgtable(at->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void ivgpu_dmabuf_release(struct dma_buf *dmabuf)
{
	struct ivgpu_dmabuf *b = dmabuf->priv;

	atomic_long_dec(&ivgpu_live.dmabufs);
	kref_put(&b->ref, ivgpu_dmabuf_free);
}

static vm_fault_t ivgpu_dmabuf_fault(struct vm_fault *vmf)
{
	struct ivgpu_dmabuf *b = vmf->vma->vm_private_data;

	if (vmf->pgoff >= b->nr_pages)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      page_to_pfn(b->pages[vmf->pgoff]));
}

static const struct vm_operations_struct ivgpu_dmabuf_vm_ops = {
	.fault = ivgpu_dmabuf_fault,
};

static int ivgpu_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	ivgpu_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ivgpu_dmabuf_vm_ops;
	vma->vm_private_data = dmabuf->priv;
	return 0;
}

static const struct dma_buf_ops ivgpu_dmabuf_ops = {
	.map_dma_buf = ivgpu_dmabuf_map,
	.unmap_dma_buf = ivgpu_dmabuf_unmap,
	.release = ivgpu_dmabuf_release,
	.mmap = ivgpu_dmabuf_mmap,
};

/* Where a plane's dma-buf starts and how long it is; false if it can't. */
static bool ivgpu_dmabuf_extent(const struct ivgpu_fb *fb, u32 plane,
				u64 *start, u64 *len)
{
	u64 lin;

	if (plane == IVGPU_PLANE_CURSOR) {
		*start = fb->gm_base;
		*len = fb->size;
	} else if (fb->modifier == IVGPU_MOD_LINEAR) {
		lin = ivgpu_fb_linear_offset(fb);
		if (offset_in_page(lin))
			return false;
		*start = fb->gm_base + lin;
		*len = (u64)(fb->height - 1) * fb->stride +
		       (u64)fb->width * fb->cpp;
	} else {
		/* X tiles: whole tile rows, from the first visible one. */
		if (fb->x_off || fb->y_off % IVGPU_XTILE_ROWS)
			return false;
		*start = fb->gm_base +
			 (u64)fb->y_off / IVGPU_XTILE_ROWS * IVGPU_XTILE_ROWS *
			 fb->stride;
		*len = (u64)DIV_ROUND_UP(fb->height, IVGPU_XTILE_ROWS) *
		       IVGPU_XTILE_ROWS * fb->stride;
	}
	return true;
}

static bool ivgpu_dmabuf_same(const struct ivgpu_dmabuf *b,
			      const struct ivgpu_dmabuf *want)
{
	return b->plane == want->plane && b->drm_format == want->drm_format &&
	       b->modifier == want->modifier && b->width == want->width &&
	       b->height == want->height && b->stride == want->stride &&
	       b->nr_pages == want->nr_pages &&
	       !memcmp(b->pages, want->pages,
		       b->nr_pages * sizeof(b->pages[0]));
}

static void ivgpu_dmabuf_forget(struct ivgpu_vgpu *vgpu, struct ivgpu_dmabuf *b)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(d->dmabuf_cache); i++)
		if (d->dmabuf_cache[i].state == b)
			d->dmabuf_cache[i].state = NULL;
	list_del(&b->link);
	vgpu->display.nr_dmabufs--;
	kref_put(&b->ref, ivgpu_dmabuf_free);
}

/*
 * The kept state equal to @want (whose page references are dropped then),
 * or @want itself, kept now.
 */
static struct ivgpu_dmabuf *ivgpu_dmabuf_keep(struct ivgpu_vgpu *vgpu,
					      struct ivgpu_dmabuf *want)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	struct ivgpu_dmabuf *b;
	unsigned long i;

	list_for_each_entry(b, &d->dmabufs, link) {
		if (ivgpu_dmabuf_same(b, want)) {
			list_move(&b->link, &d->dmabufs);
			for (i = 0; i < want->nr_pages; i++)
				put_page(want->pages[i]);
			kvfree(want);
			return b;
		}
	}
	kref_init(&want->ref);
	atomic_long_inc(&ivgpu_live.plane_states);
	if (!++d->next_dmabuf_id)
		d->next_dmabuf_id = 1;
	want->id = d->next_dmabuf_id;
	list_add(&want->link, &d->dmabufs);
	d->stats.dmabufs++;
	if (++d->nr_dmabufs > IVGPU_DMABUF_KEEP)
		ivgpu_dmabuf_forget(vgpu, list_last_entry(&d->dmabufs,
							  struct ivgpu_dmabuf,
							  link));
	return want;
}

int ivgpu_vgpu_dmabuf_query(struct ivgpu_vgpu *vgpu, u32 plane,
			    struct vfio_device_gfx_plane_info *info)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	struct ivgpu_dmabuf *want, *b;
	struct ivgpu_fb fb;
	u64 start, len;
	unsigned long n, i;
	u64 gen;

	lockdep_assert_held(&vgpu->lock);
	if (ivgpu_fb_decode(&vgpu->core, plane, &fb))
		return 0;
	if (!ivgpu_dmabuf_extent(&fb, plane, &start, &len) ||
	    start + len > ivgpu_type_gm_size(vgpu->type->profile)) {
		vgpu->core.stats.fb_errors++;
		return 0;	/* not expressible as a dma-buf: disabled */
	}
	/* Nothing a plane shows changed since the last answer: the same. */
	gen = atomic64_read(&d->gen);
	b = d->dmabuf_cache[plane].state;
	if (b && d->dmabuf_cache[plane].gen == gen)
		goto answer;
	n = DIV_ROUND_UP(len, PAGE_SIZE);
	want = ivgpu_fail_alloc() ? NULL :
	       kvzalloc(struct_size(want, pages, n), GFP_KERNEL);
	if (!want)
		return -ENOMEM;
	want->plane = plane;
	want->drm_format = fb.drm_format;
	want->modifier = fb.modifier;
	want->width = fb.width;
	want->height = fb.height;
	want->stride = fb.stride;
	want->nr_pages = n;
	for (i = 0; i < n; i++)
		want->pages[i] = ivgpu_vgpu_gtt_get(vgpu,
						     (start >> PAGE_SHIFT) + i);
	b = ivgpu_dmabuf_keep(vgpu, want);
	d->dmabuf_cache[plane].state = b;
	d->dmabuf_cache[plane].gen = gen;	/* read before the pages */

answer:
	info->drm_format = b->drm_format;
	info->drm_format_mod = b->modifier;
	info->width = b->width;
	info->height = b->height;
	info->stride = b->stride;
	info->size = b->nr_pages << PAGE_SHIFT;
	info->dmabuf_id = b->id;
	if (plane == IVGPU_PLANE_CURSOR) {
		info->x_pos = fb.x_pos;
		info->y_pos = fb.y_pos;
		info->x_hot = fb.x_hot;
		info->y_hot = fb.y_hot;
	} else {
		info->x_hot = IVGPU_PV_CURSOR_HOT_NONE;
		info->y_hot = IVGPU_PV_CURSOR_HOT_NONE;
	}
	return 0;
}

long ivgpu_vgpu_get_dmabuf(struct ivgpu_vgpu *vgpu, void __user *arg)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp);
	struct ivgpu_dmabuf *b, *found = NULL;
	struct dma_buf *dmabuf;
	u32 id;
	int fd;

	if (get_user(id, (u32 __user *)arg))
		return -EFAULT;
	mutex_lock(&vgpu->lock);
	list_for_each_entry(b, &vgpu->display.dmabufs, link) {
		if (b->id == id) {
			found = b;
			kref_get(&b->ref);
			vgpu->display.stats.exports++;
			break;
		}
	}
	mutex_unlock(&vgpu->lock);
	if (!found)
		return -ENOENT;

	exp.ops = &ivgpu_dmabuf_ops;
	exp.size = found->nr_pages << PAGE_SHIFT;
	exp.flags = O_RDWR | O_CLOEXEC;
	exp.priv = found;
	dmabuf = dma_buf_export(&exp);
	if (IS_ERR(dmabuf)) {
		kref_put(&found->ref, ivgpu_dmabuf_free);
		return PTR_ERR(dmabuf);
	}
	atomic_long_inc(&ivgpu_live.dmabufs);
	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	if (fd < 0)
		dma_buf_put(dmabuf);	/* releases our reference */
	return fd;
}

void ivgpu_vgpu_dmabuf_drop_all(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	struct ivgpu_dmabuf *b, *tmp;

	lockdep_assert_held(&vgpu->lock);
	list_for_each_entry_safe(b, tmp, &d->dmabufs, link)
		ivgpu_dmabuf_forget(vgpu, b);
}
