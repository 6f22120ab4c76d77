// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counters in debugfs, one "name value" line each: per vGPU, and what
 * lives module-wide.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "core/regs.h"
#include "debugfs.h"
#include "vgpu.h"

static struct dentry *ivgpu_debugfs_root;

static int ivgpu_vgpu_stats_show(struct seq_file *m, void *unused)
{
	struct ivgpu_vgpu *vgpu = m->private;
	const struct ivgpu_core_stats *c = &vgpu->core.stats;
	const struct ivgpu_vgpu_gtt_stats *g = &vgpu->gtt.stats;

	mutex_lock(&vgpu->lock);
	seq_printf(m, "mmio_reads %llu\n", c->mmio_reads);
	seq_printf(m, "mmio_writes %llu\n", c->mmio_writes);
	seq_printf(m, "ro_writes %llu\n", c->ro_writes);
	seq_printf(m, "nomem %llu\n", c->nomem);
	seq_printf(m, "ggtt_writes %llu\n", c->ggtt_writes);
	seq_printf(m, "ggtt_dropped %llu\n", c->ggtt_dropped);
	seq_printf(m, "ggtt_present %llu\n", vgpu->core.ggtt_present);
	mutex_lock(&vgpu->gtt.map_lock);	/* a DMA unmap changes these */
	seq_printf(m, "pages_pinned %llu\n", g->pinned);
	seq_printf(m, "pins %llu\n", g->pins);
	seq_printf(m, "unpins %llu\n", g->unpins);
	seq_printf(m, "pin_errors %llu\n", g->pin_errors);
	seq_printf(m, "scratch_hits %llu\n", g->scratch_hits);
	seq_printf(m, "dma_invalidated %llu\n", g->invalidated);
	mutex_unlock(&vgpu->gtt.map_lock);
	seq_printf(m, "irq_events %llu\n", c->events);
	seq_printf(m, "irq_msi %llu\n", vgpu->irq.msi_sent);
	seq_printf(m, "irq_intx %llu\n", vgpu->irq.intx_sent);
	seq_printf(m, "irq_intx_unmasks %llu\n", vgpu->irq.intx_unmasks);
	seq_printf(m, "irq_intx_unmask_fd %llu\n", vgpu->irq.intx_unmask_fd);
	seq_printf(m, "vblank_ticks %llu\n", vgpu->vblank.ticks);
	seq_printf(m, "vblank_running %d\n", vgpu->vblank.running);
	seq_printf(m, "fb_errors %llu\n", c->fb_errors);
	seq_printf(m, "pcode_rejected %llu\n", c->pcode_rejected);
	seq_printf(m, "plane_queries %llu\n", vgpu->display.stats.queries);
	seq_printf(m, "plane_copies %llu\n", vgpu->display.stats.copies);
	seq_printf(m, "dmabuf_states %llu\n", vgpu->display.stats.dmabufs);
	seq_printf(m, "dmabuf_exports %llu\n", vgpu->display.stats.exports);
	mutex_unlock(&vgpu->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ivgpu_vgpu_stats);

/* The display registers of each pipe, as the guest last wrote them. */
static int ivgpu_vgpu_display_show(struct seq_file *m, void *unused)
{
	static const struct {
		const char *name;
		u32 off;	/* pipe A's; pipes are 0x1000 apart */
	} regs[] = {
		{ "TRANS_DDI_FUNC_CTL", 0x60400 }, { "PIPESRC", 0x6001c },
		{ "TRANSCONF", 0x70008 }, { "PIPE_FRMCOUNT", 0x70040 },
		{ "PLANE_CTL", 0x70180 }, { "PLANE_STRIDE", 0x70188 },
		{ "PLANE_SIZE", 0x70190 }, { "PLANE_SURF", 0x7019c },
		{ "CURCNTR", 0x70080 },
	};
	struct ivgpu_vgpu *vgpu = m->private;
	unsigned int i, pipe;

	mutex_lock(&vgpu->lock);
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		seq_printf(m, "%-18s", regs[i].name);
		for (pipe = 0; pipe < IVGPU_PIPES; pipe++)
			seq_printf(m, " %08x", ivgpu_reg_get(&vgpu->core,
							     regs[i].off + 0x1000 * pipe));
		seq_puts(m, "\n");
	}
	mutex_unlock(&vgpu->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ivgpu_vgpu_display);

static int ivgpu_live_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "vgpus %ld\n", atomic_long_read(&ivgpu_live.vgpus));
	seq_printf(m, "opens %ld\n", atomic_long_read(&ivgpu_live.opens));
	seq_printf(m, "pages_pinned %ld\n", atomic_long_read(&ivgpu_live.pinned));
	seq_printf(m, "plane_states %ld\n",
		   atomic_long_read(&ivgpu_live.plane_states));
	seq_printf(m, "dmabufs %ld\n", atomic_long_read(&ivgpu_live.dmabufs));
	seq_printf(m, "mig_files %ld\n", atomic_long_read(&ivgpu_live.mig_files));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ivgpu_live);

void ivgpu_debugfs_init(void)
{
	ivgpu_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_atomic_t("fail_after", 0600, ivgpu_debugfs_root,
				&ivgpu_fail_after);
	debugfs_create_file("live", 0444, ivgpu_debugfs_root, NULL,
			    &ivgpu_live_fops);
}

void ivgpu_debugfs_check_live(void)
{
	long vgpus = atomic_long_read(&ivgpu_live.vgpus);
	long opens = atomic_long_read(&ivgpu_live.opens);
	long pinned = atomic_long_read(&ivgpu_live.pinned);
	long states = atomic_long_read(&ivgpu_live.plane_states);
	long dmabufs = atomic_long_read(&ivgpu_live.dmabufs);
	long files = atomic_long_read(&ivgpu_live.mig_files);

	if (vgpus || opens || pinned || states || dmabufs || files)
		pr_err("leaked at unload: vgpus %ld opens %ld pages_pinned %ld plane_states %ld dmabufs %ld mig_files %ld\n",
		       vgpus, opens, pinned, states, dmabufs, files);
}

void ivgpu_debugfs_exit(void)
{
	debugfs_remove_recursive(ivgpu_debugfs_root);
}

void ivgpu_vgpu_debugfs_add(struct ivgpu_vgpu *vgpu)
{
	vgpu->debugfs = debugfs_create_dir(dev_name(vgpu->vdev.dev),
					   ivgpu_debugfs_root);
	debugfs_create_file("stats", 0444, vgpu->debugfs, vgpu,
			    &ivgpu_vgpu_stats_fops);
	debugfs_create_file("display", 0444, vgpu->debugfs, vgpu,
			    &ivgpu_vgpu_display_fops);
}

void ivgpu_vgpu_debugfs_remove(struct ivgpu_vgpu *vgpu)
{
	debugfs_remove_recursive(vgpu->debugfs);
}
